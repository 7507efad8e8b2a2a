"""A participant's side after registering: "my registrations" (upcoming and past, nobody
else's, constant queries) and the feedback after a session."""

import datetime

import pytest
from django.utils import timezone

from services.models import Attendance, Registration, RegistrationStatus, ServiceSession
from startups.models import StartupMember
from tests.factories import RegistrationFactory, ServiceFactory, ServiceSessionFactory

from .registration_setup import registrations, signed_in, texts

# Every test here uses the world: built once for the module (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]


# --- My registrations ------------------------------------------------------------------------
def test_my_registrations_lists_upcoming_and_past(client, world, founder_a, unscoped):
    past = timezone.now() - datetime.timedelta(days=5)
    old_session = ServiceSessionFactory(
        service=ServiceFactory(site=None, title="Old bootcamp"), starts_at=past, registration_deadline=past
    )
    RegistrationFactory(session=old_session, user=founder_a, email=founder_a.email, attendance=Attendance.PRESENT)
    # Registered to a public event without signing in, with the same address.
    public = RegistrationFactory(
        session=ServiceSession.objects.get(pk=world["session_public"]), email=founder_a.email, user=None
    )
    response = signed_in(client, founder_a).get("/me/registrations/")
    assert [r.pk for r in response.context["upcoming"]] == sorted([world["registration_a"], public.pk])
    assert [r.session.service.title for r in response.context["page"]] == ["Old bootcamp"]
    page = response.content.decode()
    assert f'action="/registrations/{world["registration_a_token"]}/cancel/"' in page
    assert "Send my feedback" in page
    assert "/calendar/" in page and founder_a.calendar_token in page


def test_my_registrations_shows_nobody_elses(client, world, outsider):
    response = signed_in(client, outsider).get("/me/registrations/")
    assert response.context["upcoming"] == []
    assert "No upcoming session" in response.content.decode()


def test_my_registrations_is_O1_in_queries(client, world, founder_a, django_assert_max_num_queries, unscoped):
    client = signed_in(client, founder_a)
    past = timezone.now() - datetime.timedelta(days=5)
    first = ServiceFactory(site=None, title="S")  # one of each, so that every prefetch runs
    RegistrationFactory(session=ServiceSessionFactory(service=first), user=founder_a, email=founder_a.email)
    RegistrationFactory(
        session=ServiceSessionFactory(service=first, starts_at=past, registration_deadline=past),
        user=founder_a,
        email=founder_a.email,
    )
    with django_assert_max_num_queries(20) as few:
        client.get("/me/registrations/")
    for index in range(30):
        service = ServiceFactory(site=None, title=f"S{index}")
        upcoming = ServiceSessionFactory(service=service, join_url="https://meet.example.ma/x")
        old = ServiceSessionFactory(service=service, starts_at=past, registration_deadline=past)
        RegistrationFactory(session=upcoming, user=founder_a, email=founder_a.email)
        RegistrationFactory(session=old, user=founder_a, email=founder_a.email, rating=4)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/me/registrations/")
    assert len(response.context["upcoming"]) == 32


# --- Feedback --------------------------------------------------------------------------------
@pytest.fixture
def attended(world, founder_a, unscoped):
    past = timezone.now() - datetime.timedelta(days=2)
    session = ServiceSessionFactory(service=ServiceFactory(site=None), starts_at=past, registration_deadline=past)
    return RegistrationFactory(session=session, user=founder_a, email=founder_a.email, attendance=Attendance.PRESENT)


def test_feedback_after_the_session(client, attended, founder_a):
    response = signed_in(client, founder_a).post(
        f"/me/registrations/{attended.pk}/feedback/", {"rating": "4", "comment": "Very practical."}, follow=True
    )
    assert "Thank you for your feedback." in texts(response)
    attended.refresh_from_db()
    assert (attended.rating, attended.comment) == (4, "Very practical.")


def test_no_feedback_before_the_session_is_over(client, world, founder_a):
    response = signed_in(client, founder_a).post(
        f"/me/registrations/{world['registration_a']}/feedback/", {"rating": "5"}, follow=True
    )
    assert "You can rate the session once it is over." in texts(response)
    assert registrations(pk=world["registration_a"])[0].rating is None


@pytest.mark.parametrize(
    "change", [{"attendance": Attendance.NO_SHOW}, {"status": RegistrationStatus.WAITLISTED, "attendance": ""}]
)
def test_only_attendees_rate(client, attended, founder_a, change, unscoped):
    Registration.objects.filter(pk=attended.pk).update(**change)
    response = signed_in(client, founder_a).post(
        f"/me/registrations/{attended.pk}/feedback/", {"rating": "5"}, follow=True
    )
    assert "Only participants of the session can rate it." in texts(response)
    attended.refresh_from_db()
    assert attended.rating is None
    # …and the page offers no form for it.
    assert f'action="/me/registrations/{attended.pk}/feedback/"' not in response.content.decode()


@pytest.mark.parametrize("rating", ["0", "6", "", "five"])
def test_invalid_rating_is_a_form_error(client, attended, founder_a, rating):
    response = signed_in(client, founder_a).post(
        f"/me/registrations/{attended.pk}/feedback/", {"rating": rating, "comment": "Kept"}
    )
    assert response.status_code == 200
    assert "Kept" in response.content.decode()  # nothing typed is lost
    attended.refresh_from_db()
    assert attended.rating is None


def test_someone_elses_registration_is_404(client, attended, outsider):
    assert (
        signed_in(client, outsider).post(f"/me/registrations/{attended.pk}/feedback/", {"rating": "5"}).status_code
        == 404
    )


def test_a_teammate_cannot_rate_for_the_registrant(client, attended, world, unscoped):
    teammate = StartupMember.objects.get(pk=world["member_a"]).user
    assert (
        signed_in(client, teammate).post(f"/me/registrations/{attended.pk}/feedback/", {"rating": "1"}).status_code
        == 404
    )

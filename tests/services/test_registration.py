"""Registration to sessions: eligibility, seats and the waitlist, public events without an
account (validation, throttling), cancelling by token, "my registrations" and feedback."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.utils import timezone
from django_scopes import scopes_disabled

from core.errors import Conflict
from services import actions, selectors
from services.models import Attendance, Registration, RegistrationStatus, Service, ServiceSession
from services.views import catalogue as catalogue_views
from sites.scoping import network_scope
from startups.models import StartupMember
from tests.factories import (
    AdmissionFactory,
    RegistrationFactory,
    ServiceFactory,
    ServiceSessionFactory,
    SiteFactory,
    StartupFactory,
    StartupMemberFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def member_of(startup, **user):
    with scopes_disabled():
        return StartupMemberFactory(startup=startup, role="member", user=UserFactory(language="en", **user)).user


def admitted_member(site, kind="resident", **user):
    with scopes_disabled():
        startup = StartupFactory()
        AdmissionFactory(startup=startup, site=site, kind=kind)
    return member_of(startup, **user), startup


def signed_in(client, user):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def texts(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


def registrations(**filters):
    with scopes_disabled():
        return list(Registration.objects.filter(**filters).order_by("pk"))


# --- Eligibility ----------------------------------------------------------------------------
@pytest.fixture
def residents_only(world, site_a, unscoped):
    service = ServiceFactory(site=site_a, eligibility="site_residents", title="Residents' lab A")
    return service, ServiceSessionFactory(service=service)


def _eligible(user, service) -> bool:
    with network_scope():
        return selectors.is_eligible(user, Service.objects.get(pk=service.pk))


def test_residents_only_service(residents_only, founder_a, site_a, site_b):
    service, _session = residents_only
    e_member, _ = admitted_member(site_a, kind="e-technopark")
    resident_b, _ = admitted_member(site_b)
    assert _eligible(founder_a, service)  # resident of site A
    assert not _eligible(e_member, service)  # e-Technopark member followed by site A
    assert not _eligible(resident_b, service)  # resident of another site


def test_admitted_any_service(world, site_b, outsider, unscoped):
    service = Service.objects.get(pk=world["service_network"])
    e_member, _ = admitted_member(site_b, kind="e-technopark")
    assert _eligible(e_member, service)
    assert not _eligible(outsider, service)


def test_an_ended_admission_is_not_eligible(world, site_b, unscoped):
    user, startup = admitted_member(site_b, kind="e-technopark")
    startup.admissions.update(ended_on=timezone.localdate() - datetime.timedelta(days=1), exit_reason="graduated")
    assert not _eligible(user, Service.objects.get(pk=world["service_network"]))


def test_public_service_anyone(world, unscoped):
    assert _eligible(AnonymousUser(), Service.objects.get(pk=world["service_public"]))


def test_not_eligible_gets_a_403_page_with_the_reason(client, residents_only, site_b):
    _service, session = residents_only
    resident_b, _ = admitted_member(site_b)
    response = signed_in(client, resident_b).post(f"/sessions/{session.pk}/register/")
    assert response.status_code == 403
    assert "reserved for the resident startups of Technopark site-a" in response.content.decode()
    assert registrations(session=session) == []


def test_outsider_is_told_to_apply(client, world, outsider):
    response = signed_in(client, outsider).post(f"/sessions/{world['session_network']}/register/")
    assert response.status_code == 403
    assert "Create your startup's profile, then apply to a call" in response.content.decode()


def test_anonymous_is_sent_to_sign_in(client, world):
    response = client.post(f"/sessions/{world['session_network']}/register/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/sessions/")


@pytest.mark.parametrize("pk", ["999999", "{unpublished}"])
def test_missing_session_is_404(client, founder_a, world, unscoped, pk):
    unpublished = ServiceSessionFactory(service=ServiceFactory(site=None, is_published=False))
    url = f"/sessions/{pk.format(unpublished=unpublished.pk)}/register/"
    assert signed_in(client, founder_a).post(url).status_code == 404


# --- Registering ----------------------------------------------------------------------------
def test_an_eligible_member_registers_and_is_confirmed(
    client, world, founder_a, django_capture_on_commit_callbacks, unscoped
):
    session = ServiceSession.objects.get(pk=world["session_network"])
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(client, founder_a).post(
            f"/sessions/{session.pk}/register/", {"startup": world["startup_a"]}, follow=True
        )
    assert response.redirect_chain[-1][0] == f"/services/{session.service_id}/"
    assert "Your seat is confirmed." in " ".join(texts(response))
    [registration] = registrations(session=session)
    assert registration.status == RegistrationStatus.CONFIRMED
    assert (registration.user, registration.startup_id) == (founder_a, world["startup_a"])
    assert registration.email == founder_a.email and registration.language == "en"  # their (cookie) language
    assert [message.to for message in mail.outbox] == [[founder_a.email]]
    # The page now shows the registration and the join link.
    page = response.content.decode()
    assert "https://stream.example.ma/live" in page


def test_a_full_session_waitlists(client, world, unscoped):
    session = ServiceSession.objects.get(pk=world["session_network"])
    session.seats = 1
    session.save()
    RegistrationFactory(session=session)
    user, startup = admitted_member(SiteFactory(slug="site-c"), kind="e-technopark")
    response = signed_in(client, user).post(f"/sessions/{session.pk}/register/", {"startup": startup.pk}, follow=True)
    assert "you are on the waitlist" in " ".join(texts(response))
    assert registrations(session=session, user=user)[0].status == RegistrationStatus.WAITLISTED


def test_already_registered_is_a_message(client, world, founder_a):
    response = signed_in(client, founder_a).post(
        f"/sessions/{world['session_a']}/register/", {"startup": world["startup_a"]}, follow=True
    )
    assert response.status_code == 200
    assert "You are already registered for this session." in texts(response)
    assert len(registrations(session_id=world["session_a"], user=founder_a)) == 1


def test_closed_registration_is_a_message(client, world, founder_a, unscoped):
    ServiceSession.objects.filter(pk=world["session_network"]).update(
        registration_deadline=timezone.now() - datetime.timedelta(minutes=1)
    )
    response = signed_in(client, founder_a).post(
        f"/sessions/{world['session_network']}/register/", {"startup": world["startup_a"]}, follow=True
    )
    assert "Registration for this session is closed." in texts(response)
    assert registrations(session_id=world["session_network"]) == []


def test_a_member_of_several_startups_must_pick_an_eligible_one(client, world, founder_a, site_b, unscoped):
    second = StartupFactory(brand_name="Second Co")
    StartupMemberFactory(startup=second, user=founder_a)
    AdmissionFactory(startup=second, site=site_b, kind="e-technopark")
    client = signed_in(client, founder_a)
    url = f"/sessions/{world['session_network']}/register/"
    # Not a startup of theirs (startup_b): a form error, nothing registered.
    response = client.post(url, {"startup": world["startup_b"]})
    assert response.status_code == 200
    assert response.context["form"].errors["startup"]
    assert client.post(url, {"startup": "not-a-number"}).status_code == 200
    assert registrations(session_id=world["session_network"]) == []
    client.post(url, {"startup": second.pk})
    assert registrations(session_id=world["session_network"])[0].startup == second


def test_register_page_get_shows_the_choice(client, world, founder_a):
    response = signed_in(client, founder_a).get(f"/sessions/{world['session_network']}/register/")
    assert response.status_code == 200
    assert "Atlas Data" in response.content.decode()


# --- Waitlist order and promotion ------------------------------------------------------------
@pytest.fixture
def full_session(world, unscoped):
    """One seat, taken; three people waiting (joined in the order w1, w2, w3)."""
    session = ServiceSessionFactory(service=ServiceFactory(site=None, title="Tiny workshop"), seats=1)
    holder = RegistrationFactory(session=session, email="holder@example.ma")
    base = timezone.now() - datetime.timedelta(hours=1)
    waiting = []
    # Created in reverse order: the waitlist follows `waitlisted_at`, not the id.
    for index, name in reversed(list(enumerate(["w1", "w2", "w3"]))):
        waiting.append(
            RegistrationFactory(
                session=session,
                email=f"{name}@example.ma",
                status=RegistrationStatus.WAITLISTED,
                waitlisted_at=base + datetime.timedelta(minutes=index),
            )
        )
    return session, holder


def _statuses(session) -> dict[str, str]:
    return {r.email: r.status for r in registrations(session=session)}


def test_cancelling_promotes_exactly_the_next_one(full_session, django_capture_on_commit_callbacks, unscoped):
    session, holder = full_session
    with django_capture_on_commit_callbacks(execute=True), network_scope():
        actions.registration_cancel(registration=holder)
    assert _statuses(session) == {
        "holder@example.ma": "cancelled",
        "w1@example.ma": "confirmed",
        "w2@example.ma": "waitlisted",
        "w3@example.ma": "waitlisted",
    }
    assert [message.to for message in mail.outbox] == [["w1@example.ma"]]  # exactly the next one
    assert "Tiny workshop" in mail.outbox[0].subject
    assert any(name == "session.ics" for name, _content, _type in mail.outbox[0].attachments)


def test_cancelling_twice_is_a_conflict_and_promotes_nobody_else(full_session, unscoped):
    session, holder = full_session
    with network_scope():
        actions.registration_cancel(registration=holder)
        with pytest.raises(Conflict, match="already cancelled"):
            actions.registration_cancel(registration=holder)
    assert list(_statuses(session).values()).count("confirmed") == 1


def test_promoting_twice_changes_nothing(full_session, django_capture_on_commit_callbacks, unscoped):
    session, holder = full_session
    Registration.objects.filter(pk=holder.pk).update(status=RegistrationStatus.CANCELLED)
    with django_capture_on_commit_callbacks(execute=True), network_scope():
        first = actions.waitlist_promote(session=session)
        second = actions.waitlist_promote(session=session)
    assert [registration.email for registration in first] == ["w1@example.ma"]
    assert second == []
    assert len(mail.outbox) == 1
    assert list(_statuses(session).values()).count("confirmed") == 1


def test_a_waitlisted_person_leaving_promotes_nobody(full_session, unscoped):
    session, _holder = full_session
    w2 = Registration.objects.get(session=session, email="w2@example.ma")
    with network_scope():
        actions.registration_cancel(registration=w2)
    assert _statuses(session) == {
        "holder@example.ma": "confirmed",
        "w1@example.ma": "waitlisted",
        "w2@example.ma": "cancelled",
        "w3@example.ma": "waitlisted",
    }


# --- Cancel by token ------------------------------------------------------------------------
def test_cancel_by_token_without_an_account(client, world, django_capture_on_commit_callbacks):
    url = f"/registrations/{world['registration_public_token']}/cancel/"
    client.cookies["django_language"] = "en"
    page = client.get(url)
    assert page.status_code == 200
    assert "Free your seat?" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == url
    assert "Your registration is cancelled." in " ".join(texts(response))
    assert "This registration is already cancelled." in response.content.decode()
    assert registrations(pk=world["registration_public"])[0].status == RegistrationStatus.CANCELLED
    # Twice: a message, no error.
    again = client.post(url, follow=True)
    assert "This registration is already cancelled." in texts(again)


def test_the_owner_goes_back_to_my_registrations(client, world, founder_a):
    response = signed_in(client, founder_a).post(f"/registrations/{world['registration_a_token']}/cancel/")
    assert response["Location"] == "/me/registrations/"
    assert registrations(pk=world["registration_a"])[0].status == RegistrationStatus.CANCELLED


def test_cancel_after_the_start_is_refused(client, world, unscoped):
    past = timezone.now() - datetime.timedelta(hours=1)
    registration = RegistrationFactory(
        session=ServiceSessionFactory(service=ServiceFactory(site=None), starts_at=past, registration_deadline=past)
    )
    url = f"/registrations/{registration.token}/cancel/"
    client.cookies["django_language"] = "en"
    assert "it can no longer be cancelled" in client.get(url).content.decode()
    response = client.post(url, follow=True)
    assert "The session has started: it can no longer be cancelled." in texts(response)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


@pytest.mark.parametrize("token", ["unknown-token", "x" * 200, "%00"])
def test_unknown_token_is_404(client, world, token):
    assert client.get(f"/registrations/{token}/cancel/").status_code == 404
    assert client.post(f"/registrations/{token}/cancel/").status_code == 404


# --- Public events without an account -------------------------------------------------------
def test_public_registration_without_an_account(client, world, django_capture_on_commit_callbacks):
    url = f"/sessions/{world['session_public']}/register/"
    client.cookies["django_language"] = "en"
    form_page = client.get(url)
    assert form_page.status_code == 200
    assert 'name="organisation"' in form_page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"name": "  Salma   Idrissi ", "email": "Salma@Example.MA", "organisation": "ENSA Agadir"}, follow=True
        )
    assert response.redirect_chain[-1][0] == f"/services/{world['service_public']}/"
    [registration] = registrations(session_id=world["session_public"], email="salma@example.ma")
    assert (registration.name, registration.organisation, registration.user) == ("Salma Idrissi", "ENSA Agadir", None)
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.language == "en"
    [message] = mail.outbox
    assert message.to == ["salma@example.ma"]
    assert f"/registrations/{registration.token}/cancel/" in message.body


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "Salma", "email": "not-an-email", "organisation": "ENSA"}, "email"),
        ({"name": "   ", "email": "s@example.ma", "organisation": "ENSA"}, "name"),
        ({"name": "Salma", "email": "", "organisation": "ENSA"}, "email"),
        ({"name": "S" * 151, "email": "s@example.ma"}, "name"),
    ],
)
def test_public_registration_validation_keeps_what_was_typed(client, world, data, field):
    response = client.post(f"/sessions/{world['session_public']}/register/", data)
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    page = response.content.decode()
    if data.get("organisation"):
        assert f'value="{data["organisation"]}"' in page  # nothing typed is lost
    assert len(registrations(session_id=world["session_public"])) == 1  # the world's visitor only


def test_public_registration_twice_is_a_form_message(client, world):
    url = f"/sessions/{world['session_public']}/register/"
    client.cookies["django_language"] = "en"
    response = client.post(url, {"name": "Visitor", "email": "visitor@example.ma"})
    assert response.status_code == 200
    assert "You are already registered for this session." in response.content.decode()


def test_a_signed_in_visitor_registers_with_their_account(client, world, outsider):
    url = f"/sessions/{world['session_public']}/register/"
    client = signed_in(client, outsider)
    assert outsider.email in client.get(url).content.decode()
    client.post(url, {"name": "Out Sider", "email": "someone.else@example.ma", "organisation": ""})
    [registration] = registrations(session_id=world["session_public"], user=outsider)
    assert registration.email == outsider.email  # the account's address, not the typed one


def test_public_registration_is_throttled_per_ip_and_email(client, world):
    url = f"/sessions/{world['session_public']}/register/"
    client.cookies["django_language"] = "en"
    data = {"name": "Spam", "email": "spam@example.ma"}
    statuses = [client.post(url, data).status_code for _ in range(catalogue_views.PUBLIC_LIMIT_PER_EMAIL)]
    assert 429 not in statuses
    response = client.post(url, data)
    assert response.status_code == 429
    assert "too many registrations" in response.content.decode()
    # Another address from the same IP still gets through; another IP too.
    assert client.post(url, {"name": "Real", "email": "real@example.ma"}).status_code == 302
    assert client.post(url, data, REMOTE_ADDR="10.0.0.9").status_code != 429


def test_public_registration_is_throttled_per_ip(client, world, monkeypatch):
    monkeypatch.setattr(catalogue_views, "PUBLIC_LIMIT_PER_IP", 3)
    url = f"/sessions/{world['session_public']}/register/"
    for index in range(3):
        assert client.post(url, {"name": "N", "email": f"n{index}@example.ma"}).status_code == 302
    assert client.post(url, {"name": "N", "email": "n9@example.ma"}).status_code == 429
    assert len(registrations(session_id=world["session_public"])) == 1 + 3


def test_an_invalid_form_does_not_count_against_the_limit(client, world):
    url = f"/sessions/{world['session_public']}/register/"
    for _ in range(catalogue_views.PUBLIC_LIMIT_PER_EMAIL + 2):
        assert client.post(url, {"name": "", "email": "typo@example.ma"}).status_code == 200
    assert client.post(url, {"name": "Typo", "email": "typo@example.ma"}).status_code == 302


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

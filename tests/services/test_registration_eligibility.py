"""Registration to sessions by members of startups: eligibility, registering, seats and
the waitlist (its order and promotion). Public events, cancelling by token:
test_registration_public.py; "my registrations" and feedback: test_registration_feedback.py."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from core.errors import Conflict
from services import actions
from services.models import Registration, RegistrationStatus, Service, ServiceSession
from services.selectors import catalogue as catalogue_selectors
from sites.scoping import network_scope
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

from .registration_setup import registrations, signed_in, texts

# Every test here uses the world: built once for the module (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]


def member_of(startup, **user):
    with scopes_disabled():
        return StartupMemberFactory(startup=startup, role="member", user=UserFactory(language="en", **user)).user


def admitted_member(site, kind="resident", **user):
    with scopes_disabled():
        startup = StartupFactory()
        AdmissionFactory(startup=startup, site=site, kind=kind)
    return member_of(startup, **user), startup


# --- Eligibility ----------------------------------------------------------------------------
@pytest.fixture
def residents_only(world, site_a, unscoped):
    service = ServiceFactory(site=site_a, eligibility="site_residents", title="Residents' lab A")
    return service, ServiceSessionFactory(service=service)


def _eligible(user, service) -> bool:
    with network_scope():
        return catalogue_selectors.is_eligible(user=user, service=Service.objects.get(pk=service.pk))


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
    with network_scope(), translation.override("en"):
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

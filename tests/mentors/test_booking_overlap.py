"""Booking a mentor while the startup already has something at that time (issue 18): the
booking page names what clashes (a confirmed booking with another mentor, a confirmed seat
at a service session, on any site or e-Technopark) and books only once "book anyway" is
ticked; nothing else is warned about; a booking that cannot succeed is refused as before;
the API books without the warning."""

import datetime

import pytest

from mentors.booking_checks import clashes_to_confirm
from mentors.models import Booking, MentorProfile
from mentors.selectors.slots import booking_outlook
from services.models import RegistrationStatus, ServiceSession, SessionStatus
from startups.models import Startup
from tests.api_client import post
from tests.factories import (
    AdmissionFactory,
    BookingFactory,
    RegistrationFactory,
    ServiceFactory,
    ServiceSessionFactory,
    StartupFactory,
    StartupMemberFactory,
)

from .directory_setup import as_user, book_url, bookings, mentor_of, slot_on, texts

# Every test here uses the world: built once for the module (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]

WARNING = "Your startup already has something at that time"
CONFIRM = 'name="book_anyway"'


@pytest.fixture
def slot(world, unscoped):
    """The world mentor's free slot at 10:00–11:00 (local) in five days."""
    slot = slot_on(mentor_of(world), 5, index=2)
    assert slot.local_start.hour == 10
    return slot


def at(slot, hour: int, minute: int = 0) -> datetime.datetime:
    """That local day at hour:minute."""
    return slot.local_start.replace(hour=hour, minute=minute)


def other_booking(world, site, *, starts_at, ends_at, startup=None, **fields) -> Booking:
    """A booking of startup A (or `startup`) with another mentor, Karim Expert."""
    return BookingFactory(
        mentor__user__full_name="Karim Expert",
        startup=startup or Startup.objects.get(pk=world["startup_a"]),
        site=site,
        starts_at=starts_at,
        ends_at=ends_at,
        **fields,
    )


def seat(world, *, starts_at, ends_at, site=None, title="Export bootcamp", **fields):
    """Startup A's seat (founder_a's) at a session of a service of `site` (None: e-Technopark)."""
    session = ServiceSessionFactory(
        service=ServiceFactory(site=site, title=title), starts_at=starts_at, ends_at=ends_at
    )
    return RegistrationFactory(session=session, startup_id=world["startup_a"], **fields)


def test_a_booking_with_another_mentor_is_named_and_needs_book_anyway(client, world, founder_a, site_a, slot):
    other_booking(world, site_a, starts_at=at(slot, 10), ends_at=at(slot, 11, 30))
    client = as_user(client, founder_a)
    page = client.get(book_url(world["mentor"], slot.start)).content.decode()
    assert WARNING in page and CONFIRM in page
    assert "Mentoring with <bdi>Karim Expert</bdi>" in page and "10:00–11:30" in page
    # Confirming without ticking the box books nothing: the page says so.
    response = client.post(book_url(world["mentor"], slot.start), {"topic": "Pricing"})
    assert response.status_code == 200
    assert "Tick this box to book although your startup has another session then." in response.content.decode()
    assert bookings(topic="Pricing") == []
    # Ticked: booked.
    response = client.post(book_url(world["mentor"], slot.start), {"topic": "Pricing", "book_anyway": "on"})
    [new] = bookings(topic="Pricing")
    assert response.status_code == 302 and response["Location"] == f"/me/mentoring/{new.pk}/"
    assert new.starts_at == slot.start and new.status == "confirmed"


def test_seats_at_sessions_of_any_site_and_of_e_technopark_are_named(client, world, founder_a, site_b, slot):
    seat(world, starts_at=at(slot, 9, 30), ends_at=at(slot, 10, 30), title="Live seminar e-Technopark 2")
    seat(world, starts_at=at(slot, 10, 45), ends_at=at(slot, 12), site=site_b, title="Export clinic B 2")
    client = as_user(client, founder_a)
    page = client.get(book_url(world["mentor"], slot.start)).content.decode()
    assert WARNING in page
    assert "Live seminar e-Technopark 2" in page and "09:30–10:30" in page
    assert "Export clinic B 2" in page and "10:45–12:00" in page
    assert client.post(book_url(world["mentor"], slot.start), {"topic": "Export"}).status_code == 200
    assert bookings(topic="Export") == []


def test_what_does_not_clash_is_not_mentioned(client, world, founder_a, site_a, site_b, slot):
    other_booking(world, site_a, starts_at=at(slot, 9), ends_at=at(slot, 10))  # ends as the slot starts
    other_booking(world, site_a, starts_at=at(slot, 11), ends_at=at(slot, 12))  # starts as it ends
    other_booking(world, site_a, starts_at=at(slot, 10), ends_at=at(slot, 11), status="cancelled")
    other_booking(
        world,
        site_b,
        starts_at=at(slot, 10),
        ends_at=at(slot, 11),
        startup=Startup.objects.get(pk=world["startup_b"]),
    )
    seat(world, starts_at=at(slot, 10), ends_at=at(slot, 11), title="Waitlisted", status=RegistrationStatus.WAITLISTED)
    seat(
        world, starts_at=at(slot, 10), ends_at=at(slot, 11), title="Cancelled seat", status=RegistrationStatus.CANCELLED
    )
    cancelled = seat(world, starts_at=at(slot, 10), ends_at=at(slot, 11), title="Cancelled session")
    ServiceSession.objects.filter(pk=cancelled.session_id).update(status=SessionStatus.CANCELLED)
    # Someone of another startup has a seat then: not startup A's business.
    RegistrationFactory(
        session=ServiceSessionFactory(service=ServiceFactory(site=None), starts_at=at(slot, 10), ends_at=at(slot, 11)),
        startup_id=world["startup_b"],
    )
    client = as_user(client, founder_a)
    page = client.get(book_url(world["mentor"], slot.start)).content.decode()
    assert WARNING not in page and CONFIRM not in page
    response = client.post(book_url(world["mentor"], slot.start), {"topic": "Free"})
    assert response.status_code == 302
    assert len(bookings(topic="Free")) == 1


def test_with_several_startups_the_warning_follows_the_one_chosen(client, world, founder_a, site_a, slot):
    other_booking(world, site_a, starts_at=at(slot, 10), ends_at=at(slot, 11))
    second = StartupFactory(brand_name="Zagora Solar")
    StartupMemberFactory(startup=second, user=founder_a)
    AdmissionFactory(startup=second, site=site_a)
    client = as_user(client, founder_a)
    page = client.get(book_url(world["mentor"], slot.start)).content.decode()
    assert WARNING not in page  # which startup books is not known yet
    response = client.post(book_url(world["mentor"], slot.start), {"topic": "A", "startup": world["startup_a"]})
    assert response.status_code == 200 and WARNING in response.content.decode()
    assert bookings(topic="A") == []
    response = client.post(book_url(world["mentor"], slot.start), {"topic": "Z", "startup": second.pk})
    assert response.status_code == 302
    [new] = bookings(topic="Z")
    assert new.startup == second


def test_a_booking_that_would_be_refused_is_refused_not_warned(client, world, founder_a, site_a, slot):
    other_booking(world, site_a, starts_at=at(slot, 10), ends_at=at(slot, 11))
    MentorProfile.objects.filter(pk=world["mentor"]).update(max_bookings_per_startup_month=0)
    client = as_user(client, founder_a)
    response = client.post(book_url(world["mentor"], slot.start), {"topic": "Over"})
    assert response.status_code == 302
    assert texts(response) == ["Atlas Data already has 0 session(s) with this mentor that month, the most allowed."]
    assert (
        clashes_to_confirm(
            mentor=mentor_of(world), startup=Startup.objects.get(pk=world["startup_a"]), start=slot.start
        )
        is None
    )


def test_the_outlook_reads_the_clashes_only_when_asked(world, site_a, slot, django_assert_num_queries):
    clash = other_booking(world, site_a, starts_at=at(slot, 10, 30), ends_at=at(slot, 11, 30))
    registration = seat(world, starts_at=at(slot, 9), ends_at=at(slot, 10, 15))
    mentor, startup = mentor_of(world), Startup.objects.get(pk=world["startup_a"])
    with django_assert_num_queries(1):
        plain = booking_outlook(mentor=mentor, startup=startup, start=slot.start)
    assert plain.clashing_bookings == plain.clashing_sessions == ()
    with django_assert_num_queries(3):
        outlook = booking_outlook(mentor=mentor, startup=startup, start=slot.start, clashes=True)
        assert [b.mentor.name for b in outlook.clashing_bookings] == ["Karim Expert"]
        assert [s.service.title for s in outlook.clashing_sessions] == ["Export bootcamp"]
    assert outlook.clashing_bookings[0].pk == clash.pk
    assert outlook.clashing_sessions[0].pk == registration.session_id


def test_the_api_books_over_a_clash_without_a_warning(api, world, site_a, slot, unscoped):
    other_booking(world, site_a, starts_at=at(slot, 10), ends_at=at(slot, 11))
    response = post(
        api("founder_a"),
        "/api/v1/mentor-bookings/",
        {"mentor": world["mentor"], "start": slot.start.isoformat(), "topic": "By the API"},
    )
    assert response.status_code == 201, response.content
    assert "warnings" not in response.json()
    assert len(bookings(topic="By the API")) == 1

"""A mentor booking's calendar file (issue 18): for each of its parties, as on the API
(`booking_roles`: the startup's team, the mentor, the site's staff and head office), the
same event as the personal feed (UID, times in UTC, the mentor's room); 404 for anybody else
and for a cancelled booking; linked from the founder's, the mentor's and the site's pages."""

import datetime

import pytest
from icalendar import Calendar

from accounts.models import User
from mentors.models import Booking, BookingStatus
from startups.models import StartupMember

# Every test here uses the world: built once for the module (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]

UTC = datetime.UTC


def ics_url(pk: int) -> str:
    return f"/mentors/bookings/{pk}/booking.ics"


def the_event(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    [event] = Calendar.from_ical(response.content).walk("VEVENT")
    return event


def test_the_founder_gets_the_feeds_event(client, world, founder_a, unscoped):
    booking = Booking.objects.get(pk=world["booking_a"])
    client.force_login(founder_a)
    client.cookies["django_language"] = "en"
    response = client.get(ics_url(booking.pk))
    event = the_event(response)
    assert response["Content-Disposition"] == f'attachment; filename="mentoring-{booking.pk}.ics"'
    assert str(event.get("uid")) == f"mentor-booking-{booking.pk}@technopark.ma"
    assert str(event.get("summary")) == "Mentoring: Nadia Mentor × Atlas Data"
    assert event.decoded("dtstart") == booking.starts_at.astimezone(UTC)
    assert event.decoded("dtend") == booking.ends_at.astimezone(UTC)
    assert f"DTSTART:{booking.starts_at.astimezone(UTC):%Y%m%dT%H%M%S}Z" in response.content.decode()
    assert str(event.get("location")) == "https://meet.example.ma/mentor"  # a video session: the mentor's room
    # The personal feed has the very same event (one writer).
    founder_a.language = "en"
    founder_a.save(update_fields=["language"])
    feed = client.get(f"/calendar/{founder_a.calendar_token}.ics")
    [same] = [e for e in Calendar.from_ical(feed.content).walk("VEVENT") if e.get("uid") == event.get("uid")]
    assert same.to_ical() == event.to_ical()


def test_an_in_person_booking_gives_the_meeting_place(client, world, founder_a, site_a, unscoped):
    Booking.objects.filter(pk=world["booking_a"]).update(mode="in_person", meeting_site=site_a)
    client.force_login(founder_a)
    event = the_event(client.get(ics_url(world["booking_a"])))
    assert str(event.get("location")).startswith(site_a.name)


def test_every_party_gets_it(client, world, client_for, unscoped):
    mentor = User.objects.get(pk=world["mentor_user"])
    teammate = StartupMember.objects.get(pk=world["member_a"]).user
    for user in (mentor, teammate):
        client.force_login(user)
        assert client.get(ics_url(world["booking_a"])).status_code == 200, user
    # The mentor's booking with a startup of site B, where they work for no one: still theirs.
    client.force_login(mentor)
    assert client.get(ics_url(world["booking_b"])).status_code == 200
    for persona in ("manager_a", "staff", "committee_a", "team_a"):
        assert client_for(persona).get(ics_url(world["booking_a"])).status_code == 200, persona


def test_anybody_else_gets_a_404(client, world, client_for, founder_a):
    for persona in ("outsider", "manager_b"):
        assert client_for(persona).get(ics_url(world["booking_a"])).status_code == 404, persona
    assert client_for("manager_a").get(ics_url(world["booking_b"])).status_code == 404
    client.force_login(founder_a)
    assert client.get(ics_url(world["booking_b"])).status_code == 404  # another startup's
    assert client.get(ics_url(10**9)).status_code == 404


def test_anonymous_visitors_sign_in_first(client, world):
    response = client.get(ics_url(world["booking_a"]))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_cancelled_booking_has_no_file(client, world, founder_a, unscoped):
    Booking.objects.filter(pk=world["booking_a"]).update(status=BookingStatus.CANCELLED)
    client.force_login(founder_a)
    assert client.get(ics_url(world["booking_a"])).status_code == 404


def test_the_booking_pages_link_to_it(client, world, founder_a, client_for, site_a, unscoped):
    link = f'href="{ics_url(world["booking_a"])}"'
    client.force_login(founder_a)
    client.cookies["django_language"] = "en"
    for url in ("/me/mentoring/", f"/me/mentoring/{world['booking_a']}/"):
        page = client.get(url).content.decode()
        assert link in page and "Add to my calendar" in page, url
    client.force_login(User.objects.get(pk=world["mentor_user"]))
    assert link in client.get(f"/mentor/agenda/{world['booking_a']}/").content.decode()
    site_page = client_for("manager_a").get(f"/manage/{site_a.slug}/mentoring/{world['booking_a']}/")
    assert link in site_page.content.decode()
    # No link to a cancelled booking.
    Booking.objects.filter(pk=world["booking_a"]).update(status=BookingStatus.CANCELLED)
    client.force_login(founder_a)
    assert link not in client.get(f"/me/mentoring/{world['booking_a']}/").content.decode()

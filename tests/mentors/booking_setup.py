"""The helpers and the `env` fixture of the tests of the booking rules and the other writes
of `mentors.actions` (test_booking_rules_*.py)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django_scopes import scopes_disabled

from core.models import AuditEntry
from mentors import actions
from mentors.models import Booking, ExtraWindow
from sites.scoping import user_scope
from tests.factories import (
    AdmissionFactory,
    MentorProfileFactory,
    StartupFactory,
    StartupMemberFactory,
    WeeklyRuleFactory,
)

LOCAL = ZoneInfo("Africa/Casablanca")
UTC = datetime.UTC
# A Monday morning in Casablanca (UTC+1): the `now` of the rules that take one.
NOW = datetime.datetime(2027, 1, 4, 10, tzinfo=LOCAL)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LOCAL)


def utc(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


def window(mentor, day, start, end, **extra):
    return ExtraWindow.objects.create(mentor=mentor, date=day, starts_at=start, ends_at=end, **extra)


def book(actor, startup, start, *, mentor, now=NOW, topic="Pricing our SaaS", questions=""):
    with user_scope(actor):
        return actions.booking_create(
            actor=actor, mentor=mentor, startup=startup, start=start, topic=topic, questions=questions, now=now
        )


def bookings(**filters) -> list[Booking]:
    with scopes_disabled():
        return list(Booking.objects.filter(**filters).order_by("starts_at", "pk"))


def audit_of(instance) -> list[tuple[str, str]]:
    """(action, actor email) of the audit entries about `instance`, oldest first."""
    with scopes_disabled():
        entries = AuditEntry.objects.filter(
            content_type__model=instance._meta.model_name, object_id=str(instance.pk)
        ).order_by("pk")
        return [(entry.action, entry.actor_email) for entry in entries]


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


@pytest.fixture
def env(site_a, site_b, founder_a, manager_a, manager_b, staff):
    """Startup A (founder_a, a teammate) admitted at site A, startup B (founder_b) at site B,
    and a published mentor serving site A, by video every day 08:00–20:00, one-hour
    sessions, no notice, no buffer, ten bookings per startup and month."""
    with scopes_disabled():
        founder_a.language = "en"
        founder_a.save()
        startup_a = StartupFactory(brand_name="Atlas Data")
        StartupMemberFactory(startup=startup_a, user=founder_a)
        teammate = StartupMemberFactory(startup=startup_a, role="member", user__email="teammate@example.ma").user
        AdmissionFactory(startup=startup_a, site=site_a)
        startup_b = StartupFactory(brand_name="Souss Agri")
        founder_b = StartupMemberFactory(startup=startup_b, user__email="founder.b@example.ma").user
        AdmissionFactory(startup=startup_b, site=site_b)
        mentor = MentorProfileFactory(
            user__email="mentor@example.ma", user__full_name="Nadia Mentor", user__language="en", sites=[site_a]
        )
        for weekday in range(7):
            WeeklyRuleFactory(mentor=mentor, weekday=weekday, starts_at=datetime.time(8), ends_at=datetime.time(20))

    class Env:
        pass

    env = Env()
    env.__dict__.update(
        site_a=site_a,
        site_b=site_b,
        founder_a=founder_a,
        teammate=teammate,
        founder_b=founder_b,
        startup_a=startup_a,
        startup_b=startup_b,
        mentor=mentor,
        manager_a=manager_a,
        manager_b=manager_b,
        staff=staff,
    )
    return env

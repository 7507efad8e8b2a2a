"""Payment reminders (issue 21): an unpaid issued invoice is emailed to its founders on its due
date, 15 and 30 days after, each stage once and in each founder's language; payment in
full or a credit note stops them; reruns send nothing new. `today=` stands for the clock."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail

from billing import actions
from billing.models import Invoice, Reminder
from billing.reminders import reminder_stage, reminders_send
from billing.tasks_reminders import send_invoice_reminders
from core import formatting
from startups.models import StartupMember, TeamRole
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


@pytest.fixture
def invoice_a(world, unscoped):
    """The world's invoice at site A (3,600.00 incl. tax, 1,000.00 paid), founder_a's startup."""
    return Invoice.objects.select_related("site", "startup").get(pk=world["invoice_a"])


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Run the reminders on `today` and deliver what they queued; returns the number sent."""

    def _send(today: datetime.date) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return reminders_send(today=today)

    return _send


def _outbox_for(invoice) -> list:
    return [message for message in mail.outbox if invoice.number in message.subject]


def test_the_stages_fall_on_the_due_date_15_and_30_days_after():
    due = datetime.date(2027, 1, 5)
    stages = {
        days: reminder_stage(due_on=due, today=due + days * DAY) for days in (-1, 0, 6, 7, 14, 15, 21, 22, 30, 36, 37)
    }
    assert stages == {
        -1: None,
        0: "due",
        6: "due",  # a beat missed for a few days catches up within the week
        7: None,
        14: None,
        15: "d15",
        21: "d15",
        22: None,
        30: "d30",
        36: "d30",
        37: None,  # nothing after
    }


def test_each_stage_is_sent_once_to_the_founders(invoice_a, send, founder_a):
    due = invoice_a.due_on
    assert send(due - DAY) == 0
    assert send(due) == 1
    (message,) = mail.outbox
    assert message.to == [founder_a.email]
    assert invoice_a.number in message.subject
    assert invoice_a.number in message.body and "2 600,00" in message.body.replace("\u202f", " ").replace("\xa0", " ")
    assert settings.PORTAL_URL + "/me/invoices/" in message.body
    # Reruns the same day and the following days send nothing new.
    assert send(due) == 0 and send(due + 3 * DAY) == 0 and send(due + 14 * DAY) == 0
    assert send(due + 15 * DAY) == 1
    assert send(due + 16 * DAY) == 0
    assert send(due + 30 * DAY) == 1
    assert send(due + 30 * DAY) == 0 and send(due + 45 * DAY) == 0
    assert sorted(Reminder.objects.filter(invoice=invoice_a).values_list("stage", flat=True)) == ["d15", "d30", "due"]
    assert len(_outbox_for(invoice_a)) == 3


def test_payment_in_full_stops_the_reminders(invoice_a, send, staff):
    due = invoice_a.due_on
    assert send(due) == 1
    actions.payment_record(
        actor=staff, invoice=invoice_a, amount=Decimal("2600.00"), paid_on=invoice_a.issued_on, method="transfer"
    )
    assert send(due + 15 * DAY) == 0 and send(due + 30 * DAY) == 0
    assert len(mail.outbox) == 1


def test_a_cancelled_invoice_and_a_draft_get_none(invoice_a, send, staff, world):
    actions.credit_note_issue(actor=staff, invoice=invoice_a, reason="Erreur de loyer")
    assert send(invoice_a.due_on) == 0
    assert mail.outbox == [] and not Reminder.objects.filter(invoice=invoice_a).exists()
    # Site B's invoice is unpaid, but its startup has no founder to tell: nothing claimed.
    assert not Reminder.objects.exists()


def test_each_founder_in_their_language_and_not_the_team(invoice_a, send, founder_a):
    founder_a.language = "en"
    founder_a.save(update_fields=["language"])
    arabic = UserFactory(email="founder.ar@example.ma", language="ar")
    StartupMember.objects.create(startup=invoice_a.startup, user=arabic, role=TeamRole.FOUNDER)
    member = UserFactory(email="member@example.ma")
    StartupMember.objects.create(startup=invoice_a.startup, user=member, role=TeamRole.MEMBER)
    gone = UserFactory(email="gone@example.ma", is_active=False)
    StartupMember.objects.create(startup=invoice_a.startup, user=gone, role=TeamRole.FOUNDER)
    assert send(invoice_a.due_on + 15 * DAY) == 2
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {founder_a.email, arabic.email}
    assert by_address[founder_a.email].subject == f"Reminder: invoice {invoice_a.number} is 15 days overdue"
    # Dates and amounts as each language writes them.
    for user, language in ((founder_a, "en"), (arabic, "ar")):
        body = by_address[user.email].body
        assert formatting.format_date(invoice_a.due_on, language=language) in body, language
        assert invoice_a.number in body
    assert "MAD" in by_address[founder_a.email].body and "درهم" in by_address[arabic.email].body


def test_every_site_is_reminded_by_the_daily_task(world, unscoped, monkeypatch, django_capture_on_commit_callbacks):
    invoice_b = Invoice.objects.get(pk=world["invoice_b"])
    invoice_a = Invoice.objects.get(pk=world["invoice_a"])
    assert invoice_a.due_on == invoice_b.due_on
    # Site B's startup has no founder in the world: give it one.
    founder_b = UserFactory(email="founder.b@example.ma")
    StartupMember.objects.create(startup=invoice_b.startup, user=founder_b, role=TeamRole.FOUNDER)
    monkeypatch.setattr("billing.reminders.timezone.localdate", lambda: invoice_a.due_on)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_invoice_reminders.delay().get() == 2
    assert set(Reminder.objects.values_list("invoice", "stage")) == {(invoice_a.pk, "due"), (invoice_b.pk, "due")}
    assert {message.to[0] for message in mail.outbox} == {"founder.a@example.ma", founder_b.email}


def test_the_beat_runs_daily_at_eight():
    entry = settings.CELERY_BEAT_SCHEDULE["invoice-reminders"]
    assert entry["task"] == "billing.tasks_reminders.send_invoice_reminders"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({8}, {0})
    assert settings.CELERY_TIMEZONE == "Africa/Casablanca"

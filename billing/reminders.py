"""Payment reminders (issue 21): an issued invoice with something left to pay is emailed to
its startup's founders on its due date, 15 days after and 30 days after, each in the
founder's language, with the amount due and the link to their invoices (and PDFs).

Each stage is sent once: a `Reminder` row (unique per invoice and stage) is claimed in the
transaction that queues the emails (sent on commit, core.emails), with the invoice's row
locked and its balance read again, so that a payment recorded meanwhile (payment_record
locks the same row) stops it, and a rerun or a second beat sends nothing. A stage is sent
during the week after its day (a beat missed for a few days catches up), never later: an
invoice long overdue when this started gets no burst of old reminders. A paid or cancelled
invoice gets none. Not audited: nobody changes anything."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.emails import email_render, email_send_on_commit
from sites.scoping import network_scope
from startups.models import StartupMember, TeamRole

from .models import DocumentKind, Invoice, InvoiceStatus, Reminder, ReminderStage
from .selectors.api import invoices_unpaid
from .selectors.documents import invoice_balance

STAGE_DAYS = {ReminderStage.DUE: 0, ReminderStage.D15: 15, ReminderStage.D30: 30}
CATCH_UP_DAYS = 7  # a stage is still sent this many days after its day, not later
FOUNDER_INVOICES_PATH = "/me/invoices/"  # the founder's invoices page (billing's founder pages)


def reminder_stage(*, due_on: datetime.date, today: datetime.date) -> str | None:
    """The stage whose day has come for an invoice due on `due_on` (within its week), if any."""
    late = (today - due_on).days
    for stage, days in sorted(STAGE_DAYS.items(), key=lambda item: -item[1]):
        if days <= late < days + CATCH_UP_DAYS:
            return stage
    return None


def invoices_due_reminder(*, today: datetime.date) -> list[int]:
    """Ids of the issued invoices with something left to pay that are at a stage (due date,
    15 or 30 days late) not yet reminded. Call inside the scope to look in."""
    oldest = today - datetime.timedelta(days=max(STAGE_DAYS.values()) + CATCH_UP_DAYS - 1)
    candidates = Invoice.objects.filter(
        kind=DocumentKind.INVOICE, status=InvoiceStatus.ISSUED, due_on__gte=oldest, due_on__lte=today
    )
    due_on = dict(candidates.values_list("pk", "due_on"))
    sent = set(Reminder.objects.filter(invoice__in=list(due_on)).values_list("invoice", "stage"))
    waiting = [
        pk
        for pk, day in due_on.items()
        if (stage := reminder_stage(due_on=day, today=today)) is not None and (pk, stage) not in sent
    ]
    return invoices_unpaid(Invoice.objects.filter(pk__in=waiting)) if waiting else []


def founders_of(invoice: Invoice) -> list:
    members = StartupMember.objects.filter(startup_id=invoice.startup_id, role=TeamRole.FOUNDER, user__is_active=True)
    return [member.user for member in members.select_related("user").order_by("pk")]


@transaction.atomic
def invoice_remind(*, invoice_id: int, today: datetime.date) -> int:
    """Email the founders the reminder of the stage `invoice_id` is at, once; returns the
    number of emails queued (0: not due, already sent, paid or cancelled meanwhile). Call
    inside a scope that holds the invoice."""
    invoice = (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("site", "startup")
        .filter(pk=invoice_id, kind=DocumentKind.INVOICE, status=InvoiceStatus.ISSUED)
        .first()
    )
    if invoice is None or invoice.due_on is None:
        return 0
    stage = reminder_stage(due_on=invoice.due_on, today=today)
    if stage is None:
        return 0
    due = invoice_balance(invoice).due
    if due <= 0:
        return 0
    founders = founders_of(invoice)
    if not founders:  # nobody to tell yet: a founder who joins this week still gets it
        return 0
    _reminder, created = Reminder.objects.get_or_create(
        invoice=invoice, stage=stage, defaults={"site_id": invoice.site_id}
    )
    if not created:
        return 0
    url = settings.PORTAL_URL + FOUNDER_INVOICES_PATH
    sent = 0
    for user in founders:
        context = {"invoice": invoice, "user": user, "stage": stage, "due": due, "url": url}
        subject, body = email_render(template="billing/email/invoice_reminder", context=context, language=user.language)
        email_send_on_commit(to=[user.email], subject=subject, body=body)
        sent += 1
    return sent


def reminders_send(*, today: datetime.date | None = None) -> int:
    """Every day (Celery beat, billing.tasks_reminders): the reminders due on `today` at
    every site; returns the number of emails queued. Idempotent: a rerun sends nothing new."""
    today = today or timezone.localdate()
    sent = 0
    # Reviewed network-wide work: every site's invoices due a reminder, each by its id.
    with network_scope():
        for invoice_id in invoices_due_reminder(today=today):
            sent += invoice_remind(invoice_id=invoice_id, today=today)
    return sent

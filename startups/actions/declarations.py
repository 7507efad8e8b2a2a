"""Yearly declarations (jobs, revenue, exports, funds raised)."""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from core.audit import audited_save
from core.emails import email_render, email_send_on_commit

from ..check_in_links import check_in_url
from ..models import Declaration, DeclarationReminder, Startup


@transaction.atomic
def declaration_save(*, actor, declaration: Declaration) -> Declaration:
    """Create or correct a startup's declaration for a fiscal year: a full declaration,
    which replaces an estimate made from the check-in (`from_check_in`)."""
    existing = Declaration.objects.filter(startup=declaration.startup, fiscal_year=declaration.fiscal_year).first()
    if existing is not None and existing.pk != declaration.pk:
        declaration.pk = existing.pk
        declaration._state.adding = False
    declaration.declared_by = actor
    declaration.from_check_in = False
    return audited_save(actor=actor, instance=declaration)


def declaration_reminders_send(*, startups: Iterable[Startup], fiscal_year: int, today: datetime.date) -> int:
    """Email the active founders of `startups` (`selectors.declarations.startups_to_remind`)
    the reminder to declare `fiscal_year`, each with their own one-click link to the yearly
    check-in (`check_in_links`) and the link to the declarations page (signed in); returns
    the number of emails sent.

    At most one reminder per (startup, fiscal year, calendar month): a DeclarationReminder
    row claims it in the same transaction as the emails are queued (sent on commit), so
    reruns and concurrent beats send nothing twice. Not audited: no one changes anything."""
    month = today.replace(day=1)
    sent = 0
    for startup in startups:
        if not startup.founder_members:
            continue
        with transaction.atomic():
            _reminder, created = DeclarationReminder.objects.get_or_create(
                startup=startup, fiscal_year=fiscal_year, month=month
            )
            if not created:
                continue  # already reminded this month
            declare_url = settings.PORTAL_URL + reverse("startups:declarations", kwargs={"pk": startup.pk})
            for member in startup.founder_members:
                user = member.user
                # Each founder's own one-click link to the check-in (no sign-in needed).
                check_in = check_in_url(startup_id=startup.pk, fiscal_year=fiscal_year, user_id=user.pk)
                subject, body = email_render(
                    template="startups/email/declaration_reminder",
                    context={
                        "user": user,
                        "startup": startup,
                        "fiscal_year": fiscal_year,
                        "declare_url": declare_url,
                        "check_in_url": check_in,
                    },
                    language=user.language,
                )
                email_send_on_commit(to=[user.email], subject=subject, body=body)
                sent += 1
    return sent

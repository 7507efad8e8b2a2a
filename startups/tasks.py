"""Celery tasks of the startups app (thin: compute, then call the email helpers)."""

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from sites.scoping import network_scope
from technopark.emails import email_render, email_send_on_commit

from . import selectors
from .models import DeclarationReminder, StartupMember, TeamRole


@shared_task
def send_declaration_reminders() -> int:
    """Email the founders of every startup admitted now (network-wide) that has not declared
    last fiscal year; returns the number of emails sent.

    At most one reminder per (startup, fiscal year, calendar month): a DeclarationReminder
    row claims it in the same transaction as the emails are queued (sent on commit), so
    reruns and concurrent beats send nothing twice."""
    today = timezone.localdate()
    fiscal_year = today.year - 1
    month = today.replace(day=1)
    founders = Prefetch(
        "startup__members",
        queryset=StartupMember.objects.filter(role=TeamRole.FOUNDER, user__is_active=True).select_related("user"),
        to_attr="founder_members",
    )
    sent = 0
    # Reviewed network-wide read: reminders go to every site's startups.
    with network_scope():
        admissions = (
            selectors.undeclared_admissions(fiscal_year=fiscal_year, on=today)
            .select_related("startup")
            .prefetch_related(founders)
            .order_by("startup_id", "pk")
        )
        startups = {admission.startup_id: admission.startup for admission in admissions}
    for startup in startups.values():
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
                subject, body = email_render(
                    template="startups/email/declaration_reminder",
                    context={"user": user, "startup": startup, "fiscal_year": fiscal_year, "declare_url": declare_url},
                    language=user.language,
                )
                email_send_on_commit(to=[user.email], subject=subject, body=body)
                sent += 1
    return sent

"""Yearly declarations: who has declared, who has not."""

import datetime

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery

from ..models import Admission, AlumniCheckIn, Declaration, DeclarationReminder, Startup, StartupMember, TeamRole
from .residents import supported_admissions


def undeclared_admissions(*, fiscal_year: int, on: datetime.date | None = None) -> QuerySet[Admission]:
    """Admissions (in scope) of the startups supported on `on` — residents, members and
    alumni of the last five years (`residents.supported_admissions`) — that have not
    answered for `fiscal_year` yet: no declaration, and no check-in (an active startup's
    check-in makes a declaration; one that stopped has nothing more to declare)."""
    declared = Declaration.objects.filter(startup=OuterRef("startup"), fiscal_year=fiscal_year)
    checked_in = AlumniCheckIn.objects.filter(startup=OuterRef("startup"), fiscal_year=fiscal_year)
    return supported_admissions(on).filter(~Exists(declared), ~Exists(checked_in))


def startups_to_remind(*, fiscal_year: int, on: datetime.date) -> list[Startup]:
    """The startups supported on `on` (in scope: residents, members, alumni of the last five
    years) that have not declared `fiscal_year`, once each, with their active founders
    (`founder_members`), by id."""
    admissions = (
        undeclared_admissions(fiscal_year=fiscal_year, on=on)
        .select_related("startup")
        .prefetch_related(Prefetch("startup__members", queryset=active_founders(), to_attr="founder_members"))
        .order_by("startup_id", "pk")
    )
    return list({admission.startup_id: admission.startup for admission in admissions}.values())


def declaration_exists(*, startup: Startup, fiscal_year: int) -> bool:
    """Whether `startup` has declared `fiscal_year` already."""
    return Declaration.objects.filter(startup=startup, fiscal_year=fiscal_year).exists()


def is_admitted(*, startup: Startup) -> bool:
    """Whether `startup` has an admission in the request's scope (at a site the user sees)."""
    return Admission.objects.filter(startup=startup).exists()


def active_founders() -> QuerySet[StartupMember]:
    """Team members who are founders with an active account, with the account."""
    return StartupMember.objects.filter(role=TeamRole.FOUNDER, user__is_active=True).select_related("user")


def undeclared_admissions_listed(*, fiscal_year: int) -> QuerySet[Admission]:
    """`undeclared_admissions` with the startup, its active founders (`founder_members`) and
    when they were last reminded of `fiscal_year` (`last_reminded`), by name."""
    founders = Prefetch("startup__members", queryset=active_founders(), to_attr="founder_members")
    reminders = DeclarationReminder.objects.filter(startup=OuterRef("startup"), fiscal_year=fiscal_year)
    return (
        undeclared_admissions(fiscal_year=fiscal_year)
        .annotate(last_reminded=Subquery(reminders.order_by("-sent_at").values("sent_at")[:1]))
        .select_related("startup")
        .prefetch_related(founders)
        .order_by("startup__legal_name", "pk")
    )


def declared_for_site(*, fiscal_year: int) -> QuerySet[Declaration]:
    """`fiscal_year`'s declarations of the startups admitted at the scope's site that year, by name."""
    year_start, year_end = (
        datetime.date(fiscal_year, 1, 1),
        datetime.date(fiscal_year, 12, 31),
    )
    admitted_that_year = Admission.objects.filter(starts_on__lte=year_end).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=year_start)
    )
    return (
        Declaration.objects.filter(fiscal_year=fiscal_year, startup__in=admitted_that_year.values("startup"))
        .select_related("startup")
        .order_by("startup__legal_name", "pk")
    )

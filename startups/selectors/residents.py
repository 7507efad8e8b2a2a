"""Admissions (residencies and e-Technopark memberships), a site's residents and offices,
and the admissions' headline figures."""

import datetime
import unicodedata

from django.db.models import Case, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum, When
from django.db.models.functions import Lower
from django.utils import timezone

from sites.scoping import managed_site_ids

from ..models import Admission, AdmissionKind, ExitReason, Office, OfficeAllocation, admission_active_q


def active_admissions(on: datetime.date | None = None) -> QuerySet[Admission]:
    """Admissions in the current scope active at `on` (start ≤ on, and no end or end > on)."""
    on = on or timezone.localdate()
    return Admission.objects.active_on(on)


# Alumni: a startup that left a site (graduated, moved, acquired: anything but closing down)
# stays followed this many years after its exit (its declarations make the 5-year survival
# and the jobs figures).
ALUMNI_YEARS = 5


def alumni_since(on: datetime.date) -> datetime.date:
    """The earliest exit of a startup still followed as an alumnus on `on`."""
    try:
        return on.replace(year=on.year - ALUMNI_YEARS)
    except ValueError:  # 29 February
        return on.replace(year=on.year - ALUMNI_YEARS, day=28)


def supported_admissions(on: datetime.date | None = None) -> QuerySet[Admission]:
    """Admissions in the current scope of the startups supported on `on`: running, or the
    last one of an alumnus — ended within ALUMNI_YEARS for another reason than closing down,
    without a later admission in the scope (a startup that came back, or moved to another
    site the scope covers, is followed through that one)."""
    on = on or timezone.localdate()
    later = Admission.objects.filter(startup=OuterRef("startup"), starts_on__lte=on).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=OuterRef("ended_on"))
    )
    alumni = (
        Admission.objects.filter(ended_on__gt=alumni_since(on), ended_on__lte=on, startup__closed_on__isnull=True)
        .exclude(exit_reason=ExitReason.CLOSED)
        .exclude(Exists(later))
    )
    return Admission.objects.filter(admission_active_q(on) | Q(pk__in=alumni.values("pk")))


# A residency "ends soon" when its planned end falls within this many days.
ENDING_SOON_DAYS = 60


def residents_ending_soon(
    *, site, days: int = ENDING_SOON_DAYS, on: datetime.date | None = None
) -> QuerySet[Admission]:
    """The site's active residencies whose planned end falls within `days`, soonest first."""
    on = on or timezone.localdate()
    return (
        active_admissions(on)
        .ending_within(on, days=days)
        .filter(site=site)
        .select_related("startup")
        .order_by("planned_end_on")
    )


def headline_figures(on: datetime.date | None = None) -> dict:
    """Startups supported since 2001 (and of them residents) and today, in the current
    scope (network-wide in `network_scope()`), as MISSION.md defines them. One query."""
    on = on or timezone.localdate()
    return Admission.objects.filter(starts_on__lte=on).aggregate(
        supported_total=Count("startup", distinct=True),
        residents_total=Count("startup", distinct=True, filter=Q(kind=AdmissionKind.RESIDENT)),
        supported_now=Count(
            "startup",
            distinct=True,
            filter=Q(ended_on__isnull=True) | Q(ended_on__gt=on),
        ),
    )


# --- A site's residents and members -------------------------------------------------------
# Which admissions the residents list shows: active on the day, ended by it, or all.
STATUS_ACTIVE, STATUS_ENDED, STATUS_ALL = "active", "ended", "all"
_DISPLAY_NAME = Lower(
    Case(
        When(startup__brand_name="", then=F("startup__legal_name")),
        default=F("startup__brand_name"),
    )
)
SORT_ORDERS = {
    "startup": [F("display_name").asc(), "pk"],
    "-startup": [F("display_name").desc(), "-pk"],
    "start": ["starts_on", "pk"],
    "-start": ["-starts_on", "-pk"],
    "end": [F("planned_end_on").asc(nulls_last=True), "pk"],
    "-end": [F("planned_end_on").desc(nulls_last=True), "-pk"],
    "kind": ["kind", F("display_name").asc(), "pk"],
    "-kind": ["-kind", F("display_name").asc(), "pk"],
}
DEFAULT_SORT = "startup"


def admission_rows(*, admissions: QuerySet[Admission], on: datetime.date) -> QuerySet[Admission]:
    """`admissions` with startup, sectors and the offices held on `on`, in a fixed number of queries."""
    return admissions.select_related("startup").prefetch_related(
        "startup__sectors",
        Prefetch(
            "allocations",
            queryset=OfficeAllocation.objects.running_on(on).select_related("office").order_by("office__number"),
            to_attr="current_allocations",
        ),
    )


def admissions_listed(
    *,
    on: datetime.date,
    status: str = STATUS_ACTIVE,
    query: str = "",
    sector=None,
    kind: str = "",
    has_office: bool | None = None,
    office_id: int | None = None,
    ends_before: datetime.date | None = None,
    ending_soon: bool = False,
    sort: str = DEFAULT_SORT,
) -> QuerySet[Admission]:
    """The residents list: admissions in `status` on `on`, with the filters given, by a `SORT_ORDERS` key."""
    if status == STATUS_ACTIVE:
        admissions = active_admissions(on)
    elif status == STATUS_ENDED:
        admissions = Admission.objects.ended_by(on)
    else:
        admissions = Admission.objects.all()
    if query:
        admissions = admissions.filter(
            Q(startup__legal_name__icontains=query)
            | Q(startup__brand_name__icontains=query)
            | Q(startup__ice__icontains=query)
        )
    if sector:
        admissions = admissions.filter(startup__sectors=sector)
    if kind:
        admissions = admissions.filter(kind=kind)
    if has_office is not None:
        admissions = admissions.holding_office_on(on, holding=has_office, office_id=office_id)
    if ends_before:
        admissions = admissions.filter(planned_end_on__lt=ends_before)
    if ending_soon:
        admissions = admissions.ending_within(on, days=ENDING_SOON_DAYS)
    admissions = admissions.annotate(display_name=_DISPLAY_NAME).order_by(*SORT_ORDERS[sort])
    return admission_rows(admissions=admissions, on=on)


def admissions_with_startup() -> QuerySet[Admission]:
    """Admissions (in scope) with their startup and site: a detail page's look-up."""
    return Admission.objects.select_related("startup", "site")


# --- A site's offices ---------------------------------------------------------------------
def office_totals(*, on: datetime.date) -> dict:
    """Offices in service (in scope), their area, and those occupied on `on`: counts and m², one query."""
    occupied = Exists(OfficeAllocation.objects.running_on(on).filter(office=OuterRef("pk")))
    return (
        Office.objects.filter(is_active=True)
        .annotate(occupied=occupied)
        .aggregate(
            offices=Count("pk"),
            area=Sum("area_m2"),
            occupied_offices=Count("pk", filter=Q(occupied=True)),
            occupied_area=Sum("area_m2", filter=Q(occupied=True)),
        )
    )


def offices_listed(*, on: datetime.date) -> QuerySet[Office]:
    """The scope's offices by floor and number, with who holds them on `on` (`current_allocations`)."""
    return Office.objects.order_by("floor", "number", "pk").prefetch_related(
        Prefetch(
            "allocations",
            queryset=OfficeAllocation.objects.running_on(on).select_related("admission__startup"),
            to_attr="current_allocations",
        )
    )


def office_numbers() -> QuerySet:
    """`(pk, number)` of the scope's offices by floor and number."""
    return Office.objects.order_by("floor", "number").values_list("pk", "number")


def office_number_taken(*, site, number: str, office_pk: int | None) -> bool:
    """Whether another office of `site` than `office_pk` has this number (case ignored)."""
    return Office.objects.filter(site=site, number__iexact=number).exclude(pk=office_pk).exists()


def office_allocations(*, office: Office) -> QuerySet[OfficeAllocation]:
    """Every allocation of `office` with its startup and author, latest start first."""
    return (
        OfficeAllocation.objects.filter(office=office)
        .select_related("admission__startup", "created_by")
        .order_by("-starts_on", "-pk")
    )


def allocations_with_office() -> QuerySet[OfficeAllocation]:
    """Allocations (in scope) with their office: the release's look-up."""
    return OfficeAllocation.objects.select_related("office")


def office_candidates(*, site, on: datetime.date | None = None) -> QuerySet[Admission]:
    """Who may be given an office at `site` on `on` (today): its residencies (never an
    e-Technopark member, never another site's) not ended by then, running or to start (an
    office is often prepared before the move-in), and holding no allocation that still runs
    or is to come (cancelled ones hold nothing). The allocation form validates against it."""
    on = on or timezone.localdate()
    holding = (
        OfficeAllocation.objects.not_cancelled()
        .filter(admission=OuterRef("pk"))
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=on))
    )
    return (
        Admission.objects.filter(site=site, kind=AdmissionKind.RESIDENT)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))
        .filter(~Exists(holding))
        .select_related("startup")
    )


def folded(text: str) -> str:
    """`text` for comparing names: accents and case ignored ("Équipe" → "equipe")."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def office_candidates_sorted(*, site, on: datetime.date | None = None) -> list[Admission]:
    """`office_candidates` by startup name (accents and case ignored), in one query. A
    site has at most a few hundred residents: sorting and searching them in Python is
    cheap and the same on PostgreSQL and SQLite (which has no `unaccent`)."""
    candidates = list(office_candidates(site=site, on=on))
    return sorted(candidates, key=lambda admission: (folded(str(admission.startup)), admission.pk))


def candidates_matching(candidates: list[Admission], query: str) -> list[Admission]:
    """The candidates whose brand name, legal name or ICE contains `query`, accents and
    case ignored (all of them for an empty query)."""
    needle = folded(" ".join(query.split()))
    if not needle:
        return list(candidates)
    return [
        admission
        for admission in candidates
        if any(
            needle in folded(text)
            for text in (admission.startup.brand_name, admission.startup.legal_name, admission.startup.ice)
        )
    ]


def offices_managed_by(user, *, on: datetime.date) -> QuerySet[Office]:
    """The offices of the sites where `user` works (every site for head office), each
    `occupied` on `on` or not, with its site."""
    site_ids = managed_site_ids(user)
    offices = Office.objects.all() if site_ids is None else Office.objects.filter(site__in=site_ids)
    allocated = OfficeAllocation.objects.running_on(on).filter(office=OuterRef("pk"))
    return offices.annotate(occupied=Exists(allocated)).select_related("site")


def allocations_to_confirm() -> QuerySet[OfficeAllocation]:
    """Allocations (in scope) with their office and startup: the release and cancel pages' look-up."""
    return allocations_with_office().select_related("admission__startup")

"""Reads of the partners area: programmes (who sees which), their cohorts (who may join),
partners, partner incubators, their managers and their incubated startups."""

from django.contrib.auth import get_user_model
from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from core.multilingual import translated_order
from sites.models import Incubator, IncubatorMembership, Partner, Site
from sites.scoping import managed_site_ids
from startups.models import Admission, Startup

from ..models import IncubatedStartup, Programme, ProgrammeParticipant, Service, ServiceSession
from .catalogue import count_subquery


# --- Programmes ------------------------------------------------------------------------------
def programmes_visible_to(*, user) -> QuerySet[Programme]:
    """Head office: every programme; site staff: their sites'; founders and teams: the
    programmes their startups take part in (a network programme included); anonymous
    visitors: none. Used by the pages and the API alike.

    Programmes may belong to the network (no site): call inside
    `sites.scoping.network_scope()`, where this filter is the only one."""
    if not user.is_authenticated:
        return Programme.objects.none()
    site_ids = managed_site_ids(user)
    if site_ids is None:  # head office
        return Programme.objects.all()
    taking_part = ProgrammeParticipant.objects.filter(startup__members__user=user)
    return Programme.objects.filter(Q(site__in=site_ids) | Q(pk__in=taking_part.values("programme")))


def programmes_visible_rows(*, user) -> QuerySet[Programme]:
    """The programmes `user` may see (`programmes_visible_to`), with their site, their
    cohort's size (`participant_count`) and their partners and incubators (by name) and
    services (by title): the API's rows. Inside `network_scope()`."""
    participants = ProgrammeParticipant.objects.filter(programme=OuterRef("pk"))
    return (
        programmes_visible_to(user=user)
        .select_related("site")
        .annotate(participant_count=count_subquery(participants, outer="programme"))
        .prefetch_related(
            Prefetch("partners", queryset=Partner.objects.order_by("name")),
            Prefetch("incubators", queryset=Incubator.objects.order_by("name")),
            Prefetch("services", queryset=Service.objects.order_by(translated_order("title"), "pk")),
        )
    )


def programmes_of_member(*, user) -> QuerySet[Programme]:
    """The programmes of the user's startups, with the user's participations
    (`my_participations`). Inside `network_scope()`: scoped querysets take the scope they
    are created in."""
    mine = ProgrammeParticipant.objects.filter(startup__members__user=user)
    return (
        Programme.objects.filter(pk__in=mine.values("programme"))
        .select_related("site")
        .prefetch_related(
            "partners",
            Prefetch("participants", queryset=mine.select_related("startup"), to_attr="my_participations"),
        )
        .order_by("-starts_on", translated_order("title"), "pk")
    )


def programme_services(*, programme: Programme) -> QuerySet[Service]:
    """The programme's published services by title, with their upcoming sessions
    (`upcoming_sessions`)."""
    upcoming = ServiceSession.objects.upcoming(timezone.now()).order_by("starts_at")
    return (
        programme.services.filter(is_published=True)
        .select_related("site", "partner")
        .prefetch_related(Prefetch("sessions", queryset=upcoming, to_attr="upcoming_sessions"))
        .order_by(translated_order("title"), "pk")
    )


def programme_cohort(*, programme: Programme) -> QuerySet[ProgrammeParticipant]:
    """The programme's participants with their startup, by name."""
    return programme.participants.select_related("startup").order_by("startup__legal_name", "pk")


def programme_admitted_startups(*, programme: Programme) -> QuerySet[Startup]:
    """Startups that may join the cohort: admitted (today) at the programme's site, or at
    any site for a network programme. Reads admissions: for a network programme, run inside
    `network_scope()`."""
    admissions = Admission.objects.active_on(timezone.localdate())
    if programme.site_id:
        admissions = admissions.filter(site=programme.site_id)
    return Startup.objects.filter(pk__in=admissions.values("startup"))


def may_join_cohort(*, programme: Programme, startup: Startup) -> bool:
    """Whether `startup` is one of the `programme_admitted_startups`."""
    return programme_admitted_startups(programme=programme).filter(pk=startup.pk).exists()


def startups_outside_cohort(startups: QuerySet[Startup], *, programme: Programme) -> QuerySet[Startup]:
    """`startups` less those already in the programme's cohort."""
    return startups.exclude(pk__in=ProgrammeParticipant.objects.filter(programme=programme).values("startup"))


def backoffice_programmes(*, site: Site | None) -> QuerySet[Programme]:
    """A site back-office's programmes; under /network/ (`site` None) every programme of
    the scope (head office, inside `network_scope()`)."""
    programmes = Programme.objects.all() if site is None else Programme.objects.filter(site=site)
    return programmes.select_related("site")


def programme_rows(*, site: Site | None, network: bool = False, site_slug: str = "") -> QuerySet[Programme]:
    """The back-office's list (`backoffice_programmes`), for head office narrowed to the
    network's programmes or one site's, with their cohort size and number of services."""
    programmes = backoffice_programmes(site=site)
    if network:
        programmes = programmes.owned_by(None)
    elif site_slug:
        programmes = programmes.filter(site__slug=site_slug)
    return (
        programmes.prefetch_related("partners")
        .annotate(cohort_size=Count("participants", distinct=True), service_count=Count("services", distinct=True))
        .order_by("-starts_on", translated_order("title"), "pk")
    )


def programme_service_choices(*, site: Site | None) -> QuerySet[Service]:
    """The services a programme of `site` may group: that site's (the caller's scope must
    include it), or the network's for a network programme (read in `network_scope()`)."""
    return Service.objects.owned_by(site).order_by(translated_order("title"), "pk")


def programme_incubator_choices(*, site: Site | None) -> QuerySet[Incubator]:
    """The incubators affiliated to `site`, or any for a network programme."""
    incubators = Incubator.objects.filter(affiliated_site=site) if site else Incubator.objects.all()
    return incubators.select_related("affiliated_site").order_by("name")


def sites_by_slug() -> QuerySet[Site]:
    """Every site (the network's operational and planned ones), by slug."""
    return Site.objects.select_related("region").order_by("slug")


# --- Partners --------------------------------------------------------------------------------
def partner_choices(*, current=()) -> QuerySet[Partner]:
    """The active partners, plus `current` (ids, or a `values("pk")` queryset: those the
    edited row already names, so that saving it does not silently drop an inactive one)."""
    return Partner.objects.filter(Q(is_active=True) | Q(pk__in=current)).order_by("name")


def active_partners() -> QuerySet[Partner]:
    """The partners listed publicly, by name."""
    return Partner.objects.filter(is_active=True).order_by("name", "pk")


def partner_with_logo(*, pk: int) -> Partner | None:
    """The partner `pk` if it has a logo (only what serving it needs), else None."""
    return Partner.objects.filter(pk=pk).exclude(logo="").only("pk", "logo").first()


def partners_with_counts(*, query: str = "") -> QuerySet[Partner]:
    """Every partner, with its number of programmes and incubators; those whose name
    contains `query` when given."""
    partners = Partner.objects.annotate(
        programme_count=Count("programmes", distinct=True), incubator_count=Count("incubators", distinct=True)
    ).order_by("name", "pk")
    return partners.filter(name__icontains=query) if query else partners


# --- Partner incubators, their managers and incubated startups -------------------------------
def _current_incubations() -> Count:
    """Per incubator: its incubations still running."""
    return Count("incubated", filter=Q(incubated__until__isnull=True), distinct=True)


def active_incubators() -> QuerySet[Incubator]:
    """The incubators listed publicly, with their site's region, by name."""
    return Incubator.objects.filter(is_active=True).select_related("affiliated_site__region").order_by("name", "pk")


def incubators_with_counts() -> QuerySet[Incubator]:
    """Every incubator, with its current incubations and its managers counted."""
    return (
        Incubator.objects.select_related("affiliated_site__region", "partner")
        .annotate(current_count=_current_incubations(), manager_count=Count("memberships", distinct=True))
        .order_by("name", "pk")
    )


def incubators_with_site() -> QuerySet[Incubator]:
    """Every incubator, with its affiliated site."""
    return Incubator.objects.select_related("affiliated_site")


def site_incubators(*, site: Site) -> list[Incubator]:
    """The incubators affiliated to `site`, with their current incubations counted."""
    return list(
        Incubator.objects.filter(affiliated_site=site)
        .select_related("partner")
        .annotate(current_count=_current_incubations())
        .order_by("name", "pk")
    )


def incubator_managers(*, incubator: Incubator | int) -> QuerySet[IncubatorMembership]:
    """The incubator's managers (memberships, with their user), by email."""
    return IncubatorMembership.objects.filter(incubator=incubator).select_related("user").order_by("user__email")


def is_incubator_manager(*, incubator: Incubator, user) -> bool:
    """Whether `user` already manages `incubator`."""
    return IncubatorMembership.objects.filter(incubator=incubator, user=user).exists()


def active_user_by_email(*, email: str):
    """The active account with this (lower-case) address, or None."""
    return get_user_model().objects.filter(email=email, is_active=True).first()


def incubations(
    *, incubator: Incubator | None = None, site: Site | None = None, current: bool | None = None
) -> QuerySet[IncubatedStartup]:
    """An incubator's incubations, or those of the incubators affiliated to `site` (narrowed
    to `incubator` when given too); running ones only (`current`), ended ones only
    (`current=False`) or all (None). Running first, then the latest."""
    if site is not None:
        rows = IncubatedStartup.objects.filter(incubator__affiliated_site=site)
        if incubator is not None:
            rows = rows.filter(incubator=incubator)
    else:
        rows = IncubatedStartup.objects.filter(incubator=incubator)
    if current:
        rows = rows.current()
    elif current is False:
        rows = rows.filter(until__isnull=False)
    return rows.select_related("startup", "incubator").order_by(
        F("until").desc(nulls_first=True), "-since", "startup__legal_name", "pk"
    )


def current_incubation(*, incubator: Incubator, startup_pk: int) -> IncubatedStartup | None:
    """The incubator's running incubation of the startup `startup_pk`, or None."""
    return (
        IncubatedStartup.objects.filter(incubator=incubator, startup_id=startup_pk)
        .current()
        .select_related("startup")
        .first()
    )


def incubator_programmes(*, incubator: Incubator) -> QuerySet[Programme]:
    """The programmes the incubator takes part in, of any site: inside `network_scope()`."""
    return (
        Programme.objects.filter(incubators=incubator)
        .select_related("site")
        .prefetch_related("partners")
        .order_by("-starts_on", translated_order("title"), "pk")
    )


def startups_found(*, ice: str = "", name: str = "") -> QuerySet[Startup]:
    """The startups with this ICE when given, else whose legal or brand name is `name`
    (case aside)."""
    if ice:
        return Startup.objects.filter(ice=ice)
    return Startup.objects.filter(Q(legal_name__iexact=name) | Q(brand_name__iexact=name))

"""The one place that decides which sites (and partner incubators) a request may see.

Every site-owned model has a django-scopes ScopedManager on `site`; a query outside a
scope raises. `SiteScopeMiddleware` opens the scope for every request with the helpers
below. `scope(site=None)` means *no filter at all*: only `visible_site_ids` (for
head-office staff) and `network_scope` (for reviewed network-wide views) produce it.
"""

from contextlib import contextmanager

from django.db.models import F, Q, QuerySet, Value
from django_scopes import scope

from .models import Site


def _visible_sites(user) -> QuerySet[Site]:
    worked_at = Site.objects.filter(memberships__user=user).values("pk")
    applied_to = Site.objects.filter(applications__startup__members__user=user).values("pk")
    admitted_at = Site.objects.filter(admissions__startup__members__user=user).values("pk")
    mentoring_for = Site.objects.filter(mentor_bookings__mentor__user=user).values("pk")
    return Site.objects.filter(
        Q(pk__in=worked_at) | Q(pk__in=applied_to) | Q(pk__in=admitted_at) | Q(pk__in=mentoring_for)
    )


def visible_site_ids(user) -> list[int] | None:
    """Ids of the sites `user` may see; None means every site (head-office staff).

    Site staff see the sites they work at; founders and team members the sites where their
    startup has applied or been admitted; mentors the home sites of the startups that booked
    them (their own pages then show only their startup, or their own bookings)."""
    if not user.is_authenticated or not user.is_active:
        return []
    if user.is_head_office:
        return None
    return list(_visible_sites(user).order_by("pk").values_list("pk", flat=True))


def managed_sites(user) -> QuerySet[Site]:
    """The sites where `user` works (a site membership); every site for head office. A
    member's sites carry their role there as `member_role` (what `sites.roles` reads)."""
    if not user.is_authenticated or not user.is_active:
        return Site.objects.none()
    if user.is_head_office:
        return Site.objects.all()
    # One membership per user and site (a constraint): one row per site. The annotation
    # reuses the filter's join, so it is the role of this user's membership.
    return Site.objects.filter(memberships__user=user).annotate(member_role=F("memberships__role"))


# What a request reads of the user's memberships is read once per request, kept on the
# request (never on the user, never across requests): the tenancy check, the navigation and
# the MFA rule then share one query.
REQUEST_SITES = "_tp_managed_sites"


def managed_site_list(user, *, request=None) -> list[Site]:
    """`managed_sites(user)` with their regions (and the member's role), by slug; read once
    per `request` when given."""
    if request is not None:
        request = getattr(request, "_request", request)  # DRF's request: Django's underneath
        known = getattr(request, REQUEST_SITES, None)
        if known is not None and known[0] == user.pk:
            return known[1]
    sites = list(managed_sites(user).select_related("region").order_by("slug"))
    if request is not None:
        setattr(request, REQUEST_SITES, (user.pk, sites))
    return sites


def managed_site_ids(user) -> list[int] | None:
    """Ids of `managed_sites`; None means every site (head office)."""
    if user.is_authenticated and user.is_active and user.is_head_office:
        return None
    return list(managed_sites(user).order_by("pk").values_list("pk", flat=True))


def managed_site(user, slug: str, *, request=None) -> Site | None:
    """The site behind `/manage/<slug>/` if `user` may work there, else None
    (missing and foreign look alike). A member's site carries their role (`member_role`)."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_head_office:
        return Site.objects.filter(slug=slug).select_related("region").first()
    return next((site for site in managed_site_list(user, request=request) if site.slug == slug), None)


def _visible_incubators(user):
    from services.models import Incubator

    managed = Incubator.objects.filter(memberships__user=user).values("pk")
    at_my_sites = Incubator.objects.filter(affiliated_site__memberships__user=user).values("pk")
    incubating_mine = Incubator.objects.filter(incubated__startup__members__user=user).values("pk")
    return Incubator.objects.filter(Q(pk__in=managed) | Q(pk__in=at_my_sites) | Q(pk__in=incubating_mine))


def visible_incubator_ids(user) -> list[int] | None:
    """Ids of the partner incubators `user` may see; None means all (head office): the ones
    they manage, those affiliated to the sites they work at, those incubating their startup."""
    if not user.is_authenticated or not user.is_active:
        return []
    if user.is_head_office:
        return None
    return list(_visible_incubators(user).order_by("pk").values_list("pk", flat=True))


def visible_ids(user) -> tuple[list[int] | None, list[int] | None]:
    """(`visible_site_ids(user)`, `visible_incubator_ids(user)`) in one query (a UNION):
    what every request's scope is made of, read from the database for each request."""
    if not user.is_authenticated or not user.is_active:
        return [], []
    if user.is_head_office:
        return None, None
    sites = _visible_sites(user).order_by().annotate(kind=Value(0)).values_list("kind", "pk")
    incubators = _visible_incubators(user).order_by().annotate(kind=Value(1)).values_list("kind", "pk")
    found: tuple[list[int], list[int]] = ([], [])
    for kind, pk in sites.union(incubators, all=True):
        found[kind].append(pk)
    return sorted(found[0]), sorted(found[1])


def managed_incubator(user, slug: str, *, request=None):
    """The incubator behind `/incubators/<slug>/manage/` if `user` runs it, else None."""
    from services.models import Incubator

    if not user.is_authenticated or not user.is_active:
        return None
    incubators = Incubator.objects.filter(slug=slug)
    if not user.is_head_office:
        incubators = incubators.filter(memberships__user=user)
    return incubators.select_related("affiliated_site").first()


@contextmanager
def user_scope(user):
    site_ids, incubator_ids = visible_ids(user)
    with scope(site=site_ids, incubator=incubator_ids):
        yield


@contextmanager
def site_scope(site: Site):
    from services.models import Incubator

    incubators = list(Incubator.objects.filter(affiliated_site=site).values_list("pk", flat=True))
    with scope(site=site.pk, incubator=incubators):
        yield


@contextmanager
def incubator_scope(incubator):
    """An incubator's back-office: its own rows, and no site's."""
    with scope(site=[], incubator=incubator.pk):
        yield


@contextmanager
def network_scope():
    """Every site (and incubator) at once. Only for reviewed network-wide views: head-office
    pages, the public catalogue and figures, e-Technopark. Grep for it when reviewing."""
    with scope(site=None, incubator=None):
        yield

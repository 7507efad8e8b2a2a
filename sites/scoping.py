"""The one place that decides which sites (and partner incubators) a request may see.

Every site-owned model has a django-scopes ScopedManager on `site`; a query outside a
scope raises. `SiteScopeMiddleware` opens the scope for every request with the helpers
below. `scope(site=None)` means *no filter at all*: only `visible_site_ids` (for
head-office staff) and `network_scope` (for reviewed network-wide views) produce it.
"""

from contextlib import contextmanager

from django.db.models import F, Q, QuerySet
from django_scopes import scope

from .models import Site


def visible_site_ids(user) -> list[int] | None:
    """Ids of the sites `user` may see; None means every site (head-office staff).

    Site staff see the sites they work at; founders and team members the sites where their
    startup has applied or been admitted; mentors the home sites of the startups that booked
    them (their own pages then show only their startup, or their own bookings)."""
    if not user.is_authenticated or not user.is_active:
        return []
    if user.is_head_office:
        return None
    worked_at = Site.objects.filter(memberships__user=user).values("pk")
    applied_to = Site.objects.filter(applications__startup__members__user=user).values("pk")
    admitted_at = Site.objects.filter(admissions__startup__members__user=user).values("pk")
    mentoring_for = Site.objects.filter(mentor_bookings__mentor__user=user).values("pk")
    return list(
        Site.objects.filter(
            Q(pk__in=worked_at) | Q(pk__in=applied_to) | Q(pk__in=admitted_at) | Q(pk__in=mentoring_for)
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


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


# A request's user may carry its managed sites, as of the request's start
# (`remember_managed_sites`, cached with the session by accounts.identity): the tenancy
# check of every back-office request and the navigation then need no query.
SITES_ATTRIBUTE = "_managed_site_list"


def managed_site_list(user) -> list[Site]:
    """`managed_sites(user)` with their regions, by slug."""
    known = getattr(user, SITES_ATTRIBUTE, None)
    if known is not None:
        return known
    return list(managed_sites(user).select_related("region").order_by("slug"))


def remember_managed_sites(user) -> None:
    """Put `managed_site_list(user)` on a request's user (but head office's: every site,
    which the navigation does not list, is not worth carrying)."""
    if not user.is_head_office:
        setattr(user, SITES_ATTRIBUTE, managed_site_list(user))


def managed_site_ids(user) -> list[int] | None:
    """Ids of `managed_sites`; None means every site (head office)."""
    if user.is_authenticated and user.is_active and user.is_head_office:
        return None
    if hasattr(user, SITES_ATTRIBUTE):
        return sorted(site.pk for site in managed_site_list(user))
    return list(managed_sites(user).order_by("pk").values_list("pk", flat=True))


def managed_site(user, slug: str) -> Site | None:
    """The site behind `/manage/<slug>/` if `user` may work there, else None
    (missing and foreign look alike)."""
    if not user.is_authenticated or not user.is_active:
        return None
    if hasattr(user, SITES_ATTRIBUTE):
        return next((site for site in managed_site_list(user) if site.slug == slug), None)
    if user.is_head_office:
        return Site.objects.filter(slug=slug).select_related("region").first()
    return managed_sites(user).filter(slug=slug).select_related("region").first()


def visible_incubator_ids(user) -> list[int] | None:
    """Ids of the partner incubators `user` may see; None means all (head office): the ones
    they manage, those affiliated to the sites they work at, those incubating their startup."""
    from services.models import Incubator

    if not user.is_authenticated or not user.is_active:
        return []
    if user.is_head_office:
        return None
    managed = Incubator.objects.filter(memberships__user=user).values("pk")
    at_my_sites = Incubator.objects.filter(affiliated_site__memberships__user=user).values("pk")
    incubating_mine = Incubator.objects.filter(incubated__startup__members__user=user).values("pk")
    return list(
        Incubator.objects.filter(Q(pk__in=managed) | Q(pk__in=at_my_sites) | Q(pk__in=incubating_mine))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def managed_incubator(user, slug: str):
    """The incubator behind `/incubators/<slug>/manage/` if `user` runs it, else None."""
    from services.models import Incubator

    if not user.is_authenticated or not user.is_active:
        return None
    incubators = Incubator.objects.filter(slug=slug)
    if not user.is_head_office:
        incubators = incubators.filter(memberships__user=user)
    return incubators.select_related("affiliated_site").first()


class LazyIds(list):
    """A list of ids computed the first time it is read: a request that never touches a
    site-owned row (a health probe, a cached page) pays no query for its scope. django-scopes
    sees a list, and filters with `__in` on it as with any other."""

    def __init__(self, compute=()):
        # Django rebuilds list lookup values as `type(value)(items)`: then it is loaded.
        lazy = callable(compute)
        super().__init__(() if lazy else compute)
        self._compute = compute if lazy else None

    def _loaded(self) -> list:
        if self._compute is not None:
            compute, self._compute = self._compute, None
            super().extend(compute())
        return self

    def __iter__(self):
        return list.__iter__(self._loaded())

    def __len__(self):
        return list.__len__(self._loaded())

    def __bool__(self):
        return bool(list.__len__(self._loaded()))

    def __contains__(self, value):
        return list.__contains__(self._loaded(), value)

    def __getitem__(self, index):
        return list.__getitem__(self._loaded(), index)

    def __eq__(self, other):
        return list.__eq__(self._loaded(), other)

    __hash__ = None

    def __repr__(self):
        return list.__repr__(self._loaded())


def _lazy(ids_of, user) -> LazyIds | None:
    """`ids_of(user)` when first read; None (every row: head office) is known at once."""
    if user.is_authenticated and user.is_active and user.is_head_office:
        return ids_of(user)
    return LazyIds(lambda: ids_of(user))


@contextmanager
def user_scope(user):
    with scope(site=_lazy(visible_site_ids, user), incubator=_lazy(visible_incubator_ids, user)):
        yield


@contextmanager
def site_scope(site: Site):
    from services.models import Incubator

    incubators = LazyIds(lambda: Incubator.objects.filter(affiliated_site=site).values_list("pk", flat=True))
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

"""The one place that decides which sites (and partner incubators) a request may see.

Every site-owned model has a django-scopes ScopedManager on `site`; a query outside a
scope raises. `SiteScopeMiddleware` opens the scope for every request with the helpers
below. `scope(site=None)` means *no filter at all*: only `visible_site_ids` (for
head-office staff) and `network_scope` (for reviewed network-wide views) produce it.
"""

import functools
from contextlib import contextmanager

from django.apps import apps
from django.db import connection
from django.db.models import F, QuerySet
from django_scopes import scope

from .models import Incubator, Site

# Who may see which site or incubator, as one SQL statement read for every request: hand-written
# because the ORM spends about 1.5 ms compiling its equivalent (7 subqueries) and PostgreSQL
# about 1.4 ms planning it, against 0.1 ms of work. Each branch is (0, site id) or
# (1, incubator id):
# - staff see the sites they work at; founders and team members the sites where their
#   startup has applied or been admitted; mentors the sites of the startups that booked them
#   (their own pages then show only their startup, or their own bookings);
# - incubators: the ones a user manages, those affiliated to the sites they work at, and
#   those incubating their startup.
_VISIBLE_SQL = """
SELECT 0, m.site_id FROM {site_membership} m WHERE m.user_id = %s
UNION SELECT 0, a.site_id FROM {application} a
    JOIN {startup_member} sm ON sm.startup_id = a.startup_id WHERE sm.user_id = %s
UNION SELECT 0, a.site_id FROM {admission} a
    JOIN {startup_member} sm ON sm.startup_id = a.startup_id WHERE sm.user_id = %s
UNION SELECT 0, b.site_id FROM {booking} b
    JOIN {mentor_profile} p ON p.id = b.mentor_id WHERE p.user_id = %s
UNION SELECT 1, im.incubator_id FROM {incubator_membership} im WHERE im.user_id = %s
UNION SELECT 1, i.id FROM {incubator} i
    JOIN {site_membership} m ON m.site_id = i.affiliated_site_id WHERE m.user_id = %s
UNION SELECT 1, inc.incubator_id FROM {incubated_startup} inc
    JOIN {startup_member} sm ON sm.startup_id = inc.startup_id WHERE sm.user_id = %s
"""
_VISIBLE_TABLES = {
    "site_membership": "tp_sites.SiteMembership",
    "application": "startups.Application",
    "admission": "startups.Admission",
    "startup_member": "startups.StartupMember",
    "booking": "mentors.Booking",
    "mentor_profile": "mentors.MentorProfile",
    "incubator_membership": "tp_sites.IncubatorMembership",
    "incubator": "tp_sites.Incubator",
    "incubated_startup": "services.IncubatedStartup",
}


_VISIBLE_PARAMS = _VISIBLE_SQL.count("%s")  # the user's id, once per branch


@functools.cache
def _visible_sql() -> str:
    tables = {
        name: connection.ops.quote_name(apps.get_model(label)._meta.db_table) for name, label in _VISIBLE_TABLES.items()
    }
    return _VISIBLE_SQL.format(**tables)


def visible_ids(user) -> tuple[list[int] | None, list[int] | None]:
    """(ids of the sites, ids of the partner incubators) `user` may see, sorted, read from
    the database in one query on every request: what every request's scope is made of.
    None means all of them (head-office staff)."""
    if not user.is_authenticated or not user.is_active:
        return [], []
    if user.is_head_office:
        return None, None
    found: tuple[list[int], list[int]] = ([], [])
    with connection.cursor() as cursor:
        cursor.execute(_visible_sql(), [user.pk] * _VISIBLE_PARAMS)
        for kind, pk in cursor.fetchall():
            found[kind].append(pk)
    return sorted(found[0]), sorted(found[1])


def visible_site_ids(user) -> list[int] | None:
    """Ids of the sites `user` may see; None means every site (head-office staff)."""
    return visible_ids(user)[0]


def visible_incubator_ids(user) -> list[int] | None:
    """Ids of the partner incubators `user` may see; None means all (head office)."""
    return visible_ids(user)[1]


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


def managed_incubator(user, slug: str, *, request=None):
    """The incubator behind `/incubators/<slug>/manage/` if `user` runs it, else None."""
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

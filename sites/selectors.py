from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q, QuerySet

from .models import IncubatorMembership, Language, Region, Sector, Site, SiteMembership, SiteStatus
from .roles import SiteAction, roles_with


def region_coverage():
    """The 12 regions with their sites counted by status: the network map as a table."""
    return Region.objects.annotate(
        operational=Count("sites", filter=Q(sites__status=SiteStatus.OPERATIONAL)),
        under_construction=Count("sites", filter=Q(sites__status=SiteStatus.UNDER_CONSTRUCTION)),
        planned=Count("sites", filter=Q(sites__status=SiteStatus.PLANNED)),
    ).order_by("code")


def site_list():
    # Operational sites first, by seniority; then the planned ones.
    return (
        Site.objects.select_related("region")
        .prefetch_related("vocations")
        .order_by(F("opened_on").asc(nulls_last=True), "slug")
    )


def network_figures() -> dict:
    """Headline figures computed live from the database (the KPI engine extends them)."""
    counts = Site.objects.aggregate(
        operational=Count("pk", filter=Q(status=SiteStatus.OPERATIONAL)),
        total=Count("pk"),
        regions_covered=Count("region", distinct=True),
        regions_operational=Count("region", filter=Q(status=SiteStatus.OPERATIONAL), distinct=True),
    )
    counts["regions_total"] = Region.objects.count()
    return counts


def operational_sites() -> QuerySet[Site]:
    """The sites open to startups, in the model's order (opening date, then slug)."""
    return Site.objects.filter(status=SiteStatus.OPERATIONAL)


def operational_site_choices() -> QuerySet[Site]:
    """The operational sites by slug: the choices of the forms that name a site."""
    return operational_sites().order_by("slug")


def sector_choices() -> QuerySet[Sector]:
    """Every sector, in the model's order: the choices of the forms that name sectors."""
    return Sector.objects.all()


def site_choices() -> QuerySet[Site]:
    """Every site, by slug: the choices of the filters that name any site, closed ones included."""
    return Site.objects.order_by("slug")


def language_choices() -> QuerySet[Language]:
    """Every language, by code: the choices of the forms that name languages."""
    return Language.objects.order_by("code")


def site_team() -> QuerySet[SiteMembership]:
    """The memberships of the current site scope with their users, by role then email."""
    return SiteMembership.objects.select_related("user").order_by("role", "user__email")


def site_staff_allowed(*, site: Site, action: SiteAction) -> QuerySet:
    """The active users whose role at `site` allows `action` (head office, not a member, aside)."""
    staff = SiteMembership.objects.filter(site=site, role__in=roles_with(action)).values("user")
    return get_user_model().objects.filter(pk__in=staff, is_active=True)


def active_user_with_email(*, email: str):
    """The active account whose email is exactly `email`, or None."""
    return get_user_model().objects.filter(email=email, is_active=True).first()


def has_site_role(*, site: Site, user) -> bool:
    """Whether `user` already holds a role (any) at `site`."""
    return SiteMembership.objects.filter(site=site, user=user).exists()


def incubator_memberships_of(*, user) -> QuerySet[IncubatorMembership]:
    """The incubators `user` manages (their memberships, with the incubator)."""
    return IncubatorMembership.objects.filter(user=user).select_related("incubator")


def site_memberships_of(*, user) -> QuerySet[SiteMembership]:
    """`user`'s roles at the sites of the current scope, with the site, by site slug."""
    return SiteMembership.objects.filter(user=user).select_related("site").order_by("site__slug")


def region_list() -> QuerySet[Region]:
    """The 12 regions, by code."""
    return Region.objects.order_by("code")

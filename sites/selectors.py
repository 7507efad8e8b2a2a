from django.db.models import Count, F, Q

from .models import Region, Site, SiteStatus


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

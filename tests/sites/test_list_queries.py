"""List pages and endpoints of sites: as many queries for 50 rows as for 1 (tests/querycount.py)."""

import datetime

import pytest

from sites.models import MembershipRole, Region, Sector, SiteStatus
from tests.factories import SiteFactory, SiteMembershipFactory
from tests.querycount import ListRoute, check_list_route, row_name


def site_row(ctx, index: int):
    """A site in one of the 12 regions, with two vocation sectors, opened before the others."""
    name = row_name(index)
    site = SiteFactory(
        slug=f"qrow-{index:02d}",
        name_fr=name,
        name_en=name,
        name_ar=name,
        region=Region.objects.order_by("code")[index % 12],
        opened_on=datetime.date(1990, 1, 1) + datetime.timedelta(days=index),
        status=SiteStatus.OPERATIONAL,
    )
    site.vocations.set(Sector.objects.order_by("code")[index % 3 : index % 3 + 2])
    return site


def region_row(ctx, index: int):
    """A region (codes before MA-01: the first page of the API lists them)."""
    name = row_name(index)
    region = Region.objects.create(code=f"A{index:02d}", name_fr=name, name_ar=name, name_en=name)
    SiteFactory(region=region, status=[SiteStatus.OPERATIONAL, SiteStatus.PLANNED][index % 2])
    return region


def membership_row(ctx, index: int):
    """A committee member at site A (before its manager in the team's order)."""
    return SiteMembershipFactory(site=ctx.site_a, role=MembershipRole.COMMITTEE, user__full_name=row_name(index))


def sector_row(ctx, index: int):
    name = row_name(index)
    return Sector.objects.create(code=f"qrow-{index:02d}", name_fr=name, name_ar=name, name_en=name)


ROUTES = [
    ListRoute("sites:list", "/sites/", "anonymous", site_row),
    ListRoute("sites:network_sites", "/network/sites/", "staff", site_row),
    ListRoute("sites:network_regions", "/network/regions/", "staff", region_row),
    ListRoute("sites:manage_team", "/manage/site-a/team/", "manager_a", membership_row),
    ListRoute("sites:manage_team", "/manage/site-a/team/", "staff", membership_row, id="head office"),
    ListRoute("api:regions", "/api/v1/regions/", "anonymous", region_row),
    ListRoute("api:sites", "/api/v1/sites/", "anonymous", site_row),
    ListRoute("api:site_members", "/api/v1/manage/site-a/members/", "manager_a", membership_row),
    ListRoute("admin:tp_sites_region_changelist", "/admin/tp_sites/region/", "staff", region_row),
    ListRoute("admin:tp_sites_sector_changelist", "/admin/tp_sites/sector/", "staff", sector_row),
    ListRoute("admin:tp_sites_site_changelist", "/admin/tp_sites/site/", "staff", site_row),
    ListRoute("admin:tp_sites_sitemembership_changelist", "/admin/tp_sites/sitemembership/", "staff", membership_row),
]


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.test_id)
def test_list_queries_do_not_grow_with_rows(route, client, personas, site_a, site_b):
    check_list_route(route, client=client, personas=personas, site_a=site_a, site_b=site_b)

"""Issue 18: a person reaches every feature of their role from their home page in two clicks.

From `/dashboard/` (the page each role lands on), the links of the page — navbar included —
are the first click; the links of the pages they lead to are the second. Each role's
features are named by their routes; every one of them must be among the routes reached.
Only links are followed (GET), as a person clicking would; downloads are not opened.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve

from accounts.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="([^"#]*)')
# Links that download a file or leave the portal's pages: a click, but no page to read on.
NOT_A_PAGE = re.compile(r"\.(ics|csv|xlsx|pdf|json)$|/(pdf|xlsx|export|photo|logo|pitch-deck)/|^/static/|^/media/")

FEATURES = {
    "founder": {
        "startups:detail",
        "startups:edit",
        "startups:team",
        "startups:declarations",
        "startups:applications",
        "startups:calls",
        "services:catalogue",
        "services:my_registrations",
        "services:programmes",
        "mentors:directory",
        "mentors:my_bookings",
        "mentors:my_booking",
        "sites:list",
        "accounts:profile",
        "accounts:privacy",
        "accounts:sessions",
        "accounts:api_tokens",
        "mfa_index",
        "account_change_password",
    },
    "mentor": {
        "mentors:my_profile",
        "mentors:availability",
        "mentors:agenda",
        "mentors:agenda_detail",
        "accounts:profile",
        "accounts:privacy",
        "mfa_index",
    },
    "manager": {
        "sites:manage_home",
        "sites:manage_team",
        "startups:manage_applications",
        "startups:manage_application",
        "startups:manage_reviews",
        "startups:manage_calls",
        "startups:manage_call_new",
        "startups:resident_list",
        "startups:residents_ending",
        "startups:office_list",
        "startups:office_create",
        "startups:manage_declarations",
        "services:manage_service_list",
        "services:manage_service_create",
        "services:manage_programmes",
        "services:manage_incubators",
        "mentors:site_bookings",
        "mentors:site_hours",
        "mentors:review_list",
        "reports:site_dashboard",
        "reports:site_board_reports",
        "accounts:profile",
        "mfa_index",
    },
    "head office": {
        "reports:network_dashboard",
        "reports:board_reports",
        "sites:network_sites",
        "sites:network_regions",
        "sites:manage_home",
        "startups:network_calls",
        "startups:history_import",
        "services:network_service_list",
        "services:network_partners",
        "services:network_incubators",
        "services:network_programmes",
        "mentors:network_hours",
        "mentors:review_list",
        "audit_list",
        "admin:index",
        "admin:core_outboxmessage_changelist",
        "accounts:profile",
        "mfa_index",
    },
}


def links(html: str) -> set[str]:
    paths = set()
    for href in HREF.findall(html):
        parts = urlsplit(href.replace("&amp;", "&"))
        if parts.netloc or not parts.path.startswith("/") or NOT_A_PAGE.search(parts.path):
            continue
        paths.add(parts.path + (f"?{parts.query}" if parts.query else ""))
    return paths


def route(path: str) -> str | None:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return match.view_name


def reached_in_two_clicks(client) -> set[str]:
    home = client.get("/dashboard/")
    assert home.status_code == 200
    first = links(home.content.decode())
    reached = {route(path) for path in first}
    for path in sorted(first):
        response = client.get(path)
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            reached |= {route(link) for link in links(response.content.decode())}
    return reached - {None}


@pytest.fixture
def people(world, founder_a, manager_a, unscoped):
    from accounts.models import User

    return {
        "founder": founder_a,
        "mentor": User.objects.get(pk=world["mentor_user"]),
        "manager": manager_a,
        "head office": UserFactory(email="head.office@example.ma", role=Role.HEAD_OFFICE, is_staff=True),
    }


@pytest.mark.parametrize("person", list(FEATURES))
def test_every_feature_of_a_role_is_two_clicks_from_its_home(client, settings, people, person):
    settings.REQUIRE_STAFF_MFA = False
    client.force_login(people[person])
    missing = FEATURES[person] - reached_in_two_clicks(client)
    assert not missing, f"{person} cannot reach in two clicks: {sorted(missing)}"

"""Views and forms stay thin (issue 17): the ORM reads of the startups, sites and accounts
views and forms live in the apps' selectors and the models' querysets. Filter forms only
validate: what they hand to the selectors, and the querysets' predicates, are checked here."""

import datetime
import re
from pathlib import Path

import pytest
from django_scopes import scope, scopes_disabled

from sites.models import MembershipRole
from sites.roles import REVIEW
from sites.selectors import active_user_with_email, has_site_role, site_staff_allowed
from startups.forms.applications import CallFilterForm
from startups.forms.pipeline import ApplicationFilterForm
from startups.forms.residents import AdmissionFilterForm
from startups.models import Admission, AdmissionKind, OfficeAllocation
from tests.factories import AdmissionFactory, OfficeFactory, SiteMembershipFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
# The same pattern as the grep: a queryset built in a view or a form.
ORM_READ = re.compile(r"\.objects\.|\.filter\(|\.exclude\(|\.aggregate\(|\.annotate\(|Subquery|OuterRef|Count\(")
# The history import's view and form have their own owner (not part of this clean-up yet).
NOT_YET = {"startups/views/history.py", "startups/forms/history.py"}
DAY = datetime.timedelta(days=1)
ON = datetime.date(2025, 6, 1)


def _views_and_forms() -> list[Path]:
    files = []
    for app in ("startups", "sites", "accounts"):
        for name in ("views", "forms"):
            files += [ROOT / app / f"{name}.py", *sorted((ROOT / app / name).glob("*.py"))]
    return [file for file in files if file.exists()]


def test_views_and_forms_build_no_queryset():
    found = [
        f"{file.relative_to(ROOT).as_posix()}:{number}: {line.strip()}"
        for file in _views_and_forms()
        if file.relative_to(ROOT).as_posix() not in NOT_YET
        for number, line in enumerate(file.read_text().splitlines(), 1)
        if ORM_READ.search(line)
    ]
    assert not found, "reads belong in selectors.py:\n" + "\n".join(found)


# --- What the filter forms hand to the selectors --------------------------------------------
def test_call_filters_network_site_kind_and_invalid_values(site_a):
    sites = [site_a]
    assert CallFilterForm({"site": "network", "kind": "e-technopark"}, sites=sites).filters() == {
        "network_only": True,
        "site_slug": "",
        "kind": "e-technopark",
    }
    assert CallFilterForm({"site": "site-a"}, sites=sites).filters() == {
        "network_only": False,
        "site_slug": "site-a",
        "kind": "",
    }
    # An unknown site or kind is ignored, not an error page.
    assert CallFilterForm({"site": "nowhere", "kind": "x"}, sites=sites).filters() == {
        "network_only": False,
        "site_slug": "",
        "kind": "",
    }


def test_application_filters_are_all_or_nothing():
    assert ApplicationFilterForm({"status": "submitted", "q": "  atlas "}).filters() == {
        "status": "submitted",
        "query": "atlas",
    }
    assert ApplicationFilterForm({"status": "draft", "q": "atlas"}).filters() == {}  # drafts are not a filter
    assert ApplicationFilterForm(None).filters() == {}


def test_admission_filters_map_the_office_choice(site_a):
    with scopes_disabled():
        office = OfficeFactory(site=site_a)
    with scope(site=site_a.pk):
        assert AdmissionFilterForm({}).filters() == {
            "status": "active",
            "query": "",
            "sector": None,
            "kind": "",
            "has_office": None,
            "office_id": None,
            "ends_before": None,
            "ending_soon": False,
            "sort": "startup",
        }
        office_of = {
            value: {key: AdmissionFilterForm({"office": value}).filters()[key] for key in ("has_office", "office_id")}
            for value in ("any", "none", str(office.pk), "12345")
        }
    assert office_of == {
        "any": {"has_office": True, "office_id": None},
        "none": {"has_office": False, "office_id": None},
        str(office.pk): {"has_office": True, "office_id": office.pk},
        "12345": {"has_office": None, "office_id": None},  # not this site's office: ignored
    }
    with scope(site=site_a.pk):
        filters = AdmissionFilterForm({"status": "bogus", "sort": "-end", "q": " x ", "ending_soon": "on"}).filters()
    shown = {key: filters[key] for key in ("status", "sort", "query", "ending_soon")}
    assert shown == {"status": "active", "sort": "-end", "query": "x", "ending_soon": True}  # bogus status ignored


# --- The admissions' queryset predicates ------------------------------------------------------
@pytest.fixture
def admissions(site_a):
    """Four residencies of site A: ended, with office 1 now, with an office that ended, ending soon."""
    with scopes_disabled():
        ended = AdmissionFactory(site=site_a, starts_on=ON - 900 * DAY, ended_on=ON - 10 * DAY, exit_reason="closed")
        housed = AdmissionFactory(site=site_a, starts_on=ON - 300 * DAY, planned_end_on=ON + 400 * DAY)
        moved_out = AdmissionFactory(site=site_a, starts_on=ON - 300 * DAY, planned_end_on=ON + 400 * DAY)
        soon = AdmissionFactory(site=site_a, starts_on=ON - 300 * DAY, planned_end_on=ON + 60 * DAY)
        offices = [OfficeFactory(site=site_a), OfficeFactory(site=site_a)]
        OfficeAllocation.objects.create(site=site_a, office=offices[0], admission=housed, starts_on=ON - 5 * DAY)
        OfficeAllocation.objects.create(
            site=site_a, office=offices[1], admission=moved_out, starts_on=ON - 90 * DAY, ends_on=ON
        )
    return {"ended": ended, "housed": housed, "moved_out": moved_out, "soon": soon}, offices


def _named(admissions: dict, queryset) -> set[str]:
    pks = set(queryset.values_list("pk", flat=True))
    return {name for name, admission in admissions.items() if admission.pk in pks}


def test_ended_by_and_ending_within(admissions, site_a):
    admissions, _offices = admissions
    with scope(site=site_a.pk):
        assert _named(admissions, Admission.objects.ended_by(ON)) == {"ended"}
        assert _named(admissions, Admission.objects.ended_by(ON - 11 * DAY)) == set()
        assert _named(admissions, Admission.objects.active_on(ON).ending_within(ON, days=60)) == {"soon"}
        assert _named(admissions, Admission.objects.ending_within(ON, days=59)) == set()
        admissions["soon"].kind = AdmissionKind.ETECHNOPARK  # only residencies "end soon"
        admissions["soon"].save()
        assert _named(admissions, Admission.objects.ending_within(ON, days=60)) == set()


def test_holding_office_on(admissions, site_a):
    admissions, (first, second) = admissions
    active = {"housed", "moved_out", "soon"}
    with scope(site=site_a.pk):
        held = Admission.objects.active_on(ON).holding_office_on(ON)
        free = Admission.objects.active_on(ON).holding_office_on(ON, holding=False)
        assert _named(admissions, held) == {"housed"}  # the other allocation ended on ON (excluded)
        assert _named(admissions, free) == active - {"housed"}
        assert _named(admissions, Admission.objects.holding_office_on(ON, office_id=first.pk)) == {"housed"}
        assert _named(admissions, Admission.objects.holding_office_on(ON, office_id=second.pk)) == set()
        assert _named(admissions, Admission.objects.holding_office_on(ON - DAY, office_id=second.pk)) == {"moved_out"}


# --- sites.selectors used by the forms ---------------------------------------------------------
def test_site_staff_allowed_to_review(site_a, site_b, manager_a, committee_a, team_a, manager_b):
    with scopes_disabled():
        SiteMembershipFactory(site=site_a, role=MembershipRole.COMMITTEE, user__is_active=False)  # inactive
    with scope(site=site_a.pk):  # as in the view: the site's scope
        reviewers = set(site_staff_allowed(site=site_a, action=REVIEW))
    assert reviewers == {manager_a, committee_a}  # not the team, site B or the inactive one
    with scopes_disabled():
        assert has_site_role(site=site_a, user=team_a)
        assert not has_site_role(site=site_b, user=team_a)


def test_active_user_with_email(db):
    user = UserFactory(email="someone@example.ma")
    UserFactory(email="gone@example.ma", is_active=False)
    assert active_user_with_email(email="someone@example.ma") == user
    assert active_user_with_email(email="gone@example.ma") is None
    assert active_user_with_email(email="nobody@example.ma") is None

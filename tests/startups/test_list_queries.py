"""List pages and endpoints of startups — a team's startups and applications, calls, the
pipeline, residents (and their exports), offices, declarations, the history import: as many
queries for 50 rows as for 1 (tests/querycount.py)."""

import datetime
import re

import pytest
from django.utils import timezone

from sites.models import MembershipRole
from startups.actions import check_in_save
from startups.forms.declarations import last_fiscal_year
from startups.models import (
    AlumniCheckIn,
    ApplicationEvent,
    ApplicationStatus,
    Criterion,
    ImportJob,
    OfficeAllocation,
    Renewal,
    Review,
    Score,
    StartupInvitation,
)
from tests.factories import (
    AdmissionFactory,
    ApplicationFactory,
    CallFactory,
    DeclarationFactory,
    OfficeFactory,
    SiteMembershipFactory,
    StartupMemberFactory,
    UserFactory,
)
from tests.querycount import ListRoute, api_results, check_list_route, row_name, sectors, startup_row

TODAY = datetime.date.today()


def _site(ctx, index: int):
    return [ctx.site_a, ctx.site_b][index % 2]


def call_row(ctx, index: int, *, site="alternate"):
    """An open call at site A, site B or the network's (e-Technopark), targeting two sectors."""
    site = [ctx.site_a, ctx.site_b, None][index % 3] if site == "alternate" else site
    kind = "e-technopark" if site is None else "resident"
    call = CallFactory(site=site, kind=kind, title=row_name(index))
    call.target_sectors.set(sectors(index))
    return call


def admission_row(
    ctx, index: int, *, site=None, ends_in_days: int = 400, with_office: bool = True, name: str | None = None
):
    """A startup (two sectors, a founder) admitted at `site` (site A) with an office."""
    site = site or ctx.site_a
    startup = startup_row(index, name=name)
    admission = AdmissionFactory(
        startup=startup,
        site=site,
        starts_on=datetime.date(TODAY.year - 3, 1, 1),
        planned_end_on=TODAY + datetime.timedelta(days=ends_in_days),
    )
    if with_office:
        office = OfficeFactory(site=site, number=f"O-{index:02d}")
        OfficeAllocation.objects.create(office=office, admission=admission, site=site, starts_on=admission.starts_on)
    return admission


# --- A team's own pages ---------------------------------------------------------------------
def my_startup_row(ctx, index: int):
    """founder_a's startup, admitted at A or B (with an office), applying to another call."""
    startup = startup_row(index, founder=ctx.founder_a)
    site = _site(ctx, index)
    admission = AdmissionFactory(startup=startup, site=site, starts_on=TODAY - datetime.timedelta(days=30))
    office = OfficeFactory(site=site)
    OfficeAllocation.objects.create(office=office, admission=admission, site=site, starts_on=admission.starts_on)
    ApplicationFactory(call=call_row(ctx, index, site=site), startup=startup)
    return startup


def my_application_row(ctx, index: int):
    startup = startup_row(index, founder=ctx.founder_a)
    return ApplicationFactory(call=call_row(ctx, index, site=_site(ctx, index)), startup=startup)


def team_setup(ctx) -> dict:
    return {"startup": startup_row(99, founder=ctx.founder_a, name="Team Startup")}


def team_row(ctx, index: int):
    """A teammate and an open invitation, sent by founder_a."""
    StartupInvitation.objects.create(startup=ctx.startup, email=f"invited{index}@example.ma", invited_by=ctx.founder_a)
    return StartupMemberFactory(startup=ctx.startup, role="member", user__full_name=row_name(index))


def startup_page_row(ctx, index: int):
    """A teammate, and an application to another call, of the startup."""
    ApplicationFactory(call=call_row(ctx, index, site=_site(ctx, index)), startup=ctx.startup)
    return StartupMemberFactory(startup=ctx.startup, role="member", user__full_name=row_name(index))


def declaration_setup(ctx) -> dict:
    startup = startup_row(99, founder=ctx.founder_a, name="Declaring Startup")
    AdmissionFactory(startup=startup, site=ctx.site_a)
    return {"startup": startup}


def declaration_row(ctx, index: int):
    """The declaration of fiscal year 1960 + index (a row of the table shows the year)."""
    return DeclarationFactory(startup=ctx.startup, fiscal_year=1960 + index, declared_by=ctx.founder_a)


def years_seen(text: str) -> set[int]:
    return {int(year) - 1960 for year in re.findall(r'<th scope="row">(\d{4})</th>', text)}


# --- The site's pipeline ----------------------------------------------------------------------
def site_call_row(ctx, index: int):
    """A call at site A with a submitted application (counted) and a draft (not counted)."""
    call = call_row(ctx, index, site=ctx.site_a)
    ApplicationFactory(call=call, startup=startup_row(index))
    ApplicationFactory(call=call, status=ApplicationStatus.DRAFT, submitted_at=None)
    return call


def network_call_row(ctx, index: int):
    call = call_row(ctx, index, site=None)
    ApplicationFactory(call=call, site=ctx.site_a, startup=startup_row(index))
    return call


def _reviewer(ctx, index: int):
    return SiteMembershipFactory(site=ctx.site_a, role=MembershipRole.COMMITTEE, user__full_name=row_name(index)).user


def _score(review: Review, value: int) -> None:
    review.submitted_at = timezone.now()
    review.save()
    for criterion in Criterion.objects.all():
        Score.objects.create(review=review, site=review.site, criterion=criterion, value=value)


def pipeline_application_row(ctx, index: int):
    """A submitted application at site A with two reviews, one of them scored."""
    application = ApplicationFactory(call=call_row(ctx, index, site=ctx.site_a), startup=startup_row(index))
    scored = Review.objects.create(application=application, site=ctx.site_a, reviewer=ctx.manager_a)
    _score(scored, index % 6)
    Review.objects.create(application=application, site=ctx.site_a, reviewer=_reviewer(ctx, index))
    return application


def review_row(ctx, index: int):
    """An application at site A that manager_a reviews (half of them scored)."""
    application = ApplicationFactory(call=call_row(ctx, index, site=ctx.site_a), startup=startup_row(index))
    review = Review.objects.create(application=application, site=ctx.site_a, reviewer=ctx.manager_a)
    if index % 2:
        _score(review, 3)
    return review


def application_setup(ctx) -> dict:
    application = ApplicationFactory(call=CallFactory(site=ctx.site_a), startup=startup_row(99, name="Reviewed"))
    return {"application": application}


def my_application_setup(ctx) -> dict:
    startup = startup_row(99, founder=ctx.founder_a, name="Applying Startup")
    return {"application": ApplicationFactory(call=CallFactory(site=ctx.site_a), startup=startup)}


def application_event_row(ctx, index: int):
    """A status change of the application, by a person named by the row."""
    return ApplicationEvent.objects.create(
        application=ctx.application,
        site=ctx.site_a,
        from_status="submitted",
        to_status="screening",
        actor=UserFactory(full_name=row_name(index)),
    )


def application_review_row(ctx, index: int):
    """Another reviewer's scores, and a status change by them, on the application."""
    reviewer = _reviewer(ctx, index)
    _score(Review.objects.create(application=ctx.application, site=ctx.site_a, reviewer=reviewer), index % 6)
    ApplicationEvent.objects.create(
        application=ctx.application, site=ctx.site_a, from_status="submitted", to_status="screening", actor=reviewer
    )


# --- Residents, offices, declarations of the site --------------------------------------------
def ending_soon_row(ctx, index: int):
    return admission_row(ctx, index, ends_in_days=10 + index % 40)


def office_row(ctx, index: int):
    """An office of site A (named by the row), every other one let to a startup."""
    office = OfficeFactory(site=ctx.site_a, number=row_name(index), floor=index % 3)
    if index % 2:
        admission = admission_row(ctx, index, with_office=False)
        OfficeAllocation.objects.create(
            office=office, admission=admission, site=ctx.site_a, starts_on=admission.starts_on, created_by=ctx.manager_a
        )
    return office


def office_setup(ctx) -> dict:
    return {"office": OfficeFactory(site=ctx.site_a, number="A-HIST")}


def office_history_row(ctx, index: int):
    """A past letting of the office, to a startup named by the row, recorded by another person."""
    admission = admission_row(ctx, index, with_office=False)
    start = datetime.date(1990, 1, 1) + datetime.timedelta(days=30 * index)
    return OfficeAllocation.objects.create(
        office=ctx.office,
        admission=admission,
        site=ctx.site_a,
        starts_on=start,
        ends_on=start + datetime.timedelta(days=20),
        created_by=UserFactory(),
    )


def office_candidate_row(ctx, index: int):
    """A resident of site A without an office (one the allocation's search lists), and,
    matching the search too but never listed: a resident of site B, an e-Technopark member
    of site A and a resident of A with an office."""
    admission = admission_row(ctx, index, with_office=False)
    admission_row(ctx, 100 + index, site=ctx.site_b, with_office=False, name=f"QrowB{index:02d}")
    AdmissionFactory(startup=startup_row(200 + index, name=f"QrowE{index:02d}"), site=ctx.site_a, kind="e-technopark")
    admission_row(ctx, 300 + index, name=f"QrowH{index:02d}")
    return admission


def resident_setup(ctx) -> dict:
    return {"admission": admission_row(ctx, 99, with_office=False, name="Resident Startup")}


def resident_history_row(ctx, index: int):
    """A renewal and a past office (named by the row) of the residency, by another person each."""
    actor = UserFactory()
    Renewal.objects.create(
        admission=ctx.admission,
        site=ctx.site_a,
        previous_end_on=datetime.date(2030, 1, 1),
        new_end_on=datetime.date(2031, 1, 1),
        actor=actor,
    )
    start = datetime.date(1990, 1, 1) + datetime.timedelta(days=30 * index)
    office = OfficeFactory(site=ctx.site_a, number=row_name(index))
    return OfficeAllocation.objects.create(
        office=office,
        admission=ctx.admission,
        site=ctx.site_a,
        starts_on=start,
        ends_on=start + datetime.timedelta(days=20),
        created_by=actor,
    )


def undeclared_row(ctx, index: int):
    """A startup admitted at site A with two founders, one of them inactive, yet to declare."""
    admission = admission_row(ctx, index, with_office=False)
    StartupMemberFactory(startup=admission.startup, user__is_active=False)
    return admission


def declared_row(ctx, index: int):
    admission = admission_row(ctx, index, with_office=False)
    return DeclarationFactory(startup=admission.startup, fiscal_year=last_fiscal_year())


def check_in_row(ctx, index: int):
    """A startup admitted at site A that answered last year's check-in: active, or stopped
    (every third), answered by one of its founders."""
    admission = admission_row(ctx, index, with_office=False)
    startup = admission.startup
    fields = {"still_active": True, "direct_jobs": 3, "revenue_band": "1m_5m", "city": "Rabat", "country": "MA"}
    if index % 3 == 2:
        fields = {"still_active": False, "closed_on": TODAY - datetime.timedelta(days=20)}
    check_in = AlumniCheckIn(startup=startup, fiscal_year=last_fiscal_year(), **fields)
    return check_in_save(actor=startup.members.get().user, check_in=check_in)


def import_job_row(ctx, index: int):
    return ImportJob.objects.create(created_by=UserFactory(full_name=row_name(index)), startups_name="startups.csv")


def api_declaration_row(ctx, index: int):
    """A declaration (the rows name nobody: counted by the API's results) of a startup
    admitted at site A."""
    admission = admission_row(ctx, index, with_office=False)
    return DeclarationFactory(startup=admission.startup, fiscal_year=2000 + index % 20, declared_by=ctx.founder_a)


def admin_application_row(ctx, index: int):
    return ApplicationFactory(call=call_row(ctx, index), site=_site(ctx, index), startup=startup_row(index))


def allocation_row(ctx, index: int):
    """A letting of an office named by the row to a resident of site A."""
    admission = admission_row(ctx, index, with_office=False)
    office = OfficeFactory(site=ctx.site_a, number=row_name(index))
    return OfficeAllocation.objects.create(office=office, admission=admission, site=ctx.site_a, starts_on=TODAY)


def criterion_row(ctx, index: int):
    name = row_name(index)
    return Criterion.objects.create(code=f"qrow-{index:02d}", name_fr=name, name_ar=name, name_en=name)


def admin_declaration_row(ctx, index: int):
    return DeclarationFactory(startup=startup_row(index), fiscal_year=2020)


ROUTES = [
    # A team's pages
    ListRoute("startups:list", "/startups/", "founder_a", my_startup_row, shown=25),
    ListRoute("startups:detail", "/startups/{startup}/", "founder_a", startup_page_row, team_setup),
    ListRoute("startups:detail", "/startups/{startup}/", "manager_a", startup_page_row, team_setup, id="site staff"),
    ListRoute("startups:team", "/startups/{startup}/team/", "founder_a", team_row, team_setup),
    ListRoute("startups:calls", "/calls/", "anonymous", call_row, shown=25),
    ListRoute("startups:applications", "/applications/", "founder_a", my_application_row, shown=25),
    ListRoute(
        "startups:application_detail",
        "/applications/{application}/",
        "founder_a",
        application_event_row,
        my_application_setup,
    ),
    ListRoute(
        "startups:declarations",
        "/startups/{startup}/declarations/",
        "founder_a",
        declaration_row,
        declaration_setup,
        seen=years_seen,
    ),
    # The site's pipeline, head office's calls
    ListRoute("startups:manage_calls", "/manage/site-a/calls/", "manager_a", site_call_row, shown=25),
    ListRoute("startups:network_calls", "/network/calls/", "staff", network_call_row, shown=25),
    ListRoute(
        "startups:manage_applications", "/manage/site-a/applications/", "manager_a", pipeline_application_row, shown=25
    ),
    ListRoute(
        "startups:manage_application",
        "/manage/site-a/applications/{application}/",
        "manager_a",
        application_review_row,
        application_setup,
    ),
    ListRoute("startups:manage_reviews", "/manage/site-a/reviews/", "manager_a", review_row, shown=25),
    # Residents, offices, declarations
    ListRoute("startups:resident_list", "/manage/site-a/residents/", "manager_a", admission_row),
    ListRoute("startups:resident_list", "/manage/site-a/residents/?format=csv", "manager_a", admission_row, id="csv"),
    ListRoute("startups:resident_list", "/manage/site-a/residents/?format=xlsx", "manager_a", admission_row, id="xlsx"),
    ListRoute("startups:residents_ending", "/manage/site-a/residents/ending/", "manager_a", ending_soon_row),
    ListRoute(
        "startups:resident_detail",
        "/manage/site-a/residents/{admission}/",
        "manager_a",
        resident_history_row,
        resident_setup,
    ),
    ListRoute("startups:office_list", "/manage/site-a/offices/", "manager_a", office_row),
    ListRoute(
        "startups:office_detail", "/manage/site-a/offices/{office}/", "manager_a", office_history_row, office_setup
    ),
    ListRoute(
        "startups:office_residents",
        "/manage/site-a/offices/{office}/residents/?q=qrow",
        "manager_a",
        office_candidate_row,
        office_setup,
    ),
    ListRoute("startups:manage_declarations", "/manage/site-a/declarations/", "manager_a", undeclared_row, shown=30),
    ListRoute(
        "startups:manage_declarations",
        "/manage/site-a/declarations/?status=declared",
        "manager_a",
        declared_row,
        shown=30,
        id="declared",
    ),
    ListRoute(
        "startups:manage_declarations",
        "/manage/site-a/declarations/?status=check_ins",
        "manager_a",
        check_in_row,
        shown=30,
        id="check-ins",
    ),
    ListRoute("startups:history_import", "/network/import/", "staff", import_job_row, shown=10),
    # API
    ListRoute("api:startups", "/api/v1/startups/", "staff", lambda ctx, index: startup_row(index)),
    ListRoute("api:startups", "/api/v1/startups/", "manager_a", admission_row, id="site staff"),
    ListRoute("api:calls", "/api/v1/calls/", "anonymous", call_row),
    ListRoute("api:calls", "/api/v1/calls/", "manager_a", call_row, id="site staff"),
    ListRoute("api:applications", "/api/v1/applications/", "manager_a", pipeline_application_row),
    ListRoute("api:applications", "/api/v1/applications/", "founder_a", my_application_row, id="team"),
    ListRoute("api:admissions", "/api/v1/admissions/", "manager_a", admission_row),
    ListRoute("api:offices", "/api/v1/offices/", "manager_a", office_row),
    ListRoute("api:declarations", "/api/v1/declarations/", "staff", api_declaration_row, seen=api_results),
    ListRoute(
        "api:declarations",
        "/api/v1/declarations/",
        "manager_a",
        api_declaration_row,
        seen=api_results,
        id="site staff",
    ),
    # The admin's lists
    ListRoute(
        "admin:startups_startup_changelist", "/admin/startups/startup/", "staff", lambda ctx, index: startup_row(index)
    ),
    ListRoute("admin:startups_call_changelist", "/admin/startups/call/", "staff", call_row),
    ListRoute("admin:startups_application_changelist", "/admin/startups/application/", "staff", admin_application_row),
    ListRoute("admin:startups_admission_changelist", "/admin/startups/admission/", "staff", admission_row),
    ListRoute("admin:startups_office_changelist", "/admin/startups/office/", "staff", office_row),
    ListRoute(
        "admin:startups_officeallocation_changelist", "/admin/startups/officeallocation/", "staff", allocation_row
    ),
    ListRoute("admin:startups_declaration_changelist", "/admin/startups/declaration/", "staff", admin_declaration_row),
    ListRoute("admin:startups_criterion_changelist", "/admin/startups/criterion/", "staff", criterion_row),
]


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.test_id)
def test_list_queries_do_not_grow_with_rows(route, client, personas, site_a, site_b):
    check_list_route(route, client=client, personas=personas, site_a=site_a, site_b=site_b)

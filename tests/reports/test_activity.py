"""Activity figures (reports/activity.py) against small datasets built by hand.

The period is June 2024: [2024-06-01, 2024-06-30] in Casablanca dates. In June 2024
Casablanca is at UTC+1, so 2024-05-31 23:30 UTC is 1 June 00:30 local (inside) and
2024-06-30 23:30 UTC is 1 July 00:30 local (outside). Timestamps below are written in UTC.

Sites: "casa" (Technopark Casablanca) and "ain-sebaa" (Technopark Aïn Sebaâ) in region
MA-06, "rabat" (Technopark Rabat) in MA-04, a planned site "settat" in MA-06; region MA-12
has no site (an empty scope). Every expected figure is worked out in the comments next to
the data, never by re-running the module's own logic.
"""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from mentors.models import Attendance as BookingAttendance
from reports.activity import Activity, DimensionActivity, Funnel, SiteOccupancy, activity
from reports.kpis import KpiScope, parse_scope
from services.models import Attendance, Dimension, Eligibility, RegistrationStatus, SessionStatus
from sites.models import Sector, SiteStatus
from startups.models import ApplicationStatus, OfficeAllocation

from ..factories import (
    AdmissionFactory,
    ApplicationFactory,
    BookingFactory,
    CallFactory,
    MentorProfileFactory,
    OfficeFactory,
    RegistrationFactory,
    ServiceFactory,
    ServiceSessionFactory,
    SiteFactory,
    StartupFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]

JUNE_1 = datetime.date(2024, 6, 1)
JUNE_30 = datetime.date(2024, 6, 30)

HELD = SessionStatus.HELD
CONFIRMED = RegistrationStatus.CONFIRMED
PRESENT = Attendance.PRESENT
NO_SHOW = Attendance.NO_SHOW


def utc(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.UTC)


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def june(scope_text: str, sector: Sector | None = None) -> Activity:
    scope = parse_scope(scope_text)
    assert scope is not None, scope_text
    return activity(scope, date_from=JUNE_1, date_to=JUNE_30, sector=sector)


def site(slug: str, name: str, region: str, status=SiteStatus.OPERATIONAL):
    return SiteFactory(slug=slug, name_fr=name, name_en=name, name_ar=name, region__code=region, status=status)


@pytest.fixture
def sites():
    return {
        "casa": site("casa", "Technopark Casablanca", "MA-06"),
        "ain-sebaa": site("ain-sebaa", "Technopark Aïn Sebaâ", "MA-06"),
        "rabat": site("rabat", "Technopark Rabat", "MA-04"),
        "settat": site("settat", "Technopark Settat", "MA-06", status=SiteStatus.PLANNED),
    }


@pytest.fixture
def sectors():
    return {code: Sector.objects.get(code=code) for code in ("fintech", "agritech")}


def startup(sector=None):
    created = StartupFactory()
    if sector is not None:
        created.sectors.set([sector])
    return created


def dims(**given) -> list[DimensionActivity]:
    """The four dimensions in Dimension order; `given` maps a dimension to
    (sessions_held, participants, attended, attendance_rate), the others are zeros."""
    rows = []
    for dimension in Dimension:
        held, participants, attended, rate = given.get(dimension.value, (0, 0, 0, "0"))
        rows.append(
            DimensionActivity(
                dimension=dimension.value,
                label=str(dimension.label),
                sessions_held=held,
                participants=participants,
                attended=attended,
                attendance_rate=Decimal(rate),
            )
        )
    return rows


# --- sessions and attendance ------------------------------------------------------------------
def session(service, starts_at: str, status=HELD):
    return ServiceSessionFactory(service=service, starts_at=utc(starts_at), status=status)


def register(session, status=CONFIRMED, attendance="", startup=None):
    return RegistrationFactory(session=session, status=status, attendance=attendance, startup=startup)


@pytest.fixture
def sessions(sites, sectors):
    fintech, agritech = sectors["fintech"], sectors["agritech"]
    financing_casa = ServiceFactory(site=sites["casa"], dimension=Dimension.FINANCING)
    skills_casa = ServiceFactory(site=sites["casa"], dimension=Dimension.SKILLS)
    skills_ain_sebaa = ServiceFactory(site=sites["ain-sebaa"], dimension=Dimension.SKILLS)
    market_rabat = ServiceFactory(site=sites["rabat"], dimension=Dimension.MARKET)
    networking_online = ServiceFactory(site=None, dimension=Dimension.NETWORKING, eligibility=Eligibility.ADMITTED)

    # casa, financing: held on 10 June: 3 confirmed (2 present, 1 no-show), one waitlisted
    # and one cancelled (neither is a participant).
    s1 = session(financing_casa, "2024-06-10T09:00")
    register(s1, attendance=PRESENT, startup=startup(fintech))
    register(s1, attendance=PRESENT, startup=startup(agritech))
    register(s1, attendance=NO_SHOW, startup=startup(fintech))
    register(s1, status=RegistrationStatus.WAITLISTED, startup=startup(fintech))
    register(s1, status=RegistrationStatus.CANCELLED, attendance=PRESENT, startup=startup(fintech))
    # casa, financing: 31 May 23:30 UTC is 1 June 00:30 in Casablanca: inside; 1 present
    # (a public participant, no startup).
    register(session(financing_casa, "2024-05-31T23:30"), attendance=PRESENT)
    # Outside: 30 June 23:30 UTC is 1 July locally; 31 May 21:30 UTC is 31 May 22:30.
    register(session(financing_casa, "2024-06-30T23:30"), attendance=PRESENT)
    register(session(financing_casa, "2024-05-31T21:30"), attendance=PRESENT)
    # Not held: cancelled, still scheduled.
    register(session(financing_casa, "2024-06-12T09:00", status=SessionStatus.CANCELLED), attendance=PRESENT)
    register(session(skills_casa, "2024-06-13T09:00", status=SessionStatus.SCHEDULED), attendance=PRESENT)
    # => casa financing: 2 sessions, 4 participants, 3 attended, 3/4 = 0.75.

    # casa, skills: 2 confirmed, one present (fintech), one not marked.
    s6 = session(skills_casa, "2024-06-20T09:00")
    register(s6, attendance=PRESENT, startup=startup(fintech))
    register(s6)
    # => casa skills: 1 session, 2 participants, 1 attended, 0.5.

    # ain-sebaa, skills: 1 present.  => region MA-06 skills: 2 sessions, 3 / 2 → 0.6667.
    register(session(skills_ain_sebaa, "2024-06-05T09:00"), attendance=PRESENT)
    # rabat, market: 1 present.  => 1 session, 1 / 1 → 1.
    register(session(market_rabat, "2024-06-15T09:00"), attendance=PRESENT)
    # e-Technopark networking (network only): 4 confirmed, 3 present, 1 no-show → 0.75.
    s8 = session(networking_online, "2024-06-12T17:00")
    for attendance in (PRESENT, PRESENT, PRESENT, NO_SHOW):
        register(s8, attendance=attendance)


def test_sessions_of_one_site(sessions):
    figures = june("site:casa")
    assert figures.dimensions == dims(financing=(2, 4, 3, "0.7500"), skills=(1, 2, 1, "0.5000"))


def test_sessions_of_a_region_leave_out_e_technopark(sessions):
    # casa + ain-sebaa; the e-Technopark networking session belongs to no site.
    assert june("region:MA-06").dimensions == dims(financing=(2, 4, 3, "0.7500"), skills=(2, 3, 2, "0.6667"))
    assert june("site:rabat").dimensions == dims(market=(1, 1, 1, "1.0000"))


def test_sessions_of_the_network_include_e_technopark(sessions):
    assert june("network").dimensions == dims(
        financing=(2, 4, 3, "0.7500"),
        market=(1, 1, 1, "1.0000"),
        networking=(1, 4, 3, "0.7500"),
        skills=(2, 3, 2, "0.6667"),
    )


def test_sessions_by_sector_count_only_that_sectors_registrations(sessions, sectors):
    # fintech registrations: at the 10 June session one present and one no-show (the
    # waitlisted and cancelled ones never count); at the skills session one present.
    # Sessions held are unchanged (a session is held whoever came).
    assert june("network", sector=sectors["fintech"]).dimensions == dims(
        financing=(2, 2, 1, "0.5000"),
        market=(1, 0, 0, "0"),
        networking=(1, 0, 0, "0"),
        skills=(2, 1, 1, "1.0000"),
    )


def test_dimension_labels_are_translated(sessions):
    with translation.override("en"):
        labels = [row.label for row in june("site:casa").dimensions]
    assert labels == ["Access to financing", "Access to market", "Networking", "Access to skills"]


# --- mentor hours ----------------------------------------------------------------------------
@pytest.fixture
def bookings(sites, sectors):
    mentor = MentorProfileFactory()
    casa_fintech, casa_agritech = startup(sectors["fintech"]), startup(sectors["agritech"])
    rabat_startup, ain_sebaa_startup = startup(), startup()

    def book(site_slug, booked, starts_at, minutes, **fields):
        start = utc(starts_at)
        return BookingFactory(
            mentor=mentor,
            site=sites[site_slug],
            startup=booked,
            starts_at=start,
            ends_at=start + datetime.timedelta(minutes=minutes),
            **fields,
        )

    # casa: 60 + 75 + 12 = 147 minutes = 2.45 h → 2.5 (half up), 3 sessions.
    book("casa", casa_fintech, "2024-06-03T09:00", 60, attendance=BookingAttendance.HELD)
    book("casa", casa_fintech, "2024-06-04T09:00", 75)  # attendance not marked: delivered
    book("casa", casa_agritech, "2024-05-31T23:15", 12)  # 1 June 00:15 local: inside
    # Left out: no-shows, cancelled, ended after 30 June (starts 23:30 local on the 30th,
    # ends 00:30 on 1 July), started before the period (31 May 22:00 local).
    book("casa", casa_fintech, "2024-06-05T09:00", 60, attendance=BookingAttendance.STARTUP_NO_SHOW)
    book("casa", casa_fintech, "2024-06-06T09:00", 60, attendance=BookingAttendance.MENTOR_NO_SHOW)
    book("casa", casa_fintech, "2024-06-07T09:00", 60, status="cancelled")
    book("casa", casa_fintech, "2024-06-30T22:30", 60)
    book("casa", casa_fintech, "2024-05-31T21:00", 60)
    # rabat: 45 minutes = 0.75 h → 0.8.  ain-sebaa: 30 minutes.
    book("rabat", rabat_startup, "2024-06-10T09:00", 45)
    book("ain-sebaa", ain_sebaa_startup, "2024-06-11T09:00", 30)


def mentoring(figures: Activity) -> tuple[int, Decimal]:
    return figures.mentor_sessions, figures.mentor_hours


def test_mentor_hours_per_scope(bookings):
    assert mentoring(june("site:casa")) == (3, Decimal("2.5"))
    assert mentoring(june("site:rabat")) == (1, Decimal("0.8"))
    # MA-06: 147 + 30 = 177 minutes = 2.95 h → 3.0 (the rabat booking is at another site).
    assert mentoring(june("region:MA-06")) == (4, Decimal("3.0"))
    # network: 177 + 45 = 222 minutes = 3.7 h.
    assert mentoring(june("network")) == (5, Decimal("3.7"))


def test_mentor_hours_by_sector(bookings, sectors):
    # fintech: the two delivered casa bookings, 60 + 75 = 135 minutes = 2.25 h → 2.3.
    assert mentoring(june("network", sector=sectors["fintech"])) == (2, Decimal("2.3"))
    # agritech: the 12-minute booking = 0.2 h.
    assert mentoring(june("site:casa", sector=sectors["agritech"])) == (1, Decimal("0.2"))


# --- office occupancy ------------------------------------------------------------------------
@pytest.fixture
def offices(sites):
    def office(site_slug, *allocations, is_active=True):
        created = OfficeFactory(site=sites[site_slug], is_active=is_active)
        for starts_on, ends_on in allocations:
            admission = AdmissionFactory(site=sites[site_slug], starts_on=day("2024-01-01"))
            OfficeAllocation.objects.create(
                office=created,
                admission=admission,
                site=sites[site_slug],
                starts_on=day(starts_on),
                ends_on=day(ends_on) if ends_on else None,
            )
        return created

    # casa on 30 June: 5 offices in service, 3 occupied → 0.6.
    office("casa", ("2024-01-01", None))  # occupied
    office("casa", ("2024-01-01", "2024-06-30"))  # ends on 30 June (excluded): free that day
    office("casa", ("2024-07-01", None))  # not yet
    office("casa", ("2024-03-01", "2024-07-01"))  # occupied
    office("casa", ("2023-01-01", "2024-03-01"), ("2024-06-30", None))  # occupied once, from 30 June
    office("casa", ("2024-01-01", None), is_active=False)  # not in service: left out
    # ain-sebaa has no office: 0 / 0 → 0.  rabat: 1 / 1.  settat is only planned: no row.
    office("rabat", ("2024-06-01", None))
    office("settat", ("2024-06-01", None))


def occupancy(slug, name, offices, occupied, rate, sites):
    return SiteOccupancy(
        site_id=sites[slug].pk, site_slug=slug, site_name=name, offices=offices, occupied=occupied, rate=Decimal(rate)
    )


def test_occupancy_of_a_site(offices, sites):
    assert june("site:casa").occupancy == [occupancy("casa", "Technopark Casablanca", 5, 3, "0.6000", sites)]


def test_occupancy_of_a_region_and_the_network_by_site_name(offices, sites):
    ain_sebaa = occupancy("ain-sebaa", "Technopark Aïn Sebaâ", 0, 0, "0", sites)
    casa = occupancy("casa", "Technopark Casablanca", 5, 3, "0.6000", sites)
    rabat = occupancy("rabat", "Technopark Rabat", 1, 1, "1.0000", sites)
    assert june("region:MA-06").occupancy == [ain_sebaa, casa]
    assert june("network").occupancy == [ain_sebaa, casa, rabat]


def test_occupancy_ignores_the_sector(offices, sites, sectors):
    assert june("site:casa", sector=sectors["fintech"]).occupancy == june("site:casa").occupancy


# --- application funnel ----------------------------------------------------------------------
@pytest.fixture
def applications(sites, sectors):
    calls = {slug: CallFactory(site=sites[slug]) for slug in ("casa", "rabat")}

    def apply(site_slug, status, submitted_at, decided_at=None, sector=None):
        return ApplicationFactory(
            call=calls[site_slug],
            startup=startup(sector),
            status=status,
            submitted_at=utc(submitted_at) if submitted_at else None,
            decided_at=utc(decided_at) if decided_at else None,
        )

    fintech = sectors["fintech"]
    # casa: 7 submitted in June. Decisions: 10, 4.5, 3 and 7.25 days.
    apply("casa", ApplicationStatus.ADMITTED, "2024-06-02T10:00", "2024-06-12T10:00", fintech)  # 10 days
    apply("casa", ApplicationStatus.REJECTED, "2024-06-03T00:00", "2024-06-07T12:00", fintech)  # 4.5 days
    apply("casa", ApplicationStatus.WITHDRAWN, "2024-06-05T09:00")
    apply("casa", ApplicationStatus.UNDER_REVIEW, "2024-06-10T09:00")
    apply("casa", ApplicationStatus.WAITLISTED, "2024-06-11T00:00", "2024-06-14T00:00")  # 3 days
    apply("casa", ApplicationStatus.SUBMITTED, "2024-06-20T09:00")
    apply("casa", ApplicationStatus.ADMITTED, "2024-06-15T00:00", "2024-06-22T06:00")  # 7.25 days
    # Left out: drafts (even one with a submission date), submitted on 31 May 23:30 local,
    # submitted on 1 July 00:30 local.
    apply("casa", ApplicationStatus.DRAFT, None)
    apply("casa", ApplicationStatus.DRAFT, "2024-06-10T09:00")
    apply("casa", ApplicationStatus.ADMITTED, "2024-05-31T22:30", "2024-06-01T22:30")
    apply("casa", ApplicationStatus.ADMITTED, "2024-06-30T23:30", "2024-07-02T23:30")
    # rabat: 3 submitted, 3 decided: 2, 1 and 30 days.
    apply("rabat", ApplicationStatus.ADMITTED, "2024-06-01T08:00", "2024-06-03T08:00")
    apply("rabat", ApplicationStatus.REJECTED, "2024-06-04T08:00", "2024-06-05T08:00")
    apply("rabat", ApplicationStatus.ADMITTED, "2024-06-06T08:00", "2024-07-06T08:00")


def test_funnel_of_a_site_with_an_even_number_of_decisions(applications):
    # 2 admitted of 7 = 0.285714… → 0.2857; pending: under review + waitlisted + submitted.
    # Decision times sorted: 3, 4.5, 7.25, 10 → median (4.5 + 7.25) / 2 = 5.875 → 5.9.
    assert june("site:casa").funnel == Funnel(
        submitted=7,
        admitted=2,
        rejected=1,
        pending=3,
        withdrawn=1,
        admission_rate=Decimal("0.2857"),
        median_days_to_decision=Decimal("5.9"),
    )


def test_funnel_of_a_site_with_an_odd_number_of_decisions(applications):
    # 1, 2, 30 → 2.
    assert june("site:rabat").funnel == Funnel(
        submitted=3,
        admitted=2,
        rejected=1,
        pending=0,
        withdrawn=0,
        admission_rate=Decimal("0.6667"),
        median_days_to_decision=Decimal("2.0"),
    )


def test_funnel_of_the_network(applications):
    # 10 submitted, 4 admitted → 0.4; decision times 1, 2, 3, 4.5, 7.25, 10, 30 → 4.5.
    assert june("network").funnel == Funnel(
        submitted=10,
        admitted=4,
        rejected=2,
        pending=3,
        withdrawn=1,
        admission_rate=Decimal("0.4000"),
        median_days_to_decision=Decimal("4.5"),
    )
    # MA-06 is casa alone here (ain-sebaa has no application).
    assert june("region:MA-06").funnel == june("site:casa").funnel


def test_funnel_by_sector(applications, sectors):
    # fintech: the admitted (10 days) and the rejected (4.5 days) ones: median 7.25 → 7.3
    # (half up: banker's rounding would give 7.2).
    assert june("network", sector=sectors["fintech"]).funnel == Funnel(
        submitted=2,
        admitted=1,
        rejected=1,
        pending=0,
        withdrawn=0,
        admission_rate=Decimal("0.5000"),
        median_days_to_decision=Decimal("7.3"),
    )


def test_funnel_with_no_decision_has_no_median(sites):
    call = CallFactory(site=sites["casa"])
    ApplicationFactory(call=call, status=ApplicationStatus.SUBMITTED, submitted_at=utc("2024-06-10T09:00"))
    funnel = june("site:casa").funnel
    assert (funnel.submitted, funnel.pending, funnel.median_days_to_decision) == (1, 1, None)


# --- empty scopes, the period, query counts ---------------------------------------------------
EMPTY_FUNNEL = Funnel(
    submitted=0,
    admitted=0,
    rejected=0,
    pending=0,
    withdrawn=0,
    admission_rate=Decimal("0"),
    median_days_to_decision=None,
)


def test_empty_region_has_only_zeros(sessions, bookings, offices, applications):
    # Region MA-12 has no site: nothing of the data elsewhere leaks in.
    assert june("region:MA-12") == Activity(
        date_from=JUNE_1,
        date_to=JUNE_30,
        dimensions=dims(),
        mentor_sessions=0,
        mentor_hours=Decimal("0.0"),
        occupancy=[],
        rooms=[],
        billing=[],
        funnel=EMPTY_FUNNEL,
    )


def test_empty_network():
    figures = activity(KpiScope("network", "", None), date_from=JUNE_1, date_to=JUNE_30)
    assert (figures.dimensions, figures.occupancy, figures.funnel) == (dims(), [], EMPTY_FUNNEL)
    assert mentoring(figures) == (0, Decimal("0.0"))


def test_another_period(sessions, bookings, applications):
    # The same data seen over 1 July alone: only what fell on 1 July, local time.
    figures = activity(parse_scope("site:casa"), date_from=day("2024-07-01"), date_to=day("2024-07-01"))
    assert figures.dimensions == dims(financing=(1, 1, 1, "1.0000"))  # 30 June 23:30 UTC
    assert mentoring(figures) == (0, Decimal("0.0"))  # the 30 June 23:30 local booking started in June
    assert (figures.funnel.submitted, figures.funnel.admitted) == (1, 1)  # 30 June 23:30 UTC
    assert figures.funnel.median_days_to_decision == Decimal("2.0")


def build(count: int, sites) -> None:
    """`count` rows of each kind at casa, all inside June: held sessions with a present
    registration, delivered bookings, occupied offices, decided applications."""
    mentor = MentorProfileFactory()
    call = CallFactory(site=sites["casa"])
    for index in range(count):
        start = utc("2024-06-10T08:00") + datetime.timedelta(hours=index)
        registered = startup()
        register(session(ServiceFactory(site=sites["casa"]), start.isoformat()), attendance=PRESENT)
        BookingFactory(mentor=mentor, site=sites["casa"], startup=registered, starts_at=start)
        office = OfficeFactory(site=sites["casa"])
        OfficeAllocation.objects.create(
            office=office,
            admission=AdmissionFactory(site=sites["casa"], startup=registered),
            site=sites["casa"],
            starts_on=day("2024-01-01"),
        )
        ApplicationFactory(
            call=call,
            startup=registered,
            status=ApplicationStatus.ADMITTED,
            submitted_at=start,
            decided_at=start + datetime.timedelta(days=index + 1),
        )


@pytest.mark.parametrize("count", [1, 25])
def test_query_count_does_not_grow_with_the_data(count, sites, sectors, django_assert_max_num_queries):
    build(count, sites)
    for text in ("site:casa", "region:MA-06", "network"):
        scope = parse_scope(text)
        # sessions, registrations, bookings, sites with offices, rooms (rooms, their
        # bookings; a site or region scope also its sites' names), invoices (documents,
        # and payments when there is a document), funnel counts, median
        with django_assert_max_num_queries(10):
            figures = activity(scope, date_from=JUNE_1, date_to=JUNE_30, sector=None)
        with django_assert_max_num_queries(10):
            activity(scope, date_from=JUNE_1, date_to=JUNE_30, sector=sectors["fintech"])
    assert figures.dimensions[3].sessions_held == count  # skills: the factory's dimension
    assert figures.mentor_sessions == count
    assert figures.funnel.submitted == count
    assert figures.occupancy[1].occupied == count  # network: Aïn Sebaâ, Casablanca, Rabat


def test_runs_with_the_scopes_disabled(sessions, bookings, offices, applications):
    # Called from inside a request scope that sees no site, the engine still reads across
    # sites (it opens its own unscoped block): the caller decides which scope to ask for.
    from django_scopes import scope

    expected = june("network")
    with scope(site=[]):
        assert june("network") == expected
    assert expected.mentor_sessions == 5


def test_room_use_is_the_hours_booked_over_the_hours_open(sites):
    """June 2024 has 20 weekdays: a room open 08:00–19:00 on weekdays is open 220 h; a 2-hour
    booking and a 3-hour session's hold make 5 h (a cancelled booking does not count)."""
    from spaces.models import RoomBooking
    from tests.spaces.factories import RoomFactory

    casa = sites["casa"]
    room = RoomFactory(site=casa)
    start = datetime.datetime(2024, 6, 10, 9, tzinfo=ZoneInfo("Africa/Casablanca"))
    for hours, status in ((2, "confirmed"), (3, "confirmed"), (4, "cancelled")):
        RoomBooking.objects.create(
            room=room,
            site=casa,
            organisation="Association",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=hours),
            purpose="Atelier",
            status=status,
        )
        start += datetime.timedelta(days=1)
    (row,) = june("site:casa").rooms
    assert (row.site_id, row.hours_open, row.hours_booked, row.rate) == (
        casa.pk,
        Decimal("220.00"),
        Decimal("5.00"),
        Decimal("0.0227"),
    )
    assert june("region:MA-12").rooms == []

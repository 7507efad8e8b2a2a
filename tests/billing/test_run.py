"""The monthly invoicing run (issue 21): each startup's draft invoice of the month at each
site, with its office rents (prorated by day), its room bookings beyond the free hours and
the charges its managers added; once per startup, site and month, however often it runs or
wherever it was killed."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_scopes import scopes_disabled

from billing import tasks
from billing.actions import run as actions_run
from billing.actions.run import charge_add, drafts_issue_all, monthly_run
from billing.models import Charge, Invoice, InvoiceLine
from billing.selectors.owed import month_parse, month_previous, owed_at_site
from core.models import AuditEntry
from sites.models import SiteStatus
from spaces.models import RoomBooking, RoomBookingStatus
from startups.models import OfficeAllocation
from tests.billing.test_issue import issuer
from tests.factories import AdmissionFactory, OfficeFactory, SiteFactory
from tests.spaces.factories import RoomFactory

pytestmark = pytest.mark.django_db

NOVEMBER = datetime.date(2026, 11, 1)  # 30 days
DECEMBER = datetime.date(2026, 12, 1)


@pytest.fixture
def site(db):
    site = SiteFactory(slug="casablanca")
    issuer(site)
    return site


def allocate(site, *, starts_on, ends_on=None, rent="3000.00", number=None, admission=None, cancelled=False):
    office = OfficeFactory(site=site, monthly_rent_mad=rent, **({"number": number} if number else {}))
    return OfficeAllocation.objects.create(
        office=office,
        admission=admission or AdmissionFactory(site=site),
        site=site,
        starts_on=starts_on,
        ends_on=ends_on,
        cancelled_at=timezone.now() if cancelled else None,
    )


def book(room, startup, start, *, hours=2, price="300.00", status=RoomBookingStatus.CONFIRMED, late=False):
    """A booking from `start` (Casablanca time) priced `price` for its hours beyond the allowance."""
    start = timezone.make_aware(start)
    charged = Decimal(hours) if Decimal(price) else Decimal("0")
    return RoomBooking.objects.create(
        room=room,
        site=room.site,
        startup=startup,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=hours),
        purpose="Réunion",
        status=status,
        late_cancellation=late,
        cancelled_at=timezone.now() if status == RoomBookingStatus.CANCELLED else None,
        allowance_hours=Decimal(hours) - charged,
        charged_hours=charged,
        price_mad=Decimal(price),
    )


def lines_of(startup, month=NOVEMBER) -> list[InvoiceLine]:
    return list(InvoiceLine.objects.filter(invoice__startup=startup, invoice__month=month).order_by("position"))


def by_startup(owed) -> dict:
    return {entry.startup_id: entry.lines for entry in owed}


# --- What is owed ----------------------------------------------------------------------------
@pytest.mark.usefixtures("unscoped")
def test_rents_are_prorated_by_day_to_the_centime(site):
    from_16th = allocate(site, starts_on=datetime.date(2026, 11, 16), rent="3333.33", number="B12")
    until_11th = allocate(site, starts_on=datetime.date(2026, 6, 1), ends_on=datetime.date(2026, 11, 11))
    whole = allocate(site, starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 12, 1))
    allocate(site, starts_on=datetime.date(2026, 6, 1), ends_on=NOVEMBER)  # ended before November
    allocate(site, starts_on=DECEMBER)  # starts after
    allocate(site, starts_on=datetime.date(2026, 11, 20), cancelled=True)  # never happened
    allocate(site, starts_on=datetime.date(2026, 1, 1), rent="0.00")  # a free office bills nothing

    owed = by_startup(owed_at_site(site=site, month=NOVEMBER, language="en"))

    assert set(owed) == {from_16th.admission.startup_id, until_11th.admission.startup_id, whole.admission.startup_id}
    [half] = owed[from_16th.admission.startup_id]
    assert half["unit_price"] == Decimal("1666.67")  # 3333.33 × 15 / 30 = 1666.665, half up
    assert half["description"] == "Office B12 rent — November 2026 (15 of 30 days)"
    assert (half["source"], half["source_ref"]) == ("rent", f"allocation:{from_16th.pk}:2026-11")
    assert (half["quantity"], half["vat_rate"]) == (Decimal("1"), Decimal("20"))
    assert owed[until_11th.admission.startup_id][0]["unit_price"] == Decimal("1000.00")  # 10 days of 30
    [full] = owed[whole.admission.startup_id]
    assert full["unit_price"] == Decimal("3000.00") and "days" not in full["description"]
    # The invoice's language (French by default) writes the month.
    french = by_startup(owed_at_site(site=site, month=NOVEMBER))[from_16th.admission.startup_id][0]
    assert "B12" in french["description"] and "novembre 2026" in french["description"]


@pytest.mark.usefixtures("unscoped")
def test_rooms_are_billed_beyond_the_allowance_and_when_cancelled_late(site):
    startup = AdmissionFactory(site=site).startup
    room = RoomFactory(site=site, name="Salle Atlas")
    billed = book(room, startup, datetime.datetime(2026, 11, 12, 10))
    late = book(room, startup, datetime.datetime(2026, 11, 13, 10), price="150.00", status="cancelled", late=True)
    book(room, startup, datetime.datetime(2026, 11, 14, 10), price="0")  # within the free hours
    book(room, startup, datetime.datetime(2026, 11, 16, 10), status="cancelled")  # cancelled in time
    book(room, startup, datetime.datetime(2026, 11, 17, 10), status=RoomBookingStatus.REFUSED)
    # The month is Casablanca's: 1 November 00:30 is in it, 1 December 00:30 is not.
    first_night = book(room, startup, datetime.datetime(2026, 11, 1, 0, 30), hours=1, price="150.00")
    book(room, startup, datetime.datetime(2026, 12, 1, 0, 30), hours=1, price="150.00")

    [night, atlas, cancelled] = by_startup(owed_at_site(site=site, month=NOVEMBER))[startup.pk]

    assert atlas["description"].startswith("Salle Atlas — 12/11/2026 10:00–12:00 (2")
    assert (atlas["unit_price"], atlas["source"]) == (Decimal("300.00"), "room")
    assert atlas["source_ref"] == f"room-booking:{billed.pk}"
    assert cancelled["source_ref"] == f"room-booking:{late.pk}"
    assert night["source_ref"] == f"room-booking:{first_night.pk}"
    english = by_startup(owed_at_site(site=site, month=NOVEMBER, language="en"))[startup.pk][1]
    assert english["description"] == "Salle Atlas — 11/12/2026 10:00–12:00 (2 h charged)"


@pytest.mark.usefixtures("unscoped")
def test_charges_are_checked_billed_once_and_linked(site, staff):
    startup = AdmissionFactory(site=site).startup
    printing = charge_add(
        actor=staff,
        site=site,
        startup=startup,
        description="Impression badges",
        quantity=Decimal("3"),
        unit_price=Decimal("25.50"),
        vat_rate=Decimal("20"),
        month=NOVEMBER,
    )
    assert AuditEntry.objects.filter(object_id=str(printing.pk), action="create").exists()
    next_month = charge_add(
        actor=staff,
        site=site,
        startup=startup,
        description="Parking",
        quantity=1,
        unit_price=Decimal("100"),
        month=DECEMBER,
    )
    for wrong in (
        {"month": datetime.date(2026, 11, 15)},
        {"startup": AdmissionFactory().startup},  # admitted at another site
        {"unit_price": 25.5},
        {"quantity": Decimal("0")},
        {"description": "  "},
    ):
        values = {"description": "X", "quantity": 1, "unit_price": Decimal("1"), "startup": startup, "month": NOVEMBER}
        with pytest.raises(ValidationError):
            charge_add(actor=staff, site=site, **(values | wrong))

    report = monthly_run(actor=staff, month=NOVEMBER)

    [line] = lines_of(startup)
    assert (line.description, line.quantity, line.unit_price) == ("Impression badges", Decimal("3"), Decimal("25.50"))
    assert (line.source, line.source_ref) == ("other", f"charge:{printing.pk}")
    printing.refresh_from_db()
    assert printing.invoice_line == line and printing.is_billed
    assert not Charge.objects.get(pk=next_month.pk).is_billed  # December's waits for December
    assert (report.drafts, report.lines, report.excl_tax) == (1, 1, Decimal("76.50"))
    # Added after November's run: billed by the next run, saying its month.
    late = charge_add(
        actor=staff,
        site=site,
        startup=startup,
        description="Café",
        quantity=1,
        unit_price=Decimal("40"),
        month=NOVEMBER,
    )
    assert monthly_run(actor=staff, month=NOVEMBER).drafts == 0
    monthly_run(actor=staff, month=DECEMBER)
    assert [line.description for line in lines_of(startup, DECEMBER)] == ["Café — novembre 2026", "Parking"]
    assert Charge.objects.filter(invoice_line__isnull=True).count() == 0
    assert Charge.objects.get(pk=late.pk).invoice_line.invoice.month == DECEMBER


# --- The run -------------------------------------------------------------------------------
@pytest.mark.usefixtures("unscoped")
def test_the_run_makes_one_draft_per_startup_that_owes_and_nothing_on_a_second_run(site, staff):
    paying = [allocate(site, starts_on=datetime.date(2026, 1, 1)).admission.startup for _ in range(3)]
    idle = AdmissionFactory(site=site).startup  # owes nothing: no invoice
    planned = SiteFactory(slug="dakhla", status=SiteStatus.PLANNED)
    allocate(planned, starts_on=datetime.date(2026, 1, 1))  # not an operational site: not run

    report = monthly_run(actor=staff, month=datetime.date(2026, 11, 17))  # any day names its month

    assert (report.month, report.startups, report.drafts, report.lines, report.skipped) == (NOVEMBER, 3, 3, 3, 0)
    assert report.excl_tax == Decimal("9000.00") and not report.dry_run
    invoices = Invoice.objects.filter(month=NOVEMBER)
    assert sorted(invoices.values_list("startup_id", flat=True)) == sorted(startup.pk for startup in paying)
    assert {(invoice.status, invoice.number, invoice.site_id, invoice.language) for invoice in invoices} == {
        ("draft", None, site.pk, "fr")
    }
    assert not Invoice.objects.filter(startup=idle).exists()
    assert not Invoice.objects.filter(site=planned).exists()

    again = monthly_run(actor=staff, month=NOVEMBER)
    assert (again.startups, again.drafts, again.skipped, again.excl_tax) == (3, 0, 3, Decimal("0.00"))
    assert Invoice.objects.count() == 3


@pytest.mark.usefixtures("unscoped")
def test_a_run_killed_midway_is_finished_by_the_next(site, staff, monkeypatch):
    startups = [allocate(site, starts_on=datetime.date(2026, 1, 1)).admission.startup for _ in range(4)]
    create = actions_run.invoice_draft_create
    made = []

    def killed_after_two(**kwargs):
        if len(made) == 2:
            raise KeyboardInterrupt  # the process dies between two startups
        made.append(create(**kwargs))
        return made[-1]

    monkeypatch.setattr(actions_run, "invoice_draft_create", killed_after_two)
    with pytest.raises(KeyboardInterrupt):
        monthly_run(actor=staff, month=NOVEMBER)
    assert Invoice.objects.count() == 2  # what was done stays done
    monkeypatch.undo()

    report = monthly_run(actor=staff, month=NOVEMBER)

    assert (report.drafts, report.skipped) == (2, 2)
    for startup in startups:
        assert Invoice.objects.filter(site=site, startup=startup, month=NOVEMBER).count() == 1
        assert len(lines_of(startup)) == 1


@pytest.mark.usefixtures("unscoped")
def test_a_run_that_loses_the_race_skips_the_startup(site, staff, monkeypatch):
    """Two runs at once: the one-invoice-per-month constraint lets one make the draft; the
    other's Conflict counts as skipped and its charges are left to the winner."""
    startup = allocate(site, starts_on=datetime.date(2026, 1, 1)).admission.startup
    charge = charge_add(
        actor=staff,
        site=site,
        startup=startup,
        description="Badge",
        quantity=1,
        unit_price=Decimal("50"),
        month=NOVEMBER,
    )
    monthly_run(actor=staff, month=NOVEMBER)
    Charge.objects.filter(pk=charge.pk).update(invoice_line=None)  # as the rival run saw them
    monkeypatch.setattr(actions_run, "invoiced_startup_ids", lambda **kwargs: set())

    report = monthly_run(actor=staff, month=NOVEMBER)

    assert (report.drafts, report.skipped) == (0, 1)
    assert Invoice.objects.count() == 1
    assert not Charge.objects.get(pk=charge.pk).is_billed  # the loser linked nothing


@pytest.mark.usefixtures("unscoped")
def test_a_dry_run_counts_and_writes_nothing(site, staff, django_assert_max_num_queries):
    startup = allocate(site, starts_on=datetime.date(2026, 11, 16)).admission.startup
    charge_add(
        actor=staff,
        site=site,
        startup=startup,
        description="Badge",
        quantity=1,
        unit_price=Decimal("50"),
        month=NOVEMBER,
    )
    audit = AuditEntry.objects.count()

    report = monthly_run(actor=staff, month=NOVEMBER, dry_run=True)

    assert (report.startups, report.drafts, report.lines, report.excl_tax) == (1, 1, 2, Decimal("1550.00"))
    assert report.dry_run and report.invoice_ids == []
    assert not Invoice.objects.exists() and not Charge.objects.filter(invoice_line__isnull=False).exists()
    assert AuditEntry.objects.count() == audit
    # Five queries a site (its incubators, allocations, bookings, charges, invoices), whatever the number of startups.
    with django_assert_max_num_queries(5):
        monthly_run(actor=staff, month=NOVEMBER, site=site, dry_run=True)
    for _ in range(10):
        startup = allocate(site, starts_on=datetime.date(2026, 1, 1)).admission.startup
        book(RoomFactory(site=site), startup, datetime.datetime(2026, 11, 12, 10))
    with django_assert_max_num_queries(5):
        assert monthly_run(actor=staff, month=NOVEMBER, site=site, dry_run=True).lines == 22


@pytest.mark.usefixtures("unscoped")
def test_a_months_drafts_are_issued_in_order(site, staff):
    for _ in range(3):
        allocate(site, starts_on=datetime.date(2026, 1, 1))
    report = monthly_run(actor=staff, month=NOVEMBER)

    issued = drafts_issue_all(actor=staff, site=site, month=NOVEMBER, today=DECEMBER)

    assert [invoice.pk for invoice in issued] == sorted(report.invoice_ids)
    assert [invoice.number for invoice in issued] == ["CAS-2026-00001", "CAS-2026-00002", "CAS-2026-00003"]
    assert drafts_issue_all(actor=staff, site=site, month=NOVEMBER) == []
    no_issuer = SiteFactory(slug="oujda")
    allocate(no_issuer, starts_on=datetime.date(2026, 1, 1))
    monthly_run(actor=staff, month=NOVEMBER, site=no_issuer)
    with pytest.raises(ValidationError):
        drafts_issue_all(actor=staff, site=no_issuer, month=NOVEMBER)
    assert Invoice.objects.filter(site=no_issuer, status="draft").count() == 1


# --- The command and the task: no scope open, as in production --------------------------------
def test_the_command_runs_a_month_and_prints_its_summary(site):
    with scopes_disabled():
        allocate(site, starts_on=datetime.date(2026, 11, 16), rent="2000.00")
        allocate(site, starts_on=datetime.date(2026, 1, 1), rent="1234.50")
        other = SiteFactory(slug="rabat")
        allocate(other, starts_on=datetime.date(2026, 1, 1))
    out = StringIO()

    call_command("issue_invoices", "--month", "2026-11", "--site", "casablanca", "--dry-run", stdout=out)
    assert out.getvalue().strip() == (
        "2026-11 (dry run): 2 startups with something to bill, 2 draft invoices would be created "
        "(2 lines, 2,234.50\xa0MAD excl. tax), 0 skipped (already invoiced for the month)."
    )
    call_command("issue_invoices", "--month", "2026-11", "--site", "casablanca", stdout=StringIO())
    out = StringIO()
    call_command("issue_invoices", "--month", "2026-11", stdout=out)
    assert "3 startups with something to bill, 1 draft invoices created" in out.getvalue()
    assert "2 skipped (already invoiced for the month)" in out.getvalue()
    with scopes_disabled():
        assert Invoice.objects.count() == 3


@pytest.mark.parametrize("month", ["2026-13", "11-2026", "novembre", "2026-1"])
def test_the_command_refuses_a_wrong_month(db, month):
    with pytest.raises(CommandError, match="--month"):
        call_command("issue_invoices", "--month", month, stdout=StringIO())


def test_the_command_refuses_an_unknown_site(site):
    with pytest.raises(CommandError, match="no site has the slug 'nowhere' \\(known: casablanca\\)"):
        call_command("issue_invoices", "--month", "2026-11", "--site", "nowhere", stdout=StringIO())


def test_the_task_drafts_last_month_by_default(site, monkeypatch):
    with scopes_disabled():
        startup = allocate(site, starts_on=datetime.date(2026, 1, 1)).admission.startup
    monkeypatch.setattr(tasks.timezone, "localdate", lambda: datetime.date(2026, 12, 1))

    result = tasks.monthly_invoices_draft()

    assert result["month"] == "2026-11-01" and result["drafts"] == 1 and result["excl_tax"] == "3000.00"
    assert tasks.monthly_invoices_draft("2026-10")["drafts"] == 1
    with scopes_disabled():
        assert sorted(Invoice.objects.filter(startup=startup).values_list("month", flat=True)) == [
            datetime.date(2026, 10, 1),
            NOVEMBER,
        ]


def test_months_are_read_and_counted_back():
    assert month_parse("2026-11") == NOVEMBER
    assert month_previous(datetime.date(2026, 1, 31)) == datetime.date(2025, 12, 1)
    assert month_previous(datetime.date(2026, 3, 1)) == datetime.date(2026, 2, 1)
    for wrong in ("", "2026-00", "2026/11", "1999-12"):
        with pytest.raises(ValueError):
            month_parse(wrong)


def test_the_beat_drafts_invoices_on_the_first_at_six(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["monthly-invoice-drafts"]
    assert entry["task"] == "billing.tasks.monthly_invoices_draft"
    schedule = entry["schedule"]
    assert (schedule.minute, schedule.hour, schedule.day_of_month) == ({0}, {6}, {1})
    assert settings.CELERY_TIMEZONE == "Africa/Casablanca"

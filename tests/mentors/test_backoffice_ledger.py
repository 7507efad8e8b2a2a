"""Mentoring back-office, the hours ledger per mentor, site and month (a site's, and head
office's across the network), with its CSV and XLSX exports; tenant isolation and query
counts."""

import csv
import datetime
import io
import types

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from mentors.selectors import bookings as booking_selectors
from startups.models import Startup
from tests.factories import BookingFactory, MentorProfileFactory, StartupFactory

from . import backoffice_setup
from .backoffice_setup import HOURS_A, _as

# The fixtures shared with the sibling modules: pytest finds a fixture by its name in the module.
head_office = backoffice_setup.head_office
manager = backoffice_setup.manager

# Every test here uses the world: built once for the module (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]

UTC = datetime.UTC
NETWORK_HOURS = "/network/mentoring/hours/"


# --- The hours ledger --------------------------------------------------------------------------
# "Now", for the ledger's "the session is over" rule: a Thursday in February 2025.
NOW = datetime.datetime(2025, 2, 20, 12, 0, tzinfo=UTC)


def _at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


@pytest.fixture
def ledger_data(world, site_a, site_b, unscoped, monkeypatch):
    """Sessions of two mentors with site A's startup (and one with site B's), around the
    January/February 2025 boundary. Morocco is UTC+1 then (until the Ramadan change of
    23 February 2025): 31 January 23:30 UTC is 1 February 00:30 in Casablanca."""
    monkeypatch.setattr(booking_selectors, "timezone", types.SimpleNamespace(now=lambda: NOW))
    amina = MentorProfileFactory(user__full_name="Amina Ledger", user__email="amina@example.ma")
    brahim = MentorProfileFactory(user__full_name="Brahim Ledger", user__email="brahim@example.ma")
    startup_a = Startup.objects.get(pk=world["startup_a"])
    startup_b = Startup.objects.get(pk=world["startup_b"])

    def book(mentor, start, minutes=60, site=site_a, startup=startup_a, **fields):
        return BookingFactory(
            mentor=mentor,
            startup=startup,
            site=site,
            starts_at=start,
            ends_at=start + datetime.timedelta(minutes=minutes),
            **fields,
        )

    # Counted, February (Casablanca): 90 + 60 + 60 minutes for Amina, 45 for Brahim.
    book(amina, _at(2025, 1, 31, 23, 30), 90, attendance="held")  # 1 Feb 00:30 local
    book(amina, _at(2025, 2, 3, 9), attendance="held")
    book(amina, _at(2025, 2, 10, 10))  # attendance not marked: counted
    book(brahim, _at(2025, 2, 14, 10), 45, attendance="held")
    # Counted, January: 60 for Amina (31 Jan 23:30 local, just before midnight), 45 for Brahim.
    book(amina, _at(2025, 1, 31, 22, 30), attendance="held")
    book(brahim, _at(2025, 1, 15, 10), 45, attendance="held")
    # Not counted.
    book(amina, _at(2025, 2, 11, 10), attendance="startup_no_show")
    book(amina, _at(2025, 2, 12, 10), attendance="mentor_no_show")
    book(amina, _at(2025, 2, 13, 10), status="cancelled")
    book(amina, _at(2025, 2, 20, 11, 30))  # under way at NOW
    book(amina, _at(2025, 2, 25, 10))  # after NOW
    # Site B's startup: 120 minutes with Amina in February (the network's ledger only).
    book(amina, _at(2025, 2, 5, 10), 120, site=site_b, startup=startup_b, attendance="held")
    return {"amina": amina, "brahim": brahim}


def _rows(response) -> list[tuple]:
    return [
        (row.month.isoformat(), row.mentor.name, str(row.sessions), str(row.hours))
        + ((row.site.slug,) if row.site else ())
        for row in response.context["ledger"].rows
    ]


def _totals(response) -> tuple:
    ledger = response.context["ledger"]
    return ledger.sessions, str(ledger.hours)


def test_the_site_ledger_of_one_month(manager, ledger_data):
    response = manager.get(HOURS_A, {"year": "2025", "month": "2"})
    assert response.status_code == 200
    assert _rows(response) == [
        ("2025-02-01", "Amina Ledger", "3", "3.5"),
        ("2025-02-01", "Brahim Ledger", "1", "0.8"),  # 45 minutes: 0.75, half up
    ]
    assert _totals(response) == (4, "4.3")  # 255 minutes
    html = response.content.decode()
    assert "February 2025" in html
    assert "3.5" in html


def test_the_site_ledger_of_a_year_and_exact_totals(manager, ledger_data):
    response = manager.get(HOURS_A, {"year": "2025"})
    assert _rows(response) == [
        ("2025-02-01", "Amina Ledger", "3", "3.5"),
        ("2025-02-01", "Brahim Ledger", "1", "0.8"),
        ("2025-01-01", "Amina Ledger", "1", "1.0"),
        ("2025-01-01", "Brahim Ledger", "1", "0.8"),
    ]
    # 360 minutes: 6.0 hours, not the 6.1 of the rounded rows added up.
    assert _totals(response) == (6, "6.0")


def test_the_month_boundary_is_casablancas(manager, ledger_data):
    response = manager.get(HOURS_A, {"year": "2025", "month": "1"})
    # Amina's 22:30 UTC session is January; her 23:30 UTC one (00:30 local) is February.
    assert _rows(response) == [
        ("2025-01-01", "Amina Ledger", "1", "1.0"),
        ("2025-01-01", "Brahim Ledger", "1", "0.8"),
    ]
    assert _totals(response) == (2, "1.8")  # 105 minutes


def test_the_default_period_is_the_last_12_months(manager, world):
    # world: booking_a_past, held a week ago (60 minutes); booking_a is still to come.
    response = manager.get(HOURS_A)
    ledger = response.context["ledger"]
    this_month = timezone.localdate().replace(day=1)
    assert ledger.after == (this_month + datetime.timedelta(days=32)).replace(day=1)
    assert (ledger.after.year - ledger.first.year) * 12 + ledger.after.month - ledger.first.month == 12
    assert [(row.mentor.name, row.sessions, str(row.hours)) for row in ledger.rows] == [("Nadia Mentor", 1, "1.0")]


def test_the_ledger_has_an_empty_state_and_rejects_a_month_without_a_year(manager, world):
    response = manager.get(HOURS_A, {"year": "2019"})
    assert response.context["ledger"].rows == []
    assert "No mentoring session took place in this period." in response.content.decode()
    response = manager.get(HOURS_A, {"month": "13"})
    assert response.status_code == 200
    assert response.context["form"].errors["month"]
    response = manager.get(HOURS_A, {"month": "3"})
    assert response.context["form"].errors["month"] == ["Choose the year too."]


def test_the_site_ledger_csv(manager, ledger_data):
    response = manager.get(HOURS_A, {"year": "2025", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="mentoring-hours-site-a-2025-01-2025-12.csv"'
    assert response.content.startswith("\ufeff".encode())
    content = response.content.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(content), delimiter=";")) == [
        ["Month", "Mentor", "Sessions", "Hours"],
        ["2025-02", "Amina Ledger", "3", "3.5"],
        ["2025-02", "Brahim Ledger", "1", "0.8"],
        ["2025-01", "Amina Ledger", "1", "1.0"],
        ["2025-01", "Brahim Ledger", "1", "0.8"],
        ["Total", "", "6", "6.0"],
    ]


def test_the_site_ledger_xlsx(manager, ledger_data):
    response = manager.get(HOURS_A, {"year": "2025", "month": "2", "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="mentoring-hours-site-a-2025-02-2025-02.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "Mentoring hours"
    assert [list(row) for row in sheet.iter_rows(values_only=True)] == [
        ["Month", "Mentor", "Sessions", "Hours"],
        ["2025-02", "Amina Ledger", 3, 3.5],
        ["2025-02", "Brahim Ledger", 1, 0.8],
        ["Total", None, 4, 4.3],
    ]


def test_csv_cells_never_run_as_formulas(manager, ledger_data):
    user = ledger_data["brahim"].user
    user.full_name = "=HYPERLINK(1)"
    user.save()
    content = manager.get(HOURS_A, {"year": "2025", "month": "2", "format": "csv"}).content.decode()
    assert "'=HYPERLINK(1)" in content


def test_the_network_ledger(head_office, ledger_data):
    response = head_office.get(NETWORK_HOURS, {"year": "2025"})
    assert response.status_code == 200
    assert _rows(response) == [
        ("2025-02-01", "Amina Ledger", "3", "3.5", "site-a"),
        ("2025-02-01", "Amina Ledger", "1", "2.0", "site-b"),
        ("2025-02-01", "Brahim Ledger", "1", "0.8", "site-a"),
        ("2025-01-01", "Amina Ledger", "1", "1.0", "site-a"),
        ("2025-01-01", "Brahim Ledger", "1", "0.8", "site-a"),
    ]
    assert _totals(response) == (7, "8.0")
    response = head_office.get(NETWORK_HOURS, {"year": "2025", "site": "site-b"})
    assert _rows(response) == [("2025-02-01", "Amina Ledger", "1", "2.0", "site-b")]
    assert _totals(response) == (1, "2.0")
    response = head_office.get(NETWORK_HOURS, {"year": "2025", "site": "nowhere"})
    assert response.status_code == 200
    assert response.context["form"].errors["site"]


def test_the_network_ledger_exports(head_office, ledger_data):
    response = head_office.get(NETWORK_HOURS, {"year": "2025", "month": "2", "format": "csv"})
    assert response["Content-Disposition"] == 'attachment; filename="mentoring-hours-network-2025-02-2025-02.csv"'
    assert list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")) == [
        ["Month", "Mentor", "Site", "Sessions", "Hours"],
        ["2025-02", "Amina Ledger", str(_site_name("site-a")), "3", "3.5"],
        ["2025-02", "Amina Ledger", str(_site_name("site-b")), "1", "2.0"],
        ["2025-02", "Brahim Ledger", str(_site_name("site-a")), "1", "0.8"],
        ["Total", "", "", "5", "6.3"],
    ]
    response = head_office.get(NETWORK_HOURS, {"year": "2025", "month": "2", "site": "site-b", "format": "xlsx"})
    assert response["Content-Disposition"] == (
        'attachment; filename="mentoring-hours-network-site-b-2025-02-2025-02.xlsx"'
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [list(row) for row in sheet.iter_rows(values_only=True)] == [
        ["Month", "Mentor", "Site", "Sessions", "Hours"],
        ["2025-02", "Amina Ledger", _site_name("site-b"), 1, 2],
        ["Total", None, None, 1, 2],
    ]


def _site_name(slug: str) -> str:
    from django.utils import translation

    from sites.models import Site

    with translation.override("en"):
        return Site.objects.get(slug=slug).name


def test_the_network_ledger_is_head_offices(client, world, manager_a, founder_a):
    assert client.get(NETWORK_HOURS).status_code == 302
    for user in (manager_a, founder_a):
        assert _as(client, user).get(NETWORK_HOURS).status_code == 403
        assert client.get(NETWORK_HOURS, {"format": "csv"}).status_code == 403


def test_the_ledgers_are_O1_in_queries(
    client, world, staff, manager_a, ledger_data, site_a, site_b, django_assert_max_num_queries, unscoped
):
    startup_a = Startup.objects.get(pk=world["startup_a"])
    startup_b = StartupFactory()
    counts = {}
    for user, url in ((manager_a, HOURS_A), (staff, NETWORK_HOURS)):
        _as(client, user)
        with django_assert_max_num_queries(20) as few:
            client.get(url, {"year": "2025"})
        counts[url] = len(few.captured_queries)
    for index in range(12):
        for site, startup in ((site_a, startup_a), (site_b, startup_b)):
            BookingFactory(
                mentor=MentorProfileFactory(user__full_name=f"Mentor {index:02}"),
                startup=startup,
                site=site,
                starts_at=_at(2025, 1 + index % 2, 5, 8) + datetime.timedelta(hours=index),
                attendance="held",
            )
    for user, url in ((manager_a, HOURS_A), (staff, NETWORK_HOURS)):
        _as(client, user)
        with django_assert_max_num_queries(counts[url]):
            response = client.get(url, {"year": "2025"})
        assert len(response.context["ledger"].rows) > 10

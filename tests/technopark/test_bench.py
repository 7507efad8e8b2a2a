"""`make bench`: the dataset's SQL builds consistent rows on the current schema (at a tiny
size, on PostgreSQL), the command refuses SQLite, and the table says which page misses
which target."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from django_scopes import scopes_disabled

from mentors.models import Booking, MentorProfile, ProfileStatus
from reports.kpis import KpiScope, headline
from services.models import Registration
from sites.models import Site, SiteStatus
from startups.models import Admission, Declaration, Startup
from technopark.bench import dataset, load

TINY = dataset.Size(startups=60, sessions=10, registrations_per_session=3, bookings_per_mentor=16, declaration_years=3)


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the bench dataset is PostgreSQL SQL")
def test_the_dataset_builds_consistent_rows_on_the_demo_network():
    call_command("seed_demo", force=True, stdout=None)
    today = timezone.localdate()
    network = KpiScope("network", "", None)
    before = headline(network, today)
    with scopes_disabled():  # as the bench command runs it
        assert not dataset.present(TINY)
        dataset.build(size=TINY, today=today, now=timezone.now(), log=lambda line: None)
        assert dataset.present(TINY)
        bench = Startup.objects.filter(rc_number__startswith=dataset.STARTUP_MARK)
        assert bench.count() == 60
        assert all(startup.sectors.exists() for startup in bench)
        admissions = Admission.objects.filter(startup__in=bench)
        assert admissions.count() == 60
        assert {admission.site_id for admission in admissions} == set(Site.objects.values_list("pk", flat=True))
        assert not Site.objects.exclude(status=SiteStatus.OPERATIONAL).exists()
        for admission in admissions:
            startup = admission.startup
            assert startup.founded_on <= admission.starts_on <= today or admission.starts_on == datetime.date(
                2001, 10, 1
            )
            assert admission.ended_on is None or admission.ended_on >= admission.starts_on
            assert (admission.ended_on is None) == (admission.exit_reason == "")
        declarations = Declaration.objects.filter(startup__in=bench)
        assert declarations.exists()
        assert all(today.year - 3 <= d.fiscal_year < today.year for d in declarations)
        assert all(d.export_revenue_mad <= d.revenue_mad for d in declarations)
        registrations = Registration.objects.filter(session__location=dataset.SESSION_MARK)
        assert registrations.count() == 30
        assert all(r.site_id == r.session.site_id for r in registrations)
        published = MentorProfile.objects.filter(status=ProfileStatus.PUBLISHED).count()
        assert Booking.objects.filter(topic=dataset.BOOKING_MARK).count() == published * 16
    after = headline(network, today)  # the engine reads the new rows
    assert after.startups_supported_total == before.startups_supported_total + 60


@pytest.mark.django_db
def test_the_command_refuses_sqlite():
    if connection.vendor == "postgresql":
        pytest.skip("on PostgreSQL the command would build the dataset")
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("bench", no_load=True)


def _result(name, path, rps, p95, *, trivial=False, reference=False):
    return load.Result(
        page=load.Page(name, path, None, trivial=trivial, reference=reference),
        queries=3,
        cold_ms=1500,
        requests_per_second=rps,
        p50_ms=p95 / 2,
        p95_ms=p95,
        p99_ms=p95 * 1.2,
        requests=int(rps * 10),
        ratio=rps / 1000,
    )


def test_the_table_marks_each_missed_target():
    results = [
        _result("floor", "/health/live/", 1000, 5, trivial=True),
        _result("signed in", "/health/live/", 200, 9, reference=True),  # no targets
        _result("fast", "/a/", 400, 20),
        _result("slow", "/b/", 400, 80),  # p95 over 50 ms
        _result("heavy", "/c/", 100, 20),  # 10% of the floor
    ]
    assert [result.meets_targets for result in results] == [True, True, True, False, False]
    rows = load.table(results).splitlines()[2:]
    assert [row.split("|")[9].strip() for row in rows] == ["floor", "reference", "met", "**missed**", "**missed**"]
    assert "| 40% |" in rows[2] and "| 80.0 |" in rows[3] and rows[2].endswith("| 1,500 |")


@pytest.mark.django_db
def test_pages_are_measured_with_the_cookies_a_browser_sends(personas):
    """Without the CSRF and language cookies, every request would pay for a new CSRF secret
    and a language cookie, which no browser causes."""
    signed_in = dict(part.split("=", 1) for part in load.browser_cookies(personas["manager_a"].email).split("; "))
    assert {"sessionid", "csrftoken", "django_language"} <= set(signed_in)
    assert set(dict(part.split("=", 1) for part in load.browser_cookies(None).split("; "))) == {"csrftoken"}


def test_each_page_is_reported_by_its_median_round():
    rounds = [
        {"requests": 900, "duration_us": 1_000_000, "p95_us": 9},
        {"requests": 300, "duration_us": 1_000_000, "p95_us": 30},  # the machine slowed down
        {"requests": 1200, "duration_us": 2_000_000, "p95_us": 7},
    ]
    assert load.median_report(rounds)["p95_us"] == 7  # 600 req/s: between 300 and 900

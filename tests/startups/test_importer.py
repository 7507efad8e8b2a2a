"""History import (startups/importer.py and `manage.py import_history`): exact counts,
idempotence, every bad-row reason with its line, all-or-nothing, dry runs, matching."""

import datetime
import decimal
import tracemalloc
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from django_scopes import scopes_disabled

from core.models import AuditEntry
from sites.models import Sector
from sites.scoping import network_scope
from startups import importer
from startups.importer import (
    DECLARATIONS_FILE,
    STARTUPS_FILE,
    import_history,
    plan,
    read_csv,
    validate_declaration_row,
)
from startups.models import Admission, Declaration, Startup
from tests.factories import AdmissionFactory, DeclarationFactory, StartupFactory

FIXTURES = Path(__file__).parent / "fixtures"
STARTUPS = (FIXTURES / "startups.csv").read_bytes()
DECLARATIONS = (FIXTURES / "declarations.csv").read_bytes()
HEADER_S = b"name,ice,legal_form,sector,founded_on,closed_on,site,kind,start_on,end_on,exit_reason\n"
HEADER_D = b"ice,name,fiscal_year,direct_jobs,indirect_jobs,revenue_mad,export_revenue_mad,export_countries\n"


def run(startups=None, declarations=None, **kwargs):
    with network_scope():
        return import_history(startups, declarations, **kwargs)


def counts():
    with scopes_disabled():
        return (
            Startup.objects.count(),
            Admission.objects.count(),
            Declaration.objects.count(),
            AuditEntry.objects.count(),
        )


def errors_of(report):
    return [(error.file, error.line, error.code) for error in report.errors]


@pytest.fixture
def sites(site_a, site_b):
    return site_a, site_b


def test_valid_files_create_exactly_what_they_list(sites, staff):
    report = run(STARTUPS, DECLARATIONS, actor=staff)
    assert report.ok and report.applied, report.errors
    assert report.counts == {
        "startup": {"created": 3, "updated": 0, "unchanged": 0},
        "admission": {"created": 4, "updated": 0, "unchanged": 0},
        "declaration": {"created": 4, "updated": 0, "unchanged": 0},
    }
    assert report.rows == {STARTUPS_FILE: 4, DECLARATIONS_FILE: 4}
    assert counts() == (3, 4, 4, 11)  # one audit entry per created record
    with scopes_disabled():
        oasis = Startup.objects.get(ice="001234567000089")
        assert oasis.legal_name == "Oasis Data SARL"
        assert oasis.founded_on == datetime.date(2015, 3, 2)
        assert sorted(oasis.sectors.values_list("code", flat=True)) == ["fintech", "ict"]
        first, second = oasis.admissions.order_by("starts_on")
        assert (first.kind, first.ended_on, first.exit_reason) == (
            "e-technopark",
            datetime.date(2016, 12, 31),
            "moved_site",
        )
        assert (second.kind, second.ended_on, second.planned_end_on) == ("resident", None, datetime.date(2022, 1, 1))
        argan = Startup.objects.get(legal_name="Argan Bio")
        assert argan.ice is None and argan.closed_on == datetime.date(2019, 6, 30) and argan.legal_form == "sarl_au"
        declaration = Declaration.objects.get(startup=oasis, fiscal_year=2024)
        assert declaration.revenue_mad == decimal.Decimal("3100000.50")
        assert [country.code for country in declaration.export_countries] == ["CI", "SN"]
        assert declaration.exports_to_africa
        medina = Declaration.objects.get(startup__legal_name="Medina Games")
        assert medina.indirect_jobs == 0  # unknown → the model's default
        entries = AuditEntry.objects.all()
        assert {entry.actor_id for entry in entries} == {staff.pk}
        assert entries.filter(content_type__model="admission", site=sites[0]).count() == 2


def test_importing_the_same_files_twice_changes_nothing(sites, staff):
    assert run(STARTUPS, DECLARATIONS, actor=staff).applied
    before = counts()
    report = run(STARTUPS, DECLARATIONS, actor=staff)
    assert report.ok and report.applied
    assert report.counts == {
        "startup": {"created": 0, "updated": 0, "unchanged": 3},
        "admission": {"created": 0, "updated": 0, "unchanged": 4},
        "declaration": {"created": 0, "updated": 0, "unchanged": 4},
    }
    assert report.writes == []
    assert counts() == before


def test_changed_figures_update_the_declaration_only(sites, staff):
    run(STARTUPS, DECLARATIONS, actor=staff)
    changed = DECLARATIONS.replace(b"2024,15,5,3100000.50", b"2024,16,5,3100000.50")
    report = run(STARTUPS, changed, actor=staff)
    assert report.counts["declaration"] == {"created": 0, "updated": 1, "unchanged": 3}
    assert report.writes[0].fields == {"direct_jobs": ["15", "16"]}
    with scopes_disabled():
        assert Declaration.objects.get(startup__ice="001234567000089", fiscal_year=2024).direct_jobs == 16
        entry = AuditEntry.objects.filter(action="update").get()
    assert entry.changes["direct_jobs"] == [15, 16]


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_written(sites):
    report = run((FIXTURES / "startups_bad.csv").read_bytes())
    assert not report.applied
    assert errors_of(report) == [
        (STARTUPS_FILE, 3, "bad_ice"),
        (STARTUPS_FILE, 4, "unknown_site"),
        (STARTUPS_FILE, 5, "bad_date"),
        (STARTUPS_FILE, 6, "end_before_start"),
        (STARTUPS_FILE, 7, "unknown_kind"),
        (STARTUPS_FILE, 8, "missing_name"),
        (STARTUPS_FILE, 9, "missing_exit_reason"),
        (STARTUPS_FILE, 10, "duplicate_admission"),
    ]
    assert all(error.message for error in report.errors)
    assert counts() == (0, 0, 0, 0)  # not even the good row on line 2


def test_bad_declarations_block_the_whole_import(sites):
    report = run(STARTUPS, (FIXTURES / "declarations_bad.csv").read_bytes())
    assert errors_of(report) == [
        (DECLARATIONS_FILE, 2, "exports_above_revenue"),
        (DECLARATIONS_FILE, 3, "unknown_country"),
        (DECLARATIONS_FILE, 4, "unknown_startup"),
    ]
    assert counts() == (0, 0, 0, 0)  # the valid startups.csv is not written either


@pytest.mark.parametrize(
    ("row", "code"),
    [
        (b"A,,,,,,,,,,\n", None),
        (b"A,,SARL,,,,,,,,\n", None),  # codes are case-insensitive
        (b"A,,gmbh,,,,,,,,\n", "unknown_legal_form"),
        (b"A,,,space,,,,,,,\n", "unknown_sector"),
        (b"A,,,,2030-01-01,,,,,,\n", "future_date"),
        (b"A,,,,2015-01-01,2014-01-01,,,,,\n", "closed_before_founded"),
        (b"A,,,,,,site-a,resident,,,\n", "incomplete_admission"),
        (b"A,,,,,,site-a,resident,2015-01-01,,closed\n", "exit_reason_without_end"),
        (b"A,,,,,,site-a,resident,2015-01-01,2016-01-01,bored\n", "unknown_exit_reason"),
        (b"A,,,,,,site-a,resident,01/02/2015,,\n", "bad_date"),
        (b"A,,,,,,\n", "column_count"),
        (b"A,,,,,,site-a,resident,2015-01-01,,,\n", None),  # a trailing empty cell is fine
    ],
)
def test_startup_row_reasons(sites, row, code):
    report = run(HEADER_S + row, dry_run=True)
    assert [error.code for error in report.errors] == ([code] if code else [])
    assert all(error.line == 2 for error in report.errors)


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"fiscal_year": ""}, "missing_fiscal_year"),
        ({"fiscal_year": "20x4"}, "bad_fiscal_year"),
        ({"fiscal_year": "2026"}, "fiscal_year_not_over"),
        ({"direct_jobs": "-1"}, "bad_number"),
        ({"revenue_mad": "1,5"}, "bad_amount"),
        ({"revenue_mad": "10.123"}, "bad_amount"),
        ({"export_countries": "SN;ZZ"}, "unknown_country"),
        ({"ice": "", "name": ""}, "missing_name"),
        ({"ice": "abc"}, "bad_ice"),
    ],
)
def test_declaration_row_reasons(values, code):
    raw = {
        "ice": "001234567000089",
        "name": "",
        "fiscal_year": "2024",
        "direct_jobs": "1",
        "indirect_jobs": "1",
        "revenue_mad": "10",
        "export_revenue_mad": "0",
        "export_countries": "",
        **values,
    }
    row, problems = validate_declaration_row(7, raw, today=datetime.date(2026, 11, 26))
    assert row is None
    assert code in [problem_code for problem_code, _message in problems]


def test_dry_run_reports_the_plan_and_writes_nothing(sites, staff):
    report = run(STARTUPS, DECLARATIONS, dry_run=True, actor=staff)
    assert report.ok and not report.applied
    assert report.counts["startup"]["created"] == 3
    assert report.counts["declaration"]["created"] == 4
    assert counts() == (0, 0, 0, 0)


def test_startups_are_matched_by_ice_then_by_name_and_founding_date(sites, staff, unscoped):
    by_ice = StartupFactory(legal_name="Old Oasis Name", ice="001234567000089", founded_on=datetime.date(2015, 3, 2))
    by_name = StartupFactory(legal_name="Argan Bio", ice=None, founded_on=datetime.date(2012, 9, 15), legal_form="")
    namesake = StartupFactory(legal_name="Medina Games", ice=None, founded_on=datetime.date(2001, 1, 1))
    report = run(STARTUPS, actor=staff)
    assert report.applied, report.errors
    assert report.counts["startup"] == {"created": 1, "updated": 2, "unchanged": 0}
    by_ice.refresh_from_db()
    by_name.refresh_from_db()
    assert by_ice.legal_name == "Oasis Data SARL"
    assert by_name.legal_form == "sarl_au" and by_name.closed_on == datetime.date(2019, 6, 30)
    assert by_name.admissions.get().site == sites[1]
    # Same name, another founding date and no ICE: another company.
    assert Startup.objects.filter(legal_name="Medina Games").exclude(pk=namesake.pk).get().ice == "002345678000012"
    assert not namesake.admissions.exists()


def test_a_row_without_ice_joins_the_startup_of_a_row_with_one(sites):
    content = HEADER_S + (
        b"Zagora Labs,,,,2019-05-05,,site-a,e-technopark,2019-06-01,2020-06-01,graduated\n"
        b"Zagora Labs,005678901000056,sas,,2019-05-05,,site-a,resident,2020-06-01,,\n"
    )
    report = run(content)
    assert report.applied, report.errors
    assert report.counts["startup"]["created"] == 1
    with scopes_disabled():
        assert Startup.objects.get().admissions.count() == 2


def test_contradictory_rows_for_one_startup(sites):
    content = HEADER_S + (
        b"Zagora Labs,005678901000056,sas,,2019-05-05,,,,,,\nZagora Labs,005678901000056,sarl,,2019-05-05,,,,,,\n"
    )
    assert errors_of(run(content)) == [(STARTUPS_FILE, 3, "conflicting_startup")]


def test_an_identical_repeated_row_is_harmless(sites):
    row = b"Zagora Labs,005678901000056,sas,,2019-05-05,,site-a,resident,2020-06-01,,\n"
    report = run(HEADER_S + row + row)
    assert report.ok and report.counts["admission"]["created"] == 1


def test_two_open_admissions_of_a_kind_at_a_site_are_refused(sites, unscoped):
    startup = StartupFactory(ice="005678901000056")
    AdmissionFactory(startup=startup, site=sites[0], starts_on=datetime.date(2020, 1, 1))
    content = HEADER_S + b"Zagora Labs,005678901000056,,,,,site-a,resident,2022-01-01,,\n"
    assert errors_of(run(content)) == [(STARTUPS_FILE, 2, "two_open_admissions")]
    # Closing the first one in the same file makes room for the second.
    content += b"Zagora Labs,005678901000056,,,,,site-a,resident,2020-01-01,2021-12-31,moved_site\n"
    report = run(content)
    assert report.applied, report.errors
    assert report.counts["admission"] == {"created": 1, "updated": 1, "unchanged": 0}
    assert Admission.objects.filter(startup=startup, ended_on__isnull=True).get().starts_on == datetime.date(2022, 1, 1)


def test_declarations_are_matched_by_name_when_there_is_no_ice(sites, staff, unscoped):
    startup = StartupFactory(legal_name="Souk Tech SARL", brand_name="Souk Tech", ice=None)
    DeclarationFactory(startup=startup, fiscal_year=2023, revenue_mad="10.00", export_revenue_mad="0.00")
    content = HEADER_D + b",Souk Tech,2023,4,1,500000,0,\n,Souk Tech SARL,2024,5,1,600000,100,MA\n"
    report = run(declarations=content, actor=staff)
    assert report.applied, report.errors
    assert report.counts["declaration"] == {"created": 1, "updated": 1, "unchanged": 0}
    assert startup.declarations.get(fiscal_year=2023).revenue_mad == decimal.Decimal("500000.00")
    assert startup.declarations.get(fiscal_year=2024).direct_jobs == 5


def test_an_ambiguous_name_is_an_error(sites, unscoped):
    StartupFactory(legal_name="Twin SARL", ice=None)
    StartupFactory(legal_name="Other", brand_name="Twin SARL", ice=None)
    report = run(declarations=HEADER_D + b",Twin SARL,2023,1,1,1,0,\n")
    assert errors_of(report) == [(DECLARATIONS_FILE, 2, "ambiguous_name")]


def test_unknown_values_leave_the_existing_declaration_alone(sites, unscoped):
    startup = StartupFactory(ice="005678901000056")
    DeclarationFactory(startup=startup, fiscal_year=2023, revenue_mad="500.00", export_revenue_mad="100.00")
    report = run(declarations=HEADER_D + b"005678901000056,,2023,,,,,\n")
    assert report.counts["declaration"] == {"created": 0, "updated": 0, "unchanged": 1}
    # …but a known value is checked against the ones kept.
    report = run(declarations=HEADER_D + b"005678901000056,,2023,,,50,,\n")
    assert errors_of(report) == [(DECLARATIONS_FILE, 2, "exports_above_revenue")]


def test_a_utf8_bom_is_accepted(sites):
    report = run(b"\xef\xbb\xbf" + STARTUPS)
    assert report.applied, report.errors
    rows, errors = read_csv("\ufeff" + HEADER_S.decode(), file=STARTUPS_FILE, columns=("name",))
    assert (rows, errors) == ([], [])


def test_a_file_that_is_not_utf8_or_lacks_columns(sites):
    report = run(HEADER_S + b"Caf\xe9 SARL,,,,,,,,,,\n")
    assert errors_of(report) == [(STARTUPS_FILE, 2, "encoding")]
    report = run(b"name;ice\nA;B\n")
    assert errors_of(report) == [(STARTUPS_FILE, 1, "missing_columns")]
    assert errors_of(run(b"")) == [(STARTUPS_FILE, 1, "empty")]


def test_quoted_multiline_cells_keep_line_numbers_right(sites):
    content = HEADER_S + b'"Multi\nLine SARL",,,,,,,,,,\nBad,1,,,,,,,,,\n'
    assert errors_of(run(content)) == [(STARTUPS_FILE, 4, "bad_ice")]


def test_planning_takes_a_fixed_number_of_queries(sites, django_assert_max_num_queries):
    small = HEADER_S + b"\n".join(STARTUPS.splitlines()[1:2]) + b"\n"
    with django_assert_max_num_queries(8):
        run(small, DECLARATIONS, dry_run=True)
    big = HEADER_S + b"".join(
        f"Startup {n},{n:015d},sarl,ict,2015-01-01,,site-a,resident,2016-01-01,,\n".encode() for n in range(40)
    )
    with django_assert_max_num_queries(8):
        run(big, DECLARATIONS, dry_run=True)


# --- The management command -------------------------------------------------------------------
def test_command_imports_and_prints_a_summary(sites, capsys, tmp_path):
    (tmp_path / "s.csv").write_bytes(STARTUPS)
    (tmp_path / "d.csv").write_bytes(DECLARATIONS)
    with translation.override("en"):
        call_command("import_history", "--startups", str(tmp_path / "s.csv"), "--declarations", str(tmp_path / "d.csv"))
    out = capsys.readouterr().out
    assert "Startups: 3 created, 0 updated, 0 unchanged." in out
    assert "Declarations: 4 created" in out
    assert counts()[:3] == (3, 4, 4)
    with scopes_disabled():
        assert not AuditEntry.objects.exclude(actor=None).exists()  # no actor: the command

    with translation.override("en"):
        call_command("import_history", "--startups", str(tmp_path / "s.csv"))
    assert "Startups: 0 created, 0 updated, 3 unchanged." in capsys.readouterr().out


def test_command_lists_bad_rows_and_exits_non_zero(sites, capsys, tmp_path):
    (tmp_path / "bad.csv").write_bytes((FIXTURES / "startups_bad.csv").read_bytes())
    with translation.override("en"), pytest.raises(CommandError) as failure:
        call_command("import_history", "--startups", str(tmp_path / "bad.csv"))
    assert failure.value.returncode == 1
    assert "8 error(s): nothing was imported." in str(failure.value)
    err = capsys.readouterr().err
    assert "startups.csv, line 3: ice: “12345” is not an ICE" in err
    assert "startups.csv, line 4: site: no site has the slug “site-z”." in err
    assert counts() == (0, 0, 0, 0)


def test_command_dry_run_and_bad_arguments(sites, capsys, tmp_path):
    (tmp_path / "s.csv").write_bytes(STARTUPS)
    call_command("import_history", "--startups", str(tmp_path / "s.csv"), "--dry-run")
    assert counts() == (0, 0, 0, 0)
    with pytest.raises(CommandError, match="Give --startups"):
        call_command("import_history")
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_history", "--declarations", str(tmp_path / "missing.csv"))


def test_sector_codes_come_from_the_reference_table(sites):
    assert Sector.objects.filter(code__in=["ict", "fintech", "agritech", "creative"]).count() == 4


def _history(first: int, count: int) -> tuple[bytes, bytes]:
    """`count` startups (each with an admission and two declarations, one by ICE, one by name)."""
    startups, declarations = HEADER_S, HEADER_D
    for n in range(first, first + count):
        ice, name = f"{n:015d}", f"Startup {n}"
        startups += f"{name},{ice},sarl,ict,2015-01-01,,site-a,resident,2016-01-01,,\n".encode()
        declarations += f"{ice},,2023,3,1,1000,10,SN\n,{name},2024,4,1,2000,0,\n".encode()
    return startups, declarations


@pytest.mark.parametrize("count", [3, 15])
def test_applying_takes_queries_per_batch_not_per_row(sites, staff, count, django_assert_max_num_queries):
    """Bulk writes: the same queries for N and 5N startups (within one batch of 1,000), for a
    first import and for updates of every record."""
    with django_assert_max_num_queries(22):
        report = run(*_history(1, count), actor=staff)
    assert report.applied and report.counts["declaration"]["created"] == 2 * count
    startups, declarations = _history(1, count)
    startups = startups.replace(b",,site-a,resident,2016-01-01,,", b",,site-a,resident,2016-01-01,2020-01-01,graduated")
    with django_assert_max_num_queries(22):
        report = run(startups.replace(b",sarl,", b",sas,"), declarations.replace(b",3,1,", b",5,1,"), actor=staff)
    assert report.applied
    assert report.counts["startup"]["updated"] == report.counts["admission"]["updated"] == count
    assert report.counts["declaration"]["updated"] == count
    assert counts() == (count, count, 2 * count, 4 * count + 3 * count)


# --- Memory: declarations.csv is planned as it is read -------------------------------------------
def _declarations(first: int, startups: int, years: int) -> tuple[bytes, bytes]:
    """`startups` startups from number `first`, each declaring `years` past fiscal years."""
    startups_csv, declarations_csv = [HEADER_S], [HEADER_D]
    for n in range(first, first + startups):
        startups_csv.append(f"Startup {n},{n:015d},sarl,ict,2015-01-01,,site-a,resident,2016-01-01,,\n".encode())
        for year in range(2024 - years + 1, 2025):
            declarations_csv.append(f"{n:015d},,{year},3,1,{1000 + n}.50,10,SN;FR\n".encode())
    return b"".join(startups_csv), b"".join(declarations_csv)


def _planning_peak(files: tuple[bytes, bytes]) -> int:
    tracemalloc.start()
    try:
        report = run(*files, details=False, dry_run=True)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        assert report.ok, report.errors[:3]


def test_planning_memory_grows_little_with_the_declarations(sites, monkeypatch):
    """Per declaration row, the peak grows by the few values that the all-or-nothing checks
    need (and, on a first import, the record to write: about 700 bytes either way), not by the
    rows, model instances and per-record changes all held at once (over 2.5 KB a row before,
    when 50,000 took 350 MB). The apply step holds one batch at a time."""
    monkeypatch.setattr(plan, "DECLARATION_CHUNK", 50)  # files of many chunks
    small, big = _declarations(1, 200, years=1), _declarations(201, 200, years=5)  # 200 and 1,000 rows
    run(*small, dry_run=True)  # what a process loads once (translations…) is not measured
    first = (_planning_peak(big) - _planning_peak(small)) / 800
    run(*small)
    run(*big)
    again = (_planning_peak(big) - _planning_peak(small)) / 800  # every record unchanged
    assert first < 1200 and again < 1200, (first, again)


def test_without_details_the_report_has_the_counts_and_progress_counts_every_record(sites, staff):
    run(STARTUPS, DECLARATIONS, actor=staff)
    calls = []
    report = run(
        STARTUPS, DECLARATIONS.replace(b",12,4,", b",13,4,"), details=False, progress=lambda *call: calls.append(call)
    )
    assert report.applied and report.changes == []
    assert report.counts["declaration"] == {"created": 0, "updated": 1, "unchanged": 3}
    assert report.to_dict()["counts"] == report.counts
    assert calls[0] == (0, 3 + 4 + 4) and calls[-1] == (11, 11)
    assert [done for done, _total in calls] == list(range(12))


def test_a_record_deleted_during_the_import_refuses_its_row(sites, staff, monkeypatch):
    """The apply step loads the records it updates again, by batch: one gone since the plan
    is refused with its line, and nothing is written."""
    run(STARTUPS, DECLARATIONS, actor=staff)
    apply_plan = importer.apply_plan

    def delete_then_apply(plan, **kwargs):
        with scopes_disabled():
            Declaration.objects.filter(fiscal_year=2023).delete()
        return apply_plan(plan, **kwargs)

    monkeypatch.setattr(importer, "apply_plan", delete_then_apply)
    before = counts()
    report = run(STARTUPS, DECLARATIONS.replace(b",12,4,", b",13,4,"), actor=staff)
    assert errors_of(report) == [(DECLARATIONS_FILE, 2, "refused")] and not report.applied
    assert counts() == (before[0], before[1], before[2] - 1, before[3])

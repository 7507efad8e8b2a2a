"""Every place that opens a wide tenant scope is listed here with why (issue 17).

A wide scope sees every site's (or every incubator's) rows: `network_scope()`,
`scopes_disabled()` and `scope(site=None)`. The code is parsed (AST), so a new opening, or
one that moved or went, fails this test until the list says why it is there. Head-office
views need none: the tenancy middleware already gives head office every site.
"""

import ast
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = [
    "core",
    "sites",
    "accounts",
    "startups",
    "services",
    "mentors",
    "spaces",
    "billing",
    "passport",
    "surveys",
    "reports",
    "technopark",
]

USER = "a person's own rows on every site, filtered by that person explicitly"
KPI = "the KPI engine: site, region and network rows alike (DESIGN.md: allowed there)"
COMMAND = "a management command: its work spans every site"
PUBLIC = "a public, network-wide read: every site's open offer, filtered explicitly"

# "path::function": why it opens a wide scope (and how many times, when more than once).
WIDE_SCOPES = {
    "sites/scoping.py::network_scope": "the one helper that opens it, for the entries below",
    # accounts: data rights (law 09-08)
    "accounts/privacy.py::personal_data": USER,
    "accounts/actions.py::account_anonymise": (USER, 2),
    # core
    "core/management/commands/redact_audit_secrets.py::Command.handle": COMMAND,
    # mentors
    "mentors/booking_checks.py::check_quota": "the quota counts a startup's bookings on every site it booked from",
    "mentors/selectors/slots.py::bookable_startups": "the startups a founder may book for, whatever their site",
    "mentors/selectors/slots.py::booking_outlook": "a mentor's own bookings, for every site they serve, and a startup's own sessions at that time",
    "mentors/selectors/slots.py::mentor_busy_ranges": "a mentor's busy times span every site; only times leave",
    "mentors/selectors/slots.py::startup_home_site": "a startup's home site, read from its admissions anywhere",
    "mentors/tasks.py::send_booking_reminders": "a Celery task: every site's bookings due a reminder",
    # services
    "services/api/common.py::NetworkScoped.dispatch": PUBLIC + "; and the caller's own rows",
    "services/tasks.py::send_session_reminders": "a Celery task: every site's sessions due a reminder",
    "services/views/catalogue.py::catalogue": PUBLIC,
    "services/views/catalogue.py::service_detail": PUBLIC,
    "services/views/catalogue.py::session_register": "registering to any site's session (the action checks eligibility)",
    "services/views/catalogue.py::registration_cancel": USER,
    "services/views/catalogue.py::feedback": USER,
    "services/views/catalogue.py::calendar_feed": USER + " (a personal calendar feed)",
    "services/views/catalogue.py::_my_registrations_response": USER,
    "services/views/catalogue.py::registration_ics": USER + " (one session's calendar file)",
    "services/views/partners_public.py::programme_list": "programmes_visible_to() decides which programmes; they span sites",
    "services/views/partners_public.py::programme_detail": "programmes_visible_to() decides which programme; it spans sites",
    "services/views/incubator_backoffice.py::incubator_programmes": "the programmes an incubator takes part in, run by any site",
    # spaces
    "spaces/selectors/rooms_public.py::room_with_photo": PUBLIC + " (a room's photo)",
    "spaces/selectors/bookings.py::bookings_visible_to": USER
    + " (their startups', their requests as an organisation, their sites' for staff)",
    "spaces/selectors/bookings.py::rooms_visible_to": PUBLIC + " (rooms open to outsiders) and the caller's sites'",
    "spaces/selectors/rooms_public.py::bookings_of_user": USER
    + " (their startups' bookings and their requests as an organisation)",
    # billing
    # passport (attestations): a startup's own, issued by any site or the network
    "passport/actions.py::attestation_issue": "a startup's own attestations on every site, filtered on it",
    "passport/selectors.py::verification": "one attestation found by its unguessable, signed code (the public check)",
    "passport/selectors.py::startup_credentials": "one startup's own attestations, filtered on it (and on the reader's sites)",
    "passport/selectors.py::startup_credential": "one of a startup's own attestations, filtered on it",
    "passport/selectors.py::attestable_subjects": "one startup's own admissions and programmes, on every site",
    "passport/selectors.py::credentials_visible_to": "whether a startup was admitted at one of the reader's sites",
    "passport/tasks.py::issue_certificates": "a Celery task: the certificates earned at every site's sessions",
    # surveys (the yearly satisfaction survey)
    "surveys/selectors.py::link_of": "one invitation named by a signed, expiring link (the form without sign-in)",
    "surveys/tasks.py::send_survey_invitations": "a Celery task: every site's startups due the year's survey",
    "billing/selectors/founder.py::issued_documents_of_user": USER + " (their startups' issued invoices)",
    "billing/selectors/founder.py::document_rows": USER + " (the figures of their startups' invoices)",
    "billing/selectors/founder.py::startup_statement": USER + " (the payments of their startup's invoices)",
    "billing/selectors/api.py::invoices_visible_to": USER
    + " (their startups' issued invoices, their sites' for staff)",
    "billing/reminders.py::reminders_send": "a Celery task: every site's invoices due a payment reminder",
    # startups
    "startups/selectors/visibility.py::calls_visible_to": (PUBLIC + " (open calls)", 2),
    "startups/views/applications.py::call_list": PUBLIC + " (open calls)",
    "startups/views/applications.py::_public_call": PUBLIC + " (an open call)",
    "startups/selectors/profile.py::founder_overview": PUBLIC + " (a few open calls on a founder's home)",
    "startups/importer/jobs.py::_apply": "the history import writes every site's rows (head office's job)",
    "startups/tasks.py::send_declaration_reminders": "a Celery task: every site's startups due a declaration",
    "startups/views/check_ins.py::check_in": "the check-in of the one startup its signed link names (its own rows, "
    "its admissions at any site), without signing in",
    "startups/management/commands/import_history.py::Command.handle": COMMAND,
    # reports
    "reports/activity.py::activity": KPI,
    "reports/satisfaction.py::satisfaction": KPI + " (the survey's NPS and the ratings of a scope)",
    "reports/kpis.py::headline": KPI,
    "reports/kpis.py::headlines": KPI,
    "reports/kpis.py::headlines_by_sector": KPI,
    "reports/selectors.py::scope_figures": KPI,
    "reports/selectors.py::all_scope_figures": KPI,
    "reports/selectors.py::scope_labels": KPI,
    "reports/snapshots.py::snapshots_compute": KPI,
    "reports/snapshots.py::month_ends_backfill": KPI,
    "reports/snapshots.py::year_ends_backfill": KPI,
    "reports/trends.py::yearly": KPI,
    "reports/trends.py::survival_by_cohort": KPI,
    "reports/dashboards.py::Dashboard.headline": "snapshot rows of any scope; the view has checked the scope",
    "reports/dashboards.py::Dashboard._snapshots": "the comparison reads every site's and region's snapshot (head office)",
    "reports/board/jobs.py::board_report_request": "a report row of any scope, asked for by its scope's staff",
    "reports/board/jobs.py::board_report_regenerate": "head office's action on any report",
    "reports/board/jobs.py::board_report_generate": "a Celery task: the report of its scope, any site",
    "reports/board/jobs.py::board_reports_reclaim": "a Celery task: stalled reports of every site",
    "reports/views/board.py::_network_report": "the network's report row (no site), for a site's staff too",
    "reports/views/home.py::home": "the public home: network-wide counts",
    "reports/home.py::network_headline": "head office's home: the network's snapshot row (no site)",
    "reports/home.py::attention_panel": "head office's home: every operational site's waiting work",
    "reports/home.py::board_reports_panel": "head office's home: the network's report rows (no site)",
    "reports/views/public.py::latest_figures": "the public figures page: network snapshots",
    # technopark: commands over the whole dataset
    "technopark/management/commands/seed_demo.py::Command.handle": COMMAND,
    "technopark/management/commands/bench.py::Command.handle": COMMAND,
    "technopark/management/commands/bench.py::Command.header": COMMAND,
    "technopark/management/commands/bench.py::Command.ensure_dataset": COMMAND,
    "technopark/management/commands/bench.py::Command.measure_pages": COMMAND,
    "technopark/bench/jobs.py::board": "the benchmark's board report job (run by the bench command)",
}

WIDE_CALLS = {"network_scope", "scopes_disabled"}


def _is_wide(call: ast.Call) -> bool:
    function = call.func
    name = function.id if isinstance(function, ast.Name) else getattr(function, "attr", None)
    if name in WIDE_CALLS:
        return True
    return name == "scope" and any(
        keyword.arg in ("site", "incubator") and isinstance(keyword.value, ast.Constant) and keyword.value.value is None
        for keyword in call.keywords
    )


def _openings() -> Counter:
    found: Counter = Counter()

    def visit(node, path: str, names: list[str]) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                visit(child, path, [*names, child.name])
                continue
            if isinstance(child, ast.Call) and _is_wide(child):
                found[f"{path}::{'.'.join(names) or '<module>'}"] += 1
            visit(child, path, names)

    for app in APPS:
        for file in sorted((ROOT / app).rglob("*.py")):
            path = file.relative_to(ROOT).as_posix()
            if "/migrations/" not in path:
                visit(ast.parse(file.read_text()), path, [])
    return found


def test_every_wide_scope_is_listed_with_its_reason():
    found = _openings()
    expected = {key: value[1] if isinstance(value, tuple) else 1 for key, value in WIDE_SCOPES.items()}
    unlisted = {key: count for key, count in found.items() if key not in expected}
    gone = sorted(set(expected) - set(found))
    assert not unlisted, f"a wide scope opened without a reason listed here: {unlisted}"
    assert not gone, f"listed here but no longer opened (remove the entry): {gone}"
    assert dict(found) == expected


def test_the_parser_finds_every_form_of_opening():
    """The test above cannot pass by not seeing: each form of opening is found."""
    source = ast.parse(
        "def a():\n    with network_scope():\n        pass\n"
        "class B:\n    def c(self):\n        with scopes_disabled():\n            pass\n"
        "def d():\n    with scope(site=None):\n        pass\n"
        "def e():\n    with scope(site=3):\n        pass\n"
    )
    calls = {ast.unparse(node): _is_wide(node) for node in ast.walk(source) if isinstance(node, ast.Call)}
    assert calls == {
        "network_scope()": True,
        "scopes_disabled()": True,
        "scope(site=None)": True,
        "scope(site=3)": False,
    }

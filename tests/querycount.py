"""Query counts of list pages and list endpoints (issue 7): a list issues as many queries for
50 rows as for 1, so an N+1 (one more query per row, for a related object the view forgot to
fetch with the rows) fails a test instead of slowing production down.

Each app that owns list routes declares them in `tests/<app>/test_list_queries.py` as a
`ROUTES` list of `ListRoute`; `tests/technopark/test_list_queries.py` checks that every route
of the portal is either there or in `NOT_A_LIST` below, so a new list cannot be forgotten.

A route's `row(ctx, i)` creates row number `i` of the list with its related objects (sectors,
team, languages, …: whatever the page shows about a row, in every state that shows something
else: past and upcoming, in person and by video…), named with `row_name(i)` so that the test
sees which rows the page shows. `check_list_route` creates row 0, asks for the page once to
warm up (session, content types), counts the queries of a second request, adds rows 1–49 and
counts again: both counts must be equal, and the page must show its rows (row 0 alone, then
all 50 or a full page), so that the test cannot pass on an empty or broken list.
"""

import dataclasses
import datetime
import difflib
import io
import json
import re
from collections import Counter
from collections.abc import Callable
from types import SimpleNamespace

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from mentors.models import Tag
from sites.models import Language, Sector
from tests.factories import MentorProfileFactory, StartupFactory, StartupMemberFactory

FEW, MANY = 1, 50
ROW = re.compile(r"Qrow(\d\d)")
DIFF_LINES = 20


def settle(client) -> None:
    """Do a signed-in client's once-only work before its queries are counted: its first
    request may save the browser's language as the user's preference (one more query)."""
    for _ in range(2):
        client.get("/health/live/")


def row_name(index: int) -> str:
    """The name of row `index`: what the page shows of it (a title, a name, a number)."""
    return f"Qrow{index:02d}"


@dataclasses.dataclass(frozen=True)
class ListRoute:
    name: str  # the URL name, as in the isolation matrix
    url: str  # may contain {placeholders} filled from what `setup` returns
    persona: str  # who asks: a persona of tests/conftest.py, "anonymous", or a user `setup` returns
    row: Callable[[SimpleNamespace, int], object]  # creates row i (scopes are disabled)
    setup: Callable[[SimpleNamespace], dict] | None = None  # what every row needs (once)
    shown: int = MANY  # rows the page shows at MANY: its page size when it is paginated
    id: str = ""  # tells two checks of one route apart (another persona, a filter)
    seen: Callable[[str], set[int]] | None = None  # the rows a response shows: `rows_seen` by default

    @property
    def test_id(self) -> str:
        return f"{self.name}[{self.id}]" if self.id else self.name


def when(days: float) -> datetime.datetime:
    """A time `days` from now (before now when negative), on the hour."""
    return timezone.now().replace(minute=0, second=0, microsecond=0) + datetime.timedelta(days=days)


def _text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        book = load_workbook(io.BytesIO(content), read_only=True)
        return " ".join(str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row)
    return content.decode()


def _get(client, url: str):
    # Emptied first: a page that caches its rows (or fragments of them) must still be quick
    # to compute when its cache is cold; both counts then include refilling it.
    cache.clear()
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return _text(response), [query["sql"] for query in context.captured_queries]


def _shape(sql: str) -> str:
    """A query without its values and columns, so that two lists of queries compare by what
    they ask (and read shortly)."""
    sql = re.sub(r"^SELECT .*? FROM ", "SELECT … FROM ", sql)
    sql = re.sub(r"\bIN \([^()]*\)", "IN (…)", sql)
    sql = re.sub(r"'(?:[^']|'')*'", "'…'", sql)
    return re.sub(r"\b\d+\b", "#", sql)


def rows_seen(text: str) -> set[int]:
    """The rows whose name (row_name) the page shows."""
    return {int(number) for number in ROW.findall(text)}


def api_results(text: str) -> set[int]:
    """The rows of a page of the API, for rows that have no name to show."""
    return set(range(len(json.loads(text)["results"])))


def check_list_route(route: ListRoute, *, client, personas: dict, site_a, site_b) -> None:
    """The route's queries at FEW and at MANY rows are the same; the page lists the rows."""
    ctx = SimpleNamespace(site_a=site_a, site_b=site_b, **personas)
    with scopes_disabled():
        values = route.setup(ctx) if route.setup else {}
        for key, value in values.items():
            setattr(ctx, key, value)
        route.row(ctx, 0)
    url = route.url.format(**{key: getattr(value, "pk", value) for key, value in vars(ctx).items()})
    user = getattr(ctx, route.persona)
    if user is not None:
        client.force_login(user)
    client.get(url)  # warm-up: the session, the content types and other per-process caches

    seen = route.seen or rows_seen
    text, few = _get(client, url)
    assert seen(text) == {0}, f"{route.test_id}: row 0 is not listed (saw {sorted(seen(text))})"
    with scopes_disabled():
        for index in range(FEW, MANY):
            route.row(ctx, index)
    text, many = _get(client, url)
    listed = len(seen(text))
    assert listed == route.shown, f"{route.test_id}: {listed} of {MANY} rows listed, expected {route.shown}"

    if len(many) != len(few):
        raise AssertionError(f"{route.test_id} ({url}): " + _explain(few, many))


def _explain(few: list[str], many: list[str]) -> str:
    """What differs between the two lists of queries: the queries repeated per row first,
    then the diff (cut short: an N+1 repeats the same lines)."""
    few_shapes, many_shapes = [_shape(sql) for sql in few], [_shape(sql) for sql in many]
    extra = Counter(many_shapes) - Counter(few_shapes)
    lines = [f"{len(few)} queries for {FEW} row, {len(many)} for {MANY} rows.", "Added per row or more:"]
    lines += [f"  ×{count}: {shape}" for shape, count in extra.most_common()]
    diff = list(difflib.unified_diff(few_shapes, many_shapes, f"{FEW} row", f"{MANY} rows", lineterm=""))
    lines += ["Diff:", *diff[:DIFF_LINES]]
    if len(diff) > DIFF_LINES:
        lines.append(f"… {len(diff) - DIFF_LINES} more lines")
    return "\n".join(lines)


# --- Rows that several apps list -----------------------------------------------------------
def sectors(index: int, count: int = 2) -> list[Sector]:
    return list(Sector.objects.order_by("code")[index % 5 : index % 5 + count])


def languages(*codes: str):
    return Language.objects.filter(code__in=codes)


def startup_row(index: int, *, founder=None, name: str | None = None):
    """A startup named `name` (row_name(index) by default) with two sectors and a founder
    (a new user unless `founder` is given)."""
    name = name or row_name(index)
    startup = StartupFactory(legal_name=f"{name} SARL", brand_name=name)
    startup.sectors.set(sectors(index))
    member = {"user": founder} if founder else {}
    StartupMemberFactory(startup=startup, **member)
    return startup


def mentor_row(index: int, *, sites, name: str | None = None, **fields):
    """A published mentor named `name` serving `sites`, on two dimensions, in two languages,
    with sectors and expertise tags."""
    mentor = MentorProfileFactory(
        user__full_name=name or row_name(index),
        sites=sites,
        dimensions=["financing", "market"],
        languages=languages("fr", "ar"),
        **fields,
    )
    mentor.sectors.set(sectors(index))
    mentor.tags.set([Tag.objects.get_or_create(name=f"tag {index % 3}")[0], Tag.objects.get_or_create(name="pitch")[0]])
    return mentor


# Pages and endpoints of the portal that show no list of rows, with the reason: the admin's
# lists and every route the isolation matrix requests with GET (not allauth's account pages)
# must be in an app's `ROUTES` or here, else tests/technopark/test_list_queries.py fails.
FORM = "a form to fill in"
ONE = "one record (its short history, if any, is bounded)"
FILE = "one file or image"
PAGE = "a page without rows"
KPIS = "figures of one scope: the KPI engine's queries are bounded and counted in tests/reports"
NOT_A_LIST: dict[str, str] = {
    # Pages without rows, documentation, probes
    "accounts:profile": FORM,
    "accounts:privacy": PAGE,
    "accounts:delete_account": FORM,
    "accounts:unlock": FORM,
    "sites:manage_home": "the work queue: the first 5 rows of each panel (tests/startups/test_home_queue.py)",
    "health": PAGE,
    "health_live": PAGE,
    "schema": PAGE,
    "api_docs": PAGE,
    "api:me": ONE,
    "api:token_detail": ONE,
    # One record
    "api:site": ONE,
    "api:startup": ONE,
    "api:call": ONE,
    "api:application": ONE,
    "api:admission": ONE,
    "api:service": ONE,
    "api:session": ONE,
    "api:mentor": ONE,
    "api:mentor_booking": ONE,
    "api:room_booking": ONE,
    "api:invoice": ONE,
    "sites:detail": ONE,
    "startups:call_detail": ONE,
    "startups:invitation_accept": ONE,
    "startups:manage_review": ONE,
    "startups:history_import_job": ONE,
    "startups:history_import_job_status": ONE,
    "services:registration_cancel": ONE,
    "mentors:detail": "one mentor: a week of free slots computed from their availability (tests/mentors)",
    "mentors:my_booking": ONE,
    "mentors:my_booking_reschedule": ONE,
    "mentors:agenda_detail": ONE,
    "mentors:review": ONE,
    "mentors:site_booking": ONE,
    "reports:board_report": ONE,
    "reports:board_report_status": ONE,
    "startups:allocation_release [get]": ONE,
    "startups:allocation_cancel [get]": ONE,
    "startups:office_allocate [get]": "a redirect to the office's page",
    # Files
    "startups:logo": FILE,
    "startups:application_pitch_deck": FILE,
    "startups:manage_application_pitch_deck": FILE,
    "services:partner_logo": FILE,
    "spaces:room_photo": FILE,
    "mentors:photo": FILE,
    "mentors:my_photo": FILE,
    "mentors:review_photo": FILE,
    "services:registration_ics": FILE,
    "mentors:booking_ics": FILE,
    "reports:board_report_pdf": FILE,
    "reports:board_report_xlsx": FILE,
    "reports:site_board_report_pdf": FILE,
    "reports:site_board_report_xlsx": FILE,
    "billing:invoice_pdf": FILE,
    "billing:my_invoice_pdf": FILE,
    "api:invoice_pdf": FILE,
    # Forms
    "sites:network_region_edit": FORM,
    "sites:network_site_new": FORM,
    "sites:network_site_edit": FORM,
    "startups:create": FORM,
    "startups:edit": FORM,
    "startups:application_edit": FORM,
    "startups:manage_call_new": FORM,
    "startups:manage_call_edit": FORM,
    "startups:network_call_new": FORM,
    "startups:network_call_edit": FORM,
    "startups:office_create": FORM,
    "startups:office_edit": FORM,
    "services:register": FORM,
    "services:manage_service_create": FORM,
    "services:manage_service_edit": FORM,
    "services:manage_session_create": FORM,
    "services:manage_session_edit": FORM,
    "services:manage_session_cancel": FORM,
    "services:network_service_create": FORM,
    "services:network_service_edit": FORM,
    "services:network_session_create": FORM,
    "services:network_session_edit": FORM,
    "services:network_session_cancel": FORM,
    "services:network_partner_edit": FORM,
    "services:network_programme_edit": FORM,
    "services:manage_programme_edit": FORM,
    "services:network_incubator_edit": FORM,
    "mentors:book": FORM,
    "mentors:my_profile": FORM,
    "spaces:manage_room_create": FORM,
    "spaces:manage_room_edit": FORM,
    "spaces:manage_room_policy": FORM,
    "spaces:room": "one room: a week of half hours from its opening hours and busy times (tests/spaces)",
    "spaces:room_quote": "one price preview",
    "spaces:my_booking": ONE,
    "spaces:my_booking_ics": FILE,
    "spaces:room_request": FORM,
    "billing:invoice_detail": "one invoice: its lines, payments and credit notes (prefetched)",
    "billing:issuer": FORM,
    "passport:attestation_pdf": FILE,
    "passport:manage_revoke": FORM,
    "passport:verify_form": FORM,
    "startups:check_in": FORM + " (one startup's yearly check-in, by its signed link)",
    "passport:verify": "one attestation, read with its site, admission and programme",
    "surveys:answer": FORM,
    # Dashboards (reports/views/dashboards.py): the network dashboard's table of sites is
    # checked in tests/reports/test_list_queries.py; a site's dashboard has no list of rows.
    "reports:site_dashboard": KPIS,
    "reports:site_dashboard_export": KPIS,
    "api:kpis": KPIS,
}

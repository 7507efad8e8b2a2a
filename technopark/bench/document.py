"""The benchmark's tables and docs/benchmarks.md, with a verdict on every target of issue 16."""

from dataclasses import dataclass

from .cold import ColdResult
from .load import BARE_RATIO_TARGETS, WARM_RATIO_TARGET, WarmResult, per_second
from .pages import COLD_CEILING_MS, REFERENCE, TRIVIAL

IMPORT_TARGETS = {"seconds": 60, "peak_mib": 300}
RACE_TARGET_SECONDS = 7


@dataclass
class Verdict:
    what: str
    met: bool


def _mark(met: bool) -> str:
    return "met" if met else "**missed**"


def cold_table(results: list[ColdResult]) -> str:
    lines = [
        "| page | first URL | URLs | queries | p50 ms | p95 ms | max ms | target p95 | verdict |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for result in results:
        target = f"{result.target_ms} ms" if result.target_ms else "—"
        verdict = _mark(result.meets_target) if result.target_ms else "floor"
        lines.append(
            f"| {result.page.name} | `{result.page.path}` | {len(set(result.page.paths))} | {result.queries} "
            f"| {result.p50_ms:,.0f} | {result.p95_ms:,.0f} | {result.max_ms:,.0f} | {target} | {verdict} |"
        )
    return "\n".join(lines)


def warm_table(results: list[WarmResult]) -> str:
    lines = [
        "| page | path | req/s | p50 ms | p95 ms | p99 ms | queries | ratio to trivial | verdict |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for result in results:
        kind = result.page.kind
        verdict = {TRIVIAL: "floor", REFERENCE: "floor, signed in"}.get(kind) or _mark(result.meets_target)
        lines.append(
            f"| {result.page.name} | `{result.page.path}` | {result.requests_per_second:,.0f} | {result.p50_ms:.1f} "
            f"| {result.p95_ms:.1f} | {result.p99_ms:.1f} | {result.queries} | {result.ratio:.0%} | {verdict} |"
        )
    return "\n".join(lines)


def bare_lines(results: list[WarmResult], bare_report: dict) -> tuple[str, list[Verdict]]:
    bare = per_second(bare_report)
    lines = [f"| bare Django view | {bare:,.0f} | 100% | — | reference |"]
    verdicts = []
    for result in results:
        if result.page.kind not in (TRIVIAL, REFERENCE):
            continue
        ratio, target = result.requests_per_second / bare, BARE_RATIO_TARGETS[result.page.signed_in]
        verdicts.append(Verdict(f"{result.page.name} ≥ {target:.0%} of the bare view", ratio >= target))
        lines.append(
            f"| {result.page.name} | {result.requests_per_second:,.0f} | {ratio:.0%} | ≥ {target:.0%} "
            f"| {_mark(ratio >= target)} |"
        )
    header = "| server | req/s | ratio to bare | target | verdict |\n| --- | ---: | ---: | ---: | --- |\n"
    return header + "\n".join(lines), verdicts


def jobs_table(jobs: dict) -> tuple[str, list[Verdict]]:
    lines = ["| work | figures | target | verdict |", "| --- | --- | --- | --- |"]
    verdicts = []
    if nightly := jobs.get("nightly"):
        lines.append(
            f"| nightly KPI snapshots (a regular night) | {nightly['seconds']:.1f} s for {nightly['scopes']} scopes "
            "and their sectors | — | — |"
        )
    if board := jobs.get("board"):
        lines.append(
            f"| one monthly board report (network) | {board['seconds']:.1f} s (PDF {board['pdf_kb']:,.0f} KiB, "
            f"XLSX {board['xlsx_kb']:,.0f} KiB) | — | — |"
        )
    if history := jobs.get("import"):
        met = history["seconds"] <= IMPORT_TARGETS["seconds"] and history["peak_mib"] <= IMPORT_TARGETS["peak_mib"]
        verdicts.append(Verdict("history import within 60 s and 300 MiB", met))
        lines.append(
            f"| `import_history`: {history['startups']:,} startups, {history['declarations']:,} declarations "
            f"| {history['seconds']:.1f} s, peak {history['peak_mib']:,.0f} MiB; the same files again: "
            f"{history['rerun_seconds']:.1f} s, nothing changed | ≤ {IMPORT_TARGETS['seconds']} s, "
            f"≤ {IMPORT_TARGETS['peak_mib']} MiB | {_mark(met)} |"
        )
    if race := jobs.get("race"):
        met = (
            race["seconds"] <= RACE_TARGET_SECONDS
            and race["double_bookings"] == 0
            and race["errors_5xx"] == 0
            and race["other"] == 0
            and race["confirmed_rows"] == race["booked"]
        )
        verdicts.append(Verdict("booking race within 7 s, clean", met))
        lines.append(
            f"| booking race: {race['attempts']:,} attempts over 100 slots, 20 at a time | {race['seconds']:.1f} s: "
            f"{race['booked']} booked, {race['refused']} refused (409), {race['other']} other, "
            f"{race['errors_5xx']} 5xx, {race['double_bookings']} double bookings | ≤ {RACE_TARGET_SECONDS} s, "
            f"0 double bookings, 0 5xx | {_mark(met)} |"
        )
    return "\n".join(lines), verdicts


def verdicts(cold: list[ColdResult], warm: list[WarmResult], others: list[Verdict]) -> list[Verdict]:
    found = [Verdict(f"cold: {result.page.name}", result.meets_target) for result in cold if result.page.targeted]
    found += [Verdict(f"warm: {result.page.name}", result.meets_target) for result in warm if result.page.targeted]
    return found + others


def document(*, header: dict, cold: list[ColdResult], warm: list[WarmResult], bare: str, jobs: str, verdicts) -> str:
    missed = [verdict.what for verdict in verdicts if not verdict.met]
    summary = (
        f"All {len(verdicts)} targets are met on this run."
        if not missed
        else f"{len(verdicts) - len(missed)} of {len(verdicts)} targets met; missed: " + "; ".join(missed) + "."
    )
    return BENCHMARKS_MD.format(
        **header,
        summary=summary,
        cold=cold_table(cold),
        warm=warm_table(warm),
        bare=bare,
        jobs=jobs,
        ceiling=COLD_CEILING_MS,
        ratio=f"{WARM_RATIO_TARGET:.0%}",
    )


BENCHMARKS_MD = """# Benchmarks

Written by `make bench` (`python manage.py bench`); rerun it after a change that touches
these pages and commit the new figures.

- **Date**: {date}
- **Machine**: {machine}
- **Dataset** (PostgreSQL, 14 sites): {dataset}

{summary}

## Cold: no cache at all, one request at a time

Every URL requested once, one after the other, against gunicorn ({workers} sync workers)
serving the portal without any cache (no `REDIS_URL`: sessions in the database, no KPI or
catalogue cache). A page with filters is requested with a distinct filter, search, sort,
page or date each time. Targets: p95 ≤ 100 ms for a list or detail page, ≤ 500 ms for a
dashboard or the KPI API, and no request over {ceiling} ms. Queries: of the page's last
URL, counted in-process with the same caches off.

{cold}

## Warm: production settings under load

wrk, {threads} threads, {connections} connections, {duration} s per page after 2 s of
warm-up, in {rounds} rounds over every page (each page: its median round), against gunicorn
with {workers} sync workers; `DEBUG` off, cache and sessions in Redis, as in production.
Target: at least {ratio} of the trivial view's req/s (the signed-in trivial view for a
signed-in page). Queries: of a request once the page's cache is warm.

{warm}

### Against a bare Django view

The trivial view against a bare Django project (`technopark/bench/bare.py`: no apps, no
middleware, the same view), served and loaded the same way in the same rounds.

{bare}

## Background work

On a scratch copy of the bench database, each job in its own process (Celery eager).

{jobs}

## Method

- `make bench` builds the dataset once on the database of `BENCH_DATABASE_URL` (the demo
  network, then set-based SQL in `technopark/bench/dataset.py`: 100,000 startups with their
  sectors, admissions and yearly declarations, 1,000,000 session registrations and about
  200,000 mentor bookings), then runs the nightly job's first night: today's KPI snapshots
  and every past year end's and month end's since 2001, by scope and sector. Later runs
  reuse the dataset (`--rebuild` to redo it; `--no-load` builds it and stops).
- Each page is requested as the user who opens it (`technopark/bench/pages.py`): anonymous
  for the catalogue and the mentor slots, the Casablanca site manager for the site pages,
  head office for the network dashboard and the KPI API; with the cookies their browser
  holds (session, CSRF token, language). A page that answers anything but 200 stops the run.
- A past month end has its snapshot (a read); another past day has none and is computed
  live by the same grouped SQL: both are measured.
- The trivial view is `/health/live/`: the whole middleware stack (sessions, locale, CSRF,
  CSP, authentication, tenancy) and no work.
- On a shared virtual machine the speed drifts during a run: rounds spread the drift over
  all pages. wrk and gunicorn share the machine's cores: the figures are comparable between
  runs on the same machine, not absolute capacities.
"""

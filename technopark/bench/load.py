"""The benchmark's measurements: queries per request with Django's test client, then load
with wrk against the portal served by gunicorn, in the same run, on the same database.

Each page is measured as the user who would open it, with the cookies their browser would
send (`browser_cookies`: the session, and the CSRF and language cookies; without them every
request would pay for a new CSRF secret and language cookie, which no browser causes). The trivial view (`/health/live/`: the whole middleware stack and no
work) is the floor; each page's ratio is its req/s over the floor's.
"""

import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

REPORT_SCRIPT = Path(__file__).with_name("report.lua")
P95_TARGET_MS = 50
RATIO_TARGET = 0.25


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    user_email: str | None  # None: anonymous
    trivial: bool = False  # the floor the ratios are computed against
    reference: bool = False  # measured for comparison, without targets

    @property
    def targeted(self) -> bool:
        return not (self.trivial or self.reference)


@dataclass
class Result:
    page: Page
    queries: int
    cold_ms: float
    requests_per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    requests: int
    ratio: float = 1.0

    @property
    def meets_targets(self) -> bool:
        return not self.page.targeted or (self.p95_ms <= P95_TARGET_MS and self.ratio >= RATIO_TARGET)


def browser_cookies(email: str | None) -> str:
    """The Cookie header of a browser that has opened the home page, signed in as the user
    (None: anonymous): the session, and the CSRF and language cookies the portal set."""
    client = Client()
    if email:
        client.force_login(get_user_model().objects.get(email=email))
    client.get("/")
    return "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items())


def first_and_warm(page: Page, cookie: str | None) -> tuple[float, int]:
    """With the caches emptied: the time of the first request to `page` (what a visitor
    waits for once the cached figures have expired), then the queries of a warm one."""
    client = Client(HTTP_COOKIE=cookie) if cookie else Client()
    cache.clear()
    started = time.perf_counter()
    response = client.get(page.path)
    cold_ms = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"{page.path} answered {response.status_code}")
    client.get(page.path)
    with CaptureQueriesContext(connection) as queries:
        client.get(page.path)
    return cold_ms, len(queries)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """gunicorn serving the portal with this process's environment (same database, cache
    and settings), stopped on exit."""

    def __init__(self, *, workers: int):
        self.port = free_port()
        self.workers = workers
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        self.process = subprocess.Popen(  # noqa: S603 (this Python's gunicorn, fixed arguments)
            [
                *(sys.executable, "-m", "gunicorn", "technopark.wsgi:application"),
                *("--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers)),
                *("--log-level", "warning"),
            ],
            cwd=settings.BASE_DIR,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                probe = f"{self.base_url}/health/live/"
                with urllib.request.urlopen(probe, timeout=2) as response:  # noqa: S310 (http://127.0.0.1 only)
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def __exit__(self, *exc):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def wrk(url: str, *, cookie: str | None, duration: int, connections: int, threads: int, strict: bool = True) -> dict:
    """One wrk run; `strict`: refuse a run with any error (a status >= 400, a socket error,
    a request slower than wrk's 10 s timeout) or without a single request."""
    command = [
        *("wrk", "--latency", "--timeout", "10s", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s"),
        *("-s", str(REPORT_SCRIPT)),
    ]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout  # noqa: S603 (wrk)
    report = json.loads(output.strip().splitlines()[-1])
    failed = {kind: count for kind, count in report["errors"].items() if count}
    if strict and (failed or not report["requests"]):
        raise RuntimeError(f"{url}: wrk saw errors {failed} in {report['requests']} requests")
    return report


def median_report(reports: list[dict]) -> dict:
    """Of one page's rounds, the one with the median req/s (its latencies with it)."""
    return sorted(reports, key=lambda report: report["requests"] / report["duration_us"])[len(reports) // 2]


def measure(
    pages: list[Page], *, duration: int, rounds: int, connections: int, threads: int, workers: int, log
) -> list[Result]:
    """Every page measured in `rounds` rounds, one page after the other in each, and
    reported by its median round: the machine's speed drifts during a run (a shared virtual
    machine: ±30% seen between two runs), and rounds spread that drift over every page."""
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is not installed (apt-get install wrk)")
    cookies = {page.user_email: browser_cookies(page.user_email) for page in pages}
    first = {page.name: first_and_warm(page, cookies[page.user_email]) for page in pages}
    reports = {page.name: [] for page in pages}
    with Gunicorn(workers=workers) as server:
        for number in range(1, rounds + 1):
            log(f"  round {number} of {rounds}")
            for page in pages:
                url, cookie = server.base_url + page.path, cookies[page.user_email]
                if number == 1:
                    log(f"    {page.name}: {page.path}")
                # Warm every worker (imports, connections, the page's cache) before measuring.
                wrk(url, cookie=cookie, duration=2, connections=connections, threads=threads, strict=False)
                reports[page.name].append(
                    wrk(url, cookie=cookie, duration=duration, connections=connections, threads=threads)
                )
    results = []
    for page in pages:
        report = median_report(reports[page.name])
        results.append(
            Result(
                page=page,
                cold_ms=first[page.name][0],
                queries=first[page.name][1],
                requests_per_second=report["requests"] / (report["duration_us"] / 1e6),
                p50_ms=report["p50_us"] / 1000,
                p95_ms=report["p95_us"] / 1000,
                p99_ms=report["p99_us"] / 1000,
                requests=report["requests"],
            )
        )
    floor = next(result for result in results if result.page.trivial)
    for result in results:
        result.ratio = result.requests_per_second / floor.requests_per_second
    return results


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor() or "unknown CPU",
    )
    memory_kb = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0].split()[0]
    import django

    return (
        f"{os.cpu_count()} × {cpu}, {memory_kb / 1024 / 1024:.0f} GiB RAM, {platform.system()} {platform.release()}; "
        f"PostgreSQL {postgres}, Python {platform.python_version()}, Django {django.get_version()}"
    )


def table(results: list[Result]) -> str:
    lines = [
        "| page | path | req/s | p50 ms | p95 ms | p99 ms | queries/request | ratio to trivial | targets | first request ms |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
    ]
    for result in results:
        if result.page.trivial:
            verdict = "floor"
        elif result.page.reference:
            verdict = "reference"
        else:
            verdict = "met" if result.meets_targets else "**missed**"
        lines.append(
            f"| {result.page.name} | `{result.page.path}` | {result.requests_per_second:,.0f} | {result.p50_ms:.1f} "
            f"| {result.p95_ms:.1f} | {result.p99_ms:.1f} | {result.queries} | {result.ratio:.0%} | {verdict} "
            f"| {result.cold_ms:,.0f} |"
        )
    return "\n".join(lines)

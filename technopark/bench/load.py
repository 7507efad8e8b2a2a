"""The benchmark's warm measure: queries per request with Django's test client, then load
with wrk against the portal served by gunicorn with production settings (Redis cache and
sessions), and against a bare Django project (technopark.bench.bare), in the same run.

Each page is measured as the user who would open it, with the cookies their browser would
send (`browser_cookies`: the session, and the CSRF and language cookies; without them every
request would pay for a new CSRF secret and language cookie, which no browser causes).
The trivial view (`/health/live/`: the whole middleware stack and no work) is the floor:
each page's ratio is its req/s over the trivial view's, anonymous or signed in as the page.
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
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from .pages import REFERENCE, TRIVIAL, Page

REPORT_SCRIPT = Path(__file__).with_name("report.lua")
WARM_RATIO_TARGET = 0.25  # of the trivial view's req/s, signed in or anonymous as the page
BARE_RATIO_TARGETS = {False: 0.6, True: 0.4}  # the trivial view over the bare view, by signed in


@dataclass
class WarmResult:
    page: Page
    queries: int
    requests_per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    requests: int
    ratio: float = 1.0  # of the trivial view of the same kind (anonymous or signed in)

    @property
    def meets_target(self) -> bool:
        return not self.page.targeted or self.ratio >= WARM_RATIO_TARGET


def browser_cookies(email: str | None) -> str:
    """The Cookie header of a browser that has opened the home page, signed in as the user
    (None: anonymous): the session, and the CSRF and language cookies the portal set."""
    client = Client()
    if email:
        client.force_login(get_user_model().objects.get(email=email))
    client.get("/")
    return "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items())


def warm_queries(page: Page, cookie: str | None) -> int:
    """The queries of a request to `page` once its cache is warm, as under wrk."""
    client = Client(HTTP_COOKIE=cookie) if cookie else Client()
    for _ in range(2):
        if (status := client.get(page.path).status_code) != 200:
            raise RuntimeError(f"{page.path} answered {status}")
    with CaptureQueriesContext(connection) as queries:
        client.get(page.path)
    return len(queries)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """gunicorn serving `app` (the portal by default) with this process's environment (same
    database, cache and settings) changed by `env` (a None value removes the variable),
    stopped on exit."""

    def __init__(self, *, workers: int, app: str = "technopark.wsgi:application", env: dict | None = None):
        self.port = free_port()
        self.workers = workers
        self.app = app
        self.env = {**os.environ, **(env or {})}
        for name, value in (env or {}).items():
            if value is None:
                del self.env[name]
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        self.process = subprocess.Popen(  # noqa: S603 (this Python's gunicorn, fixed arguments)
            [
                *(sys.executable, "-m", "gunicorn", self.app),
                *("--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers)),
                *("--log-level", "warning"),
            ],
            cwd=settings.BASE_DIR,
            env=self.env,
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


def measure_warm(
    pages: list[Page],
    cookies: dict,
    *,
    server: Gunicorn,
    bare: Gunicorn,
    duration: int,
    rounds: int,
    connections: int,
    threads: int,
    log,
) -> tuple[list[WarmResult], dict]:
    """Every page, and the bare Django view, loaded in `rounds` rounds, one after the other
    in each, and reported by its median round: the machine's speed drifts during a run (a
    shared virtual machine: ±30% seen between two runs), and rounds spread that drift over
    every page. Returns the pages' results and the bare view's wrk report."""
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is not installed (apt-get install wrk)")
    queries = {page.name: warm_queries(page, cookies[page.user_email]) for page in pages}
    targets = [("bare Django view", bare.base_url + "/health/live/", None)]
    targets += [(page.name, server.base_url + page.path, cookies[page.user_email]) for page in pages]
    reports = {name: [] for name, _url, _cookie in targets}
    for number in range(1, rounds + 1):
        log(f"  round {number} of {rounds}")
        for name, url, cookie in targets:
            # Warm every worker (imports, connections, the page's cache) before measuring.
            wrk(url, cookie=cookie, duration=2, connections=connections, threads=threads, strict=False)
            reports[name].append(wrk(url, cookie=cookie, duration=duration, connections=connections, threads=threads))
    results = []
    for page in pages:
        report = median_report(reports[page.name])
        results.append(
            WarmResult(
                page=page,
                queries=queries[page.name],
                requests_per_second=per_second(report),
                p50_ms=report["p50_us"] / 1000,
                p95_ms=report["p95_us"] / 1000,
                p99_ms=report["p99_us"] / 1000,
                requests=report["requests"],
            )
        )
    floors = {result.page.signed_in: result for result in results if result.page.kind in (TRIVIAL, REFERENCE)}
    for result in results:
        result.ratio = result.requests_per_second / floors[result.page.signed_in].requests_per_second
    return results, median_report(reports["bare Django view"])


def per_second(report: dict) -> float:
    return report["requests"] / (report["duration_us"] / 1e6)


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

"""The benchmark's cold measure: every page's URLs requested one at a time against gunicorn
serving the portal with no cache at all (no REDIS_URL: sessions in the database, no KPI or
catalogue cache), each URL once, so that what a request costs is its own work: what a
visitor waits for after changing a filter, picking a past date or arriving after a cached
figure expired. Its queries are counted in-process with the same caches off."""

import http.client
import math
import time
from dataclasses import dataclass, field

from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from .load import Gunicorn
from .pages import COLD_CEILING_MS, COLD_TARGET_MS, Page

# What the cold server runs without (a None value removes the variable from its environment).
COLD_ENVIRONMENT = {
    "REDIS_URL": None,
    "CELERY_BROKER_URL": None,
    "KPI_CACHE_SECONDS": "0",
    "CATALOGUE_CACHE_SECONDS": "0",
}
COLD_SETTINGS = {"KPI_CACHE_SECONDS": 0, "CATALOGUE_CACHE_SECONDS": 0}


@dataclass
class ColdResult:
    page: Page
    queries: int  # of the page's last URL
    latencies_ms: list[float] = field(default_factory=list)

    def percentile(self, share: float) -> float:
        """Nearest-rank percentile: of 20 requests, p95 is the 19th slowest but one."""
        ordered = sorted(self.latencies_ms)
        return ordered[max(0, math.ceil(share * len(ordered)) - 1)]

    @property
    def p50_ms(self) -> float:
        return self.percentile(0.5)

    @property
    def p95_ms(self) -> float:
        return self.percentile(0.95)

    @property
    def max_ms(self) -> float:
        return max(self.latencies_ms)

    @property
    def target_ms(self) -> int | None:
        return COLD_TARGET_MS.get(self.page.kind)

    @property
    def meets_target(self) -> bool:
        if self.target_ms is None:
            return True
        return self.p95_ms <= self.target_ms and self.max_ms <= COLD_CEILING_MS


def cold_queries(page: Page, cookie: str | None) -> int:
    """The queries of a request to the page's last URL (a filtered one when it has filters)
    with the KPI and catalogue caches off."""
    client = Client(HTTP_COOKIE=cookie) if cookie else Client()
    with override_settings(**COLD_SETTINGS), CaptureQueriesContext(connection) as queries:
        status = client.get(page.paths[-1]).status_code
    if status != 200:
        raise RuntimeError(f"{page.paths[-1]} answered {status}")
    return len(queries)


def timed_get(server: Gunicorn, path: str, cookie: str | None) -> float:
    """Milliseconds from connecting to the last byte of the body. Anything but a 200 (a
    redirect to the login page included) stops the run."""
    started = time.perf_counter()
    conversation = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conversation.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conversation.getresponse()
        response.read()
    finally:
        conversation.close()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status != 200:
        raise RuntimeError(f"{path} answered {response.status}")
    return elapsed


def measure_cold(pages: list[Page], cookies: dict, *, workers: int, log) -> list[ColdResult]:
    results = [ColdResult(page, cold_queries(page, cookies[page.user_email])) for page in pages]
    with Gunicorn(workers=workers, env=COLD_ENVIRONMENT) as server:
        for _ in range(20 * workers):  # every worker has imported the portal and connected
            timed_get(server, "/health/live/", None)
        for result in results:
            cookie = cookies[result.page.user_email]
            result.latencies_ms = [timed_get(server, path, cookie) for path in result.page.paths]
            log(f"    {result.page.name}: p95 {result.p95_ms:,.0f} ms, max {result.max_ms:,.0f} ms")
    return results

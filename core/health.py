"""`GET /health/` for load balancers and uptime probes: the database, the cache and the
Celery broker, each timed. 200 when all are ok, 503 otherwise, never 500.

`GET /health/live/` only says the process answers (no database, cache or broker): the
liveness probe that restarts a stuck process without restarting every process when the
database is down, and the benchmark's floor, a Django view that does nothing.

The body names only the failing check and the exception's class: no messages, since
those carry hostnames and sometimes credentials (the full error goes to the log).
"""

import logging
import time
import uuid
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.utils.http import http_date
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from kombu import Connection

logger = logging.getLogger(__name__)

BROKER_TIMEOUT = 2  # seconds; a probe must answer well within the load balancer's own timeout
NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {}


def check_cache() -> dict:
    # The sessions' cache: the same server as the default one, but it raises instead of
    # failing soft, so the probe names the error. A key of its own per probe: concurrent
    # probes from other processes cannot interfere.
    cache = caches[settings.SESSION_CACHE_ALIAS]
    key, token = f"health:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, token, timeout=10)
    try:
        if cache.get(key) != token:
            raise RuntimeError("value read back differs from the value written")
    finally:
        cache.delete(key)
    return {}


def check_broker() -> dict:
    url = settings.CELERY_BROKER_URL
    if not url:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            return {"mode": "eager"}  # tasks run in-process: there is no broker to reach
        raise RuntimeError("no broker configured and Celery is not eager")
    with Connection(url, connect_timeout=BROKER_TIMEOUT) as broker:
        broker.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT)
    return {}


CHECKS = {"database": check_database, "cache": check_cache, "broker": check_broker}


def _run(name: str, check) -> dict:
    started = time.perf_counter()
    try:
        result = {"ok": True, **check()}
    except Exception as error:  # any failure is a 503 with its class, never a 500
        logger.warning("health check %s failed", name, exc_info=True)
        result = {"ok": False, "error": type(error).__name__}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


@never_cache
@require_safe
def health(request):
    checks = {name: _run(name, check) for name, check in CHECKS.items()}
    healthy = all(result["ok"] for result in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)


def never_cache_headers(view):
    """The headers of @never_cache, in its order, for a view whose responses have none of
    their own: written as constants, where never_cache parses and rebuilds Cache-Control
    twice (a sixth of the liveness probe's time)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Expires"] = http_date()
        response["Cache-Control"] = NEVER_CACHE
        return response

    return wrapper


@never_cache_headers
@require_safe
def live(request):
    return HttpResponse("ok", content_type="text/plain")

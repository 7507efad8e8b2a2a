"""A backend that does not answer (the database, Redis, the Celery broker) is an outage, not
a bug: the request gets a 503 with Retry-After (JSON under /api/), logged as a warning, never
a 500. Typical case: signing out while Redis is down, where the session must not be half
deleted (technopark.session_store raises on purpose)."""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError as DatabaseInterfaceError
from django.db import OperationalError as DatabaseOperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .limits import route_request_cap, too_large_response

logger = logging.getLogger(__name__)

UNAVAILABLE = (
    RedisConnectionError,
    RedisTimeoutError,
    BrokerOperationalError,
    DatabaseOperationalError,
    DatabaseInterfaceError,
)
RETRY_AFTER_SECONDS = 30


class BackendUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, UNAVAILABLE):
            return None
        logger.warning("Backend unavailable on %s %s", request.method, request.path, exc_info=exception)
        if request.path.startswith("/api/"):
            response = JsonResponse(
                {"detail": _("The service is briefly unavailable. Try again in a moment.")}, status=503
            )
        else:
            # A static page: rendering the layout would need the database and the cache.
            response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response


class RequestSizeLimitMiddleware:
    """Refuses a body larger than its route accepts (technopark.limits) from its declared
    Content-Length, before anything reads it: 413, JSON under /api/. A Content-Length that is
    not a number is a 400; a missing one means no body for Django (a chunked body without
    it is not read), and whatever reads the body stays within DATA_UPLOAD_MAX_MEMORY_SIZE:
    Django's RequestDataTooBig raised by a view ends here as a 413 too (raised earlier, by the
    CSRF check, it is handled by `technopark.api.handler400`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        declared = (request.META.get("CONTENT_LENGTH") or "").strip()
        if declared:
            if not (declared.isascii() and declared.isdigit()):
                return _bad_content_length(request)
            length = int(declared)
            if length > settings.REQUEST_MAX_BYTES:
                cap = route_request_cap(request)
                if length > cap:
                    logger.warning(
                        "Request body too large on %s %s: %d > %d", request.method, request.path, length, cap
                    )
                    return too_large_response(request, cap)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, RequestDataTooBig):
            return too_large_response(request)
        return None


def _bad_content_length(request) -> HttpResponse:
    message = _("The Content-Length header is not a number.")
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": message}, status=400)
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


class PrivateCacheMiddleware:
    """A response to a signed-in request (session or API token: pages, API, exports, files)
    may hold personal data: `Cache-Control: private, no-store`, so that no shared cache keeps
    it and no browser writes it to disk or shows it again from its history after sign-out.
    A view that set its own Cache-Control keeps it (a report export's `private, no-store`, a
    photo under review's `private, max-age=300`, a public logo's `public, max-age=3600`):
    it decided. Anonymous responses are left alone (public pages may be cached), and so is
    `Vary: Cookie` (set by the session middleware). Static files never reach it (WhiteNoise
    answers them first). Placed after the authentication middleware: its response phase runs
    once the API token middleware and DRF have set `request.user`."""

    VALUE = "private, no-store"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            response["Cache-Control"] = self.VALUE
        return response

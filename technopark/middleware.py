"""A backend that does not answer (the database, Redis, the Celery broker) is an outage, not
a bug: the request gets a 503 with Retry-After (JSON under /api/), logged as a warning, never
a 500. Typical case: signing out while Redis is down, where the session must not be half
deleted (technopark.session_store raises on purpose)."""

import logging

from django.db import InterfaceError as DatabaseInterfaceError
from django.db import OperationalError as DatabaseOperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

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

"""A backend that does not answer (the database, Redis, the Celery broker) is an outage, not
a bug: the request gets a 503 with Retry-After (JSON under /api/), logged as a warning, never
a 500. Typical case: signing out while Redis is down, where the session must not be half
deleted (core.session_store raises on purpose).

Also the project's versions of Django's and django-csp's middlewares that did the same work
several times per request (issue 16: the middleware stack's cost on every request)."""

import logging

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.contrib.messages.middleware import MessageMiddleware as DjangoMessageMiddleware
from django.contrib.messages.storage import default_storage
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.db import InterfaceError as DatabaseInterfaceError
from django.db import OperationalError as DatabaseOperationalError
from django.http import HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject, empty
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .limits import route_request_cap, too_large_response
from .multilingual import API_LANGUAGE_PARAMETER, api_language

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
    """Refuses a body larger than its route accepts (core.limits) from its declared
    Content-Length, before anything reads it: 413, JSON under /api/. A Content-Length that is
    not a number is a 400; a missing one means no body for Django (a chunked body without
    it is not read), and whatever reads the body stays within DATA_UPLOAD_MAX_MEMORY_SIZE:
    Django's RequestDataTooBig raised by a view ends here as a 413 too (raised earlier, by the
    CSRF check, it is handled by `core.api.handler400`)."""

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


class CSPMiddleware(DjangoCSPMiddleware):
    """django-csp's, with each policy header built once per process instead of twice per
    response (the policy and the report-only one: about 60 µs of dictionary copies). The
    header built with a placeholder nonce gets the response's nonce, when a template used
    one. A response with a policy of its own (django-csp's decorators), and every response
    with DEBUG on (its error pages get no header), go through django-csp's code unchanged."""

    PER_RESPONSE = tuple(f"_csp_{kind}{ro}" for kind in ("config", "update", "replace") for ro in ("", "_ro"))
    HEADERS = (
        (HEADER, "CONTENT_SECURITY_POLICY", "_csp_exempt", False),
        (HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", "_csp_exempt_ro", True),
    )
    NONCE_PLACEHOLDER = "\x00"  # can appear in no policy

    def __init__(self, get_response):
        super().__init__(get_response)
        self._built = {}

    def process_response(self, request, response):
        if settings.DEBUG or any(getattr(response, name, None) is not None for name in self.PER_RESPONSE):
            return super().process_response(request, response)
        nonce = getattr(request, "_csp_nonce", None)
        for header, setting, exempt, report_only in self.HEADERS:
            policy, excluded = self._policy(setting, report_only, nonce is not None)
            if (
                policy
                and header not in response
                and getattr(response, exempt, False) is False
                and not request.path_info.startswith(excluded)
            ):
                response[header] = policy.replace(self.NONCE_PLACEHOLDER, nonce) if nonce else policy
        if nonce is None:  # as django-csp: reading the nonce after the header is written raises
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response

    def _policy(self, setting: str, report_only: bool, with_nonce: bool) -> tuple[str, tuple[str, ...]]:
        """The header and the excluded path prefixes, rebuilt when the setting is replaced
        (override_settings)."""
        config = getattr(settings, setting, None)
        key = (setting, with_nonce)
        known = self._built.get(key)
        if known is None or known[0] is not config:
            nonce = self.NONCE_PLACEHOLDER if with_nonce else None
            excluded = tuple((config or {}).get("EXCLUDE_URL_PREFIXES", None) or ())
            known = self._built[key] = (config, build_policy(nonce=nonce, report_only=report_only), excluded)
        return known[1], known[2]


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's, without looking for a language prefix in the path when the URLconf has no
    `i18n_patterns` (ours has none): Django looks twice per request, and for a path such as
    `/health/live/` it looks "health" up as a language, a miss its caches do not keep (about
    40 µs). Same language, `Vary` and `Content-Language` as Django's."""

    def process_request(self, request):
        if is_language_prefix_patterns_used(getattr(request, "urlconf", settings.ROOT_URLCONF))[0]:
            return super().process_request(request)
        translation.activate(translation.get_language_from_request(request))
        if request.path_info.startswith("/api/"):
            # The API serves the language of `?lang=` or Accept-Language, before the cookie
            # and the user's preference (accounts.middleware.UserLanguageMiddleware).
            try:
                asked = api_language(request)
            except ValidationError as error:
                request.LANGUAGE_CODE = translation.get_language()
                return JsonResponse({API_LANGUAGE_PARAMETER: error.messages}, status=400)
            if asked:
                translation.activate(asked)
                request.content_language_asked = True
        request.LANGUAGE_CODE = translation.get_language()
        return None

    def process_response(self, request, response):
        if is_language_prefix_patterns_used(getattr(request, "urlconf", settings.ROOT_URLCONF))[0]:
            return super().process_response(request, response)
        language = translation.get_language()
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", language)
        return response


class MessageMiddleware(DjangoMessageMiddleware):
    """Django's, with the message storage built on first use: most requests (the API, the
    probes, most redirects) never touch it, and building it (a cookie signer, the session
    storage) costs about 20 µs. A storage never used has nothing to write to the response."""

    def process_request(self, request):
        request._messages = SimpleLazyObject(lambda: default_storage(request))

    def process_response(self, request, response):
        storage = getattr(request, "_messages", None)
        if isinstance(storage, SimpleLazyObject) and storage._wrapped is empty:
            return response
        return super().process_response(request, response)

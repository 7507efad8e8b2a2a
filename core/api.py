"""Shared API pieces: pagination, the documented error responses, and error handlers that
never let a 500 or an HTML page out for bad input (errors are JSON with a 4xx code)."""

import re

from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from django_scopes import ScopeError
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import Conflict
from .limits import too_large_response
from .parsers import RequestTooLarge


class Pagination(PageNumberPagination):
    """`?page=` and `?page_size=` (at most 200: larger sizes are capped).

    DRF silently ignores a malformed `page_size` (`?page_size=abc` gives 50 results) or an
    empty `page`: here both are a 400, as the schema (positive integers) promises. A page
    past the end stays a 404."""

    page_size_query_param = "page_size"
    max_page_size = 200

    def _positive_int(self, request, name):
        raw = request.query_params.get(name)
        if raw is None:
            return None
        messages = serializers.IntegerField.default_error_messages  # already translated by DRF
        if not re.fullmatch(r"[0-9]+", raw):
            raise exceptions.ValidationError({name: [messages["invalid"]]})
        if int(raw) < 1:
            raise exceptions.ValidationError({name: [messages["min_value"].format(min_value=1)]})
        return int(raw)

    def get_page_number(self, request, paginator):
        if request.query_params.get(self.page_query_param) in self.last_page_strings:
            return super().get_page_number(request, paginator)
        return self._positive_int(request, self.page_query_param) or 1

    def get_page_size(self, request):
        size = self._positive_int(request, self.page_size_query_param)
        return self.page_size if size is None else min(size, self.max_page_size)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] in (self.page_query_param, self.page_size_query_param):
                parameter["schema"]["minimum"] = 1
        return parameters


class ErrorSerializer(serializers.Serializer):
    """Every error but validation errors: `{"detail": "…"}`."""

    detail = serializers.CharField()


# Validation errors: `{"field": ["message", …], …}`, or `{"detail": "…"}` for a malformed body.
VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "additionalProperties": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
}

# core.schema.AutoSchema adds 400, 401, 403, 404, 413 and 429 to every operation where
# the kernel can answer them; views list the others (a role's 403, a state's 409…).
ERROR_RESPONSES = {
    400: OpenApiResponse(
        VALIDATION_ERROR_SCHEMA,
        description="Invalid input: a malformed or missing value, a NUL character, a body that is not an object.",
    ),
    # Token authentication comes first: a missing or invalid credential is a 401 with
    # `WWW-Authenticate: Token`, even where no sign-in is needed (an invalid token).
    401: OpenApiResponse(ErrorSerializer, description="Missing or invalid credentials."),
    403: OpenApiResponse(
        ErrorSerializer,
        description="Signed in but not allowed (or two-factor authentication required and not set up).",
    ),
    404: OpenApiResponse(ErrorSerializer, description="Not found (or not yours)."),
    409: OpenApiResponse(ErrorSerializer, description="Conflicts with the current state (taken, closed, done)."),
    413: OpenApiResponse(ErrorSerializer, description="The request body is too large."),
    429: OpenApiResponse(ErrorSerializer, description="Too many requests: retry later."),
}


def error_responses(*codes: int) -> dict:
    """The documented error responses for `extend_schema(responses={200: …, **error_responses(403)})`.
    A view needs to list only its own (a role's 403, a state's 409, a 404 without a path
    parameter): core.schema.AutoSchema adds the kernel's wherever they apply."""
    return {code: ERROR_RESPONSES[code] for code in codes}


class ConflictError(exceptions.APIException):
    status_code = 409
    default_detail = "Conflict."
    default_code = "conflict"


def exception_handler(exc, context):
    if isinstance(exc, Conflict):
        exc = ConflictError(exc.message)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, RequestDataTooBig):  # form fields over DATA_UPLOAD_MAX_MEMORY_SIZE
        exc = RequestTooLarge()
    elif isinstance(exc, (TooManyFieldsSent, TooManyFilesSent)):
        exc = exceptions.ParseError(_("The request has too many fields or files."))
    elif isinstance(exc, ScopeError):
        # A query outside the request's tenant scope: treat it as "not yours".
        exc = exceptions.NotFound()
    elif isinstance(exc, (ValueError, OverflowError)):
        exc = exceptions.ValidationError({"detail": str(exc)})
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    return drf_exception_handler(exc, context)


def handler400(request, exception):
    """`handler400` of the root URLconf (a SuspiciousOperation outside DRF's views, such as a
    body read by the CSRF check): a body over DATA_UPLOAD_MAX_MEMORY_SIZE is a 413, and under
    /api/ every such error is JSON."""
    if isinstance(exception, RequestDataTooBig):
        return too_large_response(request)
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": _("Bad request.")}, status=400)
    return defaults.bad_request(request, exception)


class RejectNulCharacters:
    """Middleware: an API call with a NUL character in its query string (a name or a value)
    is a 400 before any view runs (`{"<name>": ["…"]}`, or `{"detail": "…"}` for a name). PostgreSQL cannot store or compare text with a NUL, so it
    must never reach the ORM; the validated filters refuse it too (DRF's CharField), this
    covers every parameter, read or not, the same way on SQLite and PostgreSQL. Bodies are
    checked by their serializers (every string field refuses a NUL)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith("/api/"):
            for name, values in request.GET.lists():
                if "\x00" in name:
                    return JsonResponse({"detail": _("Null characters are not allowed.")}, status=400)
                if any("\x00" in value for value in values):  # a field error, like the filters' own
                    return JsonResponse({name: [_("Null characters are not allowed.")]}, status=400)
        return self.get_response(request)


def handler404(request, exception):
    """`handler404` of the root URLconf: under /api/ a URL that matches no route (e.g. a
    slug with characters a slug cannot have) answers JSON like every other API error."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)

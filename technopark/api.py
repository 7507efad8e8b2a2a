"""Shared API pieces: pagination and an exception handler that never lets a 500 out for
bad input (errors are JSON with a 4xx code)."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django_scopes import ScopeError
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.views import exception_handler as drf_exception_handler


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


class ErrorSerializer(serializers.Serializer):
    """Every error but validation errors: `{"detail": "…"}`."""

    detail = serializers.CharField()


# Validation errors: `{"field": ["message", …], …}`, or `{"detail": "…"}` for a malformed body.
VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "additionalProperties": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
}

ERROR_RESPONSES = {
    400: OpenApiResponse(VALIDATION_ERROR_SCHEMA, description="Invalid input."),
    # DRF answers 403 (not 401) to a missing or invalid credential: session authentication
    # comes first and sends no WWW-Authenticate challenge.
    403: OpenApiResponse(ErrorSerializer, description="Not signed in, invalid token, or not allowed."),
    404: OpenApiResponse(ErrorSerializer, description="Not found (or not yours)."),
    429: OpenApiResponse(ErrorSerializer, description="Too many requests: retry later."),
}


def error_responses(*codes: int) -> dict:
    """The documented error responses for `extend_schema(responses={200: …, **error_responses(403)})`."""
    return {code: ERROR_RESPONSES[code] for code in codes}


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
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

"""JSON request bodies with limits, for the API and any view that reads JSON itself.

`json.loads` recurses once per level of nesting: `[`×50,000 `]`×50,000 (100 kB) raised
RecursionError, a 500. Before decoding, one linear scan measures the nesting (strings and
their escapes skipped, so `"[[["` counts for nothing) and refuses more than JSON_MAX_DEPTH
levels; the body is read at most DATA_UPLOAD_MAX_MEMORY_SIZE bytes (DRF reads the stream
itself, so Django's own check of that setting never sees JSON bodies), and the top level must
be an object: every request schema of the API is an object (none takes a list), so a list, a
string or a number is a 400 before any view runs.

Statuses: 400 `{"detail": …}` for malformed, too deep or non-object JSON; 413 `{"detail": …}`
for a body over the size limit (usually refused earlier, from its Content-Length, by
core.middleware.RequestSizeLimitMiddleware)."""

import json
import re
from itertools import accumulate

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers
from rest_framework.utils.json import strict_constant

DEFAULT_MAX_DEPTH = 32

# A JSON string, escapes included (unrolled, so that long strings cost no backtracking).
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class RequestTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "request_too_large"

    def __init__(self, detail=None, code=None):
        super().__init__(detail or too_large_message(), code)


class JSONBodyError(ValueError):
    """A JSON body refused: too large (`too_large`), or not an acceptable document."""

    def __init__(self, message: str, *, too_large: bool = False):
        super().__init__(message)
        self.too_large = too_large


def json_max_bytes() -> int | None:
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def too_large_message(limit: int | None = None) -> str:
    limit = json_max_bytes() if limit is None else limit
    if limit is None:
        return _("The request is too large.")
    return _("The request is too large: %(limit)s at most.") % {"limit": filesizeformat(limit)}


def json_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in `text`, in time linear in its length
    (regular expressions and itertools do the work in C, no recursion)."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def load_json_object(raw: bytes | str, *, strict: bool = True) -> dict:
    """The JSON object in `raw`, or JSONBodyError with a translated message. The one way to
    decode a request body as JSON (DRF's parser below; any view that reads `request.body`)."""
    limit = json_max_bytes()
    if limit is not None and len(raw) > limit:
        raise JSONBodyError(too_large_message(limit), too_large=True)
    if isinstance(raw, bytes):
        try:
            raw = raw.decode()
        except UnicodeDecodeError:
            raise JSONBodyError(_("The body is not valid UTF-8.")) from None
    max_depth = getattr(settings, "JSON_MAX_DEPTH", DEFAULT_MAX_DEPTH)
    if json_depth(raw) > max_depth:
        raise JSONBodyError(_("The JSON body is nested too deeply: %(depth)d levels at most.") % {"depth": max_depth})
    try:
        value = json.loads(raw, parse_constant=strict_constant if strict else None)
    except (ValueError, RecursionError) as error:
        raise JSONBodyError(_("The body is not valid JSON: %(error)s") % {"error": error}) from None
    if not isinstance(value, dict):
        raise JSONBodyError(_("The JSON body must be an object ({…})."))
    return value


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with the limits above (REST_FRAMEWORK's DEFAULT_PARSER_CLASSES)."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        limit = json_max_bytes()
        raw = b"" if stream is None else stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise RequestTooLarge()
        try:
            text = raw.decode(encoding)
        except (LookupError, UnicodeError):
            message = _("The body is not valid text in %(encoding)s.") % {"encoding": encoding}
            raise exceptions.ParseError(message) from None
        try:
            return load_json_object(text, strict=self.strict)
        except JSONBodyError as error:
            if error.too_large:
                raise RequestTooLarge(str(error)) from None
            raise exceptions.ParseError(str(error)) from None

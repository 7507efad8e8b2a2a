"""Structured logs for production: one JSON object per line (settings.LOG_FORMAT), with
secrets masked (core.redaction: the same name pattern as the audit trail)."""

import datetime
import json
import logging
import re
from collections.abc import Mapping

from django.views.debug import SafeExceptionReporterFilter

from .redaction import SECRET_NAME, is_secret_name, mask, redact, redact_path, redact_text

# The attributes every LogRecord has: anything else came in `extra={…}`.
_RECORD_ATTRIBUTES = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class RedactSecretsFilter(logging.Filter):
    """Masks secrets in a record before any handler writes it (settings.LOGGING puts it on
    the console handler): extras with a secret name (`extra={"password": …}`), secret keys
    inside extras that are dicts or lists (request data such as `request.POST`, a payload),
    mapping arguments (`"%(token)s"`), and, in the message itself, `Token …` credentials,
    `name=value` pairs with a secret name and random path segments (the calendar feed's
    token). The record is changed in place; it always passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in list(record.__dict__.items()):
            if name in _RECORD_ATTRIBUTES:
                continue
            if is_secret_name(name):
                setattr(record, name, mask(value))
            elif isinstance(value, (Mapping, list, tuple)):
                setattr(record, name, redact(value))
        if isinstance(record.args, Mapping):
            record.args = redact(record.args)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a broken format string: left for the handler to report
            return True
        record.msg, record.args = redact_text(message), ()
        return True


class SecretsExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error reports (the DEBUG page, mail to ADMINS) hide the settings and the POST fields
    whose names match the portal's secret pattern, on every view, not only on those marked
    @sensitive_post_parameters. settings.DEFAULT_EXCEPTION_REPORTER_FILTER."""

    # Django's own list, the portal's words, and connection strings (they carry passwords).
    hidden_settings = re.compile(
        "|".join([SafeExceptionReporterFilter.hidden_settings.pattern, SECRET_NAME.pattern, "DSN", "URL"]),
        re.IGNORECASE,
    )

    def get_post_parameters(self, request):
        parameters = super().get_post_parameters(request)
        if request is None or not parameters:
            return parameters
        cleansed = parameters.copy()
        for name in cleansed:
            if is_secret_name(name):
                cleansed[name] = self.cleansed_substitute
        return cleansed


class JSONFormatter(logging.Formatter):
    """time (ISO 8601, UTC), level, logger, message; `exception` when there is one; the
    request's method, path and the response status where Django's request and server
    loggers provide them (`extra={"request": …, "status_code": …}`)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request = getattr(record, "request", None)
        path = getattr(request, "path", None)  # django.server passes a socket, not a request
        if isinstance(path, str):
            entry["method"] = getattr(request, "method", None)
            entry["path"] = redact_path(path)
        status = getattr(record, "status_code", None)
        if status is not None:
            entry["status"] = status
        if record.exc_info:
            entry["exception"] = redact_text(self.formatException(record.exc_info))
        elif record.exc_text:
            entry["exception"] = redact_text(record.exc_text)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)

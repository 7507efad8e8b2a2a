"""Structured logs for production: one JSON object per line (settings.LOG_FORMAT)."""

import datetime
import json
import logging


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
            entry["path"] = path
        status = getattr(record, "status_code", None)
        if status is not None:
            entry["status"] = status
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)

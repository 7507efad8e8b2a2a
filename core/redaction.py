"""What counts as a secret, and how it is hidden: one rule for the audit trail
(core.audit) and the logs (core.logging).

A name — a model field, a key of a dict or a JSON object, a form input, a header, a query
parameter — is a secret when it contains, in any case, one of `SECRET_WORDS`. Matching is
by substring on purpose: a new `reset_token`, `api_key` or `recovery_codes` is covered the
day it is added, without anyone remembering this list. It matches, among others:

- secrets: password, password1/password2, old_password, calendar_token, csrfmiddlewaretoken,
  key (a DRF token, allauth's confirmation key), session_key, api_key, secret, totp,
  otp_code, code (the 2FA form's one-time code), recovery_codes, HTTP_AUTHORIZATION,
  HTTP_COOKIE, sessionid, signature;
- and harmless names that contain a word: postal_code, codename, keyword, monkey, footprint.
  They are masked too: a harmless value hidden costs a little readability, a secret shown
  costs an account. Only the exact names in `READABLE_NAMES` (the HTTP status Django's
  request logger passes as `status_code`, language and country codes) are exempt; the audit
  trail also keeps a model's `code` readable (core.audit.AUDIT_READABLE_FIELDS).

Values are also hidden by shape where names do not help: `Token …`/`Bearer …` credentials and
`name=value` pairs with a secret name inside free text (log messages, query strings), and
long random path segments (the calendar feed's `/calendar/<token>.ics`, cancel and
invitation links) in paths.
"""

import re
from collections.abc import Callable, Mapping
from typing import Any

SECRET_WORDS = (
    "password",
    "passwd",
    "secret",
    "token",
    "key",
    "totp",
    "otp",
    "code",
    "recovery",
    "authorization",
    "cookie",
    "sessionid",
    "signature",
)
SECRET_NAME = re.compile("|".join(SECRET_WORDS), re.IGNORECASE)
READABLE_NAMES = frozenset({"status_code", "language_code", "country_code"})  # compared in lower case
MASK = "[redacted]"

# `password=hunter2`, `?token=abc&x=1`, `"api_key": "abc"`: a secret name, then its value.
_NAME_VALUE = re.compile(r"""(?P<name>[\w.\-\[\]]+)(?P<sep>["']?\s*[=:]\s*["']?)(?P<value>[^\s&,;"'<>]+)""")
_CREDENTIAL = re.compile(r"\b(?P<scheme>Token|Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+", re.IGNORECASE)
# A path segment as long as the shortest token the portal mints (token_urlsafe(24) and
# token_hex(16) are 32 characters) with a digit or a capital letter: random, not a slug.
# UUIDs (job and object ids, not secrets) stay readable.
_RANDOM_SEGMENT = re.compile(
    r"(?<![A-Za-z0-9_-])"
    r"(?![0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![A-Za-z0-9_-]))"
    r"(?=[A-Za-z0-9_-]*[0-9A-Z])[A-Za-z0-9_-]{32,}(?![A-Za-z0-9_-])"
)


def is_secret_name(name: object) -> bool:
    return isinstance(name, str) and SECRET_NAME.search(name) is not None and name.lower() not in READABLE_NAMES


def mask(value: Any) -> Any:
    """MASK for a value that is set; None and "" stay, so that "set" and "cleared" can
    still be told apart without showing anything."""
    if value is None or (isinstance(value, str) and not value):
        return value
    return MASK


def redact(
    data: Any,
    *,
    is_secret: Callable[[object], bool] = is_secret_name,
    hide: Callable[[Any], Any] = mask,
) -> Any:
    """A copy of `data` with the values under secret names hidden, at any depth of dicts
    (a QueryDict too) and lists; anything else is returned as it is."""
    if isinstance(data, Mapping):
        return {
            key: hide(value) if is_secret(key) else redact(value, is_secret=is_secret, hide=hide)
            for key, value in data.items()
        }
    if isinstance(data, (list, tuple)):
        return [redact(item, is_secret=is_secret, hide=hide) for item in data]
    return data


def redact_text(text: str) -> str:
    """`text` with credentials, secret `name=value` pairs and random path segments masked."""
    text = _CREDENTIAL.sub(lambda match: f"{match['scheme']} {MASK}", text)
    text = _NAME_VALUE.sub(
        lambda match: f"{match['name']}{match['sep']}{MASK}" if is_secret_name(match["name"]) else match[0], text
    )
    return redact_path(text)


def redact_path(path: str) -> str:
    """`path` with its random segments (tokens in links) masked."""
    return _RANDOM_SEGMENT.sub(MASK, path)


def sentry_before_send(event: dict, hint: dict) -> dict:
    """Sentry's `before_send` (settings.SENTRY_DSN): an error report hides secrets as the logs
    do — the request's data, query string, headers, cookies and URL, extras, the log message,
    breadcrumbs, exception messages and the local variables of each frame. (Sentry's own
    scrubber knows exact names only: not `calendar_token`.)"""
    request = event.get("request")
    if isinstance(request, dict):
        for part in ("data", "headers", "cookies", "env"):
            if part in request:
                request[part] = redact(request[part])
        for part in ("query_string", "data"):
            if isinstance(request.get(part), str):
                request[part] = redact_text(request[part])
        if isinstance(request.get("url"), str):
            request["url"] = redact_path(request["url"])
    if "extra" in event:
        event["extra"] = redact(event["extra"])
    logentry = event.get("logentry")
    if isinstance(logentry, dict):
        text = logentry.get("formatted") or logentry.get("message") or ""
        event["logentry"] = {**logentry, "message": redact_text(text), "formatted": redact_text(text), "params": []}
    breadcrumbs = event.get("breadcrumbs")
    crumbs = breadcrumbs.get("values", []) if isinstance(breadcrumbs, dict) else breadcrumbs or []
    for crumb in crumbs:
        if isinstance(crumb.get("message"), str):
            crumb["message"] = redact_text(crumb["message"])
        if "data" in crumb:
            crumb["data"] = redact(crumb["data"])
    for exception in (event.get("exception") or {}).get("values", []):
        if isinstance(exception.get("value"), str):
            exception["value"] = redact_text(exception["value"])
        for frame in (exception.get("stacktrace") or {}).get("frames", []):
            if "vars" in frame:
                frame["vars"] = redact(frame["vars"])
    return event

"""Rate limits: the client's address, the counters of the public forms, and the failed
password checks (per address, and a progressive lock per account).

Every path that checks a password or a code, and where each one's limit is set:

- a password, wherever it is checked: the login page (the admin's login is redirected to
  it: `secure_admin_login` in technopark/urls.py), reauthentication, the API token
  (accounts/api.py) and the account-deletion form (accounts/forms.py) all call allauth's
  `adapter.authenticate`, whose `pre_authenticate` and `authentication_failed` our adapter
  (accounts/adapters.py) replaces with the limits below, the same on every path:
  - per client address: at most the "ip" rates of `ACCOUNT_RATE_LIMITS["login_failed"]`
    (30 failures a minute) — no CAPTCHA;
  - per account (the login typed, whether or not such an account exists): after
    `LOCK_AFTER` failures in a row, each further failure locks it for a growing delay
    (`LOCK_FIRST` seconds, doubled each time, at most `LOCK_MAX`), and an attempt while it
    is locked is refused without checking the password, with the time to wait. Never a
    silent hour-long lock: when the lock starts, the owner is emailed a signed, single-use,
    expiring link (accounts/lockout.py) that lifts it and lets their browser through it,
    however long someone else goes on guessing; at most one such email per episode
    (`UNLOCK_LINK_AGE`, or until the owner uses the link). A success, the link or a
    password reset end the episode; `FORGET_AFTER` without a failure restarts the count.
- MFA codes at login and reauthentication: at most `MFA_CODE_FAILURES` wrong ones per
  account in a window, counted in the database (accounts.forms.MFACodeLimitMixin), on top
  of allauth's cache limit (codes are asked only after the right password);
- password reset, sign-up, email verification, password change, and every login form
  submission: allauth, `ACCOUNT_RATE_LIMITS` in settings, in the cache;
- the API token view also has `AnonRateThrottle` below;
- public event registration (no account): `over_limit` below (services/views/catalogue.py).

Redis down: the failed-password limits above live in the database (`ThrottleCounter`,
`AccountLock`) at all times, not in the cache, so they hold while Redis is down — the
cache fails open (core/cache.py) and used to let every guess through. We chose the
database over refusing logins with 503 while Redis is down: an outage of a cache must not
stop everybody from signing in, and a password check already costs a password hash (far
more than the few rows read and written), so the database carries the limits at no real
cost; keeping them there always (not as a fallback) also means one set of counters, never
two that disagree when Redis comes back. The wrong-MFA-code limit
lives there too. The limits that stay in the cache (form submissions, DRF's throttles, the
public registration counter) fail open while Redis is down, as core/cache.py says.

Behind a load balancer every request comes from the balancer's address: `client_ip` reads
the client's from X-Forwarded-For only when `ALLAUTH_TRUSTED_PROXY_COUNT` (environment
`TRUSTED_PROXY_COUNT`) says that many proxies of ours add to it; otherwise the header is
the client's own words and is ignored.
"""

import datetime
import hashlib
import ipaddress
import secrets
from dataclasses import dataclass

from allauth.account import app_settings as allauth_settings
from allauth.account.adapter import get_adapter
from allauth.core.internal.ratelimit import parse_rates
from django import forms
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import throttling

from .models import AccountLock, ThrottleCounter

# One subscriber usually holds a whole IPv6 /64: count it as one address, as allauth does.
IPV6_PREFIX = 64


def client_ip(request) -> str:
    """The client's address as every rate limit sees it: allauth's (which its own limits
    use), with an IPv6 address cut to its /64 network."""
    ip = get_adapter(request).get_client_ip(request)
    address = ipaddress.ip_address(ip)
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/{IPV6_PREFIX}", strict=False).network_address)
    return ip


def over_limit(key: str, *, limit: int, window: int) -> bool:
    """Count one attempt under `key` in the current window of `window` seconds; True once
    there are more than `limit`."""
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        count = 1
    return count > limit


class AnonRateThrottle(throttling.AnonRateThrottle):
    """DRF's anonymous throttle keyed on `client_ip`: DRF's own `get_ident` believes any
    X-Forwarded-For header unless NUM_PROXIES is set, so a client could pick a new address
    for every request."""

    def get_ident(self, request) -> str:
        return client_ip(request)


# --- Failed password checks, in the database ------------------------------------------------
LOCK_AFTER = 5  # failures in a row before the account's lock starts
LOCK_FIRST = 1  # seconds of the first lock, doubled by each further failure…
LOCK_MAX = 300  # …up to this
FORGET_AFTER = datetime.timedelta(hours=1)  # without a failure: the count starts again
UNLOCK_LINK_AGE = datetime.timedelta(hours=24)  # an unlock link's life: one email per episode
PURGE_AFTER = datetime.timedelta(days=1)  # counters and quiet locks older than this go
IP_SCOPE = "login_failed_ip"


def _now() -> datetime.datetime:
    """The clock of the login limits, one place to move it in tests."""
    return timezone.now()


class LoginRefused(forms.ValidationError):
    """A password check refused before it was made; `retry_after`: seconds to wait (the
    API's Retry-After)."""

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message, code="too_many_login_attempts")
        self.retry_after = retry_after


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _window_start(now: datetime.datetime, seconds: int) -> datetime.datetime:
    epoch = int(now.timestamp())
    return datetime.datetime.fromtimestamp(epoch - epoch % seconds, tz=datetime.UTC)


def counter_hit(*, scope: str, key: str, window: int, delta: int = 1) -> tuple[int, int]:
    """Add `delta` to the count of `key` (hashed) in the current fixed window of `window`
    seconds, atomically on SQLite and PostgreSQL alike; returns (count, seconds left in the
    window)."""
    now = _now()
    start = _window_start(now, window)
    filters = {"scope": scope, "key": digest(key), "window_start": start}
    with transaction.atomic():
        if delta < 0:  # a refund: in this window only, never below 0
            ThrottleCounter.objects.filter(**filters, count__gte=-delta).update(count=F("count") + delta)
        elif not ThrottleCounter.objects.filter(**filters).update(count=F("count") + delta):
            try:
                with transaction.atomic():
                    ThrottleCounter.objects.create(**filters, count=delta)
                # A new window: old ones go (indexed; few rows each time).
                ThrottleCounter.objects.filter(window_start__lt=now - PURGE_AFTER).delete()
            except IntegrityError:  # created meanwhile by a concurrent request
                ThrottleCounter.objects.filter(**filters).update(count=F("count") + delta)
        count = ThrottleCounter.objects.filter(**filters).values_list("count", flat=True).first() or 0
    left = max(1, int((start + datetime.timedelta(seconds=window) - now).total_seconds() + 0.999))
    return count, left


def _ip_rates() -> list:
    return [rate for rate in parse_rates(allauth_settings.RATE_LIMITS.get("login_failed")) if rate.per == "ip"]


def login_ip_consume(request) -> None:
    """Count one password check for the client's address (undone by `login_ip_refund` when
    the password is right); raises LoginRefused beyond the "ip" rates of
    `ACCOUNT_RATE_LIMITS["login_failed"]`."""
    ip = client_ip(request)
    for rate in _ip_rates():
        count, left = counter_hit(scope=IP_SCOPE, key=f"{rate}:{ip}", window=int(rate.duration))
        if count > rate.amount:
            raise LoginRefused(
                _("Too many failed sign-in attempts from your network. Try again in %(seconds)s s.")
                % {"seconds": left},
                retry_after=left,
            )


def login_ip_refund(request) -> None:
    ip = client_ip(request)
    for rate in _ip_rates():
        counter_hit(scope=IP_SCOPE, key=f"{rate}:{ip}", window=int(rate.duration), delta=-1)


def lock_delay(failures: int) -> int:
    """Seconds an account is locked after its `failures`-th failure in a row (0: none)."""
    if failures < LOCK_AFTER:
        return 0
    return min(LOCK_FIRST * 2 ** min(failures - LOCK_AFTER, 30), LOCK_MAX)


def lock_wait(*, login: str) -> int:
    """Seconds before `login` may be tried again (0: now)."""
    now = _now()
    until = (
        AccountLock.objects.filter(key=digest(login.lower()), locked_until__gt=now)
        .values_list("locked_until", flat=True)
        .first()
    )
    return max(1, int((until - now).total_seconds() + 0.999)) if until else 0


@dataclass(frozen=True)
class Failure:
    failures: int
    locked_for: int  # seconds
    unlock_nonce: str  # set when this failure starts an episode: email the owner a link


@transaction.atomic
def lock_failure(*, login: str) -> Failure:
    """Count a failed password check of `login` and lock it progressively. Row-locked, so
    that one email at most goes out per episode however many requests fail at once."""
    now = _now()
    lock, created = AccountLock.objects.select_for_update().get_or_create(key=digest(login.lower()))
    if lock.last_failure_at and now - lock.last_failure_at > FORGET_AFTER:
        # The count starts again; the link already sent stays valid, and no new one goes
        # out before it expires: a few failures every hour are not an email every hour.
        lock.failures = 0
    lock.failures += 1
    lock.last_failure_at = now
    delay = lock_delay(lock.failures)
    lock.locked_until = now + datetime.timedelta(seconds=delay) if delay else None
    nonce = ""
    if delay and (lock.unlock_sent_at is None or now - lock.unlock_sent_at > UNLOCK_LINK_AGE):
        nonce = lock.unlock_nonce = secrets.token_hex(16)
        lock.unlock_sent_at = now
    lock.save()
    if created:  # quiet locks go (indexed; few rows each time)
        AccountLock.objects.filter(last_failure_at__lt=now - PURGE_AFTER).filter(
            Q(locked_until__isnull=True) | Q(locked_until__lt=now)
        ).delete()
    return Failure(failures=lock.failures, locked_for=delay, unlock_nonce=nonce)


def lock_clear(*, login: str) -> None:
    """End the episode of `login`: a right password, or a password reset."""
    AccountLock.objects.filter(key=digest(login.lower())).delete()


@transaction.atomic
def lock_unlock(*, key: str, nonce: str) -> bool:
    """Lift the lock of the login whose digest is `key` with the link's `nonce`, once."""
    lock = AccountLock.objects.select_for_update().filter(key=key).first()
    if lock is None or not nonce or not secrets.compare_digest(lock.unlock_nonce, nonce):
        return False
    # The episode ends: should the guessing go on, the next lock emails the owner a new link
    # (so at most one email per click on the last one).
    lock.failures, lock.locked_until, lock.unlock_nonce, lock.unlock_sent_at = 0, None, "", None
    lock.save(update_fields=["failures", "locked_until", "unlock_nonce", "unlock_sent_at"])
    return True


def lock_nonce_valid(*, key: str, nonce: str) -> bool:
    current = AccountLock.objects.filter(key=key).values_list("unlock_nonce", flat=True).first()
    return bool(current and nonce and secrets.compare_digest(current, nonce))

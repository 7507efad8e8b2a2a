"""Rate limits: the client's address, and the counters of the public forms.

Every path that checks a password or a code, and where each one's limit is set:

- login page, MFA codes at login and reauthentication, password reset, sign-up, email
  verification, password change: allauth, `ACCOUNT_RATE_LIMITS` in settings;
- the admin's login: redirected to allauth's (`secure_admin_login` in technopark/urls.py);
- the API token (accounts/api.py) and the account-deletion form (accounts/privacy.py): the
  password goes through allauth's `adapter.authenticate`, so the failed-login limits of the
  login page count there too, on the same counters; the token view also has
  `AnonRateThrottle` below;
- public event registration (no account): `over_limit` below (services/views/catalogue.py).

Behind a load balancer every request comes from the balancer's address: `client_ip` reads
the client's from X-Forwarded-For only when `ALLAUTH_TRUSTED_PROXY_COUNT` (environment
`TRUSTED_PROXY_COUNT`) says that many proxies of ours add to it; otherwise the header is
the client's own words and is ignored.
"""

import ipaddress

from allauth.account.adapter import get_adapter
from django.core.cache import cache
from rest_framework import throttling

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

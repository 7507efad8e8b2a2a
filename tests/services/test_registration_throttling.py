"""Public event registration (no account) counts attempts per client address, which is the
address of core.throttling.client_ip: X-Forwarded-For is ignored unless
TRUSTED_PROXY_COUNT says the portal runs behind that many proxies of its own. (The limits
themselves: test_registration_*.py.)"""

import pytest

from services.views import catalogue as catalogue_views

BALANCER = "10.0.0.1"


@pytest.fixture
def url(world, monkeypatch):
    monkeypatch.setattr(catalogue_views, "PUBLIC_LIMIT_PER_IP", 3)
    return f"/sessions/{world['session_public']}/register/"


def _register(client, url, n: int, **headers) -> int:
    return client.post(url, {"name": "N", "email": f"n{n}@example.ma"}, **headers).status_code


def test_a_spoofed_x_forwarded_for_does_not_escape_the_limit(client, url, settings):
    assert settings.ALLAUTH_TRUSTED_PROXY_COUNT == 0
    for n in range(3):
        assert _register(client, url, n, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}") == 302
    assert _register(client, url, 3, HTTP_X_FORWARDED_FOR="203.0.113.99") == 429


def test_behind_the_balancer_each_client_has_its_own_limit(client, url, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    for n in range(3):
        assert _register(client, url, n, REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR="203.0.113.7") == 302
    # The same client, whatever it writes in front of what the balancer adds.
    assert _register(client, url, 3, REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7") == 429
    # Another client through the same balancer.
    assert _register(client, url, 4, REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR="203.0.113.8") == 302

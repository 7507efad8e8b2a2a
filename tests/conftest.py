"""Shared fixtures: the personas of the isolation matrix on two sites.

- site A and site B, both operational;
- `manager_a` works at A, `manager_b` at B; `founder_a` is a founder (admitted at A once
  the startups issue lands); `staff` is head office; `outsider` is a signed-in user with no
  role anywhere; `anonymous` is nobody.
"""

import pytest
from django.core.cache import cache
from django_scopes import scopes_disabled

from accounts.models import Role
from technopark.celery import app as celery_app

from .factories import SiteFactory, SiteMembershipFactory, UserFactory

PERSONAS = ["anonymous", "outsider", "founder_a", "manager_a", "manager_b", "staff"]


@pytest.fixture(autouse=True, scope="session")
def _celery_eager():
    """Unit tests run tasks in-process; worker behaviour is tested with a real worker."""
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # PBKDF2 is slow on purpose; tests hash hundreds of passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate limits live in the cache (Redis on CI): every test starts from zero.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def unscoped():
    """For test set-up and assertions only: the views under test stay scoped."""
    with scopes_disabled():
        yield


@pytest.fixture
def site_a(db):
    return SiteFactory(slug="site-a")


@pytest.fixture
def site_b(db):
    return SiteFactory(slug="site-b", region__code="MA-04")


@pytest.fixture
def manager_a(site_a):
    with scopes_disabled():
        return SiteMembershipFactory(site=site_a, user__email="manager.a@example.ma").user


@pytest.fixture
def manager_b(site_b):
    with scopes_disabled():
        return SiteMembershipFactory(site=site_b, user__email="manager.b@example.ma").user


@pytest.fixture
def founder_a(site_a):
    return UserFactory(email="founder.a@example.ma", role=Role.FOUNDER)


@pytest.fixture
def staff(db):
    return UserFactory(email="staff@example.ma", role=Role.HEAD_OFFICE, is_staff=True, is_superuser=True)


@pytest.fixture
def outsider(db):
    return UserFactory(email="outsider@example.ma", role=Role.FOUNDER)


@pytest.fixture
def personas(site_a, site_b, manager_a, manager_b, founder_a, staff, outsider):
    return {
        "anonymous": None,
        "outsider": outsider,
        "founder_a": founder_a,
        "manager_a": manager_a,
        "manager_b": manager_b,
        "staff": staff,
    }


@pytest.fixture
def client_for(client, personas):
    """`client_for("manager_a")` → the test client signed in as that persona."""

    def _client(persona: str):
        client.logout()
        if personas[persona] is not None:
            client.force_login(personas[persona])
        return client

    return _client

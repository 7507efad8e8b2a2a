"""Shared fixtures: the personas of the isolation matrix on two sites.

- site A and site B, both operational;
- `manager_a` works at A, `manager_b` at B; `founder_a` is a founder (admitted at A once
  the startups issue lands); `staff` is head office; `outsider` is a signed-in user with no
  role anywhere; `anonymous` is nobody.
- `committee_a` and `team_a` are members of site A with the read-only roles (committee:
  reads and reviews the applications assigned to them; team: reads). They are not in
  `personas` (ROLE_PERSONAS: `client_for` signs them in on demand).
"""

import copy
import datetime
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings
from django.utils import translation
from django_scopes import scopes_disabled

from accounts.models import Role
from technopark.celery import app as celery_app

from .factories import SiteFactory, SiteMembershipFactory, UserFactory

# The smallest valid PNG: a 1×1 transparent pixel.
PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)

PERSONAS = ["anonymous", "outsider", "founder_a", "manager_a", "manager_b", "staff"]
ROLE_PERSONAS = ["committee_a", "team_a"]  # site A's read-only roles (fixtures of the same names)


def worker_redis_url(url: str, worker: str) -> str:
    """`redis://host:6379/1` for xdist worker "gw2" → `redis://host:6379/3` (modulo Redis' 16)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    database = (int(parts.path.strip("/") or 0) + int(worker.removeprefix("gw"))) % 16
    return urlunsplit(parts._replace(path=f"/{database}"))


def _redis_per_xdist_worker() -> None:
    """Under pytest-xdist (`make test` runs `-n 2`) each worker gets its own test database
    from pytest-django, but REDIS_URL names one Redis database for all: `_fresh_cache`'s
    cache.clear() (FLUSHDB) would wipe the other worker's sessions and rate limits. Worker
    gwN uses REDIS_URL's database number + N instead, for the cache, the sessions and the
    broker, in this process and in the processes its tests start (os.environ)."""
    worker, url = os.environ.get("PYTEST_XDIST_WORKER", ""), os.environ.get("REDIS_URL", "")
    if not worker.startswith("gw") or not url:
        return
    from django.test import override_settings

    from core.cache import redis_caches

    worker_url = worker_redis_url(url, worker)
    overrides = {"REDIS_URL": worker_url, "CACHES": {**django_settings.CACHES, **redis_caches(worker_url)}}
    if url == django_settings.CELERY_BROKER_URL:  # not a broker of its own (CELERY_BROKER_URL)
        overrides["CELERY_BROKER_URL"] = worker_url
        celery_app.conf.broker_url = worker_url
    override_settings(**overrides).enable()  # for the whole worker process; resets the cache handlers
    os.environ["REDIS_URL"], os.environ["PYTEST_REDIS_URL"] = worker_url, url


_redis_per_xdist_worker()


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
def _media_root(settings, tmp_path, request):
    # Uploaded files (logos, pitch decks) land in a per-test folder, never in the project;
    # in a module sharing the world, in the module's folder that holds the world's files.
    shared = _shared(request)
    settings.MEDIA_ROOT = shared.media if shared else tmp_path / "media"


@pytest.fixture(autouse=True)
def _default_language():
    # A request made by the test client leaves its language active in the test's thread:
    # every test starts in the portal's default language, whatever ran before it.
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate limits live in the cache (Redis on CI): every test starts from zero.
    cache.clear()
    yield
    cache.clear()


@dataclass(frozen=True)
class SharedWorld:
    personas: dict
    world: dict
    media: Path


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The personas and the `world` built once for a whole module, which opts in with
    `pytestmark = pytest.mark.usefixtures("shared_world")`: each of its tests then runs in
    a savepoint rolled back after it, as with Django's `TestCase.setUpTestData`, and gets
    its own copies of the persona objects. For modules of many tests that only use the
    world (the isolation matrix: 2,500 of them), whose building was most of the suite's
    time. Every test of such a module sees the world, whether it asks for it or not."""
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
            with override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=fast), scopes_disabled():
                site_a, site_b = make_site_a(), make_site_b()
                people = {
                    "site_a": site_a,
                    "site_b": site_b,
                    "manager_a": make_manager(site_a, "manager.a@example.ma"),
                    "manager_b": make_manager(site_b, "manager.b@example.ma"),
                    "founder_a": make_founder_a(),
                    "staff": make_staff(),
                    "outsider": make_outsider(),
                }
                world = build_world(**{name: row for name, row in people.items() if name != "outsider"})
            yield SharedWorld(people, world, media)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _shared(request) -> SharedWorld | None:
    return request.getfixturevalue("shared_world") if "shared_world" in request.fixturenames else None


def _shared_or_new(request, name: str, make):
    """A persona: a copy of the module's shared one (a test may change its object freely),
    or a new row."""
    shared = _shared(request)
    return copy.deepcopy(shared.personas[name]) if shared else make()


@pytest.fixture
def unscoped():
    """For test set-up and assertions only: the views under test stay scoped."""
    with scopes_disabled():
        yield


def make_site_a():
    return SiteFactory(slug="site-a")


def make_site_b():
    return SiteFactory(slug="site-b", region__code="MA-04")


def make_manager(site, email: str):
    with scopes_disabled():
        return SiteMembershipFactory(site=site, user__email=email).user


def make_founder_a():
    return UserFactory(email="founder.a@example.ma", role=Role.FOUNDER)


def make_staff():
    return UserFactory(email="staff@example.ma", role=Role.HEAD_OFFICE, is_staff=True, is_superuser=True)


def make_outsider():
    return UserFactory(email="outsider@example.ma", role=Role.FOUNDER)


@pytest.fixture
def site_a(request, db):
    return _shared_or_new(request, "site_a", make_site_a)


@pytest.fixture
def site_b(request, db):
    return _shared_or_new(request, "site_b", make_site_b)


@pytest.fixture
def manager_a(request, site_a):
    return _shared_or_new(request, "manager_a", lambda: make_manager(site_a, "manager.a@example.ma"))


@pytest.fixture
def manager_b(request, site_b):
    return _shared_or_new(request, "manager_b", lambda: make_manager(site_b, "manager.b@example.ma"))


@pytest.fixture
def committee_a(site_a):
    from sites.models import MembershipRole

    with scopes_disabled():
        return SiteMembershipFactory(
            site=site_a, role=MembershipRole.COMMITTEE, user__email="committee.a@example.ma"
        ).user


@pytest.fixture
def team_a(site_a):
    from sites.models import MembershipRole

    with scopes_disabled():
        return SiteMembershipFactory(site=site_a, role=MembershipRole.TEAM, user__email="team.a@example.ma").user


@pytest.fixture
def founder_a(request, site_a):
    return _shared_or_new(request, "founder_a", make_founder_a)


@pytest.fixture
def staff(request, db):
    return _shared_or_new(request, "staff", make_staff)


@pytest.fixture
def outsider(request, db):
    return _shared_or_new(request, "outsider", make_outsider)


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
def client_for(client, personas, request):
    """`client_for("manager_a")` → the test client signed in as that persona (one of
    PERSONAS or ROLE_PERSONAS)."""

    def _client(persona: str):
        language = client.cookies.get("django_language")
        client.logout()  # this also drops the cookies: keep the chosen language
        if language is not None:
            client.cookies["django_language"] = language.value
        user = request.getfixturevalue(persona) if persona in ROLE_PERSONAS else personas[persona]
        if user is not None:
            client.force_login(user)
        return client

    return _client


@pytest.fixture
def world(request, personas, site_a, site_b, founder_a, manager_a, manager_b, staff):
    """One of everything, on both sites, for the isolation matrix and workflow tests:
    founder_a's startup is a resident of site A with an office; another startup is at B.
    Returns the ids that route URLs are filled with (`{startup_a}`, `{application_a}`…)."""
    shared = _shared(request)
    if shared:
        return dict(shared.world)
    with scopes_disabled():
        return build_world(
            site_a=site_a, site_b=site_b, founder_a=founder_a, manager_a=manager_a, manager_b=manager_b, staff=staff
        )


def build_world(*, site_a, site_b, founder_a, manager_a, manager_b, staff) -> dict:
    """The `world` fixture's rows (call with scopes disabled)."""
    from django.core.files.base import ContentFile

    from startups.check_in_links import check_in_token
    from startups.models import Criterion, Review, StartupInvitation

    from .billing.world import invoice_world
    from .factories import (
        AdmissionFactory,
        ApplicationFactory,
        CallFactory,
        DeclarationFactory,
        OfficeFactory,
        StartupFactory,
        StartupMemberFactory,
    )
    from .passport.world import credential_world
    from .spaces.world import room_world
    from .surveys.world import survey_world

    startup_a = StartupFactory(legal_name="Atlas Data SARL", brand_name="Atlas Data")
    startup_a.logo.save("atlas.png", ContentFile(PNG_1X1))
    StartupMemberFactory(startup=startup_a, user=founder_a)
    member_a = StartupMemberFactory(startup=startup_a, role="member", user__email="teammate.a@example.ma")
    startup_b = StartupFactory(legal_name="Souss Agri SARL", brand_name="Souss Agri")
    call_a = CallFactory(site=site_a, title="Résidence Casablanca 2026")
    call_b = CallFactory(site=site_b, title="Résidence Rabat 2026")
    call_network = CallFactory(site=None, kind="e-technopark", title="e-Technopark 2026")
    application_a = ApplicationFactory(call=call_a, startup=startup_a)
    application_a.pitch_deck.save("deck.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    application_b = ApplicationFactory(call=call_b, startup=startup_b)
    review_a = Review.objects.create(application=application_a, site=site_a, reviewer=manager_a)
    admission_a = AdmissionFactory(startup=startup_a, site=site_a)
    admission_b = AdmissionFactory(startup=startup_b, site=site_b)
    office_a = OfficeFactory(site=site_a, number="A-101")
    office_b = OfficeFactory(site=site_b, number="B-101")
    from startups.models import OfficeAllocation

    allocation_a = OfficeAllocation.objects.create(
        office=office_a, admission=admission_a, site=site_a, starts_on=admission_a.starts_on
    )
    declaration_a = DeclarationFactory(startup=startup_a, fiscal_year=2024)
    declaration_b = DeclarationFactory(startup=startup_b, fiscal_year=2024)
    invitation = StartupInvitation.objects.create(startup=startup_a, email="new.member@example.ma")
    membership = manager_a.site_memberships.get()

    # Services: a training at each site, an e-Technopark seminar, a public conference.
    from services.models import IncubatedStartup, ProgrammeParticipant

    from .factories import (
        IncubatorFactory,
        PartnerFactory,
        ProgrammeFactory,
        RegistrationFactory,
        ServiceFactory,
        ServiceSessionFactory,
    )

    partner = PartnerFactory(name="Banque Atlas")
    service_a = ServiceFactory(site=site_a, title="Pitch training A", dimension="financing")
    service_b = ServiceFactory(site=site_b, title="Export clinic B", dimension="market")
    service_network = ServiceFactory(
        site=None, title="Live seminar e-Technopark", format="live_stream", service_type="seminar"
    )
    service_public = ServiceFactory(
        site=site_a,
        title="Immersion day A",
        service_type="immersion_day",
        eligibility="public",
        dimension="networking",
    )
    session_a = ServiceSessionFactory(service=service_a, join_url="https://meet.example.ma/a")
    session_b = ServiceSessionFactory(service=service_b)
    session_network = ServiceSessionFactory(service=service_network, join_url="https://stream.example.ma/live")
    session_public = ServiceSessionFactory(service=service_public, seats=100)
    registration_a = RegistrationFactory(
        session=session_a, user=founder_a, startup=startup_a, name="Founder A", email=founder_a.email
    )
    registration_b = RegistrationFactory(session=session_b, startup=startup_b)
    registration_public = RegistrationFactory(session=session_public, name="Visitor", email="visitor@example.ma")
    programme_a = ProgrammeFactory(site=site_a, title="Accélération A")
    programme_a.partners.add(partner)
    programme_a.services.add(service_a)
    ProgrammeParticipant.objects.create(programme=programme_a, site=site_a, startup=startup_a)
    programme_b = ProgrammeFactory(site=site_b, title="Accélération B")
    incubator_a = IncubatorFactory(slug="incubator-a", name="Incubateur A", affiliated_site=site_a)
    incubator_b = IncubatorFactory(slug="incubator-b", name="Incubateur B", affiliated_site=site_b)
    IncubatedStartup.objects.create(incubator=incubator_a, startup=startup_a, since=datetime.date(2024, 1, 1))

    # Mentors: a published one (video every day 08:00–20:00, in person at A on
    # Tuesdays), one awaiting approval at each site; bookings of both startups.
    from django.utils import timezone

    from .factories import BookingFactory, MentorProfileFactory, WeeklyRuleFactory

    mentor = MentorProfileFactory(user__email="mentor@example.ma", user__full_name="Nadia Mentor", sites=[site_a])
    for weekday in range(7):
        WeeklyRuleFactory(mentor=mentor, weekday=weekday, starts_at=datetime.time(8), ends_at=datetime.time(20))
    WeeklyRuleFactory(
        mentor=mentor,
        weekday=1,
        starts_at=datetime.time(20),
        ends_at=datetime.time(22),
        mode="in_person",
        meeting_site=site_a,
    )
    mentor_pending_a = MentorProfileFactory(status="pending", sites=[site_a], user__email="pending.a@example.ma")
    mentor_pending_b = MentorProfileFactory(status="pending", sites=[site_b], user__email="pending.b@example.ma")
    # In three days at 10:00, inside the mentor's 08:00–20:00 hours whatever the time now.
    upcoming = (timezone.localtime() + datetime.timedelta(days=3)).replace(hour=10, minute=0, second=0, microsecond=0)
    booking_a = BookingFactory(mentor=mentor, startup=startup_a, site=site_a, booked_by=founder_a, starts_at=upcoming)
    booking_a_past = BookingFactory(
        mentor=mentor,
        startup=startup_a,
        site=site_a,
        booked_by=founder_a,
        starts_at=upcoming - datetime.timedelta(days=10),
        attendance="held",
        note="Revoir la valorisation avant le tour de table.",
    )
    booking_b = BookingFactory(
        mentor=mentor, startup=startup_b, site=site_b, starts_at=upcoming + datetime.timedelta(hours=2)
    )
    rooms = room_world(site_a=site_a, site_b=site_b, startup_a=startup_a, startup_b=startup_b, founder_a=founder_a)
    invoices = invoice_world(site_a=site_a, site_b=site_b, startup_a=startup_a, startup_b=startup_b, staff=staff)
    credentials = credential_world(admission_a=admission_a, admission_b=admission_b, founder_a=founder_a)
    surveys = survey_world(admission_a=admission_a, admission_b=admission_b, founder_a=founder_a)
    return {
        **rooms,
        **invoices,
        **credentials,
        **surveys,
        "membership": membership.pk,
        "startup_a": startup_a.pk,
        "member_a": member_a.pk,
        "startup_b": startup_b.pk,
        "call_a": call_a.pk,
        "call_b": call_b.pk,
        "call_network": call_network.pk,
        "application_a": application_a.pk,
        "application_b": application_b.pk,
        "review_a": review_a.pk,
        "criterion": Criterion.objects.first().pk,
        "admission_a": admission_a.pk,
        "admission_b": admission_b.pk,
        "office_a": office_a.pk,
        "office_b": office_b.pk,
        "allocation_a": allocation_a.pk,
        "declaration_a": declaration_a.pk,
        "declaration_b": declaration_b.pk,
        "invitation_token": invitation.token,
        # founder_a's one-click link to startup_a's check-in for last year (tests/startups/test_check_ins.py)
        "check_in_token": check_in_token(
            startup_id=startup_a.pk, fiscal_year=timezone.localdate().year - 1, user_id=founder_a.pk
        ),
        "partner": partner.pk,
        "service_a": service_a.pk,
        "service_b": service_b.pk,
        "service_network": service_network.pk,
        "service_public": service_public.pk,
        "session_a": session_a.pk,
        "session_b": session_b.pk,
        "session_network": session_network.pk,
        "session_public": session_public.pk,
        "registration_a": registration_a.pk,
        "registration_a_token": registration_a.token,
        "registration_b": registration_b.pk,
        "registration_public": registration_public.pk,
        "registration_public_token": registration_public.token,
        "programme_a": programme_a.pk,
        "programme_b": programme_b.pk,
        "incubator_a": incubator_a.pk,
        "incubator_b": incubator_b.pk,
        "calendar_token": founder_a.calendar_token,
        "mentor": mentor.pk,
        "mentor_user": mentor.user_id,
        "mentor_pending_a": mentor_pending_a.pk,
        "mentor_pending_b": mentor_pending_b.pk,
        "booking_a": booking_a.pk,
        "booking_a_past": booking_a_past.pk,
        "booking_b": booking_b.pk,
    }


@pytest.fixture
def api(client_for, world):
    """`api("manager_a")` → a client signed in as that persona, with the world in place
    (the API tests of every app)."""
    return client_for

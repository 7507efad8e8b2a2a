"""A founder's home leads their day (issue 18): each startup links to its team and its
yearly declarations and says when last year is still to declare; their next sessions and
mentoring sessions are there (panels the services and mentors apps register); the menu
offers the mentor agenda to mentors only."""

import datetime

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import Role
from tests.factories import (
    AdmissionFactory,
    BookingFactory,
    DeclarationFactory,
    RegistrationFactory,
    ServiceSessionFactory,
    StartupMemberFactory,
    UserFactory,
)

LAST_YEAR = timezone.localdate().year - 1


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"  # assertions read English
    return client


@pytest.fixture
def home(client, site_a, en):
    """A founder of a startup admitted at site A today, signed in; returns a page getter."""
    user = UserFactory(email="home.founder@example.ma", role=Role.FOUNDER)
    with scopes_disabled():
        member = StartupMemberFactory(user=user, startup__legal_name="Oasis Data SARL")
        AdmissionFactory(startup=member.startup, site=site_a, starts_on=datetime.date(2024, 1, 1))
    client.force_login(user)

    def page() -> str:
        response = client.get("/dashboard/")
        assert response.status_code == 200
        return response.content.decode()

    page.user, page.startup = user, member.startup
    return page


def test_each_startup_links_to_its_team_and_declarations_and_says_what_is_due(home, site_a):
    body = home()
    assert f'href="/startups/{home.startup.pk}/declarations/"' in body
    assert f'href="/startups/{home.startup.pk}/team/"' in body
    assert f"{LAST_YEAR} to declare" in body
    with scopes_disabled():
        DeclarationFactory(startup=home.startup, fiscal_year=LAST_YEAR)
    assert f"{LAST_YEAR} to declare" not in home()


def test_a_startup_not_followed_by_a_site_owes_no_declaration(client, db, en):
    user = UserFactory(role=Role.FOUNDER)
    with scopes_disabled():
        StartupMemberFactory(user=user)
    client.force_login(user)
    assert "to declare" not in client.get("/dashboard/").content.decode()


def test_the_next_sessions_and_mentoring_sessions_are_on_the_home(home, site_a):
    body = home()
    assert "You are not registered to any upcoming session." in body
    assert "No mentoring session is booked." in body
    with scopes_disabled():
        soon = ServiceSessionFactory(service__site=site_a, service__title="Pitch clinic")
        RegistrationFactory(session=soon, user=home.user, email=home.user.email)
        past = ServiceSessionFactory(
            service__site=site_a,
            service__title="Old workshop",
            starts_at=timezone.now() - datetime.timedelta(days=3),
        )
        RegistrationFactory(session=past, user=home.user, email=home.user.email)
        BookingFactory(startup=home.startup, site=site_a, mentor__user__full_name="Nadia Mentor")
    body = home()
    assert "Pitch clinic" in body and "Old workshop" not in body
    assert "Nadia Mentor" in body


def test_the_home_stays_constant_in_queries(home, site_a, django_assert_max_num_queries):
    home()
    with django_assert_max_num_queries(25) as first:
        home()
    with scopes_disabled():
        for index in range(6):
            session = ServiceSessionFactory(service__site=site_a, service__title=f"Session {index}")
            RegistrationFactory(session=session, user=home.user, email=home.user.email)
            BookingFactory(
                startup=home.startup,
                site=site_a,
                starts_at=timezone.now() + datetime.timedelta(days=index + 2),
                ends_at=timezone.now() + datetime.timedelta(days=index + 2, hours=1),
            )
    with django_assert_max_num_queries(len(first.captured_queries)):
        home()


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        (Role.FOUNDER, "Become a mentor or expert", "My mentor agenda"),
        (Role.MENTOR, "My mentor agenda", "Become a mentor or expert"),
    ],
)
def test_the_menu_offers_the_mentor_agenda_to_mentors_only(client, db, en, role, shown, hidden):
    client.force_login(UserFactory(role=role))
    body = client.get("/services/").content.decode()
    assert shown in body and hidden not in body

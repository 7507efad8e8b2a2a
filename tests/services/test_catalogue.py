"""The public catalogue and the service page: what is listed, search and filters, cards,
query counts, eligibility explanations and the join link's visibility."""

import datetime
import re

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from services.models import Registration, RegistrationStatus, ServiceSession
from sites.models import Language
from tests.factories import (
    AdmissionFactory,
    PartnerFactory,
    RegistrationFactory,
    ServiceFactory,
    ServiceSessionFactory,
    SiteFactory,
    StartupFactory,
    StartupMemberFactory,
)
from tests.querycount import settle

# Every test here uses the world: built once for the module (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


def _titles(response) -> list[str]:
    return [service.title for service in response.context["page"].object_list]


# --- What the catalogue lists -------------------------------------------------------------
def test_anonymous_sees_every_published_service_of_the_network(en, world):
    with scopes_disabled():
        ServiceFactory(site=None, title="Hidden draft", is_published=False)
    response = en.get("/services/")
    assert response.status_code == 200
    titles = _titles(response)
    assert set(titles) == {"Pitch training A", "Export clinic B", "Live seminar e-Technopark", "Immersion day A"}
    assert "Hidden draft" not in response.content.decode()


def test_a_site_manager_also_sees_other_sites_and_the_network(client_for, world):
    titles = _titles(client_for("manager_b").get("/services/"))
    assert {"Pitch training A", "Live seminar e-Technopark"} <= set(titles)


def test_cards_show_dimension_type_format_owner_languages_next_session_and_seats(en, world, unscoped):
    session = ServiceSession.objects.get(pk=world["session_a"])
    session.seats = 3
    session.save()
    service = session.service
    service.languages.set(Language.objects.filter(code__in=["fr", "ar"]))
    RegistrationFactory(session=session)  # founder_a's + this one: 1 seat left
    page = en.get("/services/").content.decode()
    card = page[page.index(f'id="service-{service.pk}-title"') - 600 :]
    card = card[: card.index("</article>")]
    assert "Access to financing" in card and "Training" in card and "On site" in card
    assert "Technopark site-a" in card
    assert "French" in card and "Arabic" in card
    assert timezone.localtime(session.starts_at).strftime("%Y") in card
    assert "1 seat left" in card
    network_card = page[page.index("Live seminar e-Technopark") :]
    assert "e-Technopark (network)" in network_card[: network_card.index("</article>")]


def test_a_full_next_session_says_so_and_services_without_session_come_last(en, world, unscoped):
    session = ServiceSession.objects.get(pk=world["session_a"])
    session.seats = 1
    session.save()
    ServiceFactory(site=None, title="AAA no session yet")
    response = en.get("/services/")
    titles = _titles(response)
    assert titles[-1] == "AAA no session yet"
    assert "Full: waitlist open" in response.content.decode()
    assert "No session scheduled yet" in response.content.decode()


def test_past_and_cancelled_sessions_are_not_the_next_one(en, world, unscoped):
    service = ServiceFactory(site=None, title="Only past")
    past = timezone.now() - datetime.timedelta(days=3)
    ServiceSessionFactory(service=service, starts_at=past, registration_deadline=past)
    ServiceSessionFactory(service=service, status="cancelled")
    response = en.get("/services/?q=Only+past")
    [card] = response.context["page"].object_list
    assert card.next_starts_at is None


# --- Search and filters -------------------------------------------------------------------
@pytest.fixture
def filters_world(world, unscoped):
    now = timezone.now()
    english = Language.objects.get(code="en")
    hybrid = ServiceFactory(
        site=None, title="Hybrid growth bootcamp", summary="Scale your sales", format="hybrid", dimension="market"
    )
    hybrid.languages.set([english])
    ServiceSessionFactory(service=hybrid, starts_at=now + datetime.timedelta(days=40))
    coaching = ServiceFactory(
        site=SiteFactory(slug="site-c"),
        title="Investor coaching",
        summary="Meet business angels",
        service_type="coaching",
        dimension="financing",
    )
    ServiceSessionFactory(service=coaching, starts_at=now + datetime.timedelta(days=3))
    return {"hybrid": hybrid, "coaching": coaching}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=bootcamp", {"Hybrid growth bootcamp"}),
        ("q=business+angels", {"Investor coaching"}),  # the summary is searched too
        ("q=PITCH", {"Pitch training A"}),
        ("dimension=market", {"Hybrid growth bootcamp", "Export clinic B"}),
        ("dimension=financing", {"Pitch training A", "Investor coaching"}),
        ("site=network", {"Hybrid growth bootcamp", "Live seminar e-Technopark"}),
        ("site=site-b", {"Export clinic B"}),
        ("format=hybrid", {"Hybrid growth bootcamp"}),
        ("format=live_stream", {"Live seminar e-Technopark"}),
        ("language=en", {"Hybrid growth bootcamp"}),
        ("type=coaching", {"Investor coaching"}),
        ("type=immersion_day", {"Immersion day A"}),
        ("dimension=financing&site=site-c", {"Investor coaching"}),
    ],
)
def test_search_and_filters(en, filters_world, query, expected):
    assert set(_titles(en.get(f"/services/?{query}"))) == expected


def test_date_range_keeps_services_with_a_scheduled_session_in_it(en, filters_world):
    today = timezone.localdate()
    start, end = today + datetime.timedelta(days=30), today + datetime.timedelta(days=50)
    assert set(_titles(en.get(f"/services/?date_from={start}&date_to={end}"))) == {"Hybrid growth bootcamp"}
    # The world's sessions are a week away; the coaching one three days.
    soon = _titles(en.get(f"/services/?date_to={today + datetime.timedelta(days=4)}"))
    assert soon == ["Investor coaching"]
    assert len(_titles(en.get(f"/services/?date_from={today}"))) == 6


def test_the_date_bounds_are_local_days(en, world, unscoped):
    """A session at 23:30 in Casablanca on day D is on day D, whatever its UTC date."""
    day = timezone.localdate() + datetime.timedelta(days=20)
    late = timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 30)))
    ServiceSessionFactory(service=ServiceFactory(site=None, title="Late night hackathon"), starts_at=late)
    assert _titles(en.get(f"/services/?date_from={day}&date_to={day}")) == ["Late night hackathon"]
    next_day = day + datetime.timedelta(days=1)
    assert _titles(en.get(f"/services/?date_from={next_day}&date_to={next_day}")) == []


@pytest.mark.parametrize(
    "query",
    [
        "dimension=nope",
        "site=no-such-site",
        "format=%00",
        "language=xx",
        "date_from=not-a-date",
        "date_to=2025-13-45",
        "page=999",
        "page=abc",
        "q=" + "x" * 500,
        "type[]=1",
        "q=%00",
        "q=a%00b&site=%00&date_from=%00",
    ],
)
def test_bad_filters_are_ignored_not_errors(en, world, query):
    response = en.get(f"/services/?{query}")
    assert response.status_code == 200


def test_empty_result_explains(en, world):
    response = en.get("/services/?q=nothing-matches-this")
    assert "No service matches these filters" in response.content.decode()


def test_pagination(en, world, unscoped):
    for index in range(30):
        ServiceFactory(site=None, title=f"Extra service {index:02d}")
    first = en.get("/services/")
    assert len(first.context["page"].object_list) == 24
    second = en.get("/services/?page=2")
    assert len(second.context["page"].object_list) == 34 - 24
    assert "Page 2 of 2" in second.content.decode()


def _services_with_sessions(count: int, site) -> None:
    partner = PartnerFactory()
    with scopes_disabled():
        for index in range(count):
            service = ServiceFactory(
                site=site if index % 2 else None,
                title=f"Bulk {index:02d}",
                provider_kind="partner",
                partner=partner,
                languages=list(Language.objects.all()),
            )
            session = ServiceSessionFactory(service=service)
            RegistrationFactory(session=session)


@pytest.mark.parametrize("persona", ["anonymous", "founder_a"])
def test_the_catalogue_is_O1_in_queries(client_for, world, site_a, persona, django_assert_max_num_queries):
    client = client_for(persona)
    settle(client)
    with django_assert_max_num_queries(12) as few:
        assert client.get("/services/").status_code == 200
    _services_with_sessions(30, site_a)
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        response = client.get("/services/?language=fr")
        assert response.status_code == 200
    assert len(response.context["page"].object_list) == 24
    assert len(many.captured_queries) == len(few.captured_queries)


# --- Languages ------------------------------------------------------------------------------
@pytest.mark.parametrize(("language", "direction"), [("fr", "ltr"), ("ar", "rtl"), ("en", "ltr")])
def test_the_catalogue_speaks_three_languages_with_localized_dates(client, world, language, direction, unscoped):
    from django.utils import formats, translation
    from django.utils.html import escape

    starts_at = ServiceSession.objects.get(pk=world["session_a"]).starts_at
    client.cookies["django_language"] = language
    response = client.get("/services/")
    page = response.content.decode()
    assert response.status_code == 200
    assert f'lang="{language}" dir="{direction}"' in page
    with translation.override(language):
        expected = escape(formats.date_format(timezone.localtime(starts_at), "DATETIME_FORMAT"))
    assert expected in page  # the next session's date, in the visitor's language and time zone


# --- Service page ---------------------------------------------------------------------------
def test_service_page_shows_provider_eligibility_and_sessions(en, world, unscoped):
    service = ServiceFactory(
        site=None, title="Term sheets 101", provider_kind="partner", partner=PartnerFactory(name="Fonds Atlas")
    )
    ServiceSessionFactory(service=service, seats=5, location="Online")
    page = en.get(f"/services/{service.pk}/").content.decode()
    assert "Term sheets 101" in page and "Fonds Atlas" in page
    assert "Any admitted startup" in page
    assert "5 seats left" in page


def test_expert_and_site_team_providers(en, world, unscoped):
    expert = ServiceFactory(site=None, provider_kind="expert", expert_name="Dr. Salma Benali")
    assert "Dr. Salma Benali" in en.get(f"/services/{expert.pk}/").content.decode()
    assert "The team of Technopark site-a" in en.get(f"/services/{world['service_a']}/").content.decode()


@pytest.mark.parametrize("pk", ["999999", "{unpublished}"])
def test_missing_or_unpublished_service_is_404(en, world, unscoped, pk):
    unpublished = ServiceFactory(site=None, is_published=False)
    assert en.get(f"/services/{pk.format(unpublished=unpublished.pk)}/").status_code == 404


def test_anonymous_is_invited_to_sign_in(en, world):
    page = en.get(f"/services/{world['service_a']}/").content.decode()
    assert "Sign in with your account to register" in page
    assert f"/accounts/login/?next=/services/{world['service_a']}/" in page


def test_signed_in_without_admitted_startup_is_told_to_apply(client_for, world):
    client = client_for("outsider")
    client.cookies["django_language"] = "en"
    page = client.get(f"/services/{world['service_network']}/").content.decode()
    assert "None of your startups is admitted yet" in page
    assert 'action="/sessions/' not in page


def test_residents_only_service_explains(client_for, world, unscoped):
    service = ServiceFactory(site=SiteFactory(slug="site-c"), eligibility="site_residents", title="Residents' lab")
    ServiceSessionFactory(service=service)
    client = client_for("founder_a")
    client.cookies["django_language"] = "en"
    page = client.get(f"/services/{service.pk}/").content.decode()
    assert "reserved for the resident startups of Technopark site-c" in page


def test_an_eligible_member_gets_one_register_button_per_open_session(client_for, world, unscoped):
    service = ServiceFactory(site=None)
    open_session = ServiceSessionFactory(service=service)
    soon = timezone.now() + datetime.timedelta(hours=3)
    closed = ServiceSessionFactory(
        service=service, starts_at=soon, registration_deadline=soon - datetime.timedelta(hours=4)
    )
    client = client_for("founder_a")
    client.cookies["django_language"] = "en"
    page = client.get(f"/services/{service.pk}/").content.decode()
    assert f'action="/sessions/{open_session.pk}/register/"' in page
    assert f'action="/sessions/{closed.pk}/register/"' not in page
    assert "Registration closed" in page


def test_a_member_of_several_eligible_startups_chooses(client_for, world, founder_a, site_b, unscoped):
    second = StartupFactory(brand_name="Second Co")
    StartupMemberFactory(startup=second, user=founder_a)
    AdmissionFactory(startup=second, site=site_b, kind="e-technopark")
    client = client_for("founder_a")
    page = client.get(f"/services/{world['service_network']}/").content.decode()
    assert re.search(r'<select name="startup"[^>]*id="id_session\d+_startup"', page)
    assert "Second Co" in page and "Atlas Data" in page


# --- The join link ---------------------------------------------------------------------------
JOIN = "https://meet.example.ma/a"


@pytest.mark.parametrize(
    ("who", "status", "visible"),
    [
        ("anonymous", None, False),
        ("manager_a", None, False),
        ("staff", None, False),
        ("founder_a", RegistrationStatus.CONFIRMED, True),
        ("founder_a", RegistrationStatus.WAITLISTED, False),
        ("founder_a", RegistrationStatus.CANCELLED, False),
    ],
)
def test_the_join_link_is_for_confirmed_participants_only(client_for, world, who, status, visible, unscoped):
    if status is not None:
        Registration.objects.filter(pk=world["registration_a"]).update(status=status)
    client = client_for(who)
    assert JOIN not in client.get("/services/").content.decode()  # never on the public list
    for url in (f"/services/{world['service_a']}/", "/me/registrations/"):
        response = client.get(url)
        if response.status_code == 302:  # anonymous on "my registrations"
            continue
        assert (JOIN in response.content.decode()) is visible, url


def test_a_teammate_not_registered_does_not_see_the_link(client, world, unscoped):
    from startups.models import StartupMember

    teammate = StartupMember.objects.get(pk=world["member_a"]).user
    client.force_login(teammate)
    page = client.get(f"/services/{world['service_a']}/").content.decode()
    assert JOIN not in page
    assert f'action="/sessions/{world["session_a"]}/register/"' in page


def test_the_service_page_is_O1_in_sessions(
    client_for, world, founder_a, site_b, django_assert_max_num_queries, unscoped
):
    second = StartupFactory(brand_name="Second Co")
    StartupMemberFactory(startup=second, user=founder_a)
    AdmissionFactory(startup=second, site=site_b, kind="e-technopark")
    service = ServiceFactory(site=None, title="Many sessions")
    ServiceSessionFactory(service=service)
    client = client_for("founder_a")
    with django_assert_max_num_queries(20) as few:
        assert client.get(f"/services/{service.pk}/").status_code == 200
    for _ in range(15):
        RegistrationFactory(session=ServiceSessionFactory(service=service), user=founder_a, email=founder_a.email)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(f"/services/{service.pk}/").content.decode()
    assert page.count("Second Co") == 1  # the one session without a registration offers the choice


# --- The cached list ----------------------------------------------------------------------
def test_the_list_is_cached_for_anonymous_visitors_only(en, world, client_for, django_assert_max_num_queries):
    first = en.get("/services/?dimension=financing").content.decode()
    with scopes_disabled():
        ServiceFactory(site=None, title="Added since", dimension="financing")
    with django_assert_max_num_queries(0):  # no session, no query: the fragment as it was
        again = en.get("/services/?dimension=financing").content.decode()
    assert "Added since" not in again and again.count("<article") == first.count("<article")
    assert "Added since" in en.get("/services/?dimension=financing&q=").content.decode()  # another URL
    signed_in = client_for("manager_b")
    signed_in.cookies["django_language"] = "en"
    assert "Added since" in signed_in.get("/services/?dimension=financing").content.decode()  # never cached


def test_without_the_cache_the_list_is_always_fresh(en, world, settings):
    settings.CATALOGUE_CACHE_SECONDS = 0
    en.get("/services/")
    with scopes_disabled():
        ServiceFactory(site=None, title="Added since")
    assert "Added since" in en.get("/services/").content.decode()

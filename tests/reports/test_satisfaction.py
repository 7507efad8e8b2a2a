"""Satisfaction on the dashboards and in the board report (reports/satisfaction.py,
reports/board/satisfaction.py): the yearly survey's NPS per site and year, the ratings per
service and of mentoring, a site's latest comments for its managers only; each site's staff
see their own site's answers only, by any page or export; a bounded number of queries.

The dataset (`satisfaction_data`), 2026 (figures worked out by hand):
- survey, site A: five asked, four answered 10, 9, 7, 2 → 2 promoters, 1 passive, 1
  detractor, NPS (2 − 1) / 4 = +25, response 80 %; site B: two asked, both answered 0 and 6
  → NPS −100; the network: 7 asked, 6 answers, 2 promoters, 3 detractors → NPS −17 (−16.7).
- sessions held in June 2026: "Pitch A" (site A) rated 5 and 4 → 4.5 (a cancelled seat rated 1
  and a session of 2025 rated 1 do not count); "Export B" (site B) rated 2; "Live e-Technopark"
  (the network's) rated 3.
- mentoring in June 2026: site A rated 5, 4, 4 → 4.3; site B rated 1."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from openpyxl import load_workbook

from reports.board.content import board_content
from reports.board.pdf import pdf_context
from reports.board.xlsx import render_xlsx
from reports.kpis import KpiScope
from reports.satisfaction import satisfaction
from tests.factories import (
    BookingFactory,
    MentorProfileFactory,
    RegistrationFactory,
    ServiceFactory,
    ServiceSessionFactory,
)
from tests.surveys.survey_setup import answer, founded_startup, invite

pytestmark = pytest.mark.django_db

JUNE = datetime.datetime(2026, 6, 10, 9, tzinfo=datetime.UTC)
OCTOBER = datetime.datetime(2026, 10, 15, 9, tzinfo=datetime.UTC)
FILTERS = {"as_of": "2026-11-30", "date_from": "2026-01-01", "date_to": "2026-11-30"}
SITE_A = "/manage/site-a/dashboard/"
NETWORK = "/network/dashboard/"


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    translation.activate("en")


def _rated_session(service, ratings, *, when=JUNE, status="confirmed"):
    session = ServiceSessionFactory(service=service, starts_at=when, status="held")
    for rating in ratings:
        RegistrationFactory(session=session, rating=rating, status=status)


@pytest.fixture
def satisfaction_data(site_a, site_b, unscoped):
    for index, score in enumerate([10, 9, 7, 2, None]):
        startup, _user = founded_startup(site_a, name=f"A{index}")
        invitation = invite(startup, site_a, year=2026)
        if score is not None:
            answer(invitation, score, comment=f"Avis de A{index}", when=OCTOBER, to_improve="Le parking")
    for index, score in enumerate([0, 6]):
        startup, _user = founded_startup(site_b, name=f"B{index}")
        answer(invite(startup, site_b, year=2026), score, comment="Secret du site B", when=OCTOBER)
    pitch = ServiceFactory(site=site_a, title="Pitch A")
    _rated_session(pitch, [5, 4])
    _rated_session(pitch, [1], status="cancelled")
    _rated_session(pitch, [1], when=JUNE.replace(year=2025))
    _rated_session(ServiceFactory(site=site_b, title="Export B"), [2])
    _rated_session(ServiceFactory(site=None, title="Live e-Technopark", format="live_stream"), [3])
    mentor = MentorProfileFactory(sites=[site_a, site_b])
    for hours, (site, rating) in enumerate([(site_a, 5), (site_a, 4), (site_a, 4), (site_b, 1)]):
        startup, _user = founded_startup(site, name=f"M{hours}")
        BookingFactory(
            mentor=mentor, startup=startup, site=site, starts_at=JUNE + datetime.timedelta(hours=hours), rating=rating
        )


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(_body(response).decode("utf-8-sig")), delimiter=";"))


def _get(client_for, persona, url, params=None):
    return client_for(persona).get(url, params or FILTERS)


# --- Figures ---------------------------------------------------------------------------------
def test_the_figures_of_a_site_and_of_the_network(satisfaction_data, site_a, site_b):
    period = {"date_from": datetime.date(2026, 1, 1), "date_to": datetime.date(2026, 11, 30)}
    with CaptureQueriesContext(connection) as queries:
        site = satisfaction(KpiScope("site", "site-a", (site_a.pk,)), **period)
    assert len(queries) == 4  # the NPS, the ratings per service, their services, the mentoring
    [nps] = site.nps
    assert (nps.invited, nps.answers, nps.promoters, nps.passives, nps.detractors, nps.nps) == (5, 4, 2, 1, 1, 25)
    assert [(rating.subject, rating.ratings, str(rating.average)) for rating in site.services] == [
        ("Pitch A", 2, "4.5")
    ]
    assert [(rating.site_id, rating.ratings, str(rating.average)) for rating in site.mentoring] == [
        (site_a.pk, 3, "4.3")
    ]

    network = satisfaction(KpiScope("network", "", None), **period)
    total = network.nps_rows(total_label="Network")[-1]
    assert (total.site_name, total.invited, total.answers, total.nps) == ("Network", 7, 6, -17)
    assert {rating.subject for rating in network.services} == {"Pitch A", "Export B", "Live e-Technopark"}
    # A region without the network's own e-Technopark services, nor other sites'.
    region = satisfaction(KpiScope("region", "x", (site_b.pk,)), **period)
    assert [rating.subject for rating in region.services] == ["Export B"]
    assert [row.nps for row in region.nps] == [-100]


# --- Dashboards -------------------------------------------------------------------------------
def test_the_site_dashboard_shows_its_nps_ratings_and_comments(english, satisfaction_data, client_for):
    response = _get(client_for, "manager_a", SITE_A)
    assert response.status_code == 200
    tables = response.context["sections"]["tables"]
    [row] = tables["satisfaction"].rows
    assert row[1:4] == [2026, 5, 4] and str(row[4]) == "0.8000" and row[5:] == [2, 1, 1, 25]
    assert [(row[1], row[2], str(row[3])) for row in tables["ratings"].rows] == [
        ("Mentoring sessions", 3, "4.3"),
        ("Pitch A", 2, "4.5"),
    ]
    page = response.content.decode()
    assert 'id="satisfaction"' in page and 'data-table="satisfaction"' in page and 'data-table="ratings"' in page
    assert "data-satisfaction-comments" in page and "Avis de A0" in page and "Le parking" in page
    assert "Secret du site B" not in page


def test_the_comments_are_for_the_sites_managers_and_head_office(satisfaction_data, client_for):
    assert "Avis de A0" in _get(client_for, "staff", SITE_A).content.decode()
    for persona in ("team_a", "committee_a"):
        page = _get(client_for, persona, SITE_A).content.decode()
        assert "data-satisfaction-comments" not in page and "Avis de A0" not in page, persona
        assert 'data-table="satisfaction"' in page, persona  # the figures are for every member
    assert _get(client_for, "manager_b", SITE_A).status_code == 404


def test_the_site_exports_hold_the_sites_rows_only(english, satisfaction_data, client_for, site_a):
    rows = _csv(_get(client_for, "manager_a", f"{SITE_A}export/satisfaction/", {**FILTERS, "format": "csv"}))
    assert rows[0] == [
        "Site",
        "Year",
        "Startups asked",
        "Answers",
        "Response rate",
        "Promoters (9–10)",
        "Passives (7–8)",
        "Detractors (0–6)",
        "NPS",
    ]
    assert rows[1:] == [[site_a.name, "2026", "5", "4", "0.8000", "2", "1", "1", "25"]]
    ratings = _csv(_get(client_for, "manager_a", f"{SITE_A}export/ratings/", {**FILTERS, "format": "csv"}))
    assert [row[1] for row in ratings[1:]] == ["Mentoring sessions", "Pitch A"]
    export = _get(client_for, "manager_a", f"{SITE_A}export/all/", {**FILTERS, "format": "xlsx"})
    workbook = load_workbook(io.BytesIO(_body(export)))
    everything = " ".join(str(cell) for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row)
    assert "Export B" not in everything and "Live e-Technopark" not in everything and "Secret" not in everything
    # The network's exports are head office's.
    assert (
        _get(client_for, "manager_a", f"{NETWORK}export/satisfaction/", {**FILTERS, "format": "csv"}).status_code == 403
    )


def test_the_network_dashboard_compares_the_sites(english, satisfaction_data, client_for, site_a, site_b):
    rows = _csv(_get(client_for, "staff", f"{NETWORK}export/satisfaction/", {**FILTERS, "format": "csv"}))
    assert [(row[0], row[3], row[8]) for row in rows[1:]] == [
        (site_a.name, "4", "25"),
        (site_b.name, "2", "-100"),
        ("Whole network", "6", "-17"),
    ]
    ratings = _csv(_get(client_for, "staff", f"{NETWORK}export/ratings/", {**FILTERS, "format": "csv"}))
    assert [row[:4] for row in ratings[1:]][-1] == ["e-Technopark (network)", "Live e-Technopark", "1", "3.0"]
    page = _get(client_for, "staff", NETWORK).content.decode()
    assert 'data-table="satisfaction"' in page and "data-satisfaction-comments" not in page


def test_a_period_without_campaign_shows_a_dash_free_empty_table(english, satisfaction_data, client_for):
    response = _get(client_for, "manager_a", SITE_A, {"as_of": "2025-06-30"})
    tables = response.context["sections"]["tables"]
    assert tables["satisfaction"].rows == []
    assert "No startup was asked in these years." in response.content.decode()


def test_an_nps_without_answers_is_a_dash(english, site_a, client_for, unscoped):
    startup, _user = founded_startup(site_a)
    invite(startup, site_a, year=2026)
    response = _get(client_for, "manager_a", SITE_A)
    [row] = response.context["sections"]["tables"]["satisfaction"].rows
    assert row[2:4] == [1, 0] and row[-1] is None
    rows = _csv(_get(client_for, "manager_a", f"{SITE_A}export/satisfaction/", {**FILTERS, "format": "csv"}))
    assert rows[1][-1] == ""


def test_the_dashboard_queries_do_not_grow_with_answers(satisfaction_data, client_for, site_a, settings, unscoped):
    settings.KPI_CACHE_SECONDS = 0
    client = client_for("manager_a")
    client.get(SITE_A, FILTERS)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(SITE_A, FILTERS).status_code == 200
        return len(queries)

    before = count()
    for index in range(20):
        startup, _user = founded_startup(site_a, name=f"More{index}")
        answer(invite(startup, site_a, year=2026), index % 11, comment="Encore", when=OCTOBER)
        _rated_session(ServiceFactory(site=site_a, title=f"Service {index}"), [4])
    assert count() == before


# --- Board report ------------------------------------------------------------------------------
def test_the_board_report_has_a_satisfaction_section(satisfaction_data, site_a, english):
    with translation.override("en"):
        content = board_content(KpiScope("network", "", None), scope_name="Network", month=datetime.date(2026, 11, 1))
        section = pdf_context(content)["satisfaction"]
        workbook = load_workbook(io.BytesIO(render_xlsx(content)))
    assert content.satisfaction.years == (2025, 2026)
    nps = {line.label: [cell.text for cell in line.cells] for line in section["nps"]}
    assert nps[site_a.name] == ["2026", "5", "4", "80.0%", "2", "1", "1", "+25"]
    assert nps["Network, all sites"][-1] == "-17"
    assert ["Mentoring sessions", "3", "4.3"] in [
        [line.cells[0].text, *(c.text for c in line.cells[1:])] for line in section["ratings"]
    ]
    assert "2025" in section["ratings_period"] and "30, 2026" in section["ratings_period"]

    sheet = workbook["Satisfaction"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:3] == ["Site", "Year", "Startups asked"]
    by_site = {row[0]: row for row in rows[1:4]}
    assert by_site[site_a.name][1:] == [2026, 5, 4, 0.8, 2, 1, 1, 25]
    assert sheet.cell(row=2, column=5).number_format == "0.0%"
    assert ["Pitch A", 2, 4.5] in [row[1:4] for row in rows]


def test_a_sites_board_report_holds_its_site_only(satisfaction_data, site_a, english):
    with translation.override("en"):
        content = board_content(
            KpiScope("site", "site-a", (site_a.pk,)), scope_name=site_a.name, month=datetime.date(2026, 11, 1)
        )
        section = pdf_context(content)["satisfaction"]
    assert [line.label for line in section["nps"]] == [site_a.name]  # no total for one site
    texts = {cell.text for line in section["ratings"] for cell in line.cells} | {
        line.label for line in section["ratings"]
    }
    assert "Export B" not in texts and "Live e-Technopark" not in texts


def test_the_board_pdf_renders_the_chapter(satisfaction_data, site_a):
    from reports.board.pdf import render_pdf
    from tests.reports.board_setup import pdf_text

    with translation.override("fr"):
        content = board_content(
            KpiScope("site", "site-a", (site_a.pk,)), scope_name="A", month=datetime.date(2026, 11, 1)
        )
    text = pdf_text(render_pdf(content))
    assert "Satisfaction" in text and "+25" in text and "Pitch A" in text


def test_today_is_after_the_fixed_dates():
    """The dashboards refuse future dates: this module's filters are in the past."""
    assert timezone.localdate() > datetime.date(2026, 11, 30)

"""Invoicing per site and month for the dashboards and the board report
(billing.selectors.figures): billed, collected, overdue at the month's end."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from billing import actions
from billing.selectors.figures import SiteMonthBilling, billing_by_site_month
from reports.exports import Money, Month
from tests.billing.world import RENT, site_issuer
from tests.factories import SiteFactory, StartupFactory

pytestmark = pytest.mark.django_db

D = datetime.date
# 100.05 at 20 % and 3 × 33.33 at 10 %: VAT per rate 20.01 + 10.00, total 230.05.
MIXED = [
    {"description": "Frais de dossier", "quantity": Decimal("1"), "unit_price": Decimal("100.05")},
    {"description": "Repas", "quantity": Decimal("3"), "unit_price": Decimal("33.33"), "vat_rate": Decimal("10")},
]


def _issue(site, startup, lines, day):
    draft = actions.invoice_draft_create(actor=None, site=site, startup=startup, lines=lines)
    return actions.invoice_issue(actor=None, invoice=draft, today=day)


@pytest.fixture
def documents():
    """Anfa (site A): a rent of 3 600,00 issued 5 March 2025 (due 4 April), 1 000,00 of it
    paid on 20 April; 230,05 issued 10 March (due 9 April), cancelled by a credit note on
    2 May. Zagora (site B): a rent issued 3 April."""
    with scopes_disabled():
        anfa, zagora = SiteFactory(name_fr="Anfa", name_en="Anfa"), SiteFactory(name_fr="Zagora", name_en="Zagora")
        site_issuer(anfa, "AN")
        site_issuer(zagora, "ZA")
        startup = StartupFactory()
        rent = _issue(anfa, startup, [RENT], D(2025, 3, 5))
        mixed = _issue(anfa, startup, MIXED, D(2025, 3, 10))
        actions.payment_record(
            actor=None, invoice=rent, amount=Decimal("1000.00"), paid_on=D(2025, 4, 20), method="transfer"
        )
        actions.credit_note_issue(actor=None, invoice=mixed, reason="Erreur de tiers", today=D(2025, 5, 2))
        _issue(zagora, startup, [RENT], D(2025, 4, 3))
    return anfa, zagora


LATER = D(2025, 12, 31)


def _rows(site_ids, date_from, date_to, today=LATER):
    with scopes_disabled():
        return billing_by_site_month(site_ids=site_ids, date_from=date_from, date_to=date_to, today=today)


def test_billed_collected_and_overdue_per_month(documents, django_assert_num_queries):
    anfa, _zagora = documents
    with django_assert_num_queries(2):  # the documents, their payments
        rows = _rows((anfa.pk,), D(2025, 3, 1), D(2025, 5, 31))
    assert rows == [
        # Nothing is due before 31 March.
        SiteMonthBilling(anfa.pk, "Anfa", D(2025, 3, 1), Decimal("3830.05"), Decimal("0.00"), Decimal("0.00")),
        # On 30 April: 2 600,00 left on the rent and the whole 230,05.
        SiteMonthBilling(anfa.pk, "Anfa", D(2025, 4, 1), Decimal("0.00"), Decimal("1000.00"), Decimal("2830.05")),
        # The credit note takes 230,05 back in May, and the cancelled invoice is owed no more.
        SiteMonthBilling(anfa.pk, "Anfa", D(2025, 5, 1), Decimal("-230.05"), Decimal("0.00"), Decimal("2600.00")),
    ]
    assert all(isinstance(value, Decimal) for row in rows for value in (row.billed, row.collected, row.overdue))


def test_an_invoice_is_overdue_at_each_month_end_until_it_is_settled(documents):
    anfa, _zagora = documents
    with scopes_disabled():
        rent = anfa.invoices.get(kind="invoice", incl_tax=Decimal("3600.00"))
        actions.payment_record(
            actor=None, invoice=rent, amount=Decimal("2600.00"), paid_on=D(2025, 7, 10), method="transfer"
        )
    rows = _rows((anfa.pk,), D(2025, 4, 1), D(2025, 8, 31))
    assert [(row.month.month, row.collected, row.overdue) for row in rows] == [
        (4, Decimal("1000.00"), Decimal("2830.05")),
        (5, Decimal("0.00"), Decimal("2600.00")),
        (6, Decimal("0.00"), Decimal("2600.00")),
        (7, Decimal("2600.00"), Decimal("0.00")),  # paid on 10 July
        (8, Decimal("0.00"), Decimal("0.00")),
    ]


def test_the_network_has_every_site_by_name(documents):
    anfa, zagora = documents
    rows = _rows(None, D(2025, 4, 1), D(2025, 4, 30))
    assert [(row.site_name, row.billed, row.overdue) for row in rows] == [
        ("Anfa", Decimal("0.00"), Decimal("2830.05")),
        ("Zagora", Decimal("3600.00"), Decimal("0.00")),  # due on 3 May
    ]
    assert _rows((zagora.pk,), D(2025, 4, 1), D(2025, 4, 30))[0].site_id == zagora.pk


def test_a_period_cut_within_months_and_today(documents):
    anfa, _zagora = documents
    # From 8 March: the rent issued on the 5th is outside. Seen on 15 April, the period
    # stops that day: the rent's payment (20 April) has not come, May has no row.
    march, april = _rows((anfa.pk,), D(2025, 3, 8), D(2025, 5, 31), today=D(2025, 4, 15))
    assert (march.month, march.billed) == (D(2025, 3, 1), Decimal("230.05"))
    assert (april.collected, april.overdue) == (Decimal("0.00"), Decimal("3830.05"))
    assert _rows((anfa.pk,), D(2025, 4, 16), D(2025, 5, 31), today=D(2025, 4, 15)) == []


def test_nothing_issued_gives_no_row(documents):
    anfa, _zagora = documents
    assert _rows((anfa.pk,), D(2025, 1, 1), D(2025, 2, 28)) == []
    with scopes_disabled():
        drafts_only = SiteFactory()
        actions.invoice_draft_create(actor=None, site=drafts_only, startup=StartupFactory(), lines=[RENT])
    assert _rows((drafts_only.pk,), D(2025, 1, 1), D(2026, 12, 31)) == []


def test_dashboards_show_each_scope_its_sites_invoicing(world, client_for, settings):
    """The isolation world: site A's invoice (3 600,00, 1 000,00 paid) and site B's, issued
    today. A site's dashboard shows its own row only; head office's every site's."""
    settings.LANGUAGE_CODE = "en"

    def billing(user, url):
        client = client_for(user)
        client.cookies["django_language"] = "en"
        response = client.get(url)
        assert response.status_code == 200
        rows = response.context["sections"]["tables"]["billing"].rows
        return [[row[0], row[2]] for row in rows if row[1] == Month.of(timezone.localdate())]

    assert billing("manager_a", "/manage/site-a/dashboard/") == [["Technopark site-a", Money("3600.00")]]
    assert sorted(row[0] for row in billing("staff", "/network/dashboard/")) == [
        "Technopark site-a",
        "Technopark site-b",
    ]


def test_the_board_report_has_the_months_invoicing_per_site(documents):
    """April 2025 at Anfa and Zagora, as the report's table and its spreadsheet write it."""
    from reports.board.content import board_content
    from reports.board.pdf import activity_tables
    from reports.kpis import KpiScope

    with translation.override("fr"):
        content = board_content(KpiScope("network", "", None), scope_name="Réseau", month=D(2025, 4, 1))
        table = activity_tables(content)["billing"]
    assert table.header[1] == "Facturé TTC (MAD)"
    assert [(row.label, [cell.text for cell in row.cells]) for row in table.rows] == [
        ("Anfa", ["0", "1\xa0000", "2\xa0830"]),
        ("Zagora", ["3\xa0600", "0", "0"]),
    ]

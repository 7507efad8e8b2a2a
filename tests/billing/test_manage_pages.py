"""The invoicing back-office (issue 21) under /manage/<site>/invoices/: the list (filters,
totals), a document (draft and issued) and its writes (lines, issuing, issuing a month's
drafts, payments, credit notes), the issuer form, the arrears' ageing, and who sees what."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from billing import actions
from billing.actions.issuer import issuer_save
from billing.models import Invoice, InvoiceStatus, IssuerProfile
from billing.selectors.manage import ageing, bucket_of
from billing.validators import rib_key
from core.formatting import format_amount
from core.models import AuditEntry
from tests.billing.matrix_manage import MATRIX
from tests.billing.world import RENT, invoice_world
from tests.factories import StartupFactory

pytestmark = pytest.mark.django_db

INVOICES = "/manage/site-a/invoices/"
TODAY = timezone.localdate()
YEAR = TODAY.year


@pytest.fixture
def invoices(site_a, site_b, staff):
    """site-a's issuer (SA), invoice_a issued and partly paid (3 600,00 incl. tax, 1 000,00
    paid), invoice_draft_a; site-b's issuer (SB) and invoice_b."""
    with scopes_disabled():
        startup_a = StartupFactory(legal_name="Atlas Data SARL", brand_name="Atlas Data")
        startup_b = StartupFactory(legal_name="Souss Agri SARL", brand_name="Souss Agri")
        ids = invoice_world(site_a=site_a, site_b=site_b, startup_a=startup_a, startup_b=startup_b, staff=staff)
        return {
            **ids,
            "startup_a": startup_a,
            "a": Invoice.objects.get(pk=ids["invoice_a"]),
            "b": Invoice.objects.get(pk=ids["invoice_b"]),
            "draft": Invoice.objects.get(pk=ids["invoice_draft_a"]),
        }


def _amount(value: str) -> str:
    return format_amount(Decimal(value))


def _issued(site, startup, *, days_ago: int, lines=None) -> Invoice:
    with scopes_disabled():
        draft = actions.invoice_draft_create(actor=None, site=site, startup=startup, lines=lines or [RENT])
        return actions.invoice_issue(actor=None, invoice=draft, today=TODAY - datetime.timedelta(days=days_ago))


def _english(client):
    client.cookies["django_language"] = "en"
    return client


def _text(response) -> str:
    return re.sub(r"[ \t\r\n]+", " ", response.content.decode())  # keeps the no-break spaces


# --- The list ----------------------------------------------------------------------------
def test_the_list_shows_the_sites_documents_with_their_totals(client_for, invoices):
    response = client_for("manager_a").get(INVOICES)
    assert response.status_code == 200
    text = _text(response)
    assert invoices["a"].number in text and f'href="{INVOICES}{invoices["invoice_draft_a"]}/"' in text
    assert invoices["b"].number not in text  # site B's
    # Billed: invoice_a (drafts are not billed); collected: its payment; its balance.
    assert _amount("3600") in text and _amount("1000") in text and _amount("2600") in text
    assert "/issue-all/" not in text  # the world's draft has no billed month


def test_the_list_filters_by_status_month_and_startup(client_for, invoices, site_a):
    late = _issued(site_a, invoices["startup_a"], days_ago=45)
    client = client_for("manager_a")
    text = _text(client.get(INVOICES, {"status": "overdue"}))
    assert late.number in text and invoices["a"].number not in text
    assert _amount("3600") in text  # the overdue total
    text = _text(client.get(INVOICES, {"status": "draft"}))
    assert invoices["a"].number not in text and late.number not in text
    assert f'href="{INVOICES}{invoices["draft"].pk}/"' in text
    text = _text(client.get(INVOICES, {"month": TODAY.strftime("%Y-%m")}))
    assert invoices["a"].number in text
    text = _text(client.get(INVOICES, {"q": "souss"}))
    assert invoices["a"].number not in text
    text = _text(client.get(INVOICES, {"q": "atlas"}))
    assert invoices["a"].number in text and late.number in text
    # A bad month is said, and ignored.
    response = client.get(INVOICES, {"month": "2026-13"})
    assert response.status_code == 200 and invoices["a"].number in _text(response)


def test_the_list_is_empty_at_a_site_without_invoices(client_for, site_a):
    response = _english(client_for("manager_a")).get(INVOICES)
    assert response.status_code == 200 and "No invoice at this site yet" in _text(response)


# --- A document --------------------------------------------------------------------------
def test_a_draft_reads_as_it_will_be_issued(client_for, invoices):
    text = _text(client_for("manager_a").get(f"{INVOICES}{invoices['invoice_draft_a']}/"))
    assert "Technopark site-a SA" in text and "Atlas Data SARL" in text  # seller and buyer
    assert "Loyer bureau" in text and _amount("3000") in text and _amount("600") in text
    assert f"SA-{YEAR}-00002" in text  # the number it would get
    assert "trois mille six cents dirhams" in text
    assert 'action="/manage/site-a/invoices/{}/lines/"'.format(invoices["invoice_draft_a"]) in text


def test_an_issued_invoice_shows_its_payments_and_balance(client_for, invoices):
    text = _text(client_for("manager_a").get(f"{INVOICES}{invoices['invoice_a']}/"))
    assert invoices["a"].number in text and "VIR-1" in text
    assert _amount("2600") in text  # the balance
    assert "/payments/" in text and "/credit-note/" in text and "/lines/" not in text


def test_read_only_roles_see_the_document_without_its_forms(client_for, invoices):
    text = _text(client_for("team_a").get(f"{INVOICES}{invoices['invoice_draft_a']}/"))
    assert "Loyer bureau" in text and "/lines/" not in text and "/issue/" not in text


def test_adding_a_line_to_a_draft(client_for, invoices, manager_a):
    client = client_for("manager_a")
    url = f"{INVOICES}{invoices['invoice_draft_a']}/lines/"
    data = {
        "line-description": "Formation",
        "line-quantity": "2",
        "line-unit_price": "450,50",
        "line-vat_rate": "10",
    }
    assert client.post(url, data).status_code == 302
    with scopes_disabled():
        line = invoices["draft"].lines.get(description="Formation")
        assert (line.quantity, line.unit_price, line.vat_rate) == (2, Decimal("450.50"), 10)
        assert AuditEntry.objects.filter(actor=manager_a, object_id=str(line.pk)).exists()
    # A quantity that is no number, or zero: the form says so, keeps the values, adds nothing.
    with translation.override("en"):
        response = client.post(url, {**data, "line-quantity": "abc", "line-description": "Café"})
    assert response.status_code == 200 and response.context["line_form"].errors["quantity"]
    assert 'value="Café"' in response.content.decode()
    response = client.post(url, {**data, "line-quantity": "0"})
    assert response.status_code == 200 and response.context["line_form"].errors["quantity"]
    with scopes_disabled():
        assert invoices["draft"].lines.count() == 2


def test_issuing_a_draft_from_its_page(client_for, invoices, manager_a):
    client = client_for("manager_a")
    pk = invoices["invoice_draft_a"]
    response = client.post(f"{INVOICES}{pk}/issue/", follow=True)
    assert f"SA-{YEAR}-00002" in _text(response)
    with scopes_disabled():
        issued = Invoice.objects.get(pk=pk)
        assert (issued.status, issued.number, issued.issued_by) == ("issued", f"SA-{YEAR}-00002", manager_a)
        assert AuditEntry.objects.filter(
            actor=manager_a, object_id=str(pk), action=AuditEntry.Action.UPDATE, changes__has_key="number"
        ).exists()
    # Issued: a second POST is refused with the action's message; no line can be added.
    response = client.post(f"{INVOICES}{pk}/issue/", follow=True)
    assert response.status_code == 200 and [m.level_tag for m in response.context["messages"]] == ["error"]


def test_deleting_a_draft(client_for, invoices):
    response = client_for("manager_a").post(f"{INVOICES}{invoices['invoice_draft_a']}/delete/")
    assert response.status_code == 302 and response["Location"] == INVOICES
    with scopes_disabled():
        assert not Invoice.objects.filter(pk=invoices["invoice_draft_a"]).exists()
    # An issued invoice is not deleted.
    client_for("manager_a").post(f"{INVOICES}{invoices['invoice_a']}/delete/")
    with scopes_disabled():
        assert Invoice.objects.filter(pk=invoices["invoice_a"]).exists()


def test_issuing_all_drafts_of_a_month(client_for, invoices, site_a):
    month = TODAY.replace(day=1) - datetime.timedelta(days=1)
    month = month.replace(day=1)
    with scopes_disabled():
        drafts = [
            actions.invoice_draft_create(
                actor=None, site=site_a, startup=StartupFactory(brand_name=f"Startup {i}"), lines=[RENT], month=month
            )
            for i in range(3)
        ]
    client = client_for("manager_a")
    assert "Issue all drafts of" in _text(_english(client).get(INVOICES))
    response = client.post(f"{INVOICES}issue-all/", {"month": month.strftime("%Y-%m")})
    assert response.status_code == 302 and response["Location"].endswith(f"?month={month:%Y-%m}")
    with scopes_disabled():
        numbers = [Invoice.objects.get(pk=draft.pk).number for draft in drafts]
        assert numbers == [f"SA-{YEAR}-0000{n}" for n in (2, 3, 4)]  # in the order they were created
        assert Invoice.objects.get(pk=invoices["invoice_draft_a"]).is_draft  # billed for no month
    # Without a month: nothing issued, said.
    response = client.post(f"{INVOICES}issue-all/", {}, follow=True)
    assert [m.level_tag for m in response.context["messages"]][-1] == "error"


def test_issuing_is_refused_without_an_issuer(client_for, invoices):
    with scopes_disabled():
        IssuerProfile.objects.filter(prefix="SA").delete()
    response = client_for("manager_a").post(f"{INVOICES}{invoices['invoice_draft_a']}/issue/", follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    with scopes_disabled():
        assert Invoice.objects.get(pk=invoices["invoice_draft_a"]).is_draft


# --- Payments and credit notes -----------------------------------------------------------
def _payment(**values) -> dict:
    data = {"amount": "600", "paid_on": TODAY.isoformat(), "method": "cheque", "reference": "CHQ 123"}
    data.update(values)
    return {f"payment-{key}": value for key, value in data.items()}


def test_recording_payments_never_overpays(client_for, invoices):
    client = _english(client_for("manager_a"))
    url = f"{INVOICES}{invoices['invoice_a']}/payments/"
    assert client.post(url, _payment(amount="600.50")).status_code == 302
    text = _text(client.get(f"{INVOICES}{invoices['invoice_a']}/"))
    assert "CHQ 123" in text and _amount("1999.50") in text
    with translation.override("en"):
        response = client.post(url, _payment(amount="5000", reference="CHQ 999"))
    assert response.status_code == 200
    errors = response.context["payment_form"].errors["amount"]
    assert errors == ["This is more than the 1999.50 MAD left to pay on this invoice."]
    content = response.content.decode()
    assert 'value="5000"' in content and 'value="CHQ 999"' in content  # the values are kept
    with translation.override("en"):
        response = client.post(url, _payment(paid_on=(TODAY + datetime.timedelta(days=2)).isoformat()))
    assert response.context["payment_form"].errors["paid_on"] == ["A payment cannot be dated in the future."]
    with scopes_disabled():
        assert invoices["a"].payments.count() == 2


def test_cancelling_with_a_credit_note(client_for, invoices):
    client = client_for("manager_a")
    url = f"{INVOICES}{invoices['invoice_a']}/credit-note/"
    response = client.post(url, {"credit-reason": ""})
    assert response.status_code == 200 and response.context["credit_form"].errors["reason"]
    response = client.post(url, {"credit-reason": "Bureau libéré avant le mois facturé"})
    with scopes_disabled():
        note = Invoice.objects.get(corrects=invoices["a"])
        assert Invoice.objects.get(pk=invoices["invoice_a"]).status == InvoiceStatus.CANCELLED
    assert response.status_code == 302 and response["Location"] == f"{INVOICES}{note.pk}/"
    text = _text(client.get(response["Location"]))
    assert note.number == f"SA-AV-{YEAR}-00001" and note.number in text
    assert invoices["a"].number in text and "Bureau libéré" in text and "Arrêté le présent avoir" in text
    text = _text(client.get(f"{INVOICES}{invoices['invoice_a']}/"))
    assert note.number in text and "/credit-note/" not in text and "/payments/" not in text


# --- The issuer --------------------------------------------------------------------------
ACCOUNT = "0001234567890123"


def _issuer(**values) -> dict:
    data = {
        "legal_name": "Technopark Casablanca SA",
        "address": "Route de Nouaceur",
        "city": "Casablanca",
        "if_number": "7654321",
        "ice": "001234567000089",
        "rc": "98765",
        "tp": "87654321",
        "cnss": "",
        "bank_name": "Attijariwafa bank",
        "rib": f"230 780 {ACCOUNT} {rib_key('230', '780', ACCOUNT)}",
        "prefix": "CAS",
        "payment_days": "45",
    }
    data.update(values)
    return data


def test_the_issuer_form_checks_the_identifiers(client_for, site_a, manager_a):
    client = _english(client_for("manager_a"))
    url = f"{INVOICES}issuer/"
    key = rib_key("230", "780", ACCOUNT)
    wrong_key = f"{(int(key) % 97) + 1:02d}"
    response = client.post(url, _issuer(rib=f"230780{ACCOUNT}{wrong_key}", ice="12345"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    with translation.override("en"):  # the messages are lazy
        assert errors["rib"] == ["This RIB's key does not match: check the 24 digits."]
        assert errors["ice"] == ["The ICE is made of exactly 15 digits."]
    assert "24 digits" in response.content.decode()  # the page is in English
    # Spaces between the RIB's groups are fine: saved without them, audited.
    response = client.post(url, _issuer())
    assert response.status_code == 302
    with scopes_disabled():
        issuer = IssuerProfile.objects.get(site=site_a)
        assert (issuer.rib, issuer.payment_days) == (f"230780{ACCOUNT}{key}", 45)
        assert AuditEntry.objects.filter(actor=manager_a, object_id=str(issuer.pk), action="create").exists()
    assert client.get(url).context["form"].initial["prefix"] == "CAS"


def test_a_prefix_of_another_site_is_refused(client_for, invoices):
    response = _english(client_for("manager_a")).post(f"{INVOICES}issuer/", _issuer(prefix="SB"))
    assert response.status_code == 200
    assert "Another site already numbers its invoices with this prefix" in response.content.decode()


def test_issuer_save_updates_and_audits(site_a, manager_a, unscoped):
    issuer = issuer_save(actor=manager_a, site=site_a, **{k: v for k, v in _issuer().items() if k != "payment_days"})
    issuer_save(actor=manager_a, site=site_a, payment_days=60)
    issuer.refresh_from_db()
    assert issuer.payment_days == 60 and issuer.legal_name == "Technopark Casablanca SA"
    assert (
        AuditEntry.objects.filter(
            content_type__model="issuerprofile", object_id=str(issuer.pk), action="update"
        ).count()
        == 1
    )


# --- Ageing ------------------------------------------------------------------------------
def test_ageing_puts_what_is_due_in_its_bucket(client_for, invoices, site_a):
    startup = invoices["startup_a"]
    _issued(site_a, startup, days_ago=30 + 40)  # due 40 days ago: 31–60
    _issued(site_a, startup, days_ago=30 + 100)  # 90+
    paid = _issued(site_a, StartupFactory(brand_name="Paid Up"), days_ago=30 + 10)
    with scopes_disabled():
        actions.payment_record(actor=None, invoice=paid, amount=Decimal("3600.00"), paid_on=TODAY, method="cash")
    assert [bucket_of(days) for days in (-3, 0, 1, 30, 31, 60, 61, 90, 91)] == [
        "not_due",
        "not_due",
        "days_30",
        "days_30",
        "days_60",
        "days_60",
        "days_90",
        "days_90",
        "over_90",
    ]
    with scopes_disabled():
        from django_scopes import scope

        with scope(site=site_a.pk):
            rows, total = ageing(today=TODAY)
    assert [row.name for row in rows] == ["Atlas Data"]  # the paid-up startup owes nothing
    assert rows[0].buckets == {
        "not_due": Decimal("2600.00"),  # invoice_a, partly paid, due in 30 days
        "days_30": Decimal("0.00"),
        "days_60": Decimal("3600.00"),
        "days_90": Decimal("0.00"),
        "over_90": Decimal("3600.00"),
    }
    assert total.total == Decimal("9800.00") and rows[0].invoices == 3
    text = _text(client_for("team_a").get(f"{INVOICES}ageing/"))
    assert "Atlas Data" in text and _amount("9800") in text and "Paid Up" not in text


# --- Who sees what -----------------------------------------------------------------------
def test_site_b_manager_gets_404_on_every_site_a_route(client_for, invoices):
    client = client_for("manager_b")
    ids = {key: value for key, value in invoices.items() if key.startswith("invoice_")}
    for name, route in MATRIX.items():
        url = route.url.format(**ids)
        assert client.get(url).status_code == 404, name
        assert client.post(url, {}).status_code == 404, name
    with scopes_disabled():
        assert Invoice.objects.get(pk=invoices["invoice_draft_a"]).is_draft


def test_another_sites_invoice_is_not_found_at_this_site(client_for, invoices):
    client = client_for("manager_a")
    assert client.get(f"{INVOICES}{invoices['invoice_b']}/").status_code == 404
    assert client.post(f"{INVOICES}{invoices['invoice_b']}/payments/", _payment()).status_code == 404

"""The site's "other charges" (issue 21) under /manage/<site>/invoices/charges/: the list with
each charge's state (to bill, or billed on its invoice), its filters, adding a charge (the
site's startups only), deleting one not billed yet, and who may do what."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from django_scopes import scopes_disabled

from billing import actions
from billing.models import Charge, Invoice
from core.formatting import format_amount
from core.models import AuditEntry
from tests.billing.world import site_issuer
from tests.factories import AdmissionFactory, StartupFactory

pytestmark = pytest.mark.django_db

INVOICES = "/manage/site-a/invoices/"
CHARGES = INVOICES + "charges/"
NOVEMBER = datetime.date(2026, 11, 1)
DECEMBER = datetime.date(2026, 12, 1)


def _text(response) -> str:
    return re.sub(r"[ \t\r\n]+", " ", response.content.decode())


def _english(client):
    client.cookies["django_language"] = "en"
    return client


def _admitted(site, name: str):
    return AdmissionFactory(site=site, startup=StartupFactory(legal_name=f"{name} SARL", brand_name=name)).startup


def _charge(site, startup, description: str, *, month=NOVEMBER, **values) -> Charge:
    values = {"quantity": Decimal("3"), "unit_price": Decimal("25.50"), "vat_rate": Decimal("20")} | values
    return actions.charge_add(actor=None, site=site, startup=startup, description=description, month=month, **values)


@pytest.fixture
def charges(site_a, site_b, staff):
    """At site A: "Impression badges" (November, to bill) for Atlas Data, "Parking" (December,
    to bill) and "Traiteur" (November, billed on an issued invoice) for Zagora Tech; at site
    B: "Salle B" for Souss Agri."""
    with scopes_disabled():
        site_issuer(site_a, "SA")
        atlas, zagora = _admitted(site_a, "Atlas Data"), _admitted(site_a, "Zagora Tech")
        printing = _charge(site_a, atlas, "Impression badges")
        parking = _charge(site_a, zagora, "Parking", month=DECEMBER, quantity=Decimal("1"), unit_price=Decimal("100"))
        catering = _charge(site_a, zagora, "Traiteur", unit_price=Decimal("1000"), vat_rate=Decimal("10"))
        other = _charge(site_b, _admitted(site_b, "Souss Agri"), "Salle B")
        actions.monthly_run(actor=staff, month=NOVEMBER, site=site_a)
        invoice = Invoice.objects.get(startup=zagora, month=NOVEMBER)
        # Atlas Data's draft is deleted: its charge is to bill again.
        actions.invoice_draft_delete(actor=staff, invoice=Invoice.objects.get(startup=atlas, month=NOVEMBER))
        invoice = actions.invoice_issue(actor=staff, invoice=invoice, today=datetime.date(2026, 12, 2))
        for charge in (printing, parking, catering, other):
            charge.refresh_from_db()
        assert catering.is_billed and not printing.is_billed
    return {
        "atlas": atlas,
        "zagora": zagora,
        "printing": printing,
        "parking": parking,
        "catering": catering,
        "other": other,
        "invoice": invoice,
    }


# --- The list ------------------------------------------------------------------------------
def test_the_list_shows_the_sites_charges_and_their_state(client_for, charges):
    response = client_for("manager_a").get(CHARGES)
    assert response.status_code == 200
    text = _text(response)
    assert "Salle B" not in text  # site B's
    # Newest month first, then the newest added.
    assert text.index("Parking") < text.index("Traiteur") < text.index("Impression badges")
    assert "Atlas Data" in text and "Zagora Tech" in text
    assert format_amount(Decimal("76.50")) in text  # 3 × 25,50 excl. tax
    assert format_amount(Decimal("1000")) in text and "10 %" in text
    assert "novembre 2026" in text and "décembre 2026" in text  # the month in the page's language
    invoice = charges["invoice"]
    assert f'<a href="{INVOICES}{invoice.pk}/"><bdi class="text-nowrap">{invoice.number}</bdi></a>' in text
    # Only what is not billed can be deleted.
    for name, deletable in (("printing", True), ("parking", True), ("catering", False)):
        assert (f'action="{CHARGES}{charges[name].pk}/delete/"' in text) is deletable, name
    assert f'action="{CHARGES}add/"' in text


def test_the_list_in_english_and_its_empty_states(client_for, charges, site_b):
    client = _english(client_for("manager_a"))
    text = _text(client.get(CHARGES))
    assert "November 2026" in text and "to bill" in text and "billed on" in text
    assert "No charge matches these filters." in _text(client.get(CHARGES, {"month": "2025-01"}))
    with scopes_disabled():
        Charge.objects.filter(site__slug="site-a").delete()
    assert "No charge at this site yet." in _text(client.get(CHARGES))


def test_the_list_filters_by_state_and_month(client_for, charges):
    client = client_for("manager_a")
    text = _text(client.get(CHARGES, {"state": "to_bill"}))
    assert "Impression badges" in text and "Parking" in text and "Traiteur" not in text
    text = _text(client.get(CHARGES, {"state": "billed"}))
    assert "Traiteur" in text and "Impression badges" not in text and "Parking" not in text
    text = _text(client.get(CHARGES, {"month": "2026-12"}))
    assert "Parking" in text and "Traiteur" not in text and "Impression badges" not in text
    text = _text(client.get(CHARGES, {"month": "2026-11", "state": "to_bill"}))
    assert "Impression badges" in text and "Parking" not in text and "Traiteur" not in text
    # A bad value is said, and ignored.
    response = client.get(CHARGES, {"month": "2026-13", "state": "paid"})
    assert response.status_code == 200 and "Parking" in _text(response) and "Traiteur" in _text(response)


def test_the_invoices_pages_link_to_the_charges(client_for, charges):
    client = client_for("manager_a")
    assert f'href="{CHARGES}"' in _text(client.get(INVOICES))
    assert f'href="{CHARGES}"' in _text(client.get(f"{INVOICES}{charges['invoice'].pk}/"))


def test_the_list_pages_by_50_in_constant_queries(client_for, charges, site_a, django_assert_max_num_queries):
    client = client_for("manager_a")
    client.get(CHARGES)  # warm-up: session, content types
    with django_assert_max_num_queries(7) as few:
        client.get(CHARGES)
    with scopes_disabled():
        startups = [_admitted(site_a, f"Startup {index}") for index in range(10)]
        for index in range(60):
            _charge(site_a, startups[index % 10], f"Charge {index}", month=NOVEMBER if index % 2 else DECEMBER)
    with django_assert_max_num_queries(len(few)) as many:
        response = client.get(CHARGES)
    assert len(many) == len(few)
    assert response.context["page"].paginator.count == 63
    assert len(response.context["page"].object_list) == 50
    assert "page=2" in _text(response)


# --- Adding --------------------------------------------------------------------------------
def _form(startup, **values) -> dict:
    data = {
        "startup": startup.pk,
        "description": "Badge parking",
        "quantity": "2",
        "unit_price": "1 234,50",
        "vat_rate": "14",
        "month": "2026-12",
    } | values
    return {f"charge-{key}": value for key, value in data.items()}


def test_the_form_offers_the_sites_startups_and_this_month(client_for, charges, site_b):
    response = client_for("manager_a").get(CHARGES)
    form = response.context["add_form"]
    assert [startup.brand_name for startup in form.fields["startup"].queryset] == ["Atlas Data", "Zagora Tech"]
    assert form["month"].value() == datetime.date.today().strftime("%Y-%m")
    assert form["quantity"].value() == Decimal("1") and form["vat_rate"].value() == "20"
    assert [value for value, _ in form.fields["vat_rate"].choices] == ["20", "14", "10", "7", "0"]


def test_a_manager_adds_a_charge(client_for, charges, manager_a):
    client = client_for("manager_a")
    response = client.post(f"{CHARGES}add/", _form(charges["atlas"]))
    assert response.status_code == 302 and response["Location"] == CHARGES
    with scopes_disabled():
        charge = Charge.objects.get(description="Badge parking")
        assert (charge.startup, charge.site.slug, charge.month) == (charges["atlas"], "site-a", DECEMBER)
        assert (charge.quantity, charge.unit_price, charge.vat_rate) == (2, Decimal("1234.50"), 14)
        assert charge.created_by == manager_a and not charge.is_billed
        entry = AuditEntry.objects.get(content_type__model="charge", object_id=str(charge.pk))
        assert (entry.action, entry.actor) == (AuditEntry.Action.CREATE, manager_a)
    response = client.get(CHARGES)
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    assert "Badge parking" in _text(response)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"unit_price": "-10"}, "unit_price"),  # the model allows 0 and above
        ({"quantity": "0"}, "quantity"),
        ({"description": ""}, "description"),
        ({"description": "   "}, "description"),
        ({"month": "2026-13"}, "month"),
        ({"unit_price": "douze"}, "unit_price"),
        ({"vat_rate": "5.5"}, "vat_rate"),
    ],
)
def test_bad_input_is_said_and_saves_nothing(client_for, charges, values, field):
    before = _counts()
    response = _english(client_for("manager_a")).post(f"{CHARGES}add/", _form(charges["atlas"], **values))
    assert response.status_code == 200
    form = response.context["add_form"]
    assert field in form.errors, form.errors
    text = _text(response)
    assert "Please correct the errors below." in text
    assert "Parking" in text  # the list is there too
    if "description" not in values:
        assert 'value="Badge parking"' in text  # what was typed stays
    assert _counts() == before


def test_another_sites_startup_is_a_form_error(client_for, charges):
    before = _counts()
    with scopes_disabled():
        foreign = charges["other"].startup
    response = _english(client_for("manager_a")).post(f"{CHARGES}add/", _form(foreign))
    assert response.status_code == 200
    assert "Choose one of this site&#x27;s startups from the list." in _text(response)
    assert 'value="Badge parking"' in _text(response)  # what was typed stays
    assert _counts() == before
    # Nor one never admitted anywhere.
    response = client_for("manager_a").post(f"{CHARGES}add/", _form(StartupFactory()))
    assert "startup" in response.context["add_form"].errors and _counts() == before


def _counts() -> tuple[int, int]:
    with scopes_disabled():
        return Charge.objects.count(), AuditEntry.objects.filter(content_type__model="charge").count()


@pytest.mark.parametrize("persona", ["team_a", "committee_a"])
def test_read_only_roles_read_the_list_and_write_nothing(client_for, charges, persona):
    client = client_for(persona)
    response = client.get(CHARGES)
    text = _text(response)
    assert response.status_code == 200 and "Parking" in text
    assert "/add/" not in text and "/delete/" not in text and response.context["add_form"] is None
    before = _counts()
    assert client.post(f"{CHARGES}add/", _form(charges["atlas"])).status_code == 403
    assert client.post(f"{CHARGES}{charges['printing'].pk}/delete/").status_code == 403
    assert _counts() == before


def test_head_office_adds_and_deletes(client_for, charges, staff):
    client = client_for("staff")
    assert f'action="{CHARGES}add/"' in _text(client.get(CHARGES))
    assert client.post(f"{CHARGES}add/", _form(charges["zagora"])).status_code == 302
    assert client.post(f"{CHARGES}{charges['parking'].pk}/delete/").status_code == 302
    with scopes_disabled():
        assert Charge.objects.filter(description="Badge parking", created_by=staff).exists()
        assert not Charge.objects.filter(pk=charges["parking"].pk).exists()


# --- Deleting ------------------------------------------------------------------------------
def test_deleting_a_charge_not_billed(client_for, charges, manager_a):
    client = client_for("manager_a")
    pk = charges["printing"].pk
    response = client.post(f"{CHARGES}{pk}/delete/")
    assert response.status_code == 302 and response["Location"] == CHARGES
    with scopes_disabled():
        assert not Charge.objects.filter(pk=pk).exists()
        entry = AuditEntry.objects.get(content_type__model="charge", object_id=str(pk), action="delete")
        assert entry.actor == manager_a and entry.changes["description"] == ["Impression badges", None]
    response = client.get(CHARGES)
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    assert [charge.pk for charge in response.context["page"]] == [charges["parking"].pk, charges["catering"].pk]
    # A GET deletes nothing.
    assert client.get(f"{CHARGES}{charges['parking'].pk}/delete/").status_code == 302
    with scopes_disabled():
        assert Charge.objects.filter(pk=charges["parking"].pk).exists()


def test_deleting_a_billed_charge_is_refused(client_for, charges):
    pk = charges["catering"].pk
    response = _english(client_for("manager_a")).post(f"{CHARGES}{pk}/delete/", follow=True)
    assert response.status_code == 200
    messages = [(m.level_tag, str(m)) for m in response.context["messages"]]
    assert messages == [("error", "This charge is already billed: correct its invoice with a credit note.")]
    with scopes_disabled():
        assert Charge.objects.get(pk=pk).is_billed
        assert not AuditEntry.objects.filter(content_type__model="charge", object_id=str(pk), action="delete").exists()


def test_charge_delete_refuses_a_billed_charge(charges, staff, unscoped):
    with pytest.raises(ValidationError) as refused, translation.override("en"):
        actions.charge_delete(actor=staff, charge=charges["catering"])
    assert refused.value.messages == ["This charge is already billed: correct its invoice with a credit note."]
    # The row is read again under its lock: a stale copy that says "not billed" changes nothing.
    stale = Charge.objects.get(pk=charges["catering"].pk)
    stale.invoice_line = None
    with pytest.raises(ValidationError):
        actions.charge_delete(actor=staff, charge=stale)
    assert Charge.objects.filter(pk=stale.pk).exists()


def test_another_sites_charge_is_not_found(client_for, charges):
    pk = charges["other"].pk
    assert client_for("manager_a").post(f"{CHARGES}{pk}/delete/").status_code == 404
    assert (
        client_for("manager_b").post(f"/manage/site-a/invoices/charges/{charges['printing'].pk}/delete/").status_code
        == 404
    )
    assert client_for("manager_a").post(f"/manage/site-b/invoices/charges/{pk}/delete/").status_code == 404
    with scopes_disabled():
        assert Charge.objects.filter(pk__in=[pk, charges["printing"].pk]).count() == 2

"""The export countries of a yearly declaration (issue 18): a filterable list of checkboxes
(core.widgets.CountryPicker) instead of a 250-line <select multiple> with a "Hold Ctrl"
hint. Country names in the page's language, sorted for it, the chosen ones first with a
summary; the codes posted are still checked against the list on the server."""

import re
from html import unescape

import pytest
from django import forms
from django.utils import timezone, translation

from core.widgets import CheckboxPicker, CountryPicker
from startups.forms.declarations import DeclarationForm
from startups.models import Declaration

LAST_YEAR = timezone.localdate().year - 1
FIGURES = {
    "fiscal_year": str(LAST_YEAR),
    "direct_jobs": "4",
    "indirect_jobs": "1",
    "revenue_mad": "900000",
    "export_revenue_mad": "300000",
    "funds_raised_mad": "0",
}
CHECKBOX = re.compile(r'<input type="checkbox" name="export_countries" value="(\w+)"[^>]*>')
CHECKBOX_ATTRS = re.compile(r'<input type="checkbox" name="export_countries" value="(\w+)"([^>]*)>')


def page(world):
    return f"/startups/{world['startup_a']}/declarations/"


@pytest.fixture
def founder(client, founder_a):
    client.force_login(founder_a)
    return client


def checked(markup: str) -> list[str]:
    return [code for code, attrs in CHECKBOX_ATTRS.findall(markup) if " checked" in attrs]


def labels(html: str) -> list[str]:
    return re.findall(r'<label class="form-check-label" for="id_export_countries_\w+">([^<]+)</label>', html)


@pytest.mark.parametrize(
    ("language", "morocco", "first"),
    [("fr", "Maroc", "Afghanistan"), ("en", "Morocco", "Afghanistan"), ("ar", "المغرب", "أفغانستان")],
)
def test_the_form_lists_every_country_as_a_checkbox_in_the_pages_language(language, morocco, first):
    with translation.override(language):
        html = str(DeclarationForm()["export_countries"])
    codes = CHECKBOX.findall(html)
    assert len(codes) > 240 and len(set(codes)) == len(codes)
    assert "<select" not in html and "Ctrl" not in html
    assert f'<label class="form-check-label" for="id_export_countries_MA">{morocco}</label>' in html
    names = labels(html)
    assert names[0] == first


def test_names_are_sorted_for_the_language_accents_aside():
    with translation.override("fr"):
        names = labels(str(DeclarationForm()["export_countries"]))
    # "Égypte" sorts with the E's, not after "Zimbabwe".
    assert names.index("Équateur") < names.index("Érythrée") < names.index("Espagne") < names.index("Zimbabwe")
    assert names.index("Égypte") < names.index("Émirats arabes unis") < names.index("Équateur")


def test_the_chosen_countries_come_first_checked_with_a_summary():
    declaration = Declaration(export_countries=["SN", "CI", "FR"])
    with translation.override("fr"):
        markup = str(DeclarationForm(instance=declaration)["export_countries"])
    assert CHECKBOX.findall(markup)[:3] == ["CI", "FR", "SN"]  # Côte d'Ivoire, France, Sénégal
    assert sorted(checked(markup)) == ["CI", "FR", "SN"]
    assert "Sélection (3) : Côte d'Ivoire, France, Sénégal" in unescape(markup)


def test_the_filter_is_hidden_until_the_script_shows_it():
    with translation.override("en"):
        html = str(DeclarationForm()["export_countries"])
    assert re.search(
        r"<div class=\"mb-2\" data-picker-search hidden>\s*<label [^>]*for=\"id_export_countries_filter\"", html
    )
    assert (
        'id="id_export_countries_filter"' in html
        and "name=" not in html.split('id="id_export_countries_filter"')[0][-200:]
    )
    assert "No country selected yet." in html


def test_the_founders_page_shows_the_picker_in_a_fieldset_with_its_script(founder, world):
    founder.cookies["django_language"] = "fr"
    response = founder.get(page(world))
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(
        r'<fieldset class="col-12" aria-describedby="id_export_countries_helptext">\s*<legend[^>]*>\S', html
    )
    assert 'id="id_export_countries_MA"' in html and "Maroc" in html
    assert "Ctrl" not in html and "⌘" not in html and '<select name="export_countries"' not in html
    nonce = re.search(r'<script src="[^"]*/js/checkbox-picker\.js" nonce="([^"]+)"', html)
    assert nonce and nonce.group(1) in response["Content-Security-Policy"]


def test_posting_several_countries_saves_them(founder, world, unscoped):
    response = founder.post(page(world), {**FIGURES, "export_countries": ["SN", "CI", "DE"]})
    assert response.status_code == 302
    declaration = Declaration.objects.get(startup=world["startup_a"], fiscal_year=LAST_YEAR)
    assert sorted(country.code for country in declaration.export_countries) == ["CI", "DE", "SN"]
    assert declaration.exports_to_africa
    response = founder.get(page(world) + f"?year={LAST_YEAR}")
    assert CHECKBOX.findall(response.content.decode())[:3] == ["DE", "CI", "SN"]  # Allemagne, Côte d'Ivoire, Sénégal


def test_no_country_is_fine(founder, world, unscoped):
    response = founder.post(page(world), {**FIGURES, "export_revenue_mad": "0"})
    assert response.status_code == 302
    assert list(Declaration.objects.get(startup=world["startup_a"], fiscal_year=LAST_YEAR).export_countries) == []


def test_an_unknown_code_is_a_form_error_and_the_valid_ones_stay_checked(founder, world, unscoped):
    founder.cookies["django_language"] = "en"
    response = founder.post(page(world), {**FIGURES, "export_countries": ["SN", "ZZ"]})
    assert response.status_code == 200
    assert "export_countries" in response.context["form"].errors
    html = response.content.decode()
    assert "ZZ is not one of the available choices" in html
    assert checked(html) == ["SN"]
    assert 'value="SN" aria-invalid="true"' in html
    assert not Declaration.objects.filter(startup=world["startup_a"], fiscal_year=LAST_YEAR).exists()


def test_the_picker_works_for_any_choices():
    class Form(forms.Form):
        languages = forms.MultipleChoiceField(
            choices=[("fr", "Français"), ("ar", "العربية"), ("en", "English")],
            widget=CheckboxPicker(texts={"filter": "Find a language"}),
        )

    form = Form({"languages": ["en", "zz"]})
    assert not form.is_valid() and "languages" in form.errors
    html = str(form["languages"])
    assert re.search(r'value="en"[^>]* checked', html) and "Find a language" in html
    assert re.findall(r'value="(\w+)"', html) == ["en", "fr", "ar"]
    assert form["languages"].use_fieldset and form["languages"].widget_type == "checkboxpicker"
    assert CountryPicker.texts["filter"] != CheckboxPicker.texts["filter"]

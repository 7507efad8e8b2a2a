"""Dates, numbers, amounts and lists in each language's own format (issue 19):
core.formatting, its template filters (core/templatetags/formats.py), the format modules
(technopark/formats) and the bidi helpers for text someone wrote."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.conf import settings
from django.template import Context, Template
from django.utils import translation
from django_scopes import scopes_disabled

from core import formatting
from core.forms import LocalizedDecimalField
from tests.factories import ServiceFactory, ServiceSessionFactory

NBSP = "\xa0"
CASABLANCA = ZoneInfo("Africa/Casablanca")
# 10:30 in Casablanca (UTC+1 in December), a Thursday.
MOMENT = datetime.datetime(2026, 12, 10, 9, 30, tzinfo=datetime.UTC)
DAY = datetime.date(2026, 12, 10)


# --- Dates ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("language", "long", "short", "moment", "weekday"),
    [
        ("fr", "10 décembre 2026", "10/12/2026", "10 décembre 2026 à 10:30", "jeudi 10 décembre 2026"),
        ("ar", "10 دجنبر 2026", "10/12/2026", "10 دجنبر 2026، 10:30", "الخميس 10 دجنبر 2026"),
        ("en", "Dec. 10, 2026", "12/10/2026", "Dec. 10, 2026, 10:30", "Thursday, December 10, 2026"),
    ],
)
def test_dates_in_each_language(language, long, short, moment, weekday):
    assert formatting.format_date(DAY, language=language) == long
    assert formatting.format_date(MOMENT, language=language) == long  # a moment's local day
    assert formatting.format_short_date(DAY, language=language) == short
    assert formatting.format_datetime(MOMENT, language=language) == moment
    assert formatting.format_time(MOMENT, language=language) == "10:30"
    assert formatting.format_time(datetime.time(9, 5), language=language) == "09:05"
    assert formatting.format_weekday_date(DAY, language=language) == weekday


def test_french_dates_in_words_have_no_abbreviation_nor_leading_zero():
    assert formatting.format_date(datetime.date(2027, 1, 3), language="fr") == "3 janvier 2027"
    assert formatting.format_month(datetime.date(2027, 1, 1), language="fr") == "janvier 2027"
    assert formatting.format_weekday_datetime(MOMENT, language="fr") == "jeudi 10 décembre 2026 à 10:30"
    assert formatting.format_short_datetime(MOMENT, language="fr") == "10/12/2026 10:30"


def test_french_writes_the_first_of_the_month_1er():
    first = datetime.datetime(2026, 11, 1, 9, 30, tzinfo=datetime.UTC)
    assert formatting.format_date(first, language="fr") == "1er novembre 2026"
    assert formatting.format_datetime(first, language="fr") == "1er novembre 2026 à 10:30"
    assert formatting.format_weekday_date(first, language="fr") == "dimanche 1er novembre 2026"
    assert formatting.format_short_date(first, language="fr") == "01/11/2026"
    assert formatting.format_date(first, language="ar") == "1 نونبر 2026"
    assert formatting.format_date(first, language="en") == "Nov. 1, 2026"


def test_arabic_dates_put_the_day_before_the_month():
    assert formatting.format_date(datetime.date(2027, 1, 3), language="ar") == "3 يناير 2027"
    assert formatting.format_weekday_datetime(MOMENT, language="ar") == "الخميس 10 دجنبر 2026، 10:30"
    assert formatting.format_short_datetime(MOMENT, language="ar") == "10/12/2026 10:30"


def test_a_moment_is_shown_in_casablanca_time_and_a_chosen_zone_is_kept():
    # Ramadan 2026 (UTC+0 in Casablanca): 09:30 UTC is 09:30 local.
    ramadan = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC)
    assert formatting.format_time(ramadan, language="fr") == "09:30"
    assert formatting.format_time(MOMENT.astimezone(CASABLANCA), language="fr") == "10:30"


def test_none_is_nothing_and_language_none_is_the_active_language():
    assert formatting.format_date(None) == "" and formatting.format_amount(None) == ""
    assert formatting.format_list(None) == "" and formatting.format_number("") == ""
    with translation.override("ar"):
        assert formatting.format_date(DAY) == "10 دجنبر 2026"
        assert formatting.format_date(DAY, language="fr") == "10 décembre 2026"
        assert translation.get_language() == "ar"  # restored


# --- Numbers, amounts, areas, lists --------------------------------------------------------
@pytest.mark.parametrize(
    ("language", "number", "amount", "whole"),
    [
        ("fr", "1\xa0234\xa0567,89", "1\xa0419\xa0208\xa0302,00\xa0MAD", "30\xa0000"),
        ("ar", "1\xa0234\xa0567,89", "1\xa0419\xa0208\xa0302,00\xa0درهم", "30\xa0000"),
        ("en", "1,234,567.89", "1,419,208,302.00\xa0MAD", "30,000"),
    ],
)
def test_numbers_and_amounts_are_grouped_and_never_split(language, number, amount, whole):
    assert formatting.format_number(Decimal("1234567.891"), 2, language=language) == number
    assert formatting.format_number(30000, language=language) == whole
    assert formatting.format_amount(Decimal("1419208302"), language=language) == amount
    assert " " not in formatting.format_amount(Decimal("864259425"), language=language)
    area = formatting.format_area(Decimal("30000.00"), language=language)
    assert area.startswith(whole + NBSP) and " " not in area  # the unit's translation is the lead's


def test_amounts_round_half_up_and_headline_figures_drop_the_cents():
    assert formatting.format_amount(Decimal("0.005"), language="fr") == "0,01\xa0MAD"
    assert formatting.format_amount(Decimal("900123456.5"), language="en", decimals=0) == "900,123,457\xa0MAD"
    assert formatting.format_number(2.5, 0, language="en") == "3"


def test_areas_show_decimals_only_when_there_are_some():
    assert formatting.format_area(Decimal("30000.00"), language="fr") == "30\xa0000\xa0m²"
    assert formatting.format_area(Decimal("18.50"), language="fr") == "18,50\xa0m²"
    assert formatting.format_number(Decimal("12.00"), -2, language="fr") == "12"


def test_lists_use_the_arabic_comma_in_arabic():
    assert formatting.format_list(["arabe", "français"], language="fr") == "arabe, français"
    assert formatting.format_list(["العربية", "الفرنسية"], language="ar") == "العربية، الفرنسية"
    assert formatting.format_list(["Arabic", "French"], language="en") == "Arabic, French"
    assert formatting.format_list([], language="ar") == ""


def test_grouping_does_not_rely_on_use_thousand_separator():
    """It stays off (it would group every year and id a template prints): the helpers group."""
    assert settings.USE_THOUSAND_SEPARATOR is False
    assert Template("{{ year }}").render(Context({"year": 2026})) == "2026"


# --- Template filters ----------------------------------------------------------------------
def render(source: str, language: str, **context) -> str:
    with translation.override(language):
        return Template("{% load formats bidi %}" + source).render(Context(context))


def test_filters_isolate_amounts_and_escape_list_items():
    html = render("{{ amount|format_amount }}", "ar", amount=Decimal("1234.5"))
    assert html == '<bdi class="text-nowrap">1\xa0234,50\xa0درهم</bdi>'
    assert render("{{ area|format_area }}", "fr", area=30000) == '<bdi class="text-nowrap">30\xa0000\xa0m²</bdi>'
    assert render("{{ amount|format_amount:0 }}", "en", amount=Decimal("1234.5")).endswith(">1,235\xa0MAD</bdi>")
    assert render('{{ names|format_list:"bdi" }}', "ar", names=["<b>", "Atlas"]) == (
        "<bdi>&lt;b&gt;</bdi>، <bdi>Atlas</bdi>"
    )
    assert render("{{ names|format_list }}", "fr", names=["<b>", "Atlas"]) == "&lt;b&gt;, Atlas"
    assert render("{{ n|format_number:1 }}", "fr", n=Decimal("1234.56")) == "1\xa0234,6"
    assert render("{% list_separator %}", "ar") == "، "


def test_date_filters_follow_the_language_and_the_time_zone():
    assert render("{{ moment|format_datetime }}", "ar", moment=MOMENT) == "10 دجنبر 2026، 10:30"
    assert render("{{ moment|format_datetime }}", "fr", moment=MOMENT) == "10 décembre 2026 à 10:30"
    tz = '{% load tz %}{{ moment|timezone:"UTC"|format_time }}'
    assert render(tz, "fr", moment=MOMENT) == "09:30"  # a zone the template chose is kept


def test_paragraphs_take_their_direction_from_their_first_letter():
    html = render("{{ text|paragraphs }}", "ar", text="Conférence ouverte.\n\nمرحبا <b>")
    assert html == '<p dir="auto">Conférence ouverte.</p>\n\n<p dir="auto">مرحبا &lt;b&gt;</p>'


def test_email_paragraphs_in_the_other_script_get_their_own_direction():
    text = "<p>مرحبا Atlas،</p>\n\n<p>Conférence ouverte.</p>\n\n<p>https://example.ma/x</p>"
    html = render("{{ text|safe|foreign_paragraphs }}", "ar", text=text)
    assert "<p>مرحبا Atlas،</p>" in html  # mixed: the email's direction
    assert '<p dir="ltr">Conférence ouverte.</p>' in html and '<p dir="ltr">https://example.ma/x</p>' in html
    html = render("{{ text|safe|foreign_paragraphs }}", "fr", text="<p>مرحبا</p>\n\n<p>Bonjour.</p>")
    assert html == '<p dir="rtl">مرحبا</p>\n\n<p>Bonjour.</p>'


# --- Forms ---------------------------------------------------------------------------------
class AmountForm(forms.Form):
    amount = LocalizedDecimalField(max_digits=14, decimal_places=2)


@pytest.mark.parametrize(
    ("language", "typed"),
    [
        ("fr", "1 234,50"),
        ("fr", "1\xa0234,50"),
        ("fr", "1\u202f234,50"),
        ("fr", "1234.50"),
        ("ar", "1 234,50"),
        ("ar", "١٬٢٣٤٫٥٠"),
        ("en", "1,234.50"),
        ("en", "1 234.50"),
    ],
)
def test_a_localized_decimal_is_read_as_the_language_writes_it(language, typed):
    with translation.override(language):
        form = AmountForm(data={"amount": typed})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == Decimal("1234.50")


def test_a_localized_decimal_is_shown_back_in_a_form_that_reads_it_again():
    with translation.override("fr"):
        html = str(AmountForm(initial={"amount": Decimal("1234.50")})["amount"])
        assert 'value="1234,50"' in html and 'inputmode="decimal"' in html
        assert AmountForm(data={"amount": "1234,50"}).is_valid()
        assert not AmountForm(data={"amount": "12,34,5"}).is_valid()


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "ar"])
def test_number_inputs_still_read_what_the_browser_sends(language, site_a):
    """The back-office forms use <input type="number">: the browser sends "1234.50"."""
    from startups.forms.offices import OfficeForm
    from startups.models import Office

    with translation.override(language), scopes_disabled():
        form = OfficeForm(
            data={"number": "B-1", "floor": "1", "area_m2": "18.50", "seats": "2", "monthly_rent_mad": "1234.50"},
            instance=Office(site=site_a),
        )
        assert form.is_valid(), form.errors
    assert form.cleaned_data["monthly_rent_mad"] == Decimal("1234.50")
    assert form.cleaned_data["area_m2"] == Decimal("18.50")


# --- A page in Arabic ----------------------------------------------------------------------
@pytest.mark.django_db
def test_the_service_page_in_arabic_writes_dates_and_lists_the_moroccan_way(client, site_a):
    from sites.models import Language

    with scopes_disabled(), translation.override("fr"):  # French text: what an Arabic page falls back to
        service = ServiceFactory(
            site=site_a,
            eligibility="public",
            description="Conférence ouverte à tous.",
            languages=list(Language.objects.filter(code__in=["ar", "fr"])),
        )
        ServiceSessionFactory(service=service, starts_at=datetime.datetime(2030, 12, 12, 10, 30, tzinfo=CASABLANCA))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    html = client.get(f"/services/{service.pk}/").content.decode()
    assert "12 دجنبر 2030، 10:30" in html  # j F Y، H:i
    assert "12 دجنبر 2030، 09:30" in html  # the registration deadline, an hour before
    assert "دجنبر 12," not in html and "Dec." not in html and "10:30 ص" not in html
    assert "ديسمبر" not in html  # Morocco's month names, not the Levantine ones
    with translation.override("ar"):
        names = [language.name for language in Language.objects.filter(code__in=["ar", "fr"]).order_by("code")]
    assert "، ".join(names) in html
    assert '<p dir="auto">Conférence ouverte à tous.</p>' in html


# --- Emails --------------------------------------------------------------------------------
def test_an_email_in_arabic_writes_its_dates_the_moroccan_way_in_an_rtl_html_part():
    from core.emails import email_render

    subject, body = email_render(
        template="accounts/email/account_deleted", context={"name": "Nadia", "when": MOMENT}, language="ar"
    )
    assert "10 دجنبر 2026، 10:30" in body and "دجنبر 12," not in body
    assert '<html lang="ar" dir="rtl">' in body.html and "10 دجنبر 2026، 10:30" in body.html
    subject, body = email_render(
        template="accounts/email/account_deleted", context={"name": "Nadia", "when": MOMENT}, language="fr"
    )
    assert "10 décembre 2026 à 10:30" in body and '<html lang="fr" dir="ltr">' in body.html

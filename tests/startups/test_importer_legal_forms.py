"""History import: legal forms as people write them in legacy spreadsheets (labels in any of
the site's languages, any case, with or without dots, spaces or hyphens) are read as the
internal codes; an unknown one is refused with the accepted values, translated."""

import pytest
from django.utils import translation
from django_scopes import scopes_disabled

from startups.legal_forms import SYNONYMS, legal_form_code, normalise
from startups.models import LegalForm, Startup

from .test_importer import HEADER_S, run


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("SARL AU", LegalForm.SARL_AU),
        ("sarl au", LegalForm.SARL_AU),
        ("S.A.R.L. A.U.", LegalForm.SARL_AU),
        ("s.a.r.l au", LegalForm.SARL_AU),
        ("SARL-AU", LegalForm.SARL_AU),
        ("SARLAU", LegalForm.SARL_AU),
        ("SARL AU (associé unique)", LegalForm.SARL_AU),  # the French label
        ("SARL AU (single shareholder)", LegalForm.SARL_AU),  # the English label
        ("شركة ذات مسؤولية محدودة ذات الشريك الوحيد (SARL AU)", LegalForm.SARL_AU),  # the Arabic label
        ("sarl_au", LegalForm.SARL_AU),  # the code
        ("S.A.R.L.", LegalForm.SARL),
        ("  Sarl ", LegalForm.SARL),
        ("Société à responsabilité limitée", LegalForm.SARL),
        ("SA", LegalForm.SA),
        ("S.A.", LegalForm.SA),
        ("société anonyme", LegalForm.SA),
        ("S.A.S", LegalForm.SAS),
        ("s.a.s.", LegalForm.SAS),
        ("Auto-entrepreneur", LegalForm.AUTO_ENTREPRENEUR),
        ("auto entrepreneur", LegalForm.AUTO_ENTREPRENEUR),
        ("AUTO-ENTREPRENEUR", LegalForm.AUTO_ENTREPRENEUR),
        ("مقاول ذاتي", LegalForm.AUTO_ENTREPRENEUR),
        ("auto", LegalForm.AUTO_ENTREPRENEUR),
        ("Autre", LegalForm.OTHER),
        ("أخرى", LegalForm.OTHER),
        ("GmbH", None),
        ("SARL AU X", None),
        ("...", None),
    ],
)
def test_legal_forms_as_people_write_them(written, code):
    assert legal_form_code(written) == code


def test_normalise_drops_case_accents_dots_spaces_and_hyphens():
    assert normalise("S.A.R.L. à Associé-Unique") == "sarlaassocieunique"


def test_every_label_in_every_language_reads_back_as_its_code():
    for language in ("fr", "en", "ar"):
        with translation.override(language):
            for code, label in LegalForm.choices:
                assert legal_form_code(str(label)) == code, (language, label)


def test_no_synonym_means_another_legal_form():
    for code, spellings in SYNONYMS.items():
        assert legal_form_code(code) == code
        for spelling in spellings:
            assert legal_form_code(spelling) == code, spelling


def test_the_import_stores_the_code_of_a_label(site_a, staff):
    rows = "A,,SARL AU,,,,,,,,\nB,,s.a.r.l.,,,,,,,,\nC,,Auto-entrepreneur,,,,,,,,\nD,,S.A.S,,,,,,,,\n"
    report = run((HEADER_S.decode() + rows).encode(), actor=staff)
    assert report.ok and report.applied, report.errors
    with scopes_disabled():
        assert dict(Startup.objects.values_list("legal_name", "legal_form")) == {
            "A": LegalForm.SARL_AU,
            "B": LegalForm.SARL,
            "C": LegalForm.AUTO_ENTREPRENEUR,
            "D": LegalForm.SAS,
        }


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Write one of: SARL, SARL AU (single shareholder), SA, SAS, Auto-entrepreneur, Other"),
        ("fr", "SARL, SARL AU (associé unique), SA, SAS, Auto-entrepreneur, Autre"),
        ("ar", "مقاول ذاتي"),
    ],
)
def test_an_unknown_legal_form_says_which_values_are_accepted(site_a, language, expected):
    with translation.override(language):
        report = run((HEADER_S.decode() + "A,,GmbH,,,,,,,,\n").encode(), dry_run=True)
    [error] = report.errors
    assert (error.line, error.code) == (2, "unknown_legal_form")
    assert "GmbH" in error.message and expected in error.message

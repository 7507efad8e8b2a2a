"""billing.words (issue 21): the total in words closing an invoice or a credit note."""

from decimal import Decimal

import pytest
from num2words import num2words

from billing.words import amount_in_words, credit_note_words

D = Decimal
INVOICE_FR = "Arrêtée la présente facture à la somme {} toutes taxes comprises."
CREDIT_FR = "Arrêté le présent avoir à la somme {} toutes taxes comprises."
INVOICE_AR_START = "حُصرت هذه الفاتورة في مبلغ "
CREDIT_AR_START = "حُصر هذا الإشعار الدائن في مبلغ "
AR_END = " مع احتساب جميع الرسوم."


def arabic_number(number: int) -> str:
    """num2words' Arabic, its conjunction attached to the next word ("و ثلاثون" → "وثلاثون")."""
    return num2words(number, lang="ar").replace(" و ", " و")


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (D("0.50"), "de cinquante centimes"),
        (D("1"), "d’un dirham"),
        (D("2"), "de deux dirhams"),
        (D("1234.50"), "de mille deux cent trente-quatre dirhams et cinquante centimes"),
        (D("1000"), "de mille dirhams"),
        (D("1000000"), "d’un million de dirhams"),
        (D("2000000.01"), "de deux millions de dirhams et un centime"),
        (D("1000001"), "d’un million un dirhams"),
        (D("0"), "de zéro dirham"),
        (D("1.01"), "d’un dirham et un centime"),
        (D("11"), "de onze dirhams"),
        (D("80.80"), "de quatre-vingts dirhams et quatre-vingts centimes"),
        (D("21.21"), "de vingt et un dirhams et vingt et un centimes"),
        (1000, "de mille dirhams"),
        (
            D("999999999999.99"),
            "de neuf cent quatre-vingt-dix-neuf milliards neuf cent quatre-vingt-dix-neuf millions "
            "neuf cent quatre-vingt-dix-neuf mille neuf cent quatre-vingt-dix-neuf dirhams "
            "et quatre-vingt-dix-neuf centimes",
        ),
    ],
)
def test_french(amount, words):
    assert amount_in_words(amount, "fr") == INVOICE_FR.format(words)
    assert credit_note_words(amount, "fr") == CREDIT_FR.format(words)


def test_french_exactly_as_the_legal_mention():
    assert amount_in_words(D("1234.50"), "fr") == (
        "Arrêtée la présente facture à la somme de mille deux cent trente-quatre dirhams "
        "et cinquante centimes toutes taxes comprises."
    )
    assert amount_in_words(D("1000.00"), "fr") == (
        "Arrêtée la présente facture à la somme de mille dirhams toutes taxes comprises."
    )


def test_amounts_are_rounded_half_up_to_the_centime():
    assert amount_in_words(D("1.005"), "fr") == INVOICE_FR.format("d’un dirham et un centime")
    assert amount_in_words(D("0.994"), "fr") == INVOICE_FR.format("de quatre-vingt-dix-neuf centimes")


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (D("0.50"), f"{arabic_number(50)} سنتيمًا"),
        (D("1"), f"درهم {arabic_number(1)}"),
        (D("2"), f"درهمان {arabic_number(2)}"),
        (D("1234.50"), f"{arabic_number(1234)} درهمًا و{arabic_number(50)} سنتيمًا"),
        (D("1000000"), f"{arabic_number(1000000)} درهم"),
        (D("5.05"), f"{arabic_number(5)} دراهم و{arabic_number(5)} سنتيمات"),
        (D("0"), "صفر درهم"),
    ],
)
def test_arabic(amount, words):
    invoice = amount_in_words(amount, "ar")
    assert invoice.startswith(INVOICE_AR_START)
    assert invoice.endswith(AR_END)
    assert invoice == f"{INVOICE_AR_START}{words}{AR_END}"
    credit = credit_note_words(amount, "ar")
    assert credit == f"{CREDIT_AR_START}{words}{AR_END}"


def test_arabic_of_the_example():
    assert amount_in_words(D("1234.50"), "ar") == (
        "حُصرت هذه الفاتورة في مبلغ ألف ومئتان وأربعة وثلاثون درهمًا وخمسون سنتيمًا مع احتساب جميع الرسوم."
    )


@pytest.mark.parametrize("language", ["ar", "AR", "ar-ma", "ar_MA"])
def test_arabic_language_codes(language):
    assert amount_in_words(D("3"), language).startswith(INVOICE_AR_START)


@pytest.mark.parametrize("language", ["fr", "fr-ma", "en", "es", "", "zz"])
def test_other_languages_fall_back_to_french(language):
    assert amount_in_words(D("2"), language) == INVOICE_FR.format("de deux dirhams")


@pytest.mark.parametrize("amount", [D("-0.01"), D("-1"), D("1000000000000"), D("999999999999.995")])
def test_out_of_range_amounts_are_refused(amount):
    with pytest.raises(ValueError):
        amount_in_words(amount, "fr")
    with pytest.raises(ValueError):
        credit_note_words(amount, "ar")


def test_floats_are_refused():
    with pytest.raises(TypeError):
        amount_in_words(12.5, "fr")

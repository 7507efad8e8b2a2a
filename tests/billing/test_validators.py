"""billing.validators (issue 21): the Moroccan identifiers an invoice carries."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from billing.validators import (
    normalise_rib,
    rib_key,
    validate_cnss,
    validate_if,
    validate_rc,
    validate_rib,
    validate_tp,
)

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
# The Moroccan example of the SWIFT IBAN registry (MA64 0115 1900 0001 2050 0053 4921): a real RIB.
REGISTRY_RIB = "011519000001205000534921"


def assert_refused(validator, value, code, message):
    with pytest.raises(ValidationError) as caught, translation.override("en"):
        validator(value)
    assert caught.value.code == code
    with translation.override("en"):
        assert caught.value.messages == [message]


COMMON_BAD = ["", " ", None, True, "12 345", "1234-567", "ABCDEFG"]
CASES = [
    (
        validate_if,
        ["1234567", "12345678"],
        ["123456", "123456789", "1234567A", "1234567 "],
        "invalid_if",
        "The tax identifier (IF) is made of 7 or 8 digits.",
    ),
    (
        validate_rc,
        ["1", "12345", "1234567890"],
        ["12345678901", "RC12345", "12345/CAS"],
        "invalid_rc",
        "The trade register number (RC) is made of 1 to 10 digits.",
    ),
    (
        validate_tp,
        ["12345678"],
        ["1234567", "123456789", "1234567O"],
        "invalid_tp",
        "The business tax number (TP) is made of exactly 8 digits.",
    ),
    (
        validate_cnss,
        ["1234567"],
        ["123456", "12345678", "123456l"],
        "invalid_cnss",
        "The CNSS number is made of exactly 7 digits.",
    ),
]


@pytest.mark.parametrize(("validator", "good", "bad", "code", "message"), CASES)
def test_identifiers(validator, good, bad, code, message):
    for value in good:
        validator(value)  # no error
    # Arabic-Indic digits are digits for str.isdigit() and for \d, not for an identifier.
    for value in [*bad, *COMMON_BAD, *(value.translate(ARABIC_INDIC) for value in good)]:
        assert_refused(validator, value, code, message)


def test_rib_key_makes_the_whole_number_a_multiple_of_97():
    key = rib_key("007", "780", "0001234567890123")
    assert len(key) == 2 and key.isdigit()
    assert key == f"{97 - (51 * 7 + 89 * 780 + 3 * 1234567890123) % 97:02d}"
    assert int("007780" + "0001234567890123" + key) % 97 == 0


def test_rib_key_of_a_real_rib():
    assert rib_key(REGISTRY_RIB[:3], REGISTRY_RIB[3:6], REGISTRY_RIB[6:22]) == REGISTRY_RIB[22:]
    validate_rib(REGISTRY_RIB)
    # The French weights (89, 15, 3 for a 5 + 5 + 11 layout) do not fit the Moroccan layout.
    bank, branch, account = int(REGISTRY_RIB[:3]), int(REGISTRY_RIB[3:6]), int(REGISTRY_RIB[6:22])
    assert f"{97 - (89 * bank + 15 * branch + 3 * account) % 97:02d}" != REGISTRY_RIB[22:]


def test_rib_key_is_between_01_and_97():
    keys = {rib_key("225", "810", f"{account:016d}") for account in range(300)}
    assert min(keys) >= "01" and max(keys) <= "97"
    assert len(keys) == 97


@pytest.mark.parametrize(
    ("bank", "branch", "account"),
    [
        ("07", "780", "0" * 16),
        ("007", "7800", "0" * 16),
        ("007", "780", "0" * 15),
        ("00A", "780", "0" * 16),
        ("007", "780", 1),
    ],
)
def test_rib_key_refuses_malformed_parts(bank, branch, account):
    with pytest.raises(ValueError):
        rib_key(bank, branch, account)


def test_a_constructed_rib_is_valid_with_or_without_spaces():
    bank, branch, account = "007", "780", "0001234567890123"
    key = rib_key(bank, branch, account)
    validate_rib(bank + branch + account + key)
    validate_rib(f"{bank} {branch} {account} {key}")
    validate_rib(f" {bank} {branch}  {account[:8]} {account[8:]} {key} ")
    assert normalise_rib(f"{bank} {branch} {account} {key}") == bank + branch + account + key
    assert normalise_rib("") == ""


def test_a_wrong_key_is_refused():
    rib = "007780" + "0001234567890123"
    key = int(rib_key(rib[:3], rib[3:6], rib[6:]))
    wrong = f"{key % 97 + 1:02d}"
    assert_refused(validate_rib, rib + wrong, "invalid_rib_key", "This RIB's key does not match: check the 24 digits.")


def test_any_single_wrong_digit_is_caught():
    for position in range(24):
        digit = REGISTRY_RIB[position]
        for replacement in "0123456789":
            if replacement != digit:
                typo = REGISTRY_RIB[:position] + replacement + REGISTRY_RIB[position + 1 :]
                with pytest.raises(ValidationError):
                    validate_rib(typo)


@pytest.mark.parametrize(
    "value",
    [
        REGISTRY_RIB[:-1],  # 23 digits
        REGISTRY_RIB + "0",  # 25 digits
        "A" + REGISTRY_RIB[1:],  # a letter
        REGISTRY_RIB[:10] + "-" + REGISTRY_RIB[10:],  # a dash is not a space
        REGISTRY_RIB.translate(ARABIC_INDIC),
        "",
        None,
        int(REGISTRY_RIB),
    ],
)
def test_malformed_ribs_are_refused(value):
    assert_refused(validate_rib, value, "invalid_rib", "The RIB is made of exactly 24 digits.")

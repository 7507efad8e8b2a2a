"""The Moroccan identifiers an invoice carries: ICE, IF, RC, TP, CNSS and the bank's RIB.

Only ASCII digits are accepted ([0-9], not \\d, which would let Arabic-Indic digits through).

The RIB's key follows the same rule as the French one: the whole number, read as an integer, is
a multiple of 97. On the French layout (bank 5, branch 5, account 11) that gives the well-known
key = 97 − ((89 × bank + 15 × branch + 3 × account) mod 97), the weights being 10¹⁸, 10¹³ and
10² mod 97. The Moroccan RIB has 24 digits, bank (3) + locality/branch (3) + account (16) +
key (2), so the weights are 10²¹, 10¹⁸ and 10² mod 97 = 51, 89 and 3: the French weights would
refuse real Moroccan RIBs, such as the one in the Moroccan example of the SWIFT IBAN registry
(IBAN MA64 0115 1900 0001 2050 0053 4921, RIB 011 519 0000012050005349 21).
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

RIB_LENGTH = 24
_BANK_WEIGHT = pow(10, 21, 97)  # 51
_BRANCH_WEIGHT = pow(10, 18, 97)  # 89
_ACCOUNT_WEIGHT = pow(10, 2, 97)  # 3


def _digits(value: object, pattern: str) -> bool:
    return (
        isinstance(value, str | int) and not isinstance(value, bool) and re.fullmatch(pattern, str(value)) is not None
    )


def validate_if(value: str) -> None:
    """Identifiant fiscal: 7 or 8 digits."""
    if not _digits(value, r"[0-9]{7,8}"):
        raise ValidationError(_("The tax identifier (IF) is made of 7 or 8 digits."), code="invalid_if")


def validate_rc(value: str) -> None:
    """Registre de commerce number: 1 to 10 digits (without its city)."""
    if not _digits(value, r"[0-9]{1,10}"):
        raise ValidationError(_("The trade register number (RC) is made of 1 to 10 digits."), code="invalid_rc")


def validate_tp(value: str) -> None:
    """Taxe professionnelle (patente) number: exactly 8 digits."""
    if not _digits(value, r"[0-9]{8}"):
        raise ValidationError(_("The business tax number (TP) is made of exactly 8 digits."), code="invalid_tp")


def validate_cnss(value: str) -> None:
    """CNSS affiliation number: exactly 7 digits."""
    if not _digits(value, r"[0-9]{7}"):
        raise ValidationError(_("The CNSS number is made of exactly 7 digits."), code="invalid_cnss")


def normalise_rib(value: str) -> str:
    """'011 519 0000012050005349 21' → '011519000001205000534921' (spaces removed, nothing else)."""
    return re.sub(r"\s+", "", value or "")


def rib_key(bank: str, branch: str, account: str) -> str:
    """The 2-digit key (01 to 97) of a Moroccan RIB: bank (3 digits), branch (3), account (16)."""
    for name, part, length in (("bank", bank, 3), ("branch", branch, 3), ("account", account, 16)):
        if not isinstance(part, str) or not re.fullmatch(rf"[0-9]{{{length}}}", part):
            raise ValueError(f"The RIB's {name} code is made of {length} digits, not {part!r}.")
    weighted = _BANK_WEIGHT * int(bank) + _BRANCH_WEIGHT * int(branch) + _ACCOUNT_WEIGHT * int(account)
    return f"{97 - weighted % 97:02d}"


def validate_rib(value: str) -> None:
    """A Moroccan RIB: 24 digits (spaces ignored) whose last two are the key of the others."""
    rib = normalise_rib(value) if isinstance(value, str) else ""
    if not re.fullmatch(rf"[0-9]{{{RIB_LENGTH}}}", rib):
        raise ValidationError(_("The RIB is made of exactly 24 digits."), code="invalid_rib")
    if rib_key(rib[:3], rib[3:6], rib[6:22]) != rib[22:]:
        raise ValidationError(_("This RIB's key does not match: check the 24 digits."), code="invalid_rib_key")

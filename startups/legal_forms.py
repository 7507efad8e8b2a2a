"""Legal forms as people write them in spreadsheets ("SARL AU", "S.A.R.L.", "auto entrepreneur")
→ LegalForm's codes, for the history import (startups.importer).

A value is normalised (case folded, accents and Arabic diacritics dropped, every character
that is not a letter or a digit removed: dots, spaces, hyphens, parentheses…) and looked up
among the normalised codes, the choices' labels in every language of the site (with and
without their parenthesised part) and a few usual spellings (SYNONYMS).
"""

from __future__ import annotations

import functools
import re
import unicodedata

from django.conf import settings
from django.utils import translation

from .models import LegalForm

# What else people write, beyond the codes and the labels (normalised like them).
SYNONYMS: dict[str, tuple[str, ...]] = {
    LegalForm.SARL: ("société à responsabilité limitée", "LLC"),
    LegalForm.SARL_AU: (
        "SARLU",
        "SARL associé unique",
        "SARL à associé unique",
        "SARL unipersonnelle",
        "société à responsabilité limitée à associé unique",
    ),
    LegalForm.SA: ("société anonyme",),
    LegalForm.SAS: ("SASU", "société par actions simplifiée"),
    LegalForm.AUTO_ENTREPRENEUR: ("autoentrepreneur", "auto-entreprise", "AE", "statut auto-entrepreneur"),
    LegalForm.OTHER: ("autre", "other"),
}
PARENTHESISED = re.compile(r"\([^)]*\)")


def normalise(value: str) -> str:
    """“S.A.R.L. à associé-unique” → "sarlaassocieunique"."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return "".join(char for char in decomposed if char.isalnum() and not unicodedata.combining(char))


@functools.cache
def _lookup() -> dict[str, str]:
    """normalised spelling → code. Built once per process (labels come from the catalogues)."""
    spellings: dict[str, str] = {}
    for code, label in LegalForm.choices:
        written = [code, *SYNONYMS.get(code, ())]
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                text = str(label)
            written += [text, PARENTHESISED.sub("", text)]
        for spelling in written:
            # The first meaning stays (tests check that every label reads back as its own code).
            if key := normalise(spelling):
                spellings.setdefault(key, code)
    return spellings


def legal_form_code(value: str) -> str | None:
    """The LegalForm code `value` means, or None when it is not a legal form we know."""
    return _lookup().get(normalise(value))


def accepted_legal_forms() -> str:
    """The labels to suggest, in the active language: "SARL, SARL AU (associé unique), SA…"."""
    return ", ".join(str(label) for label in LegalForm.labels)

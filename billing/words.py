"""A document's total in words, the legal mention closing a Moroccan invoice or credit note:
"Arrêtée la présente facture à la somme de … toutes taxes comprises."

Numbers are spelled by num2words (French, or Arabic whose grammar is approximate: its words are
kept as they are, only its conjunction "و" is attached to the following word as written Arabic
does). Any language but Arabic gets the French mention, the language of Moroccan invoices.
"""

import re
from decimal import Decimal

from num2words import num2words

from billing.money import cents

MAX_AMOUNT = Decimal("999999999999.99")

_FRENCH_FRAMES = {
    "invoice": "Arrêtée la présente facture à la somme {amount} toutes taxes comprises.",
    "credit_note": "Arrêté le présent avoir à la somme {amount} toutes taxes comprises.",
}
_ARABIC_FRAMES = {
    "invoice": "حُصرت هذه الفاتورة في مبلغ {amount} مع احتساب جميع الرسوم.",
    "credit_note": "حُصر هذا الإشعار الدائن في مبلغ {amount} مع احتساب جميع الرسوم.",
}
# Arabic counted nouns: (one, two, 3–10 plural, 11–99 accusative singular, otherwise singular).
_DIRHAM_AR = ("درهم واحد", "درهمان اثنان", "دراهم", "درهمًا", "درهم")
_CENTIME_AR = ("سنتيم واحد", "سنتيمان اثنان", "سنتيمات", "سنتيمًا", "سنتيم")
_ARABIC_AND = re.compile(r"(?<=\s)و\s+")


def amount_in_words(amount: Decimal, language: str) -> str:
    """The invoice's mention: "Arrêtée la présente facture à la somme de mille dirhams toutes
    taxes comprises." (or its Arabic). Amounts from 0 to 999 999 999 999.99, half-up to the centime."""
    return _mention("invoice", amount, language)


def credit_note_words(amount: Decimal, language: str) -> str:
    """The credit note's mention: "Arrêté le présent avoir à la somme de … toutes taxes comprises."."""
    return _mention("credit_note", amount, language)


def _mention(kind: str, amount: Decimal, language: str) -> str:
    dirhams, centimes = _split(amount)
    if _is_arabic(language):
        return _ARABIC_FRAMES[kind].format(amount=_arabic(dirhams, centimes))
    return _FRENCH_FRAMES[kind].format(amount=_french(dirhams, centimes))


def _split(amount: Decimal) -> tuple[int, int]:
    rounded = cents(amount)  # refuses floats
    if amount < 0:
        raise ValueError(f"An amount in words cannot be negative: {amount}.")
    if rounded > MAX_AMOUNT:
        raise ValueError(f"An amount in words is at most {MAX_AMOUNT}: {amount}.")
    dirhams = int(rounded)
    return dirhams, int((rounded - dirhams) * 100)


def _is_arabic(language: str) -> bool:
    return (language or "").lower().replace("_", "-").split("-")[0] == "ar"


def _french(dirhams: int, centimes: int) -> str:
    parts = []
    if dirhams or not centimes:
        words = num2words(dirhams, lang="fr")
        # "un million de dirhams": million and milliard are nouns.
        unit = "dirham" if dirhams in (0, 1) else "dirhams"
        parts.append(
            f"{words} de {unit}"
            if words.endswith(("million", "millions", "milliard", "milliards"))
            else f"{words} {unit}"
        )
    if centimes:
        parts.append(f"{num2words(centimes, lang='fr')} {'centime' if centimes == 1 else 'centimes'}")
    words = " et ".join(parts)
    # "de" elides before "un" ("d’un dirham", "d’un million de dirhams"), not before "onze" or "huit".
    return f"d’{words}" if words == "un" or words.startswith("un ") else f"de {words}"


def _arabic(dirhams: int, centimes: int) -> str:
    parts = []
    if dirhams or not centimes:
        parts.append(_arabic_count(dirhams, _DIRHAM_AR))
    if centimes:
        parts.append(_arabic_count(centimes, _CENTIME_AR))
    return " و".join(parts)


def _arabic_count(number: int, nouns: tuple[str, str, str, str, str]) -> str:
    one, two, plural, accusative, singular = nouns
    if number == 1:
        return one
    if number == 2:
        return two
    words = _ARABIC_AND.sub("و", num2words(number, lang="ar"))
    last_two = number % 100
    if 3 <= last_two <= 10:
        noun = plural
    elif 11 <= last_two <= 99:
        noun = accusative
    else:
        noun = singular
    return f"{words} {noun}"

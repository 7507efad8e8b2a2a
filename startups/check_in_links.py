"""One-click links to the yearly check-in (issue 22), sent in every declaration reminder.

A link carries (startup id, fiscal year, founder's user id), signed by Django's
`signing.dumps` under its own salt (a token of another purpose does not read as one) and
timestamped: it works for MAX_AGE after it was sent, the length of a campaign (reminders
run February to June), then says "not valid". A token whose signature fails — altered, cut,
made up, expired, signed for something else — reads as None, without any lookup."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "startups.check_in_link"
MAX_AGE = datetime.timedelta(days=300)


@dataclass(frozen=True)
class CheckInLink:
    startup_id: int
    fiscal_year: int
    user_id: int


def check_in_token(*, startup_id: int, fiscal_year: int, user_id: int) -> str:
    return signing.dumps([startup_id, fiscal_year, user_id], salt=SALT)


def check_in_url(*, startup_id: int, fiscal_year: int, user_id: int) -> str:
    """The absolute link (settings.PORTAL_URL) an email carries."""
    token = check_in_token(startup_id=startup_id, fiscal_year=fiscal_year, user_id=user_id)
    return settings.PORTAL_URL + reverse("startups:check_in", kwargs={"token": token})


def check_in_link_read(token: str) -> CheckInLink | None:
    """What a genuine, unexpired token carries; None for anything else."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):  # altered, cut, foreign or expired
        return None
    if not (
        isinstance(data, list) and len(data) == 3 and all(type(value) is int and value > 0 for value in data)
    ):  # signed by us, so never expected: refused all the same
        return None
    return CheckInLink(*data)

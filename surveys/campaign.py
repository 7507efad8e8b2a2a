"""The yearly satisfaction survey's calendar and its one-click links (issue 22).

Each year's campaign sends its invitations from 1 October to 31 December: the daily beat
(surveys.tasks) invites, during those months, every startup with a running admission at a
site that was not invited for that site and year yet (so a startup admitted in November is
asked too). An invitation takes answers, and changes to them, for `ANSWER_DAYS` after it was
sent (the year stays the campaign's, whenever the answer comes).

The link in the invitation opens the form without signing in: it is signed with Django's
signing (`dumps`/`loads`, this module's own salt: a link of another feature never opens a
survey), names the invitation and the founder it was sent to, and expires after
`LINK_MAX_AGE`; it also stops working when its invitation no longer takes answers.
"""

import datetime

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from core.local_time import LOCAL, local_midnight

OPENS = (10, 1)  # (month, day) each year's invitations start
CLOSES = (12, 31)  # (month, day) they end, included
ANSWER_DAYS = 90  # an invitation takes answers this many days after it was sent
LINK_SALT = "surveys.campaign.answer-link"
LINK_MAX_AGE = datetime.timedelta(days=ANSWER_DAYS + 1)


def opens_on(year: int) -> datetime.date:
    return datetime.date(year, *OPENS)


def closes_on(year: int) -> datetime.date:
    return datetime.date(year, *CLOSES)


def campaign_year(today: datetime.date) -> int | None:
    """The year whose invitations go out on `today`, if any."""
    return today.year if opens_on(today.year) <= today <= closes_on(today.year) else None


def _local_day(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(LOCAL).date()


def answers_until(sent_at: datetime.datetime) -> datetime.date:
    """The last day (Moroccan) an invitation sent at `sent_at` takes answers."""
    return _local_day(sent_at) + datetime.timedelta(days=ANSWER_DAYS)


def takes_answers(sent_at: datetime.datetime, now: datetime.datetime | None = None) -> bool:
    return _local_day(now or timezone.now()) <= answers_until(sent_at)


def open_since(now: datetime.datetime | None = None) -> datetime.datetime:
    """Invitations sent at or after this instant still take answers."""
    return local_midnight(_local_day(now or timezone.now()) - datetime.timedelta(days=ANSWER_DAYS))


def answer_token(*, invitation_id: int, user_id: int) -> str:
    return signing.dumps({"i": invitation_id, "u": user_id}, salt=LINK_SALT, compress=True)


def read_token(token: str) -> tuple[int, int] | None:
    """(invitation id, user id) of an authentic link not expired yet; None for anything
    else (altered, truncated, made up, expired, of another salt)."""
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=LINK_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError, UnicodeError):
        return None
    if not isinstance(data, dict) or set(data) != {"i", "u"}:
        return None
    invitation_id, user_id = data["i"], data["u"]
    if not all(type(value) is int and value > 0 for value in (invitation_id, user_id)):
        return None
    return invitation_id, user_id


def answer_path(*, invitation_id: int, user_id: int) -> str:
    return reverse("surveys:answer", kwargs={"token": answer_token(invitation_id=invitation_id, user_id=user_id)})


def answer_url(*, invitation_id: int, user_id: int) -> str:
    """The link in an email (sent without a request: settings.PORTAL_URL)."""
    return settings.PORTAL_URL + answer_path(invitation_id=invitation_id, user_id=user_id)

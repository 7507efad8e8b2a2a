"""A person's next sessions, for their landing page."""

from django.utils import timezone

from ..models import RegistrationStatus
from .catalogue import registrations_of

NEXT_SESSIONS_SHOWN = 5


def next_sessions(user) -> dict:
    """The founder's landing panel: their next registrations not cancelled (confirmed or on
    the waiting list) to sessions not over yet, soonest first, the first few. Two queries
    at most; read in the request's scope (a person's registrations are theirs on any site)."""
    rows = (
        registrations_of(user=user)
        .exclude(status=RegistrationStatus.CANCELLED)
        .filter(session__ends_at__gte=timezone.now())
        .select_related("session__service", "session__site")
        .order_by("session__starts_at", "pk")
    )
    shown = list(rows[: NEXT_SESSIONS_SHOWN + 1])
    return {"registrations": shown[:NEXT_SESSIONS_SHOWN], "more": len(shown) > NEXT_SESSIONS_SHOWN}

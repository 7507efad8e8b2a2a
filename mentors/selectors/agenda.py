"""A founder's next mentoring sessions, for their landing page."""

from django.utils import timezone

from .bookings import team_bookings

NEXT_BOOKINGS_SHOWN = 5


def next_bookings(user) -> dict:
    """The founder's landing panel: their startups' confirmed mentoring sessions not over
    yet, soonest first, the first few (one query)."""
    shown = list(team_bookings(user, now=timezone.now())[: NEXT_BOOKINGS_SHOWN + 1])
    return {"bookings": shown[:NEXT_BOOKINGS_SHOWN], "more": len(shown) > NEXT_BOOKINGS_SHOWN}

"""Isolation matrix: the public catalogue, registration, "my registrations" and the
calendar feed (services issue, catalogue area)."""

from tests.matrix import PUBLIC, SIGNED_IN, Route

MATRIX: dict[str, Route] = {
    "services:catalogue": Route("/services/", PUBLIC),
    "services:detail": Route("/services/{service_a}/", PUBLIC),
    # Site A's training is for admitted startups: founder_a's startup is; the others are
    # signed in without an eligible startup (403 with an explanation); anonymous signs in.
    "services:register": Route("/sessions/{session_a}/register/", (302, 403, 200, 403, 403, 403)),
    # The token is the secret: anyone holding the link sees the confirm page.
    "services:registration_cancel": Route("/registrations/{registration_a_token}/cancel/", PUBLIC),
    "services:my_registrations": Route("/me/registrations/", SIGNED_IN),
    # Only the registration's owner finds it (others: 404); founder_a's session is still to
    # come, so the feedback is refused with a message and a redirect.
    "services:feedback": Route(
        "/me/registrations/{registration_a}/feedback/", (302, 404, 302, 404, 404, 404), "post", {"rating": "5"}
    ),
    "services:calendar_regenerate": Route("/me/calendar/regenerate/", (302,) * 6, "post"),
    "services:calendar_feed": Route("/calendar/{calendar_token}.ics", PUBLIC),
}

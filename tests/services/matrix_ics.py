"""Isolation matrix: a session's calendar file from "My registrations" (services issue 18).

Only the registration's owner gets it (founder_a's seat at site A's training); everybody
else, head office included, gets the 404 of a registration that does not exist."""

from tests.matrix import Route

MATRIX: dict[str, Route] = {
    "services:registration_ics": Route(
        "/me/registrations/{registration_a}/session.ics", (302, 404, 200, 404, 404, 404)
    ),
}

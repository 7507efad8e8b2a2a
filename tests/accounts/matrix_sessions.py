"""The signed-in sessions pages (accounts.views) in the isolation matrix."""

from tests.matrix import SIGNED_IN, Route

# No persona owns session row 999999: the revoke route answers 404 to everybody signed in,
# exactly as for another user's session (tests/accounts/test_sessions.py checks both).
MATRIX = {
    "accounts:sessions": Route("/profile/sessions/", SIGNED_IN),
    "accounts:session_revoke": Route("/profile/sessions/999999/revoke/", (302, 404, 404, 404, 404, 404), "post"),
    "accounts:sessions_revoke_others": Route("/profile/sessions/revoke-others/", (302,) * 6, "post"),
}

"""Isolation matrix: data rights (issue 7) — the privacy page, the personal-data export and
the account deletion page. Every signed-in user reaches their own; the deletion itself
(POST) is tested in tests/accounts/test_privacy.py."""

from tests.matrix import SIGNED_IN, Route

MATRIX: dict[str, Route] = {
    "accounts:privacy": Route("/profile/privacy/", SIGNED_IN),
    "accounts:data_export": Route("/profile/privacy/export.json", SIGNED_IN),
    "accounts:delete_account": Route("/profile/privacy/delete/", SIGNED_IN),
}

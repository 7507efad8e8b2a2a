"""API tokens (accounts.ApiToken): the owner's page and API in the isolation matrix."""

from tests.matrix import API_SIGNED_IN, SIGNED_IN, Route

# No persona owns token 999999: revoking it answers 404 to everybody signed in, exactly as
# for another user's token (tests/accounts/test_tokens.py checks both).
MATRIX = {
    "accounts:api_tokens": Route("/profile/api-tokens/", SIGNED_IN),
    "accounts:api_token_revoke": Route("/profile/api-tokens/999999/revoke/", (302, 404, 404, 404, 404, 404), "post"),
    "api:tokens": Route("/api/v1/auth/tokens/", API_SIGNED_IN),
    "api:token_detail": Route("/api/v1/auth/tokens/999999/", (401, 404, 404, 404, 404, 404)),
    "api:token_detail [delete]": Route("/api/v1/auth/tokens/999999/", (401, 404, 404, 404, 404, 404), "delete"),
}

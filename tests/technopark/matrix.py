"""Isolation matrix: the foundation's routes (public pages, accounts, network, site team, API)."""

from tests.matrix import (
    ANONYMOUS_ONLY,
    API_PUBLIC,
    API_SIGNED_IN,
    API_SITE_A,
    HEAD_OFFICE,
    PUBLIC,
    SIGNED_IN,
    SITE_A,
    SITE_A_HEAD_OFFICE_WRITE,
    Route,
)

MATRIX: dict[str, Route] = {
    # Public pages
    "home": Route("/", PUBLIC),
    "sites:list": Route("/sites/", PUBLIC),
    "sites:detail": Route("/sites/site-a/", PUBLIC),
    "health": Route("/health/", PUBLIC),
    "health_live": Route("/health/live/", PUBLIC),
    "set_language": Route("/i18n/setlang/", (302,) * 6, "post", {"language": "ar", "next": "/"}),
    # Signed-in pages
    "accounts:landing": Route("/dashboard/", SIGNED_IN),
    "accounts:profile": Route("/profile/", SIGNED_IN),
    "accounts:api_token": Route("/profile/api-token/", SIGNED_IN, "post"),  # creates a token, shows its key
    # An account's unlock link (accounts/lockout.py): a bad token is refused for everyone.
    "accounts:unlock": Route("/accounts/unlock/not-a-token/", (400,) * 6),
    # Head office
    "sites:network_regions": Route("/network/regions/", HEAD_OFFICE),
    "sites:network_region_edit": Route("/network/regions/MA-06/edit/", HEAD_OFFICE),
    "sites:network_sites": Route("/network/sites/", HEAD_OFFICE),
    "sites:network_site_new": Route("/network/sites/new/", HEAD_OFFICE),
    "sites:network_site_edit": Route("/network/sites/site-a/edit/", HEAD_OFFICE),
    "audit_list": Route("/network/audit/", HEAD_OFFICE),
    # Site back-office (tenant-scoped)
    "sites:manage_home": Route("/manage/site-a/", SITE_A),
    "sites:manage_team": Route("/manage/site-a/team/", SITE_A),
    "sites:manage_team_remove": Route("/manage/site-a/team/{membership}/remove/", SITE_A_HEAD_OFFICE_WRITE, "post"),
    # API
    "api:token": Route("/api/v1/auth/token/", (400,) * 6, "post", {"email": "x@example.ma", "password": "wrong"}),
    "api:me": Route("/api/v1/me/", API_SIGNED_IN),
    "api:regions": Route("/api/v1/regions/", API_PUBLIC),
    "api:sites": Route("/api/v1/sites/", API_PUBLIC),
    "api:site": Route("/api/v1/sites/site-a/", API_PUBLIC),
    "api:site_members": Route("/api/v1/manage/site-a/members/", API_SITE_A),
    "schema": Route("/api/schema/", PUBLIC),
    "api_docs": Route("/api/docs/", PUBLIC),
    # Accounts (allauth)
    "account_login": Route("/accounts/login/", ANONYMOUS_ONLY),
    "account_logout": Route("/accounts/logout/", (302, 200, 200, 200, 200, 200)),
    "account_inactive": Route("/accounts/inactive/", PUBLIC),
    "account_signup": Route("/accounts/signup/", ANONYMOUS_ONLY),
    "account_reauthenticate": Route("/accounts/reauthenticate/", SIGNED_IN),
    "account_email": Route("/accounts/email/", SIGNED_IN),
    "account_email_verification_sent": Route("/accounts/confirm-email/", PUBLIC),
    "account_change_password": Route("/accounts/password/change/", SIGNED_IN),
    "account_set_password": Route("/accounts/password/set/", (302,) * 6),
    "account_reset_password": Route("/accounts/password/reset/", PUBLIC),
    "account_confirm_login_code": Route("/accounts/login/code/confirm/", (302, 302, 302, 302, 302, 302)),
    "account_confirm_email": Route("/accounts/confirm-email/not-a-key/", PUBLIC),
    "account_reset_password_from_key_done": Route("/accounts/password/reset/key/done/", PUBLIC),
    "account_reset_password_from_key": Route("/accounts/password/reset/key/1-bad-key/", PUBLIC),
    "account_reset_password_done": Route("/accounts/password/reset/done/", PUBLIC),
    "mfa_index": Route("/accounts/2fa/", SIGNED_IN),
    "mfa_authenticate": Route("/accounts/2fa/authenticate/", (302, 302, 302, 302, 302, 302)),
    "mfa_reauthenticate": Route("/accounts/2fa/reauthenticate/", (302,) * 6),
    # Enrolling asks for the password again first.
    "mfa_activate_totp": Route("/accounts/2fa/totp/activate/", (302,) * 6),
    "mfa_deactivate_totp": Route("/accounts/2fa/totp/deactivate/", (302, 404, 404, 404, 404, 404)),
    "mfa_view_recovery_codes": Route("/accounts/2fa/recovery-codes/", (302, 404, 404, 404, 404, 404)),
    "mfa_generate_recovery_codes": Route("/accounts/2fa/recovery-codes/generate/", (302,) * 6),
    "mfa_download_recovery_codes": Route("/accounts/2fa/recovery-codes/download/", (302, 404, 404, 404, 404, 404)),
}

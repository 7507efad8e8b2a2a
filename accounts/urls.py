from django.urls import path

from . import lockout, views

app_name = "accounts"

urlpatterns = [
    path("dashboard/", views.landing, name="landing"),
    path("profile/", views.profile, name="profile"),
    path("profile/api-tokens/", views.api_tokens, name="api_tokens"),
    path("profile/api-token/", views.api_token_new, name="api_token"),
    path("profile/api-tokens/<int:pk>/revoke/", views.api_token_revoke_view, name="api_token_revoke"),
    path("accounts/unlock/<str:token>/", lockout.unlock, name="unlock"),
    path("profile/privacy/", views.privacy, name="privacy"),
    path("profile/privacy/export.json", views.data_export, name="data_export"),
    path("profile/privacy/delete/", views.delete_account, name="delete_account"),
    path("profile/sessions/", views.session_list, name="sessions"),
    path("profile/sessions/<int:pk>/revoke/", views.session_revoke_view, name="session_revoke"),
    path("profile/sessions/revoke-others/", views.sessions_revoke_others_view, name="sessions_revoke_others"),
]

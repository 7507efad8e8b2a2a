from django.urls import path

from . import lockout, privacy, sessions, views

app_name = "accounts"

urlpatterns = [
    path("dashboard/", views.landing, name="landing"),
    path("profile/", views.profile, name="profile"),
    path("profile/api-tokens/", views.api_tokens, name="api_tokens"),
    path("profile/api-token/", views.api_token_new, name="api_token"),
    path("profile/api-tokens/<int:pk>/revoke/", views.api_token_revoke_view, name="api_token_revoke"),
    path("accounts/unlock/<str:token>/", lockout.unlock, name="unlock"),
    *privacy.urlpatterns,
    *sessions.urlpatterns,
]

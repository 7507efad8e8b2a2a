from django.urls import path

from . import privacy, sessions, views

app_name = "accounts"

urlpatterns = [
    path("dashboard/", views.landing, name="landing"),
    path("profile/", views.profile, name="profile"),
    path("profile/api-token/", views.api_token_rotate, name="api_token"),
    *privacy.urlpatterns,
    *sessions.urlpatterns,
]

"""Placeholder: filled by the API area."""

api_urlpatterns = []

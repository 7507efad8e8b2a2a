"""Placeholder: filled by the public area."""

urlpatterns = []

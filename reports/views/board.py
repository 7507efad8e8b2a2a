"""Placeholder: filled by the board area."""

urlpatterns = []

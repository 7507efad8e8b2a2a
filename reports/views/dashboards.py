"""Placeholder: filled by the dashboards area."""

urlpatterns = []

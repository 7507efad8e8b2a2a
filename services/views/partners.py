"""Placeholder until this area lands."""

urlpatterns: list = []

"""Placeholder: filled by the mentor-space area (URL names and paths are fixed)."""

from django.http import Http404
from django.urls import path


def _todo(request, **kwargs):
    raise Http404


urlpatterns = [
    path("mentor/profile/", _todo, name="my_profile"),
    path("mentor/profile/submit/", _todo, name="profile_submit"),
    path("mentor/availability/", _todo, name="availability"),
    path("mentor/agenda/", _todo, name="agenda"),
    path("mentor/agenda/<int:pk>/", _todo, name="agenda_detail"),
]

"""Placeholder: filled by the back-office area (URL names and paths are fixed)."""

from django.http import Http404
from django.urls import path


def _todo(request, **kwargs):
    raise Http404


urlpatterns = [
    path("mentors/review/", _todo, name="review_list"),
    path("mentors/review/<int:pk>/", _todo, name="review"),
    path("manage/<slug:site_slug>/mentoring/", _todo, name="site_bookings"),
    path("manage/<slug:site_slug>/mentoring/<int:pk>/", _todo, name="site_booking"),
    path("manage/<slug:site_slug>/mentoring/hours/", _todo, name="site_hours"),
    path("network/mentoring/hours/", _todo, name="network_hours"),
]

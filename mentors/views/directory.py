"""Placeholder: filled by the directory area (URL names and paths are fixed)."""

from django.http import Http404
from django.urls import path


def _todo(request, **kwargs):
    raise Http404


urlpatterns = [
    path("mentors/", _todo, name="directory"),
    path("mentors/<int:pk>/", _todo, name="detail"),
    path("mentors/<int:pk>/photo/", _todo, name="photo"),
    path("mentors/<int:pk>/book/", _todo, name="book"),
    path("me/mentoring/", _todo, name="my_bookings"),
    path("me/mentoring/<int:pk>/", _todo, name="my_booking"),
    path("me/mentoring/<int:pk>/reschedule/", _todo, name="my_booking_reschedule"),
]

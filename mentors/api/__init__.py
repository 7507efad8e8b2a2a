"""REST API of the mentors app: the directory of published mentors and their free slots
(public), and the bookings of the signed-in user (list, book, one booking, cancel).

Mentor profiles and their availability belong to the network, not to a site: the public
reads need no tenant scope (`selectors.slots.free_slots` reads a mentor's busy times through
its own reviewed network-wide helper). Bookings are site-owned: the flat `/api/v1/…`
routes run in the caller's `user_scope` (see `sites.middleware`), and every booking query
below adds the caller's own rule on top: the bookings of their startups, their bookings as
a mentor, the bookings of the sites where they work (every site for head office). That is
exactly `selectors.bookings.booking_roles`, so everything listed may show the mentor's notes.

Times go out in Moroccan local time with their UTC offset (`2027-03-15T10:00:00+01:00`),
and a booking's `start` must come in with one: a naive time is a 400, never a guess.
A list's filters are a FilterSet whose parameters are validated by serializer fields
(`core.filters`), the slots' range and the bodies by small serializers (junk is a 400,
never a 500); writes go through `mentors.actions`: a Conflict (the slot is taken or no
longer free, the monthly quota is reached, the agenda is locked by another request, too
late to cancel) is a 409.
"""

from django.urls import path

from .bookings import BookingCancel, BookingDetail, BookingList
from .mentors import MentorDetail, MentorList
from .slots import MentorSlots

# Mounted under /api/v1/ (namespace "api") by technopark/urls.py.
api_urlpatterns = [
    path("mentors/", MentorList.as_view(), name="mentors"),
    path("mentors/<int:pk>/", MentorDetail.as_view(), name="mentor"),
    path("mentors/<int:pk>/slots/", MentorSlots.as_view(), name="mentor_slots"),
    path("mentor-bookings/", BookingList.as_view(), name="mentor_bookings"),
    path("mentor-bookings/<int:pk>/", BookingDetail.as_view(), name="mentor_booking"),
    path("mentor-bookings/<int:pk>/cancel/", BookingCancel.as_view(), name="mentor_booking_cancel"),
]

"""Routes of the spaces app. Each area keeps its routes next to its views
(`spaces/views/<area>.py` defines `urlpatterns`); this module only assembles them."""

from .views import backoffice, booking, manage_bookings

app_name = "spaces"

urlpatterns = [
    *backoffice.urlpatterns,
    *booking.urlpatterns,
    *manage_bookings.urlpatterns,
]

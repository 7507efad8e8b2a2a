from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpacesConfig(AppConfig):
    name = "spaces"
    verbose_name = _("Rooms and spaces")

    def ready(self):
        # What accounts shows from this app, registered rather than imported by it
        # (accounts.extensions): a person's room bookings (law 09-08) and those in their
        # calendar feed; and the rooms a service session may be held in (services.extensions).
        from accounts.extensions import CalendarSource, calendar_source_register, personal_data_register
        from services.extensions import SessionPlaces, session_places_register

        from .actions.sessions import session_room_hold, session_room_release
        from .ics import calendar_events
        from .privacy import PART
        from .selectors.sessions import session_room, session_room_choices

        personal_data_register(PART)
        calendar_source_register(CalendarSource(calendar_events))
        session_places_register(
            SessionPlaces(
                choices=session_room_choices,
                current=session_room,
                hold=session_room_hold,
                release=session_room_release,
            )
        )

        # The site's public page (sites.extensions.SITE_PUBLIC_PANELS): its rooms to hire.
        from sites.extensions import SitePanel, site_public_panel_register

        from .selectors.rooms_public import site_public_rooms_panel

        site_public_panel_register(SitePanel("spaces/booking/_site_panel.html", site_public_rooms_panel))

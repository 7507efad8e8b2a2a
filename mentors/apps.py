from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MentorsConfig(AppConfig):
    name = "mentors"
    verbose_name = _("Mentors")

    def ready(self):
        # What accounts shows and handles from this app, registered rather than imported
        # by accounts (accounts.extensions): a person's data (law 09-08), and the mentor's
        # landing page and the founder's next mentoring sessions on theirs, and the sessions
        # in the personal calendar feed.
        from accounts.extensions import (
            CalendarSource,
            LandingPanel,
            calendar_source_register,
            landing_context_register,
            landing_panel_register,
            personal_data_register,
        )
        from accounts.models import Role

        from .ics import calendar_events
        from .privacy import PART
        from .selectors.agenda import next_bookings
        from .selectors.landing import landing_context

        personal_data_register(PART)
        landing_context_register(Role.MENTOR, landing_context)
        landing_panel_register(Role.FOUNDER, LandingPanel("mentors/landing/_next_bookings.html", next_bookings))
        calendar_source_register(CalendarSource(calendar_events))

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MentorsConfig(AppConfig):
    name = "mentors"
    verbose_name = _("Mentors")

    def ready(self):
        # What accounts shows and handles from this app, registered rather than imported
        # by accounts (accounts.extensions): a person's data (law 09-08), and the mentor's
        # landing page.
        from accounts.extensions import landing_context_register, personal_data_register
        from accounts.models import Role

        from .privacy import PART
        from .views.mentor_space import landing_context

        personal_data_register(PART)
        landing_context_register(Role.MENTOR, landing_context)

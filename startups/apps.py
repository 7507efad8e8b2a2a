from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StartupsConfig(AppConfig):
    name = "startups"
    verbose_name = _("Startups")

    def ready(self):
        # What this app holds about a person, for accounts.privacy (law 09-08).
        from accounts.extensions import personal_data_register

        from .privacy import PART

        personal_data_register(PART)

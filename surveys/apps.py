from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Satisfaction surveys")

    def ready(self):
        # What accounts shows and handles from this app, registered rather than imported by
        # accounts (accounts.extensions): the yearly survey on a founder's landing page while
        # it is open, and the answers a person gave (law 09-08).
        from accounts.extensions import LandingPanel, landing_panel_register, personal_data_register
        from accounts.models import Role

        from .privacy import PART
        from .selectors import landing_panel

        landing_panel_register(Role.FOUNDER, LandingPanel("surveys/landing/_survey.html", landing_panel))
        personal_data_register(PART)

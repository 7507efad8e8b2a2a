from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StartupsConfig(AppConfig):
    name = "startups"
    verbose_name = _("Startups")

    def ready(self):
        # What accounts shows and handles from this app, registered rather than imported
        # by accounts (accounts.extensions): a person's data (law 09-08), and the
        # founder's landing page, the site back-office home's residencies ending soon.
        from accounts.extensions import landing_context_register, personal_data_register
        from accounts.models import Role
        from sites.extensions import SitePanel, site_home_panel_register

        from .privacy import PART
        from .selectors.profile import founder_overview
        from .selectors.residents import residents_ending_soon_panel

        personal_data_register(PART)
        landing_context_register(Role.FOUNDER, founder_overview)
        site_home_panel_register(SitePanel("startups/residents/_ending_soon_alert.html", residents_ending_soon_panel))

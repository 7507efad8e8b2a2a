from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = _("Services")

    def ready(self):
        # What accounts shows and handles from this app, registered rather than imported
        # by accounts (accounts.extensions): a person's data (law 09-08), and the founder's
        # next sessions on their landing page.
        from accounts.extensions import LandingPanel, landing_panel_register, personal_data_register
        from accounts.models import Role

        from .privacy import PART
        from .selectors.agenda import next_sessions

        personal_data_register(PART)
        landing_panel_register(Role.FOUNDER, LandingPanel("services/landing/_next_sessions.html", next_sessions))
        # The site back-office home's work queue: today's sessions to check in (sites.extensions).
        from sites.extensions import site_home_panel_register

        from .home import QUEUES

        for queue in QUEUES:
            site_home_panel_register(queue)

        # The site's public page (sites.extensions.SITE_PUBLIC_PANELS): its services.
        from sites.extensions import SitePanel, site_public_panel_register

        from .selectors.catalogue import site_public_services_panel

        site_public_panel_register(SitePanel("services/public/_site_services.html", site_public_services_panel))

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StartupsConfig(AppConfig):
    name = "startups"
    verbose_name = _("Startups")

    def ready(self):
        # What accounts shows and handles from this app, registered rather than imported
        # by accounts (accounts.extensions): a person's data (law 09-08), and the
        # founder's landing page; the site back-office home's work queue (sites.extensions).
        from accounts.extensions import (
            LandingPanel,
            landing_context_register,
            landing_panel_register,
            personal_data_register,
        )
        from accounts.models import Role
        from sites.extensions import site_home_panel_register, site_work_cards

        from .home import QUEUES
        from .privacy import PART
        from .selectors.profile import founder_overview

        personal_data_register(PART)
        landing_context_register(Role.FOUNDER, founder_overview)
        for queue in QUEUES:
            site_home_panel_register(queue)
        # The site manager's landing page: a card per site with every app's work-queue
        # figures. Registered here because sites may not import accounts (it sits below).
        landing_panel_register(Role.SITE_MANAGER, LandingPanel("sites/home/_landing_cards.html", site_work_cards))

        # The site's public page (sites.extensions.SITE_PUBLIC_PANELS): its open calls.
        from sites.extensions import SitePanel, site_public_panel_register

        from .selectors.site_public import site_open_calls_panel

        site_public_panel_register(SitePanel("startups/public/_site_open_calls.html", site_open_calls_panel))

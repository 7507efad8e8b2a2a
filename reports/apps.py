from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        # Head office's home, registered rather than imported by accounts (accounts.extensions):
        # the network's figures, the sites needing attention, the latest board reports and the
        # messages that could not be sent (reports.home).
        from accounts.extensions import LandingPanel, landing_panel_register
        from accounts.models import Role

        from . import home

        for template, context in [
            ("reports/home/_figures.html", home.figures_panel),
            ("reports/home/_attention.html", home.attention_panel),
            ("reports/home/_board_reports.html", home.board_reports_panel),
            ("reports/home/_outbox.html", home.outbox_panel),
        ]:
            landing_panel_register(Role.HEAD_OFFICE, LandingPanel(template, context))

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SitesConfig(AppConfig):
    # An explicit label so that this app never clashes with django.contrib.sites
    # (which the portal does not install).
    name = "sites"
    label = "tp_sites"
    verbose_name = _("Regions and sites")

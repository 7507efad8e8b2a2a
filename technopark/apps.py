from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TechnoparkConfig(AppConfig):
    """Shared base pieces that own tables: the audit trail."""

    name = "technopark"
    verbose_name = _("Portal core")

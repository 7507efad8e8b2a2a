from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The kernel every app uses: the audit trail, the email outbox, login throttles and
    locks, errors, background jobs, API helpers, exports. Its tables keep the names they
    had when it lived in `technopark/` (core.migrations.0001)."""

    name = "core"
    verbose_name = _("Portal core")

from django.apps import AppConfig


class TechnoparkConfig(AppConfig):
    """The project's wiring. Installed for its commands that span every app (`seed_demo`,
    `bench`) and for its migrations' history: its models moved to `core` (0004)."""

    name = "technopark"
    verbose_name = "Technopark"

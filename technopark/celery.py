"""The Celery application. The broker comes from settings (REDIS_URL / CELERY_BROKER_URL);
without one, tasks run eagerly in-process (see settings.CELERY_TASK_ALWAYS_EAGER)."""

import os

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "technopark.settings")

app = Celery("technopark")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def use_django_logging(**kwargs) -> None:
    """Workers log through settings.LOGGING, as the web processes do: the same JSON format
    and the same filter that masks secrets (otherwise Celery installs its own root handler)."""
    import logging.config

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)

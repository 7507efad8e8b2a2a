"""The Celery application. The broker comes from settings (REDIS_URL / CELERY_BROKER_URL);
without one, tasks run eagerly in-process (see settings.CELERY_TASK_ALWAYS_EAGER)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "technopark.settings")

app = Celery("technopark")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

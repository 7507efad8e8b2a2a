"""A bare Django project for `make bench`: no apps, no middleware, one view answering what
the portal's trivial view (`/health/live/`) answers. Served by gunicorn in the same run,
its req/s is what Django itself reaches on this machine; the portal's trivial view is
measured against it (anonymous ≥ 0.6, signed in ≥ 0.4: issue 16).

Used as its own settings module: `DJANGO_SETTINGS_MODULE=technopark.bench.bare`,
gunicorn `technopark.bench.bare:application`."""

from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path

DEBUG = False
SECRET_KEY = "bench-bare-not-secret"  # noqa: S105 (a throwaway project on 127.0.0.1)
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = __name__
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
DATABASES: dict = {}
USE_TZ = True


def live(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("health/live/", live)]

application = get_wsgi_application()

"""This app's share of a site's work queue (sites.extensions.WorkQueue), registered in
ServicesConfig.ready(): today's sessions to check in, on the back-office home's "To do" and
the site manager's landing page. The read is in selectors.home."""

from django.urls import reverse
from django.utils.translation import gettext_lazy

from sites.extensions import WorkQueue

from .selectors import home

QUEUES = [
    WorkQueue(
        key="sessions-today",
        title=gettext_lazy("Today's sessions to check in"),
        empty=gettext_lazy("Nothing to check in: no session of the site starts today."),
        item_template="services/home/_session_item.html",
        rows=home.sessions_of_the_day,
        decorate=home.with_registration_counts,
        see_all=lambda site: reverse("services:manage_service_list", kwargs={"site_slug": site.slug}),
    ),
]

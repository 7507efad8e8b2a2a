"""This app's share of a site's work queue (sites.extensions.WorkQueue), registered in
StartupsConfig.ready(): the back-office home's "To do" panels and the figures of the site
manager's landing page. The reads are in selectors.home."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sites.extensions import WorkQueue

from .forms.declarations import DeclarationYearForm, last_fiscal_year
from .models import ApplicationStatus
from .selectors import home
from .selectors.residents import ENDING_SOON_DAYS


def _url(name: str, site, **query) -> str:
    url = reverse(f"startups:{name}", kwargs={"site_slug": site.slug})
    return f"{url}?{urlencode(query)}" if query else url


def _not_declared(*, sites, user=None):
    return home.not_declared(sites=sites, fiscal_year=last_fiscal_year())


QUEUES = [
    WorkQueue(
        key="applications-to-decide",
        title=gettext_lazy("Applications to decide"),
        empty=gettext_lazy("Nothing to decide: no application has all its reviews scored."),
        item_template="startups/home/_application_item.html",
        rows=home.applications_to_decide,
        decorate=home.with_review_counts,
        see_all=lambda site: _url("manage_applications", site, status=ApplicationStatus.UNDER_REVIEW),
    ),
    WorkQueue(
        key="applications-awaiting-reviews",
        title=gettext_lazy("Applications to assign or awaiting reviews"),
        empty=gettext_lazy("Nothing to assign: every application has its reviewers and their scores."),
        item_template="startups/home/_application_item.html",
        rows=home.applications_awaiting_reviews,
        decorate=home.with_review_counts,
        see_all=lambda site: _url("manage_applications", site),
    ),
    WorkQueue(
        key="reviews-to-score",
        title=gettext_lazy("My reviews to score"),
        empty=gettext_lazy("Nothing to score: no review waits for your scores."),
        item_template="startups/home/_review_item.html",
        rows=home.reviews_to_score,
        decorate=home.with_application,
        see_all=lambda site: _url("manage_reviews", site),
    ),
    WorkQueue(
        key="residencies-ending",
        title=lambda: _("Contracts ending within %(days)s days") % {"days": ENDING_SOON_DAYS},
        empty=lambda: _("Nothing to renew: no residency ends within %(days)s days.") % {"days": ENDING_SOON_DAYS},
        item_template="startups/home/_residency_item.html",
        rows=home.residencies_ending,
        decorate=home.with_startup,
        see_all=lambda site: _url("residents_ending", site),
    ),
    WorkQueue(
        key="offices-free",
        title=gettext_lazy("Offices free today"),
        empty=gettext_lazy("Nothing to let: every office in service is taken today."),
        item_template="startups/home/_office_item.html",
        rows=home.offices_free,
        see_all=lambda site: _url("office_list", site),
    ),
    WorkQueue(
        key="not-declared",
        title=lambda: _("Not declared for %(year)s") % {"year": last_fiscal_year()},
        empty=lambda: _("Nothing to chase: every startup has declared %(year)s.") % {"year": last_fiscal_year()},
        item_template="startups/home/_declaration_item.html",
        rows=_not_declared,
        decorate=home.with_startup,
        see_all=lambda site: _url(
            "manage_declarations", site, year=last_fiscal_year(), status=DeclarationYearForm.MISSING
        ),
    ),
]

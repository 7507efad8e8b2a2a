"""The yearly alumni check-in (issue 22), reached from the one-click link of a declaration
reminder without signing in: the signed token (startups.check_in_links) is the key to one
startup's form for one fiscal year, answered in the name of the founder it was sent to.

An altered, cut, expired or foreign token — or one whose founder has left the startup —
gets the same "not valid" page (404) and nothing else. Each address may open 30 links in
15 minutes (then a 429). Never cached, never indexed."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.forms import add_action_errors
from core.throttling import client_ip, over_limit
from sites.scoping import network_scope

from .. import actions
from ..check_in_links import check_in_link_read
from ..forms.check_ins import CheckInForm
from ..models import AlumniCheckIn
from ..selectors.check_ins import check_in_target

LIMIT, WINDOW = 30, 15 * 60  # requests per address and window (seconds)


def _private(response):
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def check_in(request, token):
    if over_limit(f"startups:check-in:{client_ip(request)}", limit=LIMIT, window=WINDOW):
        response = render(request, "429.html", status=429)
        response["Retry-After"] = str(WINDOW)
        return _private(response)
    link = check_in_link_read(token)
    target = None
    if link is not None:
        # Reviewed cross-site read: the token names one startup, and only its own rows are
        # read (its founder, its answer and declaration of the year, its admissions at any site).
        with network_scope():
            target = check_in_target(link)
    if target is None:
        return _private(render(request, "startups/check_in/invalid.html", status=404))

    instance = target.check_in or AlumniCheckIn(startup=target.startup, fiscal_year=target.fiscal_year)
    if request.method == "POST":
        form = CheckInForm(request.POST, instance=instance, declaration=target.declaration)
        if form.is_valid():
            try:
                actions.check_in_save(actor=target.user, check_in=form.instance)
            except ValidationError as error:
                add_action_errors(form, error)
            else:
                messages.success(request, _("Thank you! Your answer is saved; you may change it with the same link."))
                return redirect(request.path)
    else:
        form = CheckInForm(instance=instance, declaration=target.declaration)
    context = {
        "form": form,
        "target": target,
        "startup": target.startup,
        "fiscal_year": target.fiscal_year,
        "full_declaration": target.declaration is not None and not target.declaration.from_check_in,
    }
    return _private(render(request, "startups/check_in/form.html", context))


urlpatterns = [
    path("declarations/check-in/<str:token>/", check_in, name="check_in"),
]

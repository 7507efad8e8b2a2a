"""Calls for applications (public) and a startup's applications (its team).

The list of open calls spans every site, so it runs inside `network_scope()` explicitly.
A founder's own pages run in the request's scope — the sites where their startups applied
or were admitted — and every application is also checked to belong to one of the user's
startups. Right after `application_start` the new draft's site may not be in the scope
yet: the view redirects, and the next request recomputes the scope.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import Conflict
from core.forms import add_action_errors
from core.limits import upload_limit
from core.validators import MAX_PITCH_DECK_BYTES
from sites.scoping import network_scope
from sites.selectors import operational_site_choices

from .. import actions
from ..forms.applications import ApplicationForm, ApplicationStartForm, CallFilterForm
from ..models import OPEN_STATUSES, Application, ApplicationStatus, Call
from ..selectors.calls import applications_of_member, calls_with_sectors, open_calls_listed
from ..selectors.visibility import is_founder, startups_of_member

PAGE_SIZE = 25
WITHDRAWABLE = (ApplicationStatus.DRAFT, *OPEN_STATUSES)


# --- Calls (public) ---------------------------------------------------------------------
def call_list(request):
    form = CallFilterForm(request.GET, sites=operational_site_choices())
    # Reviewed network-wide read: the public list of open calls of every site.
    with network_scope():
        calls = open_calls_listed(**form.filters())
        page = Paginator(calls, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(request, "startups/applications/call_list.html", {"form": form, "page": page})


def _call_detail_response(request, call: Call, form=None):
    startups_exist = request.user.is_authenticated and startups_of_member(request.user, founders_only=True).exists()
    if form is None and startups_exist:
        form = ApplicationStartForm(user=request.user, call=call)
    return render(
        request,
        "startups/applications/call_detail.html",
        {"call": call, "form": form, "has_startups": startups_exist},
    )


def _public_call(pk) -> Call:
    # Reviewed network-wide read: one call of any site (calls are public).
    with network_scope():
        return get_object_or_404(calls_with_sectors(), pk=pk)


def call_detail(request, pk):
    call = _public_call(pk)
    return _call_detail_response(request, call)


@require_POST
@login_required
def application_start(request, pk):
    call = _public_call(pk)
    form = ApplicationStartForm(request.POST, user=request.user, call=call)
    if form.is_valid():
        try:
            application = actions.application_start(
                actor=request.user,
                call=call,
                startup=form.cleaned_data["startup"],
                home_site=form.cleaned_data.get("home_site"),
            )
        except ValidationError as error:
            add_action_errors(form, error, aliases={"site": "home_site"})
        except Conflict as conflict:
            form.add_error(None, conflict.message)
        else:
            messages.success(request, _("Your draft application has been created: answer the questions, then submit."))
            # Redirect: the new draft's site joins the request scope on the next request.
            return redirect("startups:application_edit", pk=application.pk)
    return _call_detail_response(request, call, form)


# --- My applications --------------------------------------------------------------------
def _my_application(request, pk, *, founder: bool = False) -> Application:
    application = get_object_or_404(applications_of_member(user=request.user), pk=pk)
    if founder and not is_founder(request.user, application.startup):
        raise PermissionDenied
    return application


@login_required
def application_list(request):
    page = Paginator(applications_of_member(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "startups/applications/application_list.html", {"page": page})


@login_required
def application_detail(request, pk):
    application = _my_application(request, pk)
    stored = application.answers if isinstance(application.answers, dict) else {}
    answers = [(label, stored.get(question, "")) for question, label in application.call.questions_with_labels()]
    return render(
        request,
        "startups/applications/application_detail.html",
        {
            "application": application,
            "answers": answers,
            "events": application.events.select_related("actor").order_by("created_at", "pk"),
            "is_founder": is_founder(request.user, application.startup),
            "can_withdraw": application.status in WITHDRAWABLE,
        },
    )


@upload_limit(MAX_PITCH_DECK_BYTES)
@login_required
def application_edit(request, pk):
    application = _my_application(request, pk, founder=True)
    if application.status != ApplicationStatus.DRAFT:
        messages.info(request, _("This application was submitted; it can no longer be changed."))
        return redirect("startups:application_detail", pk=application.pk)
    form = ApplicationForm(request.POST or None, request.FILES or None, application=application)
    submitting = request.POST.get("action") == "submit"
    if request.method == "POST" and form.is_valid():
        try:
            application = actions.application_update(
                actor=request.user,
                application=application,
                answers=form.answers(),
                pitch_deck=form.cleaned_data.get("pitch_deck") or None,
            )
            if submitting:
                application = actions.application_submit(actor=request.user, application=application)
        except ValidationError as error:
            # The draft was saved; what was typed stays in the form with the messages.
            if hasattr(error, "error_dict") and "answers" in error.error_dict:
                form.mark_missing_answers(_("Answer this question before submitting."))
            add_action_errors(form, error)
        except Conflict as conflict:
            messages.error(request, conflict.message)
            return redirect("startups:application_detail", pk=application.pk)
        else:
            if submitting:
                messages.success(request, _("Your application has been submitted. The site will review it."))
                return redirect("startups:application_detail", pk=application.pk)
            messages.success(request, _("Draft saved."))
            return redirect("startups:application_edit", pk=application.pk)
    context = {"application": application, "form": form, "submitting": submitting}
    return render(request, "startups/applications/application_form.html", context)


@require_POST
@login_required
def application_withdraw(request, pk):
    application = _my_application(request, pk, founder=True)
    try:
        actions.application_withdraw(actor=request.user, application=application)
    except Conflict as conflict:
        messages.error(request, conflict.message)
    else:
        messages.success(request, _("Your application has been withdrawn."))
    return redirect("startups:application_detail", pk=application.pk)


@login_required
def application_pitch_deck(request, pk):
    """The pitch deck, for the startup's team only (it is not a public file)."""
    application = _my_application(request, pk)
    if not application.pitch_deck:
        raise Http404
    try:
        handle = application.pitch_deck.open("rb")
    except OSError as error:
        raise Http404 from error
    return FileResponse(
        handle, as_attachment=True, filename=f"pitch-deck-{application.pk}.pdf", content_type="application/pdf"
    )


urlpatterns = [
    path("calls/", call_list, name="calls"),
    path("calls/<int:pk>/", call_detail, name="call_detail"),
    path("calls/<int:pk>/apply/", application_start, name="application_start"),
    path("applications/", application_list, name="applications"),
    path("applications/<int:pk>/", application_detail, name="application_detail"),
    path("applications/<int:pk>/edit/", application_edit, name="application_edit"),
    path("applications/<int:pk>/withdraw/", application_withdraw, name="application_withdraw"),
    path("applications/<int:pk>/pitch-deck/", application_pitch_deck, name="application_pitch_deck"),
]

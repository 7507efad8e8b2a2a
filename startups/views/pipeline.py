"""The site managers' application pipeline: calls for applications, the site's applications
by status, committee review (reviewers and scores) and decisions.

Everything under /manage/<site>/ runs inside that site's tenant scope (SiteScopeMiddleware):
a lookup by id answers 404 for another site's rows. Drafts are never shown to the site.
Who may do what:
- read (calls, pipeline, application, pitch deck): the site's staff and head office;
- edit calls, assign reviewers, decide: the site's managers and head office (403 otherwise,
  e.g. for committee members);
- score: the assigned reviewer only (404 for anybody else), who needs `review` (a committee
  member or a manager).
`SiteScopeMiddleware` enforces these with `sites.roles` (POST needs `manage` unless the view
declares otherwise).
Head office manages the network's e-Technopark calls under /network/calls/.
"""

import copy
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.emails import email_render
from core.errors import Conflict
from core.forms import add_action_errors
from sites.roles import MANAGE, REVIEW, can, head_office_required, site_action

from .. import actions
from ..actions.common import add_years
from ..forms.pipeline import (
    BACK,
    CONFIRM,
    STATUS_CHOICES,
    ApplicationFilterForm,
    CallForm,
    DecisionForm,
    ReviewerAssignForm,
    ReviewScoreForm,
)
from ..models import OPEN_STATUSES, AdmissionKind, Application, ApplicationStatus, Call, Decision
from ..scoring import application_scores, weighted_totals
from ..selectors.calls import (
    active_criteria,
    admission_of,
    application_status_counts,
    applications_of_site,
    applications_pipeline,
    calls_listed,
    review_of,
    reviews_assigned,
)
from ..selectors.decisions import (
    can_take_office,
    decision_recipients,
    next_application_to_review,
    open_admission_exists,
)

PER_PAGE = 25


# --- Helpers ---------------------------------------------------------------------------
def _application(request, pk: int) -> Application:
    return get_object_or_404(applications_of_site(site=request.site).select_related("startup", "call", "site"), pk=pk)


def _detail_url(application: Application) -> str:
    return reverse("startups:manage_application", kwargs={"site_slug": application.site.slug, "pk": application.pk})


def _answers(application: Application) -> list[tuple[str, str]]:
    """The call's questions (in the reader's language) with the applicant's answers, then
    any answer to a question the call no longer asks."""
    answers = application.answers or {}
    questions = application.call.questions_with_labels()
    asked = {question for question, _label in questions}
    rows = [(label, answers.get(question, "")) for question, label in questions]
    rows += [(question, answer) for question, answer in answers.items() if question not in asked]
    return rows


# --- Calls for applications --------------------------------------------------------------
def _calls_page(request, site):
    return Paginator(calls_listed(site=site), PER_PAGE).get_page(request.GET.get("page"))


def _call_form(request, *, call: Call, network: bool, done_url: str, context: dict):
    form = CallForm(request.POST if request.method == "POST" else None, instance=call, network=network)
    if request.method == "POST" and form.is_valid():
        try:
            actions.call_save(
                actor=request.user, call=form.instance, target_sectors=form.cleaned_data["target_sectors"]
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Call saved."))
            return redirect(done_url)
    return render(
        request, "startups/pipeline/call_form.html", {**context, "form": form, "call": call, "cancel_url": done_url}
    )


@login_required
def call_list(request, site_slug):
    page = _calls_page(request, request.site)
    return render(
        request,
        "startups/pipeline/call_list.html",
        {"site": request.site, "page": page, "can_edit": can(request, MANAGE), "today": timezone.localdate()},
    )


@site_action(MANAGE)  # even the form: read-only roles cannot create calls
@login_required
def call_edit(request, site_slug, pk=None):
    call = get_object_or_404(Call, pk=pk, site=request.site) if pk else Call(site=request.site)
    return _call_form(
        request,
        call=call,
        network=False,
        done_url=reverse("startups:manage_calls", kwargs={"site_slug": request.site.slug}),
        context={"site": request.site},
    )


@head_office_required
def network_call_list(request):
    page = _calls_page(request, None)
    return render(
        request,
        "startups/pipeline/call_list.html",
        {"site": None, "page": page, "can_edit": True, "today": timezone.localdate()},
    )


@head_office_required
def network_call_edit(request, pk=None):
    call = get_object_or_404(Call, pk=pk, site__isnull=True) if pk else Call(site=None)
    return _call_form(
        request, call=call, network=True, done_url=reverse("startups:network_calls"), context={"site": None}
    )


# --- The pipeline ------------------------------------------------------------------------
@login_required
def application_list(request, site_slug):
    counts = application_status_counts(site=request.site)
    form = ApplicationFilterForm(request.GET or None)
    applications = applications_pipeline(site=request.site, **form.filters())
    page = Paginator(applications, PER_PAGE).get_page(request.GET.get("page"))
    totals = weighted_totals(page.object_list)
    q = form.cleaned_data.get("q", "") if form.is_valid() else ""
    current = form.cleaned_data.get("status", "") if form.is_valid() else ""

    def tab_url(status: str) -> str:
        params = {key: value for key, value in (("status", status), ("q", q)) if value}
        return "?" + urlencode(params) if params else "?"

    tabs = [{"value": "", "label": _("All"), "count": sum(counts.values()), "url": tab_url(""), "active": not current}]
    tabs += [
        {
            "value": value,
            "label": label,
            "count": counts.get(value, 0),
            "url": tab_url(value),
            "active": current == value,
        }
        for value, label in STATUS_CHOICES
    ]
    return render(
        request,
        "startups/pipeline/application_list.html",
        {
            "site": request.site,
            "form": form,
            "page": page,
            "rows": [(application, totals.get(application.pk)) for application in page.object_list],
            "tabs": tabs,
        },
    )


def _detail(request, application: Application, *, assign_form=None, decision_form=None):
    can_decide = can(request, MANAGE)
    is_open = application.status in OPEN_STATUSES
    if can_decide and is_open:
        assign_form = assign_form or ReviewerAssignForm(site=request.site, application=application)
        decision_form = decision_form or DecisionForm()
    else:
        assign_form = decision_form = None
    admission = admission_of(application=application)
    context = {
        "site": request.site,
        "application": application,
        "startup": application.startup,
        "sectors": list(application.startup.sectors.all()),
        "answers": _answers(application),
        "events": application.events.select_related("actor").order_by("created_at", "pk"),
        "scores": application_scores(application),
        "my_review": review_of(application=application, reviewer=request.user),
        "admission": admission,
        "can_decide": can_decide,
        "is_open": is_open,
        "assign_form": assign_form,
        "decision_form": decision_form,
        **_next_steps(request, application, admission, can_decide=can_decide, is_open=is_open),
    }
    return render(request, "startups/pipeline/application_detail.html", context)


def _next_steps(request, application: Application, admission, *, can_decide: bool, is_open: bool) -> dict:
    """What follows a decision: an office for a new resident who has none (managers only),
    the admission's page, and the next application waiting for the committee."""
    if is_open or not application.decision:
        return {"show_next_steps": False}
    return {
        "show_next_steps": True,
        "offer_office": bool(
            can_decide
            and admission
            and admission.kind == AdmissionKind.RESIDENT
            and can_take_office(admission=admission)
        ),
        "next_application": next_application_to_review(site=request.site, after=application),
    }


@login_required
def application_detail(request, site_slug, pk):
    return _detail(request, _application(request, pk))


@login_required
def application_pitch_deck(request, site_slug, pk):
    application = _application(request, pk)
    if not application.pitch_deck:
        raise Http404
    try:
        handle = application.pitch_deck.open("rb")
    except OSError as error:  # listed but missing from storage
        raise Http404 from error
    filename = f"pitch-deck-{slugify(str(application.startup)) or application.pk}.pdf"
    return FileResponse(handle, as_attachment=True, filename=filename, content_type="application/pdf")


@require_POST
@login_required
def application_assign(request, site_slug, pk):
    application = _application(request, pk)
    if application.status not in OPEN_STATUSES:
        messages.error(request, _("Only submitted applications are reviewed."))
        return redirect(_detail_url(application))
    form = ReviewerAssignForm(request.POST, site=request.site, application=application)
    if form.is_valid():
        try:
            actions.review_assign(actor=request.user, application=application, reviewer=form.cleaned_data["reviewer"])
        except Conflict as conflict:
            messages.error(request, conflict.message)
            return redirect(_detail_url(application))
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Reviewer assigned."))
            return redirect(_detail_url(application))
    return _detail(request, application, assign_form=form)


# What a decision makes of the application, and the admission it creates.
DECISION_STATUS = {
    Decision.ADMIT_RESIDENT: ApplicationStatus.ADMITTED,
    Decision.ADMIT_ETECHNOPARK: ApplicationStatus.ADMITTED,
    Decision.WAITLIST: ApplicationStatus.WAITLISTED,
    Decision.REJECT: ApplicationStatus.REJECTED,
}
DECISION_ADMISSION = {
    Decision.ADMIT_RESIDENT: AdmissionKind.RESIDENT,
    Decision.ADMIT_ETECHNOPARK: AdmissionKind.ETECHNOPARK,
}


def _decision_problem(application: Application, decision: str) -> str:
    """Why `actions.application_decide` would refuse the decision now ("" when it would not),
    so that the confirmation page says it instead of offering a button that fails."""
    if decision == Decision.WAITLIST and application.status == ApplicationStatus.WAITLISTED:
        return _("This application is already waitlisted.")
    kind = DECISION_ADMISSION.get(decision)
    if kind and open_admission_exists(startup=application.startup, site=application.site, kind=kind):
        return _("This startup is already admitted at this site.")
    return ""


def _email_preview(application: Application, form: DecisionForm, recipient) -> dict:
    """The decision email as `recipient` (the first founder) would read it in the manager's
    language: the same template as `actions.application_decide`, on an unsaved copy."""
    preview = copy.copy(application)
    preview.decision = form.cleaned_data["decision"]
    preview.decision_reason = form.cleaned_data["reason"]
    subject, body = email_render(
        template="startups/email/application_decided",
        context={"application": preview, "user": recipient},
        language=get_language(),
    )
    return {"subject": subject, "body": str(body)}


def _confirm_page(request, application: Application, form: DecisionForm):
    """The decision restated (startup, call, decision, admission dates, the email and who
    gets it) with Confirm / Back. Reads only: nothing changes until Confirm is posted."""
    decision = form.cleaned_data["decision"]
    kind = DECISION_ADMISSION.get(decision)
    starts_on = (form.cleaned_data["starts_on"] or timezone.localdate()) if kind else None
    recipients = list(decision_recipients(startup=application.startup))
    values = form.values()
    return render(
        request,
        "startups/pipeline/decision_confirm.html",
        {
            "site": request.site,
            "application": application,
            "startup": application.startup,
            "decision": decision,
            "decision_label": Decision(decision).label,
            "new_status_label": DECISION_STATUS[Decision(decision)].label,
            "reason": form.cleaned_data["reason"],
            "admission_kind_label": AdmissionKind(kind).label if kind else "",
            "is_resident": kind == AdmissionKind.RESIDENT,
            "starts_on": starts_on,
            "planned_end_on": (
                add_years(starts_on, application.site.residency_max_years) if kind == AdmissionKind.RESIDENT else None
            ),
            "residency_max_years": application.site.residency_max_years,
            "problem": _decision_problem(application, decision),
            "recipients": recipients,
            "email": _email_preview(application, form, recipients[0]) if recipients else None,
            "values": values,
            "confirm_name": CONFIRM,
            "back_name": BACK,
            "back_url": _detail_url(application),
        },
    )


@site_action(MANAGE)  # the confirmation page too: read-only roles cannot decide
@login_required
def application_decide(request, site_slug, pk):
    """The application page's decision form posts here. Without `CONFIRM`: the
    confirmation page, which changes nothing (its values travel in the POST body, not in a
    URL that logs and histories keep); invalid values re-render the application page with
    the form's errors, and its Back button (`BACK`) brings the form back filled in. With
    `CONFIRM`: decide through `actions.application_decide`, then back to the application
    page (POST, redirect, GET), which shows the next steps. A GET (a reload, a bookmark)
    leads to the application page: no decision is taken in one click, none without a POST."""
    application = _application(request, pk)
    if application.status not in OPEN_STATUSES:
        if request.method == "POST":
            messages.error(request, _("This application is not awaiting a decision."))
        else:  # the confirmation page reloaded (or gone back to) once decided
            messages.info(request, _("A decision was already taken on this application."))
        return redirect(_detail_url(application))
    if request.method != "POST":
        return redirect(_detail_url(application))
    form = DecisionForm(request.POST)
    if BACK in request.POST or not form.is_valid():
        return _detail(request, application, decision_form=form)
    if CONFIRM not in request.POST:
        return _confirm_page(request, application, form)
    try:
        actions.application_decide(
            actor=request.user,
            application=application,
            decision=form.cleaned_data["decision"],
            reason=form.cleaned_data["reason"],
            starts_on=form.cleaned_data["starts_on"],
        )
    except Conflict as conflict:
        messages.error(request, conflict.message)
    except ValidationError as error:
        add_action_errors(form, error)
        return _detail(request, application, decision_form=form)
    else:
        messages.success(request, _("Decision recorded; the founders are told by email."))
    return redirect(_detail_url(application))


# --- Committee review ------------------------------------------------------------------
@login_required
def review_list(request, site_slug):
    reviews = reviews_assigned(site=request.site, reviewer=request.user)
    page = Paginator(reviews, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "startups/pipeline/review_list.html",
        {"site": request.site, "page": page, "open_statuses": list(OPEN_STATUSES)},
    )


@site_action(REVIEW)
@login_required
def review_score(request, site_slug, pk):
    review = get_object_or_404(
        reviews_assigned(site=request.site, reviewer=request.user)
        .select_related("application__site")
        .prefetch_related("scores"),
        pk=pk,
    )
    application = review.application
    is_open = application.status in OPEN_STATUSES
    criteria = list(active_criteria())
    form = ReviewScoreForm(request.POST if request.method == "POST" else None, review=review, criteria=criteria)
    if request.method == "POST":
        if not is_open:
            messages.error(request, _("A decision was already taken on this application."))
            return redirect("startups:manage_reviews", site_slug=request.site.slug)
        if form.is_valid():
            try:
                actions.review_submit(
                    actor=request.user, review=review, scores=form.scores(), comment=form.cleaned_data["comment"]
                )
            except Conflict as conflict:
                messages.error(request, conflict.message)
                return redirect("startups:manage_reviews", site_slug=request.site.slug)
            except ValidationError as error:
                add_action_errors(form, error)
            else:
                messages.success(request, _("Your scores are saved."))
                return redirect("startups:manage_reviews", site_slug=request.site.slug)
    return render(
        request,
        "startups/pipeline/review_form.html",
        {
            "site": request.site,
            "review": review,
            "application": application,
            "answers": _answers(application),
            "form": form,
            "is_open": is_open,
        },
    )


SITE = "manage/<slug:site_slug>/"

urlpatterns = [
    path(f"{SITE}calls/", call_list, name="manage_calls"),
    path(f"{SITE}calls/new/", call_edit, name="manage_call_new"),
    path(f"{SITE}calls/<int:pk>/edit/", call_edit, name="manage_call_edit"),
    path(f"{SITE}applications/", application_list, name="manage_applications"),
    path(f"{SITE}applications/<int:pk>/", application_detail, name="manage_application"),
    path(f"{SITE}applications/<int:pk>/pitch-deck/", application_pitch_deck, name="manage_application_pitch_deck"),
    path(f"{SITE}applications/<int:pk>/reviewers/", application_assign, name="manage_application_assign"),
    path(f"{SITE}applications/<int:pk>/decision/", application_decide, name="manage_application_decide"),
    path(f"{SITE}reviews/", review_list, name="manage_reviews"),
    path(f"{SITE}reviews/<int:pk>/", review_score, name="manage_review"),
    path("network/calls/", network_call_list, name="network_calls"),
    path("network/calls/new/", network_call_edit, name="network_call_new"),
    path("network/calls/<int:pk>/edit/", network_call_edit, name="network_call_edit"),
]

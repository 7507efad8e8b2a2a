"""Yearly declarations: a founder declares the startup's figures per fiscal year (team
members see them); a site manager sees who has not declared — residents, members and alumni
of the last five years — when they were last reminded, reminds them all at once, and sees
what was declared by the startups of their site, and their answers to the yearly check-in."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.forms import add_action_errors
from sites.roles import MANAGE, can

from .. import actions
from ..forms.declarations import DeclarationForm, DeclarationYearForm, declarable_years, last_fiscal_year
from ..models import Declaration
from ..selectors.check_ins import check_ins_for_site
from ..selectors.declarations import declared_for_site, is_admitted, startups_to_remind, undeclared_admissions_listed
from ..selectors.visibility import is_founder, startups_of_member

PAGE_SIZE = 30


def _posted_year(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- Founders and team members ---------------------------------------------------------------
@login_required
def declaration_list(request, pk):
    """The startup's declarations, and for founders the form for one fiscal year: a new
    one, or `?year=2024` to correct that year (saving a year again updates it)."""
    startup = get_object_or_404(startups_of_member(request.user), pk=pk)
    can_edit = is_founder(request.user, startup)
    # Admissions are site-owned: the request's scope covers the sites this startup is admitted at.
    admitted = is_admitted(startup=startup)
    declarations = list(startup.declarations.order_by("-fiscal_year"))
    by_year = {declaration.fiscal_year: declaration for declaration in declarations}

    form = None
    if request.method == "POST":
        if not (can_edit and admitted):
            raise PermissionDenied
        instance = by_year.get(_posted_year(request.POST.get("fiscal_year"))) or Declaration(startup=startup)
        form = DeclarationForm(request.POST, instance=instance)
        if form.is_valid():
            try:
                declaration = actions.declaration_save(actor=request.user, declaration=form.instance)
            except ValidationError as error:
                add_action_errors(form, error)
            else:
                messages.success(
                    request, _("Your %(year)s figures are saved. Thank you!") % {"year": declaration.fiscal_year}
                )
                return redirect("startups:declarations", pk=startup.pk)
    elif can_edit and admitted:
        editing = by_year.get(_posted_year(request.GET.get("year")))
        if editing is not None:
            form = DeclarationForm(instance=editing)
        else:
            year = last_fiscal_year()
            form = DeclarationForm(
                instance=Declaration(startup=startup), initial={"fiscal_year": year if year not in by_year else None}
            )
    return render(
        request,
        "startups/declarations/list.html",
        {
            "startup": startup,
            "declarations": declarations,
            "form": form,
            "editing": form is not None and form.instance.pk is not None,
            "can_edit": can_edit,
            "admitted": admitted,
            "missing_last_year": admitted and last_fiscal_year() not in by_year,
            # Made from the yearly check-in: an estimate for the founders to complete.
            "estimated_years": [declaration.fiscal_year for declaration in declarations if declaration.from_check_in],
            "last_fiscal_year": last_fiscal_year(),
        },
    )


# --- Site back-office (/manage/<site>/, scoped by SiteScopeMiddleware) -----------------------
@login_required
def manage_declarations(request, site_slug):
    site = request.site
    filters = DeclarationYearForm(request.GET)
    year, status = filters.chosen_year, filters.chosen_status
    lists = {
        DeclarationYearForm.MISSING: undeclared_admissions_listed(fiscal_year=year),
        DeclarationYearForm.DECLARED: declared_for_site(fiscal_year=year),
        # The yearly check-in's answers: a startup that answered counts as answered (its
        # answer made a declaration, or it has stopped).
        DeclarationYearForm.CHECK_INS: check_ins_for_site(fiscal_year=year),
    }
    page = Paginator(lists[status], PAGE_SIZE).get_page(request.GET.get("page"))
    counts = {key: page.paginator.count if key == status else rows.count() for key, rows in lists.items()}
    base = reverse("startups:manage_declarations", kwargs={"site_slug": site.slug})
    return render(
        request,
        "startups/declarations/manage.html",
        {
            "site": site,
            "filters": filters,
            "year": year,
            "status": status,
            "page": page,
            "missing_count": counts[DeclarationYearForm.MISSING],
            "declared_count": counts[DeclarationYearForm.DECLARED],
            "check_ins_count": counts[DeclarationYearForm.CHECK_INS],
            "missing_url": f"{base}?year={year}&status={DeclarationYearForm.MISSING}",
            "declared_url": f"{base}?year={year}&status={DeclarationYearForm.DECLARED}",
            "check_ins_url": f"{base}?year={year}&status={DeclarationYearForm.CHECK_INS}",
            "can_remind": can(request, MANAGE),
        },
    )


@require_POST
@login_required
def manage_declarations_remind(request, site_slug):
    """Remind, at once, the founders of every startup of the site (residents, members, alumni
    of the last five years) that has not declared the year: each startup at most once a
    month (`actions.declaration_reminders_send`), whoever else reminded it."""
    year = _posted_year(request.POST.get("year"))
    if year not in declarable_years():
        year = last_fiscal_year()
    today = timezone.localdate()
    startups = startups_to_remind(fiscal_year=year, on=today)  # the site's (the middleware's scope)
    sent = actions.declaration_reminders_send(startups=startups, fiscal_year=year, today=today)
    messages.success(
        request,
        ngettext(
            "%(count)s reminder sent; the startups reminded this month already are not emailed again.",
            "%(count)s reminders sent; the startups reminded this month already are not emailed again.",
            sent,
        )
        % {"count": sent},
    )
    url = reverse("startups:manage_declarations", kwargs={"site_slug": request.site.slug})
    return redirect(f"{url}?year={year}&status={DeclarationYearForm.MISSING}")


urlpatterns = [
    path("startups/<int:pk>/declarations/", declaration_list, name="declarations"),
    path("manage/<slug:site_slug>/declarations/", manage_declarations, name="manage_declarations"),
    path("manage/<slug:site_slug>/declarations/remind/", manage_declarations_remind, name="manage_declarations_remind"),
]

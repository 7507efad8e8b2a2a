"""Partners, programmes and partner incubators.

- Public: the active partners (with logos) and the partner incubators.
- Participants: `/programmes/` lists the programmes of the user's startups; a programme's
  page is shown to its cohort's team members, the staff of its site and head office (others
  get 404). Programmes may belong to the network (no site), so these pages read inside
  `network_scope()` with an explicit cohort / ownership filter.
- Head office (`/network/…`): partners, every programme (network ones are created here;
  a site's are also managed from its back-office), incubators and their managers.
- Site back-office (`/manage/<site>/…`, scoped to the site): the site's programmes and
  cohorts, and (read-only) the incubators affiliated to the site and their startups.
- Incubator back-office (`/incubators/<slug>/manage/…`, scoped by the middleware to that one
  incubator, `request.incubator`): its incubated startups and the programmes it takes part in.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import Conflict
from core.files import public_image_response
from core.forms import add_action_errors
from core.limits import upload_limit
from core.validators import MAX_LOGO_BYTES
from sites.models import Incubator, IncubatorMembership, Partner
from sites.roles import MANAGE, can, head_office_required
from sites.scoping import managed_site_ids, network_scope

from .. import actions
from ..forms.partners import (
    IncubationForm,
    IncubatorForm,
    IncubatorManagerForm,
    ParticipantForm,
    PartnerForm,
    ProgrammeFilterForm,
    ProgrammeForm,
)
from ..models import IncubatedStartup, Programme, ProgrammeParticipant, ServiceSession, SessionStatus

PAGE_SIZE = 25
STATUS_CURRENT, STATUS_ENDED, STATUS_ALL = "current", "ended", "all"


def _page(request, queryset, size: int = PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


# --- Public -------------------------------------------------------------------------------
def partner_list(request):
    partners = Partner.objects.filter(is_active=True).order_by("name", "pk")
    return render(request, "services/partners/partner_list.html", {"page": _page(request, partners, 48)})


def partner_logo(request, pk):
    """A partner's logo: public, shown on the public partners page."""
    partner = Partner.objects.filter(pk=pk).exclude(logo="").only("pk", "logo").first()
    if partner is None:
        raise Http404
    return public_image_response(partner.logo)


def incubator_list(request):
    incubators = (
        Incubator.objects.filter(is_active=True).select_related("affiliated_site__region").order_by("name", "pk")
    )
    return render(request, "services/partners/incubator_list.html", {"page": _page(request, incubators, 50)})


# --- Participants' programme pages ---------------------------------------------------------
def _programmes_visible_to(user):
    """Head office: every programme. Others: the programmes whose cohort includes one of
    their startups, and those of the sites where they work. Call inside `network_scope()`
    (network programmes have no site): the filter here is the only one."""
    if user.is_head_office:
        return Programme.objects.all()
    cohort = ProgrammeParticipant.objects.filter(startup__members__user=user).values("programme")
    return Programme.objects.filter(Q(pk__in=cohort) | Q(site__in=managed_site_ids(user) or []))


@login_required
def programme_list(request):
    """The programmes of the user's startups."""
    with network_scope():  # scoped querysets take the scope they are created in: build them here
        mine = ProgrammeParticipant.objects.filter(startup__members__user=request.user)
        programmes = (
            Programme.objects.filter(pk__in=mine.values("programme"))
            .select_related("site")
            .prefetch_related(
                "partners",
                Prefetch("participants", queryset=mine.select_related("startup"), to_attr="my_participations"),
            )
            .order_by("-starts_on", "title", "pk")
        )
        return render(request, "services/partners/programme_list.html", {"page": _page(request, programmes)})


@login_required
def programme_detail(request, pk):
    with network_scope():
        upcoming = ServiceSession.objects.filter(status=SessionStatus.SCHEDULED, ends_at__gte=timezone.now()).order_by(
            "starts_at"
        )
        programme = get_object_or_404(
            _programmes_visible_to(request.user).select_related("site").prefetch_related("partners", "incubators"),
            pk=pk,
        )
        services = (
            programme.services.filter(is_published=True)
            .select_related("site", "partner")
            .prefetch_related(Prefetch("sessions", queryset=upcoming, to_attr="upcoming_sessions"))
            .order_by("title")
        )
        cohort = programme.participants.select_related("startup").order_by("startup__legal_name", "pk")
        return render(
            request,
            "services/partners/programme_detail.html",
            {"programme": programme, "services": services, "cohort": cohort},
        )


# --- Head office: partners -------------------------------------------------------------------
@head_office_required
def network_partner_list(request):
    partners = Partner.objects.annotate(
        programme_count=Count("programmes", distinct=True), incubator_count=Count("incubators", distinct=True)
    ).order_by("name", "pk")
    query = (request.GET.get("q") or "").strip()[:100]
    if query:
        partners = partners.filter(name__icontains=query)
    return render(
        request, "services/partners/network_partner_list.html", {"page": _page(request, partners, 50), "q": query}
    )


@upload_limit(MAX_LOGO_BYTES)
@head_office_required
def network_partner_edit(request, pk=None):
    partner = get_object_or_404(Partner, pk=pk) if pk else Partner()
    form = PartnerForm(request.POST or None, request.FILES or None, instance=partner)
    if request.method == "POST" and form.is_valid():
        try:
            actions.partner_save(actor=request.user, partner=form.instance)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Partner saved."))
            return redirect("services:network_partners")
    return render(
        request,
        "services/partners/form.html",
        {
            "form": form,
            "title": partner.name if pk else _("New partner"),
            "cancel_url": reverse("services:network_partners"),
            "parent_title": _("Partners"),
            "multipart": True,
        },
    )


# --- Programmes: shared by head office (network routes) and site back-offices ---------------
def _programme_urls(programme: Programme | None, site) -> dict:
    """The back-office URLs of a programme: under /manage/<site>/ in a site's back-office,
    under /network/ for head office."""
    if site is not None:
        urls = {"list": reverse("services:manage_programmes", kwargs={"site_slug": site.slug})}
        if programme is not None:
            kwargs = {"site_slug": site.slug, "pk": programme.pk}
            urls["detail"] = reverse("services:manage_programme_detail", kwargs=kwargs)
            urls["edit"] = reverse("services:manage_programme_edit", kwargs=kwargs)
    else:
        urls = {"list": reverse("services:network_programmes")}
        if programme is not None:
            urls["detail"] = reverse("services:network_programme_detail", kwargs={"pk": programme.pk})
            urls["edit"] = reverse("services:network_programme_edit", kwargs={"pk": programme.pk})
    return urls


def _programme_rows(programmes):
    return (
        programmes.select_related("site")
        .prefetch_related("partners")
        .annotate(cohort_size=Count("participants", distinct=True), service_count=Count("services", distinct=True))
        .order_by("-starts_on", "title", "pk")
    )


def _programme_form_page(request, programme: Programme | None, *, backoffice_site, programme_site, can_manage):
    """Create or edit a programme. `backoffice_site` is the route's site (None under
    /network/); `programme_site` the programme's own (None for a network programme)."""
    instance = programme or Programme(site=programme_site)
    form = ProgrammeForm(request.POST or None, instance=instance, site=programme_site)
    # Under /manage/<site>/ the middleware lets only `manage` POST (sites.roles).
    if request.method == "POST" and form.is_valid():
        try:
            saved = actions.programme_save(
                actor=request.user,
                programme=form.instance,
                partners=form.cleaned_data["partners"],
                incubators=form.cleaned_data["incubators"],
                services=form.cleaned_data["services"],
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Programme saved."))
            return redirect(_programme_urls(saved, backoffice_site)["detail"])
    urls = _programme_urls(programme, backoffice_site)
    return render(
        request,
        "services/partners/form.html",
        {
            "form": form,
            "site": backoffice_site,
            "title": programme.title if programme else _("New programme"),
            "cancel_url": urls.get("detail", urls["list"]),
            "parent_title": _("Programmes"),
            "parent_url": urls["list"],
            "read_only": not can_manage,
        },
    )


def _programme_manage_page(request, programme: Programme, *, backoffice_site, can_manage):
    """A programme's back-office page: its pieces and its cohort; POST adds a startup."""
    eligible = actions.programme_admitted_startups(programme).exclude(
        pk__in=ProgrammeParticipant.objects.filter(programme=programme).values("startup")
    )
    form = ParticipantForm(request.POST or None, eligible=eligible)
    # Under /manage/<site>/ the middleware lets only `manage` POST (sites.roles).
    if request.method == "POST" and form.is_valid():
        startup = form.cleaned_data["startup"]
        try:
            actions.programme_participant_add(actor=request.user, programme=programme, startup=startup)
        except Conflict as conflict:
            messages.error(request, conflict.message)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(startup)s joined the cohort.") % {"startup": startup})
        return redirect(_programme_urls(programme, backoffice_site)["detail"])
    cohort = programme.participants.select_related("startup").order_by("startup__legal_name", "pk")
    return render(
        request,
        "services/partners/programme_manage.html",
        {
            "programme": programme,
            "site": backoffice_site,
            "cohort": cohort,
            "services": programme.services.order_by("title"),
            "form": form,
            "can_manage": can_manage,
            "urls": _programme_urls(programme, backoffice_site),
        },
    )


def _participant_remove(request, programme: Programme, startup_pk: int, *, backoffice_site):
    participant = get_object_or_404(
        ProgrammeParticipant.objects.select_related("startup"), programme=programme, startup_id=startup_pk
    )
    actions.programme_participant_remove(actor=request.user, participant=participant)
    messages.success(request, _("%(startup)s left the cohort.") % {"startup": participant.startup})
    return redirect(_programme_urls(programme, backoffice_site)["detail"])


# --- Head office: programmes ---------------------------------------------------------------------
@head_office_required
def network_programme_list(request):
    form = ProgrammeFilterForm(request.GET or None)
    with network_scope():
        programmes = Programme.objects.all()
        owner = form.cleaned_data.get("site") if form.is_valid() else ""
        if owner == ProgrammeFilterForm.NETWORK:
            programmes = programmes.filter(site__isnull=True)
        elif owner:
            programmes = programmes.filter(site__slug=owner)
        return render(
            request,
            "services/partners/programme_manage_list.html",
            {
                "page": _page(request, _programme_rows(programmes)),
                "filter_form": form,
                "site": None,
                "can_manage": True,
            },
        )


def _network_programme(pk) -> Programme:
    """Any programme (head office sees every site's); call inside `network_scope()`."""
    return get_object_or_404(Programme.objects.select_related("site"), pk=pk)


@head_office_required
def network_programme_create(request):
    with network_scope():
        return _programme_form_page(request, None, backoffice_site=None, programme_site=None, can_manage=True)


@head_office_required
def network_programme_edit(request, pk):
    with network_scope():
        programme = _network_programme(pk)
        return _programme_form_page(
            request, programme, backoffice_site=None, programme_site=programme.site, can_manage=True
        )


@head_office_required
def network_programme_detail(request, pk):
    with network_scope():
        return _programme_manage_page(request, _network_programme(pk), backoffice_site=None, can_manage=True)


@require_POST
@head_office_required
def network_programme_participant_remove(request, pk, startup_pk):
    with network_scope():
        return _participant_remove(request, _network_programme(pk), startup_pk, backoffice_site=None)


# --- Site back-office: programmes (scoped to request.site) ------------------------------------
def _site_programme(request, pk) -> Programme:
    # Scoped: another site's programme, or a network one, is not found.
    return get_object_or_404(Programme.objects.filter(site=request.site).select_related("site"), pk=pk)


@login_required
def manage_programme_list(request, site_slug):
    programmes = _programme_rows(Programme.objects.filter(site=request.site))
    return render(
        request,
        "services/partners/programme_manage_list.html",
        {"page": _page(request, programmes), "site": request.site, "can_manage": can(request, MANAGE)},
    )


@login_required
def manage_programme_create(request, site_slug):
    return _programme_form_page(
        request,
        None,
        backoffice_site=request.site,
        programme_site=request.site,
        can_manage=can(request, MANAGE),
    )


@login_required
def manage_programme_edit(request, site_slug, pk):
    return _programme_form_page(
        request,
        _site_programme(request, pk),
        backoffice_site=request.site,
        programme_site=request.site,
        can_manage=can(request, MANAGE),
    )


@login_required
def manage_programme_detail(request, site_slug, pk):
    return _programme_manage_page(
        request, _site_programme(request, pk), backoffice_site=request.site, can_manage=can(request, MANAGE)
    )


@require_POST
@login_required
def manage_programme_participant_remove(request, site_slug, pk, startup_pk):
    return _participant_remove(request, _site_programme(request, pk), startup_pk, backoffice_site=request.site)


# --- Head office: partner incubators and their managers ------------------------------------------
@head_office_required
def network_incubator_list(request):
    with network_scope():
        incubators = (
            Incubator.objects.select_related("affiliated_site__region", "partner")
            .annotate(
                current_count=Count("incubated", filter=Q(incubated__until__isnull=True), distinct=True),
                manager_count=Count("memberships", distinct=True),
            )
            .order_by("name", "pk")
        )
        return render(
            request, "services/partners/network_incubator_list.html", {"page": _page(request, incubators, 50)}
        )


@head_office_required
def network_incubator_edit(request, pk=None):
    incubator = get_object_or_404(Incubator, pk=pk) if pk else Incubator()
    form = IncubatorForm(request.POST or None, instance=incubator)
    if request.method == "POST" and form.is_valid():
        try:
            actions.incubator_save(actor=request.user, incubator=form.instance)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Incubator saved."))
            return redirect("services:network_incubators")
    return render(
        request,
        "services/partners/form.html",
        {
            "form": form,
            "title": incubator.name if pk else _("New incubator"),
            "cancel_url": reverse("services:network_incubators"),
            "parent_title": _("Partner incubators"),
            "parent_url": reverse("services:network_incubators"),
        },
    )


@head_office_required
def network_incubator_managers(request, pk):
    with network_scope():
        incubator = get_object_or_404(Incubator.objects.select_related("affiliated_site"), pk=pk)
        form = IncubatorManagerForm(request.POST or None, incubator=incubator)
        if request.method == "POST" and form.is_valid():
            user = form.cleaned_data["user"]
            try:
                actions.incubator_membership_grant(actor=request.user, incubator=incubator, user=user)
            except Conflict as conflict:
                messages.error(request, conflict.message)
            else:
                messages.success(
                    request,
                    _("%(email)s now manages this incubator and has been told by email.") % {"email": user.email},
                )
            return redirect("services:network_incubator_managers", pk=incubator.pk)
        memberships = (
            IncubatorMembership.objects.filter(incubator=incubator).select_related("user").order_by("user__email")
        )
        return render(
            request,
            "services/partners/network_incubator_managers.html",
            {"incubator": incubator, "memberships": memberships, "form": form},
        )


@require_POST
@head_office_required
def network_incubator_manager_remove(request, pk, membership_pk):
    with network_scope():
        membership = get_object_or_404(
            IncubatorMembership.objects.select_related("user"), incubator_id=pk, pk=membership_pk
        )
        actions.incubator_membership_revoke(actor=request.user, membership=membership)
        messages.success(request, _("%(email)s no longer manages this incubator.") % {"email": membership.user.email})
        return redirect("services:network_incubator_managers", pk=pk)


# --- Incubator back-office (scoped by the middleware to request.incubator) ----------------------
def _incubations(queryset, status: str):
    if status == STATUS_CURRENT:
        queryset = queryset.filter(until__isnull=True)
    elif status == STATUS_ENDED:
        queryset = queryset.filter(until__isnull=False)
    return queryset.select_related("startup", "incubator").order_by(
        F("until").desc(nulls_first=True), "-since", "startup__legal_name", "pk"
    )


def _status(request) -> str:
    status = request.GET.get("status")
    return status if status in (STATUS_CURRENT, STATUS_ENDED, STATUS_ALL) else STATUS_CURRENT


@login_required
def incubator_home(request, incubator_slug):
    incubator = request.incubator
    form = IncubationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        startup = form.cleaned_data["startup_object"]
        try:
            actions.incubation_add(
                actor=request.user, incubator=incubator, startup=startup, since=form.cleaned_data["since"]
            )
        except Conflict as conflict:
            form.add_error("startup", conflict.message)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("%(startup)s is now incubated here.") % {"startup": startup})
            return redirect("services:incubator_home", incubator_slug=incubator.slug)
    status = _status(request)
    incubations = _incubations(IncubatedStartup.objects.filter(incubator=incubator), status)
    return render(
        request,
        "services/partners/incubator_home.html",
        {"incubator": incubator, "page": _page(request, incubations), "form": form, "status": status},
    )


@require_POST
@login_required
def incubator_startup_end(request, incubator_slug, startup_pk):
    incubator = request.incubator
    incubation = (
        IncubatedStartup.objects.filter(incubator=incubator, startup_id=startup_pk, until__isnull=True)
        .select_related("startup")
        .first()
    )
    if incubation is None:
        raise Http404
    try:
        actions.incubation_end(actor=request.user, incubation=incubation)
    except (Conflict, ValidationError) as error:
        messages.error(request, error.message if isinstance(error, Conflict) else " ".join(error.messages))
    else:
        messages.success(request, _("The incubation of %(startup)s has ended.") % {"startup": incubation.startup})
    return redirect("services:incubator_home", incubator_slug=incubator.slug)


@login_required
def incubator_programmes(request, incubator_slug):
    incubator = request.incubator
    with network_scope():
        programmes = (
            Programme.objects.filter(incubators=incubator)
            .select_related("site")
            .prefetch_related("partners")
            .order_by("-starts_on", "title", "pk")
        )
        return render(
            request,
            "services/partners/incubator_programmes.html",
            {"incubator": incubator, "page": _page(request, programmes)},
        )


# --- Site back-office: the site's partner incubators, read-only ---------------------------------
@login_required
def manage_incubator_list(request, site_slug):
    site = request.site
    incubators = list(
        Incubator.objects.filter(affiliated_site=site)
        .select_related("partner")
        .annotate(current_count=Count("incubated", filter=Q(incubated__until__isnull=True), distinct=True))
        .order_by("name", "pk")
    )
    # Incubated startups through the incubator scope the middleware opened for this site.
    incubations = IncubatedStartup.objects.filter(incubator__affiliated_site=site)
    chosen = next((incubator for incubator in incubators if incubator.slug == request.GET.get("incubator")), None)
    if chosen is not None:
        incubations = incubations.filter(incubator=chosen)
    status = _status(request)
    return render(
        request,
        "services/partners/manage_incubators.html",
        {
            "site": site,
            "incubators": incubators,
            "chosen": chosen,
            "status": status,
            "page": _page(request, _incubations(incubations, status), 50),
        },
    )


urlpatterns = [
    # Public
    path("partners/", partner_list, name="partners"),
    path("partners/<int:pk>/logo/", partner_logo, name="partner_logo"),
    path("incubators/", incubator_list, name="incubators"),
    # Participants
    path("programmes/", programme_list, name="programmes"),
    path("programmes/<int:pk>/", programme_detail, name="programme_detail"),
    # Head office
    path("network/partners/", network_partner_list, name="network_partners"),
    path("network/partners/new/", network_partner_edit, name="network_partner_new"),
    path("network/partners/<int:pk>/edit/", network_partner_edit, name="network_partner_edit"),
    path("network/programmes/", network_programme_list, name="network_programmes"),
    path("network/programmes/new/", network_programme_create, name="network_programme_new"),
    path("network/programmes/<int:pk>/", network_programme_detail, name="network_programme_detail"),
    path("network/programmes/<int:pk>/edit/", network_programme_edit, name="network_programme_edit"),
    path(
        "network/programmes/<int:pk>/participants/<int:startup_pk>/remove/",
        network_programme_participant_remove,
        name="network_programme_participant_remove",
    ),
    path("network/incubators/", network_incubator_list, name="network_incubators"),
    path("network/incubators/new/", network_incubator_edit, name="network_incubator_new"),
    path("network/incubators/<int:pk>/edit/", network_incubator_edit, name="network_incubator_edit"),
    path("network/incubators/<int:pk>/managers/", network_incubator_managers, name="network_incubator_managers"),
    path(
        "network/incubators/<int:pk>/managers/<int:membership_pk>/remove/",
        network_incubator_manager_remove,
        name="network_incubator_manager_remove",
    ),
    # Site back-office
    path("manage/<slug:site_slug>/programmes/", manage_programme_list, name="manage_programmes"),
    path("manage/<slug:site_slug>/programmes/new/", manage_programme_create, name="manage_programme_new"),
    path("manage/<slug:site_slug>/programmes/<int:pk>/", manage_programme_detail, name="manage_programme_detail"),
    path("manage/<slug:site_slug>/programmes/<int:pk>/edit/", manage_programme_edit, name="manage_programme_edit"),
    path(
        "manage/<slug:site_slug>/programmes/<int:pk>/participants/<int:startup_pk>/remove/",
        manage_programme_participant_remove,
        name="manage_programme_participant_remove",
    ),
    path("manage/<slug:site_slug>/incubators/", manage_incubator_list, name="manage_incubators"),
    # Incubator back-office
    path("incubators/<slug:incubator_slug>/manage/", incubator_home, name="incubator_home"),
    path(
        "incubators/<slug:incubator_slug>/manage/startups/<int:startup_pk>/end/",
        incubator_startup_end,
        name="incubator_startup_end",
    ),
    path("incubators/<slug:incubator_slug>/manage/programmes/", incubator_programmes, name="incubator_programmes"),
]

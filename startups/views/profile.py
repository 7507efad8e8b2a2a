"""The founder's startup: profile, team and invitations.

Who sees a startup is decided by `selectors.startups_visible_to` (others get 404); only its
founders change it (visible but not a founder: 403). Admissions, offices and applications
shown here are site-owned, so the request's tenant scope already limits them to the sites
the user may see: a site manager sees what happens at their own site only.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import Conflict
from core.files import public_image_response
from core.forms import add_action_errors
from core.limits import upload_limit
from core.validators import MAX_LOGO_BYTES

from .. import actions
from ..forms.profile import InvitationForm, StartupForm
from ..models import Startup, StartupInvitation
from ..selectors.profile import (
    invitations_with_startup,
    pending_invitations,
    startup_admissions,
    startup_applications,
    startup_with_logo,
    startups_of_member_listed,
    team_members,
)
from ..selectors.visibility import is_founder, startups_visible_to

PAGE_SIZE = 25


# --- Look-ups ---------------------------------------------------------------------------
def _visible_startup(request, pk) -> Startup:
    return get_object_or_404(startups_visible_to(request.user), pk=pk)


def _founded_startup(request, pk) -> Startup:
    """A startup the user founded; 404 when they may not even see it, 403 when they may
    see it but not change it (team members, site managers, head office)."""
    startup = _visible_startup(request, pk)
    if not is_founder(request.user, startup):
        raise PermissionDenied
    return startup


# --- My startups ------------------------------------------------------------------------
@login_required
def startup_list(request):
    startups = startups_of_member_listed(user=request.user)
    page = Paginator(startups, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "startups/profile/startup_list.html", {"page": page, "startups": page.object_list})


@upload_limit(MAX_LOGO_BYTES)
@login_required
def startup_create(request):
    form = StartupForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            startup = actions.startup_save(
                actor=request.user, startup=form.instance, sectors=form.cleaned_data["sectors"]
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Your startup has been created. You are its founder."))
            return redirect(startup)
    return render(request, "startups/profile/startup_form.html", {"form": form, "startup": None})


@upload_limit(MAX_LOGO_BYTES)
@login_required
def startup_edit(request, pk):
    startup = _founded_startup(request, pk)
    form = StartupForm(request.POST or None, request.FILES or None, instance=startup)
    if request.method == "POST" and form.is_valid():
        try:
            actions.startup_save(actor=request.user, startup=form.instance, sectors=form.cleaned_data["sectors"])
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Profile saved."))
            return redirect(startup)
    return render(request, "startups/profile/startup_form.html", {"form": form, "startup": startup})


@login_required
def startup_detail(request, pk):
    startup = get_object_or_404(startups_visible_to(request.user).prefetch_related("sectors"), pk=pk)
    members = list(startup.members.select_related("user").order_by("-role", "joined_at"))
    is_member = any(member.user_id == request.user.pk for member in members)
    founder = any(member.user_id == request.user.pk and member.role == "founder" for member in members)
    today = timezone.localdate()
    admissions = startup_admissions(startup=startup, on=today)
    applications = startup_applications(startup=startup, with_drafts=is_member)
    return render(
        request,
        "startups/profile/startup_detail.html",
        {
            "startup": startup,
            "members": members,
            "is_member": is_member,
            "is_founder": founder,
            "admissions": admissions,
            "applications": applications,
            "today": today,
        },
    )


def startup_logo(request, pk):
    """A startup's logo: public, shown on public pages."""
    startup = startup_with_logo(pk=pk)
    if startup is None:
        raise Http404
    return public_image_response(startup.logo)


# --- Team -------------------------------------------------------------------------------
@login_required
def startup_team(request, pk):
    startup = _visible_startup(request, pk)
    founder = is_founder(request.user, startup)
    form = InvitationForm(request.POST or None)
    if request.method == "POST":
        if not founder:
            raise PermissionDenied
        if form.is_valid():
            try:
                invitation = actions.invitation_send(
                    actor=request.user,
                    startup=startup,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                )
            except ValidationError as error:
                add_action_errors(form, error)
            else:
                messages.success(
                    request, _("Invitation sent to %(email)s; the link is valid 14 days.") % {"email": invitation.email}
                )
                return redirect("startups:team", pk=startup.pk)
    members = startup.members.select_related("user").order_by("-role", "joined_at")
    invitations = pending_invitations(startup=startup) if founder else ()
    return render(
        request,
        "startups/profile/startup_team.html",
        {"startup": startup, "members": members, "invitations": invitations, "is_founder": founder, "form": form},
    )


@require_POST
@login_required
def invitation_cancel(request, pk, token):
    startup = _founded_startup(request, pk)
    invitation = get_object_or_404(StartupInvitation, startup=startup, token=token)
    try:
        actions.invitation_cancel(actor=request.user, invitation=invitation)
    except Conflict as conflict:
        messages.error(request, conflict.message)
    else:
        messages.success(request, _("Invitation cancelled."))
    return redirect("startups:team", pk=startup.pk)


@require_POST
@login_required
def member_remove(request, pk, member_pk):
    startup = _founded_startup(request, pk)
    member = get_object_or_404(team_members(startup=startup), pk=member_pk)
    try:
        actions.member_remove(actor=request.user, member=member)
    except Conflict as conflict:
        messages.error(request, conflict.message)
        return redirect("startups:team", pk=startup.pk)
    if member.user_id == request.user.pk:
        messages.success(request, _("You have left the team of %(startup)s.") % {"startup": startup})
        return redirect("startups:list")
    messages.success(request, _("%(person)s was removed from the team.") % {"person": member.user.get_full_name()})
    return redirect("startups:team", pk=startup.pk)


def invitation_accept(request, token):
    """The link of the invitation email. Anyone holding it sees whom it is for; accepting
    needs to be signed in with the invited address (POST)."""
    invitation = get_object_or_404(invitations_with_startup(), token=token)
    user = request.user
    problem = None
    if invitation.accepted_at:
        problem = _("This invitation was already used.")
    elif invitation.is_expired:
        problem = _("This invitation has expired: ask the founders to send you a new one.")
    elif user.is_authenticated and user.email.lower() != invitation.email.lower():
        problem = _(
            "This invitation was sent to %(invited)s but you are signed in as %(email)s. "
            "Sign out, then sign in or create your account with the invited address."
        ) % {"invited": invitation.email, "email": user.email}
    if request.method == "POST":
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if problem is None:
            try:
                actions.invitation_accept(user=user, invitation=invitation)
            except Conflict as conflict:
                problem = conflict.message
            else:
                messages.success(request, _("Welcome to the team of %(startup)s.") % {"startup": invitation.startup})
                return redirect(invitation.startup)
    return render(
        request,
        "startups/profile/invitation_accept.html",
        {"invitation": invitation, "problem": problem},
    )


urlpatterns = [
    path("startups/", startup_list, name="list"),
    path("startups/new/", startup_create, name="create"),
    path("startups/invitations/<str:token>/", invitation_accept, name="invitation_accept"),
    path("startups/<int:pk>/", startup_detail, name="detail"),
    path("startups/<int:pk>/edit/", startup_edit, name="edit"),
    path("startups/<int:pk>/logo/", startup_logo, name="logo"),
    path("startups/<int:pk>/team/", startup_team, name="team"),
    path("startups/<int:pk>/invitations/<str:token>/cancel/", invitation_cancel, name="invitation_cancel"),
    path("startups/<int:pk>/members/<int:member_pk>/remove/", member_remove, name="member_remove"),
]

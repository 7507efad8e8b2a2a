from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import Conflict
from sites.selectors import incubator_memberships_of, network_figures, operational_sites

from .actions import (
    account_anonymise,
    api_token_create,
    api_token_revoke,
    profile_update,
    session_revoke,
    session_revoke_others,
)
from .extensions import LANDING_CONTEXTS, LANDING_PANELS
from .forms import AccountDeleteForm, ApiTokenForm, ProfileForm
from .models import ApiToken, Role, UserSession
from .privacy import personal_data
from .selectors import api_token_status, api_tokens_of, has_active_api_token, role_fingerprint, user_sessions_live
from .sessions import SESSION_ROW, describe_user_agent


@login_required
def landing(request):
    """The page each role lands on after signing in."""
    user = request.user
    context = {"role": user.role}
    page_role = user.role
    if user.is_head_office:
        page_role = Role.HEAD_OFFICE
        context["figures"] = network_figures()
        template = "accounts/landing_head_office.html"
    elif user.role == Role.SITE_MANAGER:
        template = "accounts/landing_site_manager.html"
    elif user.role == Role.MENTOR:
        context.update(LANDING_CONTEXTS[Role.MENTOR](user))  # registered by the mentors app
        template = "accounts/landing_mentor.html"
    elif user.role == Role.PARTNER:
        context["incubator_memberships"] = incubator_memberships_of(user=user)
        template = "accounts/landing_partner.html"
    else:
        page_role = Role.FOUNDER  # and anyone without a role of their own
        context["sites"] = operational_sites().select_related("region")
        context.update(LANDING_CONTEXTS[Role.FOUNDER](user))  # registered by the startups app
        template = "accounts/landing_founder.html"
    # The panels other apps add to this page (accounts.extensions).
    context["panels"] = [(panel.template, panel.context(user)) for panel in LANDING_PANELS.get(page_role, [])]
    return render(request, template, context)


@login_required
def profile(request):
    user = request.user
    form = ProfileForm(request.POST or None, initial={"full_name": user.full_name, "language": user.language})
    if request.method == "POST" and form.is_valid():
        profile_update(user=request.user, **form.cleaned_data)
        translation.activate(request.user.language)
        messages.success(request, _("Profile saved."))
        response = redirect("accounts:profile")
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, request.user.language, samesite="Lax")
        return response
    return render(request, "accounts/profile.html", {"form": form})


def _tokens_page(request, *, form, new_key: str | None = None):
    now, fingerprint = timezone.now(), role_fingerprint(request.user)
    tokens = [
        {"token": token, "status": api_token_status(token, fingerprint=fingerprint, now=now)}
        for token in api_tokens_of(request.user)
    ]
    return render(
        request,
        "accounts/api_tokens.html",
        {
            "tokens": tokens,
            "form": form,
            "new_key": new_key,
            "idle_days": settings.API_TOKEN_IDLE_DAYS,
            "max_days": settings.API_TOKEN_MAX_DAYS,
        },
    )


@never_cache
@login_required
def api_tokens(request):
    """The user's API tokens: create one (the way for accounts whose sign-in needs a second
    factor: the password-only token endpoint refuses them), list and revoke them."""
    return _tokens_page(request, form=ApiTokenForm())


@never_cache
@require_POST
@login_required
def api_token_new(request):
    """Create a token and show its key, once, on the page answering the POST (the key is
    stored nowhere, not even in the session)."""
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _tokens_page(request, form=form)
    try:
        _token, key = api_token_create(user=request.user, name=form.cleaned_data["name"])
    except PermissionDenied as error:  # an account that must set up TOTP first
        messages.error(request, " ".join(error.args))
        return redirect("accounts:api_tokens")
    messages.success(request, _("Your new API token: copy it now, it will not be shown again."))
    return _tokens_page(request, form=ApiTokenForm(), new_key=key)


@require_POST
@login_required
def api_token_revoke_view(request, pk: int):
    try:
        api_token_revoke(actor=request.user, token_id=pk)
    except ApiToken.DoesNotExist:
        raise Http404 from None  # another user's token looks exactly like a missing one
    messages.success(request, _("The token was revoked: it no longer works."))
    return redirect("accounts:api_tokens")


# --- Signed-in sessions (accounts.sessions) -----------------------------------------------
@login_required
def session_list(request):
    current_id = request.session.get(SESSION_ROW)
    rows = [
        {
            "pk": row.pk,
            "device": describe_user_agent(row.user_agent),
            "place": row.ip,
            "created_at": row.created_at,
            "last_seen_at": row.last_seen_at,
            "is_current": row.pk == current_id,
        }
        for row in user_sessions_live(user=request.user)
    ]
    rows.sort(key=lambda row: not row["is_current"])  # the current one first, then by activity
    return render(
        request,
        "accounts/sessions.html",
        {
            "sessions": rows,
            "has_others": any(not row["is_current"] for row in rows),
            "has_tokens": has_active_api_token(user=request.user),
        },
    )


@require_POST
@login_required
def session_revoke_view(request, pk: int):
    try:
        session_revoke(actor=request.user, session_id=pk)
    except UserSession.DoesNotExist:
        raise Http404 from None  # another user's session looks exactly like a missing one
    if pk == request.session.get(SESSION_ROW):  # the page offers "Sign out" for this one instead
        logout(request)
        return redirect("account_login")
    messages.success(request, _("That session was signed out."))
    return redirect("accounts:sessions")


@require_POST
@login_required
def sessions_revoke_others_view(request):
    count = session_revoke_others(actor=request.user, current_id=request.session.get(SESSION_ROW))
    if count:
        messages.success(request, _("Every other session was signed out, and your API tokens were revoked."))
    else:
        messages.info(request, _("No other session was signed in; your API tokens were revoked."))
    return redirect("accounts:sessions")


# --- Data rights (law 09-08, accounts.privacy) --------------------------------------------
@login_required
def privacy(request):
    return render(request, "accounts/privacy/privacy.html")


@require_GET
@never_cache
@login_required
def data_export(request):
    data = personal_data(request.user)
    response = HttpResponse(
        DjangoJSONEncoder(indent=2, ensure_ascii=False).encode(data), content_type="application/json; charset=utf-8"
    )
    filename = f"technopark-my-data-{timezone.localdate().isoformat()}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_http_methods(["GET", "POST"])
@never_cache
@login_required
def delete_account(request):
    form = AccountDeleteForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        try:
            account_anonymise(actor=request.user, user=request.user)
        except Conflict as conflict:
            form.add_error(None, conflict.message)
        else:
            logout(request)
            return render(request, "accounts/privacy/deleted.html")
    return render(request, "accounts/privacy/delete.html", {"form": form})

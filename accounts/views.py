from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from sites.selectors import incubator_memberships_of, network_figures, operational_sites

from .actions import api_token_create, api_token_revoke, profile_update
from .extensions import LANDING_CONTEXTS
from .forms import ApiTokenForm, ProfileForm
from .models import ApiToken, Role
from .selectors import api_token_status, api_tokens_of, role_fingerprint


@login_required
def landing(request):
    """The page each role lands on after signing in."""
    user = request.user
    context = {"role": user.role}
    if user.is_head_office:
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
        context["sites"] = operational_sites().select_related("region")
        context.update(LANDING_CONTEXTS[Role.FOUNDER](user))  # registered by the startups app
        template = "accounts/landing_founder.html"
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

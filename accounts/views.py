from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from sites.models import Site
from sites.selectors import network_figures

from .forms import ProfileForm
from .models import Role


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
        from mentors.views.mentor_space import landing_context

        context.update(landing_context(user))
        template = "accounts/landing_mentor.html"
    elif user.role == Role.PARTNER:
        from services.models import IncubatorMembership

        context["incubator_memberships"] = IncubatorMembership.objects.filter(user=user).select_related("incubator")
        template = "accounts/landing_partner.html"
    else:
        context["sites"] = Site.objects.filter(status="operational").select_related("region")
        template = "accounts/landing_founder.html"
    return render(request, template, context)


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        translation.activate(form.instance.language)
        messages.success(request, _("Profile saved."))
        response = redirect("accounts:profile")
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, form.instance.language, samesite="Lax")
        return response
    token = Token.objects.filter(user=request.user).first()
    return render(request, "accounts/profile.html", {"form": form, "api_token": token})


@require_POST
@login_required
def api_token_rotate(request):
    """A new API token, replacing the old one. The way to get a token for accounts whose
    sign-in needs a second factor (the password-only token endpoint refuses them)."""
    Token.objects.filter(user=request.user).delete()
    Token.objects.create(user=request.user)
    messages.success(request, _("A new API token was created; the previous one no longer works."))
    return redirect("accounts:profile")

"""The yearly survey's form, `/surveys/<token>/`: reached from the one-click link emailed to
each founder of an invited startup, or from their landing page while the invitation takes
answers (the same signed link, minted for them). No sign-in: the link is the founder's
authority.

- An altered, truncated, made-up or expired link, an invitation that no longer takes answers
  (surveys.campaign), or a founder who left the team: the same 400 page, which says only
  that the link does not work (and nothing of the startup or the site).
- Each address may open or send it 30 times in 15 minutes (then a 429), never cached.
- Answering again while the invitation takes answers changes the answer (surveys.actions)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.forms import add_action_errors
from core.throttling import client_ip, over_limit
from sites.scoping import site_scope

from . import actions, campaign
from .forms import SurveyAnswerForm
from .selectors import answer_of, link_of

LIMIT, WINDOW = 30, 15 * 60  # requests per address and window (seconds)


@never_cache
@require_http_methods(["GET", "POST"])
def answer(request, token):
    if over_limit(f"surveys:answer:{client_ip(request)}", limit=LIMIT, window=WINDOW):
        response = render(request, "429.html", status=429)
        response["Retry-After"] = str(WINDOW)
        return response
    link = link_of(token)
    if link is None:
        return render(request, "surveys/link_invalid.html", status=400)
    invitation = link.invitation
    answer = answer_of(invitation)
    form = SurveyAnswerForm(request.POST if request.method == "POST" else None, answer=answer)
    if form.is_valid():
        with site_scope(invitation.site):
            try:
                actions.survey_answer_save(actor=link.founder.user, invitation=invitation, **form.cleaned_data)
            except ValidationError as error:
                add_action_errors(form, error)
            else:
                messages.success(
                    request, _("Thank you: your answer is saved. You may change it until the survey closes.")
                )
                return redirect(request.path)
    context = {
        "form": form,
        "invitation": invitation,
        "answer": answer,
        "closes_on": campaign.answers_until(invitation.sent_at),
    }
    return render(request, "surveys/answer.html", context)


urlpatterns = [path("surveys/<str:token>/", answer, name="answer")]

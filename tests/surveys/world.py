"""The survey part of the isolation matrix's `world` (tests/conftest.py): founder_a's startup
invited to this year's survey of site A (its link signed for founder_a), and the other
startup invited at site B and answered there, with a comment site A must never see."""

from django.utils import timezone

from surveys.campaign import answer_token
from surveys.models import SurveyAnswer, SurveyInvitation


def survey_world(*, admission_a, admission_b, founder_a) -> dict:
    """Call with scopes disabled."""
    year = timezone.localdate().year
    invitation_a = SurveyInvitation.objects.create(startup=admission_a.startup, site=admission_a.site, year=year)
    invitation_b = SurveyInvitation.objects.create(startup=admission_b.startup, site=admission_b.site, year=year)
    answer_b = SurveyAnswer.objects.create(
        invitation=invitation_b,
        site=invitation_b.site,
        startup=invitation_b.startup,
        year=year,
        score=3,
        comment="Commentaire confidentiel du site B.",
        answered_at=timezone.now(),
    )
    return {
        "survey_invitation_a": invitation_a.pk,
        "survey_token_a": answer_token(invitation_id=invitation_a.pk, user_id=founder_a.pk),
        "survey_invitation_b": invitation_b.pk,
        "survey_answer_b": answer_b.pk,
    }

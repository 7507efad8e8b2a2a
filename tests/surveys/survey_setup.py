"""Helpers of the survey tests: invitations and answers written directly (set-up), a founder
with their startup admitted at a site."""

import datetime

from django.utils import timezone

from surveys.campaign import answer_path
from surveys.models import SurveyAnswer, SurveyInvitation
from tests.factories import AdmissionFactory, StartupFactory, StartupMemberFactory


def founded_startup(site, *, founder=None, name: str = "Atlas", **admission):
    """A startup admitted at `site` (resident since 2022 unless told) with a founder (a new
    user unless `founder` is given); returns (startup, founder user)."""
    startup = StartupFactory(legal_name=f"{name} SARL", brand_name=name)
    member = StartupMemberFactory(startup=startup, **({"user": founder} if founder else {}))
    AdmissionFactory(startup=startup, site=site, **admission)
    return startup, member.user


def invite(startup, site, *, year: int | None = None, sent_at: datetime.datetime | None = None) -> SurveyInvitation:
    invitation = SurveyInvitation.objects.create(
        startup=startup, site=site, year=year or timezone.localdate().year, recipients=1
    )
    if sent_at is not None:
        SurveyInvitation.objects.filter(pk=invitation.pk).update(sent_at=sent_at)
        invitation.refresh_from_db()
    return invitation


def answer(invitation: SurveyInvitation, score: int, *, comment: str = "", when=None, **fields) -> SurveyAnswer:
    return SurveyAnswer.objects.create(
        invitation=invitation,
        site=invitation.site,
        startup=invitation.startup,
        year=invitation.year,
        score=score,
        comment=comment,
        answered_at=when or timezone.now(),
        **fields,
    )


def link(invitation: SurveyInvitation, user) -> str:
    return answer_path(invitation_id=invitation.pk, user_id=user.pk)

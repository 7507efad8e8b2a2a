"""Every write of the yearly satisfaction survey (issue 22, point 4): inviting the startups
due an invitation (the beat, surveys.tasks) and saving a founder's answer.

- An invitation is claimed by its row, unique per (startup, site, year), in the same
  transaction as its emails are queued (sent on commit): reruns, and two beats at once, send
  nothing twice. Not audited: nobody changes anything (as the declaration reminders).
- An answer is one per invitation: answering again while the invitation takes answers
  (surveys.campaign) changes it.
  The invitation's row is locked first, so that two founders answering at once leave one
  answer, the later one. Audited (who answered, the values before and after)."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audited_save
from core.emails import email_render, email_send_on_commit
from startups.models import Admission

from . import campaign
from .models import QUESTION, SurveyAnswer, SurveyInvitation

SCORES = range(0, 11)


def survey_invitations_send(*, admissions: Iterable[Admission], year: int) -> int:
    """Invite the active founders (`startup.founder_members`) of each admission's startup to
    answer `year`'s survey of its site (`selectors.invitations_due`); returns the number of
    emails queued. A startup without an active founder is not invited (it is not counted
    as asked). Each founder's link is their own (surveys.campaign)."""
    sent = 0
    for admission in admissions:
        founders = admission.startup.founder_members
        if not founders:
            continue
        with transaction.atomic():
            invitation, created = SurveyInvitation.objects.get_or_create(
                startup=admission.startup, site=admission.site, year=year, defaults={"recipients": len(founders)}
            )
            if not created:
                continue  # invited already (a rerun, another beat)
            for member in founders:
                user = member.user
                subject, body = email_render(
                    template="surveys/email/invitation",
                    context={
                        "user": user,
                        "startup": admission.startup,
                        "site": admission.site,
                        "year": year,
                        "question": QUESTION,
                        "closes_on": campaign.answers_until(invitation.sent_at),
                        "link": campaign.answer_url(invitation_id=invitation.pk, user_id=user.pk),
                    },
                    language=user.language,
                )
                email_send_on_commit(to=[user.email], subject=subject, body=body)
                sent += 1
    return sent


@transaction.atomic
def survey_answer_save(
    *,
    actor,
    invitation: SurveyInvitation,
    score: int,
    comment: str = "",
    helped_most: str = "",
    to_improve: str = "",
    now: datetime.datetime | None = None,
) -> tuple[SurveyAnswer, bool]:
    """Save `actor`'s answer (a founder of the invited startup: the caller checked it) to
    `invitation`'s survey; (the answer, whether it is new). Call in the invitation's site's
    scope."""
    now = now or timezone.now()
    if not campaign.takes_answers(invitation.sent_at, now):
        raise ValidationError(_("This survey is closed."))
    if type(score) is not int or score not in SCORES:
        raise ValidationError({"score": _("Choose a score from 0 to 10.")})
    locked = SurveyInvitation.objects.select_for_update().get(pk=invitation.pk)
    answer = SurveyAnswer.objects.filter(invitation=locked).first()
    created = answer is None
    if created:
        answer = SurveyAnswer(invitation=locked, site_id=locked.site_id, startup_id=locked.startup_id, year=locked.year)
    answer.score = score
    answer.comment, answer.helped_most, answer.to_improve = comment.strip(), helped_most.strip(), to_improve.strip()
    answer.answered_by = actor
    answer.answered_at = now
    return audited_save(actor=actor, instance=answer), created

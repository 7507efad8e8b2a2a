"""Demo answers to the yearly satisfaction survey (issue 22, point 4), so that the dashboards'
satisfaction tables, a site's latest comments and the board report have something to show.

Last year's campaign, and this year's once it has opened: every startup with an admission
running in mid-November (or today) at a site was invited, about two in three answered, with
scores spread as a real network's (a little better at some sites than at others) and, for
about half of them, a comment, what helped most or what to improve, in French or Arabic.
Answers are by one of the startup's founders where it has an account (the demo founders'
startups), else by nobody named. A startup invited already for a site and year is skipped
(idempotent). Written in bulk: demo rows, not anybody's change (nothing audited)."""

import datetime
import random

from django.db.models import Prefetch
from django.utils import timezone

from core.local_time import local_moment
from startups.models import Admission, StartupMember, TeamRole

from . import campaign
from .models import SurveyAnswer, SurveyInvitation

COMMENTS = [
    "Très bon accompagnement, l'équipe du site est disponible et réactive.",
    "Les formations sur la levée de fonds nous ont beaucoup aidés.",
    "Le Wi-Fi de l'espace de coworking est souvent lent.",
    "Nous aimerions plus de rencontres avec des investisseurs.",
    "Les mentors sont excellents, mais les créneaux partent vite.",
    "الخدمات ممتازة والفريق متعاون جدا.",
    "نتمنى المزيد من ورشات التصدير نحو أفريقيا.",
    "قاعات الاجتماعات غير كافية في أوقات الذروة.",
]
HELPED_MOST = [
    "Le programme d'accélération et le mentorat.",
    "Les ateliers d'accès au financement.",
    "La mise en relation avec des grands comptes.",
    "التكوين في التسويق الرقمي.",
    "الإرشاد والمواكبة في إعداد ملف التمويل.",
]
TO_IMPROVE = [
    "Plus de sessions en ligne pour les membres e-Technopark.",
    "Des horaires d'accès plus larges le week-end.",
    "Mieux annoncer les événements à l'avance.",
    "تحسين مواقف السيارات.",
    "تبسيط إجراءات حجز القاعات.",
]
# Scores 0 to 10: mostly 7 to 10, a tail of detractors.
WEIGHTS = [1, 0.5, 0.5, 1, 1, 2, 4, 9, 14, 16, 12]


def _campaigns(today: datetime.date) -> list[tuple[int, datetime.date]]:
    """(year, the day the startups invited had an admission running on)."""
    campaigns = [(today.year - 1, datetime.date(today.year - 1, 11, 15))]
    if campaign.campaign_year(today) is not None:
        campaigns.append((today.year, today))
    return campaigns


def _score(rng: random.Random, site_bias: int) -> int:
    return min(10, max(0, rng.choices(range(11), weights=WEIGHTS)[0] + site_bias))


def seed_surveys(*, today: datetime.date | None = None) -> int:
    """Returns how many answers were created (call with scopes disabled)."""
    today = today or timezone.localdate()
    founders = StartupMember.objects.filter(role=TeamRole.FOUNDER, user__is_active=True).select_related("user")
    founders = founders.order_by("pk")
    created = 0
    for year, on in _campaigns(today):
        invited = set(SurveyInvitation.objects.filter(year=year).values_list("startup_id", "site_id"))
        admissions = (
            Admission.objects.active_on(on)
            .select_related("site")
            .prefetch_related(Prefetch("startup__members", queryset=founders, to_attr="founder_members"))
            .order_by("site__slug", "startup_id", "pk")
        )
        due = {}
        for admission in admissions:
            key = (admission.startup_id, admission.site_id)
            if key not in invited:
                due.setdefault(key, admission)
        if not due:
            continue
        sent_at = local_moment(campaign.opens_on(year), datetime.time(10))
        invitations = SurveyInvitation.objects.bulk_create(
            [
                SurveyInvitation(startup_id=startup_id, site_id=site_id, year=year, recipients=1)
                for startup_id, site_id in due
            ]
        )
        SurveyInvitation.objects.filter(year=year, pk__in=[row.pk for row in invitations]).update(sent_at=sent_at)
        slugs = sorted({admission.site.slug for admission in due.values()})
        bias = {slug: (-1, 0, 1)[index % 3] for index, slug in enumerate(slugs)}
        # Answered while the invitation took answers, and before today.
        days = min((today - campaign.opens_on(year)).days, campaign.ANSWER_DAYS + 1)
        answers = []
        for invitation in invitations if days > 0 else []:
            admission = due[(invitation.startup_id, invitation.site_id)]
            rng = random.Random(f"survey-{year}-{invitation.startup_id}-{invitation.site_id}")
            if rng.random() > 0.66:
                continue  # did not answer
            founder = admission.startup.founder_members[0] if admission.startup.founder_members else None
            day = campaign.opens_on(year) + datetime.timedelta(days=rng.randrange(days))
            written = rng.random() < 0.5
            answers.append(
                SurveyAnswer(
                    invitation=invitation,
                    site_id=invitation.site_id,
                    startup_id=invitation.startup_id,
                    year=year,
                    score=_score(rng, bias[admission.site.slug]),
                    comment=rng.choice(COMMENTS) if written else "",
                    helped_most=rng.choice(HELPED_MOST) if written and rng.random() < 0.6 else "",
                    to_improve=rng.choice(TO_IMPROVE) if written and rng.random() < 0.6 else "",
                    answered_by=founder.user if founder else None,
                    answered_at=local_moment(day, datetime.time(9 + rng.randrange(9), rng.randrange(60))),
                )
            )
        SurveyAnswer.objects.bulk_create(answers)
        created += len(answers)
    return created

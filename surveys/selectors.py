"""Reads of the yearly satisfaction survey (issue 22, point 4): who is due an invitation, the
invitation a signed link names, the founder's landing panel, and the figures per site and
year (NPS) and a site's latest comments.

Scopes: the figures and the comments read in the caller's scope (a site's pages: the site's;
reports.satisfaction opens the KPI engine's for a dashboard's or a board report's scope and
filters on its sites explicitly); the beat's read runs in the task's network-wide scope; the
founder's panel in the request's (the sites where their startup is admitted) and filters on
their startups. Only `link_of` opens a scope itself: one invitation, named by a signed link
(tests/sites/test_wide_scopes.py)."""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from core.local_time import local_midnight
from core.multilingual import translated_value
from core.rates import rate
from sites.scoping import network_scope
from startups.models import Admission, StartupMember, TeamRole

from . import campaign
from .models import DETRACTOR_UP_TO, PROMOTER_FROM, SurveyAnswer, SurveyInvitation

COMMENTS_SHOWN = 10


def active_founders() -> QuerySet[StartupMember]:
    """Founders with an active account, with the account: who is invited, who may answer."""
    return StartupMember.objects.filter(role=TeamRole.FOUNDER, user__is_active=True).select_related("user")


# --- Invitations (surveys.tasks) --------------------------------------------------------------
def invitations_due(*, year: int, today: datetime.date) -> list[Admission]:
    """One running admission per (startup, site) on `today` — residents and e-Technopark
    members, of startups not closed — whose startup was not invited for that site and `year`
    yet, with its active founders (`startup.founder_members`). Two queries; read inside the
    task's network-wide scope."""
    invited = SurveyInvitation.objects.filter(startup=OuterRef("startup"), site=OuterRef("site"), year=year)
    admissions = (
        Admission.objects.active_on(today)
        .filter(Q(startup__closed_on__isnull=True) | Q(startup__closed_on__gt=today))
        .exclude(Exists(invited))
        .select_related("startup", "site")
        .prefetch_related(Prefetch("startup__members", queryset=active_founders(), to_attr="founder_members"))
        .order_by("site_id", "startup_id", "pk")
    )
    due: dict[tuple[int, int], Admission] = {}
    for admission in admissions:
        due.setdefault((admission.startup_id, admission.site_id), admission)
    return list(due.values())


# --- The signed link (surveys.views) ------------------------------------------------------------
def answer_of(invitation: SurveyInvitation) -> SurveyAnswer | None:
    """The invitation's answer, read with it (`select_related("answer")`): no query."""
    try:
        return invitation.answer
    except SurveyAnswer.DoesNotExist:
        return None


@dataclass(frozen=True)
class Link:
    invitation: SurveyInvitation  # with its startup, site and answer
    founder: StartupMember  # the founder the link was sent to, with their account


def link_of(token: str, *, now: datetime.datetime | None = None) -> Link | None:
    """What an authentic, unexpired link names — an invitation that still takes answers and
    one of its startup's active founders — or None, without reading the database when the
    signature is wrong (surveys.campaign.read_token). Two queries at most."""
    ids = campaign.read_token(token)
    if ids is None:
        return None
    invitation_id, user_id = ids
    with network_scope():  # one invitation, named by a signed link
        invitation = (
            SurveyInvitation.objects.filter(pk=invitation_id).select_related("startup", "site", "answer").first()
        )
    if invitation is None or not campaign.takes_answers(invitation.sent_at, now):
        return None
    founder = active_founders().filter(startup_id=invitation.startup_id, user_id=user_id).first()
    return Link(invitation, founder) if founder is not None else None


# --- The founder's landing page (accounts.extensions) --------------------------------------
def landing_panel(user) -> dict:
    """The invitations of the startups `user` founded that still take answers, each with its
    answer, its last day and the link to answer or change it (signed for `user`). One query,
    in the request's scope."""
    if not user.is_authenticated:
        return {"surveys": []}
    founded = {"startup__members__user": user, "startup__members__role": TeamRole.FOUNDER}
    invitations = (
        SurveyInvitation.objects.filter(sent_at__gte=campaign.open_since(), **founded)
        .select_related("startup", "site", "answer")
        .order_by("site_id", "startup_id")
    )
    surveys = [
        {
            "invitation": invitation,
            "answer": answer_of(invitation),
            "until": campaign.answers_until(invitation.sent_at),
            "url": campaign.answer_path(invitation_id=invitation.pk, user_id=user.pk),
        }
        for invitation in invitations
    ]
    return {"surveys": surveys}


# --- Figures ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class NpsRow:
    """A campaign's figures at one site (or, `site_id` None, over several: `total`)."""

    site_id: int | None
    site_name: str
    year: int
    invited: int
    answers: int
    promoters: int  # scores 9–10
    detractors: int  # scores 0–6

    @property
    def passives(self) -> int:  # scores 7–8
        return self.answers - self.promoters - self.detractors

    @property
    def response_rate(self) -> Decimal | None:
        """answers / invited, 0–1 to 4 decimals; None when nobody was invited."""
        if not self.invited:
            return None
        return rate(self.answers, self.invited)

    @property
    def nps(self) -> int | None:
        """% promoters − % detractors, a whole number from −100 to 100 (half away from zero);
        None without an answer (shown "—", never 0)."""
        if not self.answers:
            return None
        share = Decimal(100 * (self.promoters - self.detractors)) / Decimal(self.answers)
        return int(share.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def nps_by_site_year(*, site_ids, years) -> list[NpsRow]:
    """The campaigns of `years` at `site_ids` (None: every site), one row per site and year
    that had invitations, by site name then year: one grouped query, in the caller's scope."""
    invitations = SurveyInvitation.objects.filter(year__in=list(years))
    if site_ids is not None:
        invitations = invitations.filter(site__in=list(site_ids))
    rows = (
        invitations.order_by()
        .values("site_id", "year", site_name=translated_value("site__name"))
        .annotate(
            invited=Count("pk"),
            answers=Count("answer"),
            promoters=Count("answer", filter=Q(answer__score__gte=PROMOTER_FROM)),
            detractors=Count("answer", filter=Q(answer__score__lte=DETRACTOR_UP_TO)),
        )
    )
    found = [NpsRow(**row) for row in rows]
    return sorted(found, key=lambda row: (row.site_name, row.site_id, row.year))


def nps_total(rows: list[NpsRow], *, year: int, label: str) -> NpsRow:
    """The campaign of `year` over every site of `rows` (exact: sums of the counts)."""
    rows = [row for row in rows if row.year == year]
    return NpsRow(
        site_id=None,
        site_name=label,
        year=year,
        invited=sum(row.invited for row in rows),
        answers=sum(row.answers for row in rows),
        promoters=sum(row.promoters for row in rows),
        detractors=sum(row.detractors for row in rows),
    )


def latest_comments(
    *, site, date_from: datetime.date, date_to: datetime.date, limit: int = COMMENTS_SHOWN
) -> list[SurveyAnswer]:
    """The site's answers with something written (a comment, what helped most, what to
    improve) answered from `date_from` to `date_to` (local days), newest first, with their
    startup: one query, in the request's scope (the site's)."""
    written = ~Q(comment="") | ~Q(helped_most="") | ~Q(to_improve="")
    answers = SurveyAnswer.objects.filter(
        written,
        site=site,
        answered_at__gte=local_midnight(date_from),
        answered_at__lt=local_midnight(date_to + datetime.timedelta(days=1)),
    )
    return list(answers.select_related("startup").order_by("-answered_at", "-pk")[:limit])

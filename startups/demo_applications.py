"""The demo's calls for applications and their pipeline (issue 18): at every operational
site, applications at every stage across this year's call, last year's call and the
network's e-Technopark call, with the site's manager and committee assigned as reviewers
and scores. Under review, some reviews are scored and some pending (the manager has both in
"my reviews"); decided applications have every review scored; last year's admitted
applications are the admissions of some of today's residents.

Called by `startups.demo.seed_startups` with the startups it has just created (nothing
again on a second run). Deterministic: everything random comes from the `rng` given.
"""

import datetime
import random
from dataclasses import dataclass, field

from sites.models import MembershipRole, Site, SiteMembership
from sites.roles import REVIEW, roles_with

from .models import (
    Admission,
    AdmissionKind,
    Application,
    ApplicationEvent,
    ApplicationStatus,
    Call,
    Criterion,
    Decision,
    Review,
    Score,
    Startup,
)

S = ApplicationStatus
TODAY = datetime.date.today()
# Each site's new pipeline startups, in order: their call and the stage they are at. Last
# year's admitted applications come on top, from today's residents (ADMITTED_PER_SITE).
STAGES = (
    [("current", S.DRAFT)] * 2
    + [("current", S.SUBMITTED)] * 3
    + [("current", S.UNDER_REVIEW)] * 5
    + [("current", S.WAITLISTED), ("current", S.REJECTED), ("current", S.WITHDRAWN)]
    + [("past", S.REJECTED)] * 2
    + [("past", S.WAITLISTED), ("past", S.WITHDRAWN)]
    + [("network", S.SUBMITTED), ("network", S.UNDER_REVIEW)]
)
ADMITTED_PER_SITE = 3
# Applications under review, in turn: (reviewer, scored yet) with reviewer 0 the site's
# manager and 1, 2 its committee members: nobody scored yet, the committee scored but not
# the manager, the manager scored, the manager not assigned, everybody scored.
UNDER_REVIEW = [
    [(0, False), (1, False)],
    [(0, False), (1, True), (2, True)],
    [(0, True), (2, False)],
    [(1, True), (2, False)],
    [(0, True), (1, True), (2, True)],
]
# How good an application looks to the committee (scores drawn around it, 0–5).
LEVEL = {S.ADMITTED: 4, S.WAITLISTED: 3, S.REJECTED: 2}
QUESTIONS = ["Quel problème résolvez-vous ?", "Qui sont vos clients ?", "Pourquoi ce site ?"]
NETWORK_QUESTIONS = ["Quel problème résolvez-vous ?", "De quel accompagnement avez-vous besoin ?"]
# The calls in Arabic and English (issue 19); the French questions stay the answers' keys.
QUESTIONS_TRANSLATED = {
    "ar": ["ما المشكلة التي تحلّونها؟", "من هم زبناؤكم؟", "لماذا هذا الموقع؟"],
    "en": ["What problem do you solve?", "Who are your customers?", "Why this site?"],
}
NETWORK_QUESTIONS_TRANSLATED = {
    "ar": ["ما المشكلة التي تحلّونها؟", "ما المواكبة التي تحتاجونها؟"],
    "en": ["What problem do you solve?", "What support do you need?"],
}
RESIDENCY_DESCRIPTION = {
    "fr": "Bureaux de 12 à 19 m², accompagnement et accès au réseau de mentors.",
    "ar": "مكاتب من 12 إلى 19 م²، ومواكبة وولوج إلى شبكة المرشدين.",
    "en": "Offices of 12 to 19 m², support and access to the mentor network.",
}
NETWORK_DESCRIPTION = {
    "fr": "Formations hybrides, séminaires en direct et réseau de mentors, où que vous soyez.",
    "ar": "تكوينات هجينة وندوات مباشرة وشبكة من المرشدين، أينما كنتم.",
    "en": "Hybrid training, live seminars and a mentor network, wherever you are.",
}
ANSWERS = {
    "Quel problème résolvez-vous ?": [
        "Les coopératives agricoles suivent leurs stocks sur papier : nous les numérisons.",
        "Les PME perdent des semaines à relancer leurs factures impayées.",
        "Les patients des zones rurales attendent des mois un rendez-vous de spécialiste.",
        "Les transporteurs roulent à vide sur un tiers de leurs trajets retour.",
    ],
    "Qui sont vos clients ?": [
        "Une quarantaine de coopératives de la région, dont six payantes depuis janvier.",
        "Des cabinets comptables et leurs clients PME ; trois pilotes en cours.",
        "Des cliniques privées et deux mutuelles partenaires.",
        "Des transporteurs routiers et des chargeurs industriels.",
    ],
    "Pourquoi ce site ?": [
        "Pour la proximité de nos premiers clients et le réseau de mentors du site.",
        "Pour rejoindre l'écosystème fintech et ses partenaires bancaires.",
        "Pour recruter auprès des écoles d'ingénieurs voisines.",
    ],
    "De quel accompagnement avez-vous besoin ?": [
        "Structurer notre offre commerciale et préparer une levée d'amorçage.",
        "Un accompagnement juridique et l'accès à des experts de l'export.",
    ],
}
REVIEW_COMMENTS = [
    "Équipe complémentaire, traction encore modeste.",
    "Marché bien identifié ; le modèle économique reste à préciser.",
    "Innovation réelle, à confronter rapidement aux clients.",
    "Bonne adéquation avec la vocation du site.",
    "Dossier clair ; prévisions financières optimistes.",
]
REASONS = {
    S.REJECTED: [
        "Le projet est encore au stade de l'idée : revenez avec un premier prototype testé par des clients.",
        "Le marché visé reste à démontrer ; le comité vous encourage à candidater à e-Technopark.",
    ],
    S.WAITLISTED: ["Dossier retenu par le comité ; en attente d'un bureau libre."],
    S.ADMITTED: [""],
}
DECISION = {S.ADMITTED: Decision.ADMIT_RESIDENT, S.WAITLISTED: Decision.WAITLIST, S.REJECTED: Decision.REJECT}


@dataclass
class _Plan:
    """One application to create, with its reviews and status changes."""

    application: Application
    created_at: datetime.datetime
    reviews: list = field(default_factory=list)  # (Review, assigned at, [(criterion, value)])
    events: list = field(default_factory=list)  # (from, to, actor, note, at)
    admission: Admission | None = None


def _call_content(titles: dict, description: dict, questions: list, translated: dict) -> dict:
    """A call's title, description and questions in French, Arabic and English."""
    return {
        **{f"title_{language}": title for language, title in titles.items()},
        **{f"description_{language}": text for language, text in description.items()},
        "questions": questions,
        **{f"questions_{language}": lines for language, lines in translated.items()},
    }


def _residency(site: Site, year: int) -> dict:
    titles = {
        "fr": f"Résidence {site.name_fr} {year}",
        "ar": f"الإقامة في {site.name_ar} {year}",
        "en": f"{site.name_en} residency {year}",
    }
    return _call_content(titles, RESIDENCY_DESCRIPTION, QUESTIONS, QUESTIONS_TRANSLATED)


def _call(*, site: Site | None, content: dict, **defaults) -> Call:
    call, created = Call.objects.get_or_create(
        site=site, title_fr=content["title_fr"], defaults={**defaults, **content}
    )
    if not created and not call.title_ar:  # seeded before its translations (issue 19)
        Call.objects.filter(pk=call.pk).update(**{key: value for key, value in content.items() if key != "questions"})
    return call


def _calls(sites: dict[str, Site]) -> dict[tuple[str, str], Call]:
    """This year's and last year's residency call of each site, and the network's call."""
    calls = {}
    for slug, site in sites.items():
        calls["current", slug] = _call(
            site=site,
            content=_residency(site, TODAY.year),
            kind=AdmissionKind.RESIDENT,
            opens_on=TODAY - datetime.timedelta(days=30),
            closes_on=TODAY + datetime.timedelta(days=60),
        )
        calls["past", slug] = _call(
            site=site,
            content=_residency(site, TODAY.year - 1),
            kind=AdmissionKind.RESIDENT,
            opens_on=TODAY - datetime.timedelta(days=420),
            closes_on=TODAY - datetime.timedelta(days=360),
        )
    network_title = f"e-Technopark {TODAY.year}"
    network = _call(
        site=None,
        content=_call_content(
            dict.fromkeys(("fr", "ar", "en"), network_title),
            NETWORK_DESCRIPTION,
            NETWORK_QUESTIONS,
            NETWORK_QUESTIONS_TRANSLATED,
        ),
        kind=AdmissionKind.ETECHNOPARK,
        opens_on=TODAY - datetime.timedelta(days=15),
        closes_on=TODAY + datetime.timedelta(days=90),
    )
    for slug in sites:
        calls["network", slug] = network
    return calls


def _reviewers(sites: dict[str, Site]) -> dict[str, list]:
    """Each site's reviewers: its manager(s) first, then its committee, by email."""
    by_site = {slug: [] for slug in sites}
    slugs = {site.pk: slug for slug, site in sites.items()}
    memberships = (
        SiteMembership.objects.filter(site__in=sites.values(), role__in=roles_with(REVIEW), user__is_active=True)
        .select_related("user")
        .order_by("site", "user__email")
    )
    for membership in sorted(memberships, key=lambda m: (m.role != MembershipRole.MANAGER, m.user.email)):
        by_site[slugs[membership.site_id]].append(membership.user)
    return by_site


class _Builder:
    def __init__(self, rng: random.Random, criteria: list[Criterion], now: datetime.datetime):
        self.rng, self.criteria, self.now = rng, criteria, now

    def moment(self, days_ago: int) -> datetime.datetime:
        """A time `days_ago` days before now, give or take a working day's hours."""
        return self.now - datetime.timedelta(days=days_ago, minutes=self.rng.randint(0, 480))

    def between(self, start: datetime.datetime, end: datetime.datetime, count: int) -> list[datetime.datetime]:
        """`count` moments between `start` and `end`, in order."""
        span = (end - start).total_seconds()
        return sorted(start + datetime.timedelta(seconds=self.rng.uniform(0.02, 1) * span) for _ in range(count))

    def answers(self, call: Call, *, draft: bool) -> dict:
        questions = call.questions[:1] if draft else call.questions
        return {question: self.rng.choice(ANSWERS.get(question, ["—"])) for question in questions}

    def scores(self, level: int) -> list[tuple[Criterion, int]]:
        return [(criterion, max(0, min(5, level + self.rng.choice([-1, 0, 0, 1])))) for criterion in self.criteria]

    def plan(self, *, call, site, startup_id, status, reviewers, pattern, admission=None) -> _Plan:
        """One application at `status`: submitted, reviewed as `pattern` says, then decided,
        each step after the one before (and a residency's decision before it started)."""
        rng = self.rng
        past = call.closes_on < TODAY
        opens_ago = (TODAY - call.opens_on).days
        submitted_ago = rng.randint((TODAY - call.closes_on).days + 1 if past else 2, opens_ago - 1)
        opened = datetime.datetime.combine(call.opens_on, datetime.time(8), tzinfo=datetime.UTC)
        application = Application(call=call, site=site, startup_id=startup_id, status=status)
        application.answers = self.answers(call, draft=status == S.DRAFT)
        submitted = self.moment(submitted_ago)
        created = max(opened, submitted - datetime.timedelta(hours=rng.randint(1, 120)))
        plan = _Plan(application=application, created_at=created, admission=admission)
        plan.events.append(("", S.DRAFT, None, "", created))
        if status == S.DRAFT:
            return plan
        application.submitted_at = submitted
        plan.events.append((S.DRAFT, S.SUBMITTED, None, "", submitted))
        end = self.now - datetime.timedelta(minutes=10)
        if past:
            end = opened + datetime.timedelta(days=(call.closes_on - call.opens_on).days + 20)
        if admission is not None:
            started = datetime.datetime.combine(admission.starts_on, datetime.time(8), tzinfo=datetime.UTC)
            end = min(end, started - datetime.timedelta(days=7))
        if status == S.WITHDRAWN:
            plan.events.append((S.SUBMITTED, S.WITHDRAWN, None, "", self.between(submitted, end, 1)[0]))
            return plan
        if status == S.SUBMITTED or not reviewers:
            return plan
        manager = reviewers[0]
        chosen = {}
        for index, scored in pattern:
            chosen.setdefault(reviewers[index % len(reviewers)], scored)
        decided = status in DECISION
        moments = self.between(submitted, end, 1 + sum(chosen.values()) + decided)
        assigned, scored_at = moments[0], iter(moments[1:])
        plan.events.append((S.SUBMITTED, S.UNDER_REVIEW, manager, "", assigned))
        level = LEVEL.get(status) or rng.choice([2, 3, 4])
        for reviewer, scored in chosen.items():
            review = Review(application=application, site=site, reviewer=reviewer, assigned_by=manager)
            scores = []
            if scored:
                review.submitted_at = next(scored_at)
                review.comment = rng.choice(REVIEW_COMMENTS)
                scores = self.scores(level)
            plan.reviews.append((review, assigned, scores))
        if decided:
            application.decided_at = moments[-1]
            application.decision = DECISION[status]
            application.decision_reason = rng.choice(REASONS[status])
            plan.events.append((S.UNDER_REVIEW, status, manager, application.decision_reason, application.decided_at))
        return plan


def _admitted(rng, residents, calls, sites) -> dict[str, list[tuple[Startup, Admission]]]:
    """Per site, today's residents admitted through last year's call: residencies that
    started between that call's decisions and a month ago."""
    by_site = {}
    for slug in sites:
        closes = calls["past", slug].closes_on
        window = [
            (startup, admission)
            for startup, admission in residents
            if admission.site.slug == slug
            and admission.kind == AdmissionKind.RESIDENT
            and admission.ended_on is None
            and closes + datetime.timedelta(days=25) <= admission.starts_on <= TODAY - datetime.timedelta(days=30)
        ]
        by_site[slug] = rng.sample(window, min(ADMITTED_PER_SITE, len(window)))
    return by_site


def seed_applications(
    rng: random.Random,
    sites: dict[str, Site],
    pipeline: list[tuple[Startup, str]],
    residents: list[tuple[Startup, Admission]],
) -> int:
    """`pipeline`: new startups (not admitted) with the site they apply to, len(STAGES) per
    site; `residents`: new residents with their admission, some of which came through last
    year's call. Returns how many applications were created."""
    calls = _calls(sites)
    if not pipeline:
        return 0
    reviewers = _reviewers(sites)
    builder = _Builder(rng, list(Criterion.objects.filter(is_active=True)), datetime.datetime.now(datetime.UTC))
    ids = {startup.ice: startup.pk for startup in Startup.objects.filter(ice__in=[s.ice for s, _ in pipeline])}
    plans = []
    per_site = {slug: [startup for startup, site_slug in pipeline if site_slug == slug] for slug in sites}
    for slug, startups in per_site.items():
        site, under_review = sites[slug], 0
        for startup, (call_key, status) in zip(startups, STAGES, strict=False):
            if status == S.UNDER_REVIEW:
                pattern, under_review = UNDER_REVIEW[under_review % len(UNDER_REVIEW)], under_review + 1
            else:  # decided: every reviewer scored
                pattern = [(0, True), (1, True), (2, True)]
            plans.append(
                builder.plan(
                    call=calls[call_key, slug],
                    site=site,
                    startup_id=ids[startup.ice],
                    status=status,
                    reviewers=reviewers[slug],
                    pattern=pattern,
                )
            )
    admitted = _admitted(rng, residents, calls, sites)
    admissions = {
        (admission.startup.ice, admission.site_id): admission
        for admission in Admission.objects.filter(
            startup__ice__in=[startup.ice for pairs in admitted.values() for startup, _ in pairs],
            kind=AdmissionKind.RESIDENT,
            ended_on__isnull=True,
        ).select_related("startup")
    }
    for slug, pairs in admitted.items():
        for startup, _admission in pairs:
            admission = admissions[startup.ice, sites[slug].pk]
            plans.append(
                builder.plan(
                    call=calls["past", slug],
                    site=sites[slug],
                    startup_id=admission.startup_id,
                    status=S.ADMITTED,
                    reviewers=reviewers[slug],
                    pattern=[(0, True), (1, True), (2, True)],
                    admission=admission,
                )
            )
    _save(plans)
    return len(plans)


def _save(plans: list[_Plan]) -> None:
    """Bulk inserts; the creation times (auto_now_add) are then set to the plan's."""
    applications = Application.objects.bulk_create([plan.application for plan in plans], batch_size=500)
    for application, plan in zip(applications, plans, strict=True):
        application.created_at = plan.created_at
    Application.objects.bulk_update(applications, ["created_at"], batch_size=500)
    reviews = [review for plan in plans for review, _at, _scores in plan.reviews]
    for plan in plans:
        for review, _at, _scores in plan.reviews:
            review.application_id = plan.application.pk
    Review.objects.bulk_create(reviews, batch_size=500)
    for plan in plans:
        for review, assigned_at, _scores in plan.reviews:
            review.assigned_at = assigned_at
    Review.objects.bulk_update(reviews, ["assigned_at"], batch_size=500)
    Score.objects.bulk_create(
        [
            Score(review_id=review.pk, site_id=review.site_id, criterion=criterion, value=value)
            for plan in plans
            for review, _at, scores in plan.reviews
            for criterion, value in scores
        ],
        batch_size=500,
    )
    events, moments = [], []
    for plan in plans:
        application = plan.application
        for from_status, to_status, actor, note, at in plan.events:
            events.append(
                ApplicationEvent(
                    application_id=application.pk,
                    site_id=application.site_id,
                    from_status=from_status,
                    to_status=to_status,
                    actor=actor,
                    note=note,
                )
            )
            moments.append(at)
    ApplicationEvent.objects.bulk_create(events, batch_size=500)
    for event, at in zip(events, moments, strict=True):
        event.created_at = at
    ApplicationEvent.objects.bulk_update(events, ["created_at"], batch_size=500)
    linked = []
    for plan in plans:
        if plan.admission is not None:
            plan.admission.application_id = plan.application.pk
            linked.append(plan.admission)
    Admission.objects.bulk_update(linked, ["application"])

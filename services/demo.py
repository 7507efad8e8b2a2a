"""Demo support offer: a catalogue over the four dimensions at each operational site and in
the network's e-Technopark offer, partners, two partner incubators, two programmes, past
sessions with attendance and ratings, upcoming ones (some with free seats, some full with a
waitlist) and public events with public registrations.

Deterministic (seeded) and idempotent: partners are keyed by name, incubators by slug,
programmes by title, services by (site, title); sessions and registrations are only created
for services created in the same run. Runs unscoped, inside the seed management command.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from accounts.demo import DOMAIN
from sites.models import Incubator, Language, Partner, PartnerCategory, Site, SiteStatus
from startups.models import Admission, AdmissionKind, Startup, StartupMember

from .demo_content import (
    PARTNER_DESCRIPTIONS,
    PROGRAMME_DESCRIPTION,
    PROGRAMME_TITLES,
    incubator_versions,
    location_versions,
    service_versions,
    versions,
)
from .models import (
    Attendance,
    Dimension,
    Eligibility,
    Format,
    IncubatedStartup,
    Programme,
    ProgrammeParticipant,
    ProviderKind,
    Registration,
    RegistrationStatus,
    Service,
    ServiceSession,
    ServiceType,
    SessionStatus,
)

SITES = ["casablanca", "rabat", "tanger", "agadir"]

# name, category, international, website, description
PARTNERS = [
    ("Banque Populaire", PartnerCategory.BANK, False, "https://www.gbp.ma", "Offres bancaires dédiées aux startups."),
    ("Attijariwafa bank", PartnerCategory.BANK, False, "https://www.attijariwafabank.com", "Financement et export."),
    ("Tamwilcom", PartnerCategory.PUBLIC_AGENCY, False, "https://www.tamwilcom.ma", "Garantie et cofinancement."),
    ("Maroc Numeric Fund", PartnerCategory.FUND, False, "", "Fonds d'amorçage pour les startups du numérique."),
    ("Université Mohammed V", PartnerCategory.UNIVERSITY, False, "https://www.um5.ac.ma", "Recherche et talents."),
    ("Université Hassan II de Casablanca", PartnerCategory.UNIVERSITY, False, "https://www.univh2c.ma", ""),
    ("Université Ibn Zohr", PartnerCategory.UNIVERSITY, False, "https://www.uiz.ac.ma", "Agritech et tourisme."),
    ("Réseau Entreprendre Maroc", PartnerCategory.ASSOCIATION, False, "", "Mentorat de chefs d'entreprise."),
    ("Orange Maroc", PartnerCategory.CORPORATE, False, "", "Open innovation et accès au marché."),
    ("GIZ Maroc", PartnerCategory.PUBLIC_AGENCY, True, "https://www.giz.de", "Coopération allemande."),
    ("Expertise France", PartnerCategory.PUBLIC_AGENCY, True, "https://www.expertisefrance.fr", ""),
    ("Afric'Invest Seed", PartnerCategory.FUND, True, "", "Capital-risque pour l'Afrique du Nord et de l'Ouest."),
]

# slug, name, affiliated site, partner
INCUBATORS = [
    ("um5-innov", "Incubateur UM5 Innov", "rabat", "Université Mohammed V"),
    ("souss-innov", "Souss Innov – Université Ibn Zohr", "agadir", "Université Ibn Zohr"),
]

S, P, E = ProviderKind.SITE_TEAM, ProviderKind.PARTNER, ProviderKind.EXPERT
RESIDENTS, ADMITTED, PUBLIC = Eligibility.SITE_RESIDENTS, Eligibility.ADMITTED, Eligibility.PUBLIC
ON_SITE, REMOTE, HYBRID, LIVE = Format.ON_SITE, Format.REMOTE, Format.HYBRID, Format.LIVE_STREAM
T = ServiceType

# title, dimension, type, provider, partner or expert, format, eligibility, languages, summary
SITE_CATALOGUE = [
    ("Clinique financement bancaire", Dimension.FINANCING, T.CLINIC, P, "Banque Populaire", ON_SITE, RESIDENTS,
     ["fr", "ar"], "Trente minutes avec un chargé d'affaires pour préparer votre dossier de crédit."),
    ("Préparer sa levée de fonds", Dimension.FINANCING, T.TRAINING, E, "Nadia El Alaoui", ON_SITE, ADMITTED,
     ["fr"], "Valorisation, pacte d'associés et table de capitalisation, avec des cas marocains."),
    ("Rencontre investisseurs", Dimension.FINANCING, T.INVESTOR_MEETING, P, "Maroc Numeric Fund", ON_SITE, ADMITTED,
     ["fr", "en"], "Cinq startups pitchent devant des business angels et des fonds d'amorçage."),
    ("Atelier export vers l'Afrique", Dimension.MARKET, T.WORKSHOP, P, "Attijariwafa bank", ON_SITE, ADMITTED,
     ["fr"], "Incoterms, paiement à l'international et choix des premiers marchés africains."),
    ("Clinique marchés publics", Dimension.MARKET, T.CLINIC, E, "Youssef Benjelloun", ON_SITE, RESIDENTS,
     ["fr", "ar"], "Répondre à un appel d'offres public : dossier administratif et offre technique."),
    ("Afterwork startups & grands comptes", Dimension.NETWORKING, T.SEMINAR, P, "Orange Maroc", ON_SITE, RESIDENTS,
     ["fr", "en"], "Rencontres informelles entre résidents et directions innovation."),
    ("Conférence : l'IA au service des PME", Dimension.NETWORKING, T.CONFERENCE, S, "", ON_SITE, PUBLIC,
     ["fr", "ar"], "Conférence ouverte au public, suivie d'un cocktail de networking."),
    ("Journée immersion startups", Dimension.NETWORKING, T.IMMERSION_DAY, S, "", ON_SITE, PUBLIC,
     ["fr", "ar"], "Étudiants et porteurs de projets découvrent le Technopark et ses startups."),
    ("Formation pitch", Dimension.SKILLS, T.TRAINING, S, "", ON_SITE, RESIDENTS,
     ["fr"], "Structurer un pitch de trois minutes et s'entraîner devant un jury."),
    ("Coaching produit et go-to-market", Dimension.SKILLS, T.COACHING, E, "Karim Tazi", HYBRID, RESIDENTS,
     ["fr", "en"], "Séances individuelles pour prioriser la feuille de route produit."),
    ("Atelier marketing digital", Dimension.SKILLS, T.WORKSHOP, P, "Université Hassan II de Casablanca", ON_SITE,
     ADMITTED, ["fr", "ar"], "SEO, réseaux sociaux et acquisition payante avec un petit budget."),
]  # fmt: skip

NETWORK_CATALOGUE = [
    ("Formation hybride : business model canvas", Dimension.SKILLS, T.TRAINING, S, "", HYBRID, ADMITTED,
     ["fr", "ar"], "Quatre modules en ligne et une journée en présentiel dans le site de votre région."),
    ("Formation hybride : gestion financière de la startup", Dimension.SKILLS, T.TRAINING, P, "Tamwilcom", HYBRID,
     ADMITTED, ["fr"], "Trésorerie, TVA et tableaux de bord, pour les membres e-Technopark."),
    ("Séminaire en direct : financer son amorçage", Dimension.FINANCING, T.SEMINAR, P, "Tamwilcom", LIVE, ADMITTED,
     ["fr", "ar"], "Garanties, prêts d'honneur et subventions : le panorama des financements publics."),
    ("Rencontres investisseurs e-Technopark", Dimension.FINANCING, T.INVESTOR_MEETING, P, "Afric'Invest Seed",
     HYBRID, ADMITTED, ["fr", "en"], "Des rendez-vous individuels de vingt minutes avec des investisseurs."),
    ("Clinique juridique en ligne", Dimension.SKILLS, T.CLINIC, E, "Me Salma Idrissi", REMOTE, ADMITTED,
     ["fr", "ar"], "Statuts, propriété intellectuelle et contrats clients, en visio."),
    ("Séminaire en direct : vendre aux grands comptes", Dimension.MARKET, T.SEMINAR, P, "Orange Maroc", LIVE,
     ADMITTED, ["fr", "en"], "Cycle de vente, achats et référencement fournisseur des grands groupes."),
    ("Demo Day e-Technopark", Dimension.MARKET, T.DEMO_DAY, S, "", LIVE, PUBLIC,
     ["fr", "en"], "Les startups e-Technopark présentent leurs produits, diffusé en direct."),
    ("Café réseau en ligne", Dimension.NETWORKING, T.SEMINAR, P, "Réseau Entreprendre Maroc", REMOTE, ADMITTED,
     ["fr", "ar"], "Un mentor, six startups, une heure d'échanges en visio chaque mois."),
]  # fmt: skip

COMMENTS = [
    "Très concret, merci !",
    "Intervenant excellent, exemples utiles.",
    "Un peu court, j'aurais aimé plus de questions-réponses.",
    "Parfait pour préparer notre levée.",
    "Bonne organisation, salle adaptée.",
    "Contenu dense mais clair.",
    "",
]
FIRST_NAMES = ["Amine", "Salma", "Youssef", "Imane", "Mehdi", "Hajar", "Omar", "Khadija", "Reda", "Sara", "Hamza"]
LAST_NAMES = ["Alaoui", "Bennani", "Chraibi", "El Fassi", "Tazi", "Berrada", "Ouazzani", "Amrani", "Lahlou", "Naciri"]
ORGANISATIONS = ["Étudiant·e ENSIAS", "Université Mohammed V", "Porteur de projet", "PME industrielle", "ENCG", ""]


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _people(rng: random.Random, count: int, tag: str) -> list[tuple[str, str, str]]:
    """(name, email, organisation) of participants without an account."""
    people = []
    for index in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        slug = f"{first}.{last}".lower().replace(" ", "").replace("é", "e")
        people.append((f"{first} {last}", f"{slug}.{tag}{index}@exemple.ma", rng.choice(ORGANISATIONS)))
    return people


def _founders() -> list[tuple]:
    """(user, startup, admission) of the demo founders' active admissions."""
    today = timezone.localdate()
    members = StartupMember.objects.filter(user__email__startswith="founder.", user__email__endswith=DOMAIN)
    admissions = {
        admission.startup_id: admission
        for admission in Admission.objects.filter(
            startup__in=members.values("startup"), starts_on__lte=today, ended_on__isnull=True
        ).select_related("site")
    }
    rows = []
    for member in members.select_related("user", "startup").order_by("user__email"):
        if member.startup_id in admissions:
            rows.append((member.user, member.startup, admissions[member.startup_id]))
    return rows


def _eligible(founders, service: Service) -> list[tuple]:
    if service.eligibility == Eligibility.SITE_RESIDENTS:
        return [row for row in founders if row[2].site_id == service.site_id and row[2].kind == AdmissionKind.RESIDENT]
    return list(founders)


def _domain(name: str) -> str:
    return "".join(char for char in name.lower().split()[0] if char.isascii() and char.isalnum())


def _translate(row, fields: dict) -> None:
    """Give a row seeded before its translations (issue 19) those it lacks."""
    missing = {name: value for name, value in fields.items() if value and not getattr(row, name)}
    if missing:
        type(row)._base_manager.filter(pk=row.pk).update(**missing)


def _seed_partners() -> dict[str, Partner]:
    partners = {}
    for name, category, international, website, description in PARTNERS:
        descriptions = versions("description", description, PARTNER_DESCRIPTIONS)
        partners[name], created = Partner.objects.get_or_create(
            name=name,
            defaults={
                "category": category,
                "is_international": international,
                "website": website,
                **descriptions,
                "contact_name": "Service partenariats",
                "contact_email": f"partenariats@{_domain(name)}.example.ma",
            },
        )
        if not created:
            _translate(partners[name], descriptions)
    return partners


def _seed_incubators(rng, sites, partners) -> None:
    for slug, name, site_slug, partner in INCUBATORS:
        descriptions = incubator_versions(sites[site_slug])
        incubator, created = Incubator.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "affiliated_site": sites[site_slug], "partner": partners[partner], **descriptions},
        )
        if not created:
            _translate(incubator, descriptions)
            continue
        startups = list(
            Startup.objects.filter(
                admissions__site=sites[site_slug], admissions__ended_on__isnull=True, closed_on__isnull=True
            )
            .order_by("ice")
            .distinct()[:6]
        )
        IncubatedStartup.objects.bulk_create(
            IncubatedStartup(
                incubator=incubator,
                startup=startup,
                since=timezone.localdate() - datetime.timedelta(days=rng.randint(60, 700)),
            )
            for startup in startups
        )


def _new_services(rng, sites, partners, languages) -> list[Service]:
    """The catalogue's services that do not exist yet, created (with their languages)."""
    existing = {(slug, title): pk for pk, slug, title in Service.objects.values_list("pk", "site__slug", "title_fr")}
    plan = [(site, entry) for site in [sites[slug] for slug in SITES] for entry in SITE_CATALOGUE]
    plan += [(None, entry) for entry in NETWORK_CATALOGUE]
    created = []
    for site, (title, dimension, kind, provider, who, fmt, eligibility, codes, summary) in plan:
        content = service_versions(title, summary)
        known = existing.get((site.slug if site else None, title))
        if known:
            _translate(Service.objects.get(pk=known), content)
            continue
        service = Service.objects.create(
            site=site,
            **content,
            dimension=dimension,
            service_type=kind,
            provider_kind=provider,
            partner=partners[who] if provider == ProviderKind.PARTNER else None,
            expert_name=who if provider == ProviderKind.EXPERT else "",
            format=fmt,
            eligibility=eligibility,
        )
        service.languages.set([languages[code] for code in codes if code in languages])
        created.append(service)
    return created


def _session(rng, service: Service, day: datetime.date, seats: int, status: str) -> ServiceSession:
    hour = rng.choice([9, 10, 14, 15])
    starts = _at(day, hour, rng.choice([0, 30]))
    hours = 6 if service.service_type in (ServiceType.IMMERSION_DAY, ServiceType.DEMO_DAY) else rng.choice([2, 3])
    site = service.site
    remote = service.format in (Format.REMOTE, Format.LIVE_STREAM)
    return ServiceSession(
        service=service,
        site=site,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=hours),
        **({} if remote else location_versions(site, rng.choice("ABCD"))),
        join_url=f"https://visio.technopark.ma/{rng.randrange(10**8):08d}" if service.format != Format.ON_SITE else "",
        seats=seats,
        registration_deadline=starts - datetime.timedelta(days=1),
        status=status,
    )


def _registrations(rng, session, founders, *, confirmed: int, waitlisted: int, past: bool) -> list[Registration]:
    """`confirmed` seats then `waitlisted` places: eligible demo founders first (for member
    services), then participants without an account."""
    service = session.service
    candidates = _eligible(founders, service)
    rng.shuffle(candidates)
    total = confirmed + waitlisted
    members = candidates[: min(total, rng.randint(1, 3))] if service.eligibility != PUBLIC else []
    guests = _people(rng, total - len(members), f"s{rng.randrange(10**6)}")
    rows = []
    created = session.starts_at - datetime.timedelta(days=rng.randint(8, 20))
    for index in range(total):
        if index < len(members):
            user, startup, _admission = members[index]
            who = {"user": user, "startup": startup, "name": user.full_name, "email": user.email}
            who["organisation"] = str(startup)
        else:
            name, email, organisation = guests[index - len(members)]
            who = {"name": name, "email": email, "organisation": organisation}
        is_confirmed = index < confirmed
        row = Registration(
            session=session,
            site=session.site,
            language="fr",
            status=RegistrationStatus.CONFIRMED if is_confirmed else RegistrationStatus.WAITLISTED,
            waitlisted_at=None if is_confirmed else created + datetime.timedelta(hours=index),
            **who,
        )
        if past and is_confirmed:
            present = rng.random() < 0.85
            row.attendance = Attendance.PRESENT if present else Attendance.NO_SHOW
            if present:
                row.checked_in_at = session.starts_at + datetime.timedelta(minutes=rng.randint(-10, 15))
                if rng.random() < 0.7:
                    row.rating = rng.choices([5, 4, 3, 2], weights=[5, 4, 2, 1])[0]
                    row.comment = rng.choice(COMMENTS)
        rows.append(row)
    return rows


def _seed_sessions(rng, services, founders) -> None:
    today = timezone.localdate()
    sessions, plans = [], []
    for service in services:
        public = service.eligibility == Eligibility.PUBLIC
        seats = rng.choice([60, 80, 120]) if public else rng.choice([8, 10, 12, 15, 20])
        # Two past sessions, held, with attendance and ratings.
        for days_ago in sorted(rng.sample(range(10, 150), 2), reverse=True):
            session = _session(rng, service, today - datetime.timedelta(days=days_ago), seats, SessionStatus.HELD)
            sessions.append(session)
            plans.append((session, rng.randint(seats * 2 // 3, seats), 0, True))
        # Upcoming: one with free seats, and often one full with a waitlist.
        session = _session(
            rng, service, today + datetime.timedelta(days=rng.randint(3, 25)), seats, SessionStatus.SCHEDULED
        )
        sessions.append(session)
        plans.append((session, rng.randint(1, max(1, seats // 2)), 0, False))
        if rng.random() < 0.6 or public:
            session = _session(
                rng, service, today + datetime.timedelta(days=rng.randint(26, 75)), seats, SessionStatus.SCHEDULED
            )
            sessions.append(session)
            full = not public and rng.random() < 0.6
            plans.append((session, seats if full else seats // 3, rng.randint(2, 5) if full else 0, False))
    ServiceSession.objects.bulk_create(sessions)
    registrations = []
    for session, confirmed, waitlisted, past in plans:
        registrations += _registrations(rng, session, founders, confirmed=confirmed, waitlisted=waitlisted, past=past)
    Registration.objects.bulk_create(registrations, batch_size=500)


def _seed_programmes(rng, sites, partners) -> None:
    today = timezone.localdate()
    programmes = [
        (
            "Programme Accélération Financement Casablanca",
            sites["casablanca"],
            ["Banque Populaire", "Tamwilcom"],
            [],
            Admission.objects.filter(site=sites["casablanca"], kind=AdmissionKind.RESIDENT),
        ),
        (
            "e-Technopark Scale Afrique",
            None,
            ["Afric'Invest Seed", "GIZ Maroc", "Attijariwafa bank"],
            ["um5-innov", "souss-innov"],
            Admission.objects.filter(kind=AdmissionKind.ETECHNOPARK),
        ),
    ]
    for title, site, partner_names, incubator_slugs, admissions in programmes:
        content = {
            **versions("title", title, PROGRAMME_TITLES),
            **{f"description_{language}": text for language, text in PROGRAMME_DESCRIPTION.items()},
        }
        programme, created = Programme.objects.get_or_create(
            title_fr=title,
            defaults={
                "site": site,
                **content,
                "starts_on": today - datetime.timedelta(days=45),
                "ends_on": today + datetime.timedelta(days=135),
            },
        )
        if not created:
            _translate(programme, content)
            continue
        programme.partners.set([partners[name] for name in partner_names])
        programme.incubators.set(Incubator.objects.filter(slug__in=incubator_slugs))
        dimensions = [Dimension.FINANCING, Dimension.MARKET]
        programme.services.set(Service.objects.filter(site=site, dimension__in=dimensions))
        startups = list(
            admissions.filter(ended_on__isnull=True, starts_on__lte=today)
            .order_by("startup__ice")
            .values_list("startup", "site")[:12]
        )
        # The demo founders' startups take part, so that the programme pages have a viewer.
        founders = StartupMember.objects.filter(user__email__startswith="founder.", user__email__endswith=DOMAIN)
        startups += list(
            admissions.filter(ended_on__isnull=True, startup__in=founders.values("startup")).values_list(
                "startup", "site"
            )[:3]
        )
        ProgrammeParticipant.objects.bulk_create(
            [
                ProgrammeParticipant(
                    programme=programme,
                    site=site,
                    startup_id=startup_id,
                    joined_on=programme.starts_on + datetime.timedelta(days=rng.randint(0, 20)),
                )
                for startup_id in dict.fromkeys(startup_id for startup_id, _site in startups)
            ]
        )


@transaction.atomic
def seed_services() -> int:
    """Create the demo support offer that does not exist yet; returns how many services were
    created."""
    rng = random.Random(2028)
    sites = {site.slug: site for site in Site.objects.filter(slug__in=SITES, status=SiteStatus.OPERATIONAL)}
    if set(sites) != set(SITES):
        return 0  # the demo sites come first
    languages = {language.code: language for language in Language.objects.all()}
    partners = _seed_partners()
    _seed_incubators(rng, sites, partners)
    services = _new_services(rng, sites, partners, languages)
    if services:
        _seed_sessions(rng, services, _founders())
    _seed_programmes(rng, sites, partners)
    return len(services)

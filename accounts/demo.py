"""Demo accounts, all with the password settings.DEMO_PASSWORD and a verified email."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password

from sites.models import MembershipRole, Site, SiteMembership, SiteStatus

from .models import Role, User

DOMAIN = "demo.technopark.ma"
FOUNDERS = 20
# The demo mentors and experts (mentor.<n>@…, n from 1): Moroccan, French and English names.
MENTOR_NAMES = [
    "Nadia El Alaoui",
    "Youssef Benjelloun",
    "Karim Tazi",
    "Salma Idrissi",
    "Claire Dubois",
    "Mehdi Berrada",
    "Fatima Zahra Ouazzani",
    "James Whitfield",
    "Hassan Amrani",
    "Leila Chraibi",
    "Omar Lahlou",
    "Sophie Marchand",
    "Rachid Naciri",
    "Imane El Fassi",
    "Thomas Laurent",
    "Khadija Bensouda",
    "Anas Sqalli",
    "Meryem Kettani",
    "David Cohen",
    "Aicha Ait Lhaj",
    "Brahim Oubella",
    "Hind Zniber",
    "Julien Moreau",
    "Samira Bennis",
    "Adil Cherkaoui",
    "Emma Richardson",
    "Said Ait Bihi",
    "Ghita Benkirane",
    "Pierre Lefèvre",
    "Zineb Filali",
    "Driss Alami",
    "Nawal Bakkali",
    "Hamid Boutaleb",
    "Sarah Mitchell",
    "Yassine Guessous",
    "Loubna Tahiri",
    "Antoine Girard",
    "Houda Mernissi",
    "Abdelilah Rhazali",
    "Kenza Belkadi",
    "Mustapha Id Bella",
    "Camille Rousseau",
    "Tarik Sebti",
    "Asmae Lamrani",
    "Daniel O'Connor",
    "Jamal Ouahbi",
    "Rim Bouazzaoui",
    "Nicolas Petit",
    "Soukaina Hajji",
    "Othmane Benabdallah",
    "Ikram Tounsi",
    "Lahcen Ouhaddou",
    "Chloé Bernard",
    "Reda Skalli",
    "Malika Aït Taleb",
    "Ayoub Fassi Fihri",
    "Rebecca Hughes",
    "Mounir Jazouli",
    "Sanaa Oudghiri",
    "Idir Aït Ouaziz",
]
MENTORS = len(MENTOR_NAMES)
# Each operational site's committee (committee.<site>.<n>@…): they score the applications
# the site manager assigns them, next to the manager (startups.demo).
COMMITTEE_NAMES = [
    "Rachida Ammor",
    "Philippe Garnier",
    "Hicham Ziani",
    "Amina Berrada",
    "Mohamed Lazrak",
    "Sonia Haddad",
    "Abdellatif Naji",
    "Laura Bennett",
]
COMMITTEE_PER_SITE = 2


def _account(email: str, full_name: str, role: str, password_hash: str, placeholder: str = "", **extra) -> User:
    """Keyed by email: an existing account is kept as it is, except a `placeholder` name from
    an older seed, replaced by `full_name` (the next run then changes nothing)."""
    user, created = User.objects.get_or_create(
        email=email, defaults={"full_name": full_name, "role": role, "password": password_hash, **extra}
    )
    if not created and placeholder and user.full_name == placeholder:
        user.full_name = full_name
        user.save(update_fields=["full_name"])
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def seed_accounts() -> dict[str, list[User]]:
    password_hash = make_password(settings.DEMO_PASSWORD)  # hashed once: seeding stays fast
    staff = _account(f"staff@{DOMAIN}", "Salma Bennani", Role.HEAD_OFFICE, password_hash, is_staff=True)
    managers = []
    operational = Site.objects.filter(status=SiteStatus.OPERATIONAL).order_by("opened_on")
    for site in operational:
        manager = _account(f"manager.{site.slug}@{DOMAIN}", f"Manager {site.name_fr}", Role.SITE_MANAGER, password_hash)
        SiteMembership.objects.get_or_create(site=site, user=manager, defaults={"role": MembershipRole.MANAGER})
        managers.append(manager)
    committee = []
    for index, site in enumerate(operational):
        for n in range(1, COMMITTEE_PER_SITE + 1):
            name = COMMITTEE_NAMES[(index * COMMITTEE_PER_SITE + n - 1) % len(COMMITTEE_NAMES)]
            member = _account(f"committee.{site.slug}.{n}@{DOMAIN}", name, Role.SITE_MANAGER, password_hash)
            SiteMembership.objects.get_or_create(site=site, user=member, defaults={"role": MembershipRole.COMMITTEE})
            committee.append(member)
    founders = [
        _account(f"founder.{n}@{DOMAIN}", f"Founder {n}", Role.FOUNDER, password_hash) for n in range(1, FOUNDERS + 1)
    ]
    mentors = [
        _account(f"mentor.{n}@{DOMAIN}", name, Role.MENTOR, password_hash, placeholder=f"Mentor {n}")
        for n, name in enumerate(MENTOR_NAMES, start=1)
    ]
    return {"staff": [staff], "managers": managers, "committee": committee, "founders": founders, "mentors": mentors}

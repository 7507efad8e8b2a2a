"""Demo accounts, all with the password settings.DEMO_PASSWORD and a verified email."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password

from sites.models import MembershipRole, Site, SiteMembership, SiteStatus

from .models import Role, User

DOMAIN = "demo.technopark.ma"
FOUNDERS = 20
MENTORS = 10


def _account(email: str, full_name: str, role: str, password_hash: str, **extra) -> User:
    user, created = User.objects.get_or_create(
        email=email, defaults={"full_name": full_name, "role": role, "password": password_hash, **extra}
    )
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
    founders = [
        _account(f"founder.{n}@{DOMAIN}", f"Founder {n}", Role.FOUNDER, password_hash) for n in range(1, FOUNDERS + 1)
    ]
    mentors = [
        _account(f"mentor.{n}@{DOMAIN}", f"Mentor {n}", Role.MENTOR, password_hash) for n in range(1, MENTORS + 1)
    ]
    return {"staff": [staff], "managers": managers, "founders": founders, "mentors": mentors}

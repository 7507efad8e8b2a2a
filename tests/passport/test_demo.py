"""Demo attestations (passport/demo.py): one per demo founder's startup with an admission that
started, in French or Arabic, one in seven revoked by the site's manager; seeding again
creates nothing."""

import datetime

import pytest

from accounts.demo import DOMAIN
from passport.demo import seed_passport
from passport.models import Credential
from startups.models import TeamRole
from tests.factories import AdmissionFactory, SiteFactory, SiteMembershipFactory, StartupMemberFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]


def test_each_demo_founder_gets_an_attestation_once():
    site = SiteFactory(slug="casablanca")
    SiteMembershipFactory(site=site, user__email=f"manager.casablanca@{DOMAIN}")
    for number in range(1, 16):
        member = StartupMemberFactory(role=TeamRole.FOUNDER, user__email=f"founder.{number:02d}@{DOMAIN}")
        if number != 15:  # founder 15's startup is not admitted: nothing to attest
            AdmissionFactory(startup=member.startup, site=site, starts_on=datetime.date(2024, 1, number))
    StartupMemberFactory(role=TeamRole.FOUNDER, user__email="someone@example.ma")  # not a demo founder
    assert seed_passport() == 14
    credentials = Credential.objects.order_by("startup_name")
    assert {credential.language for credential in credentials} == {"fr", "ar"}
    assert all(credential.issued_by.email.startswith("founder.") for credential in credentials)
    revoked = Credential.objects.filter(revoked_at__isnull=False)
    assert revoked.count() == 2 and all(c.revoked_by.email == f"manager.casablanca@{DOMAIN}" for c in revoked)
    assert seed_passport() == 0 and Credential.objects.count() == 14

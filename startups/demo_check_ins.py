"""Demo answers to the yearly alumni check-in (issue 22), so that each site's declarations page
shows some: at each operational site, a few startups that left it in the last five years
answer for last year, most of them still active (their answer makes an estimated
declaration when they have none), one of them having stopped (its closing date recorded).
Through the action, as founders answer; deterministic and idempotent (an answered year is
left alone)."""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from sites.models import Site, SiteStatus

from .actions import check_in_save
from .models import Admission, AlumniCheckIn, ExitReason, RevenueBand
from .selectors.residents import alumni_since

PER_SITE = 6
CITIES = [("Casablanca", "MA"), ("Rabat", "MA"), ("Tanger", "MA"), ("Paris", "FR"), ("Dakar", "SN"), ("Abidjan", "CI")]


def seed_check_ins() -> int:
    """Create the demo check-ins that do not exist yet (call with scopes disabled); returns
    how many were created."""
    rng = random.Random(2029)
    today = timezone.localdate()
    fiscal_year = today.year - 1
    answered = set(AlumniCheckIn.objects.filter(fiscal_year=fiscal_year).values_list("startup_id", flat=True))
    created = 0
    for site in Site.objects.filter(status=SiteStatus.OPERATIONAL).order_by("slug"):
        # The same alumni on every run, whether or not an earlier run recorded their closure.
        alumni = (
            Admission.objects.filter(
                site=site, ended_on__gt=alumni_since(today), ended_on__lte=today, startup__ice__startswith="9"
            )
            .exclude(exit_reason=ExitReason.CLOSED)
            .select_related("startup")
            .order_by("startup__ice")[:PER_SITE]
        )
        for index, admission in enumerate(alumni):
            startup = admission.startup
            if startup.pk in answered:
                continue
            stopped = index == PER_SITE - 1
            city, country = rng.choice(CITIES)
            check_in = AlumniCheckIn(startup=startup, fiscal_year=fiscal_year, still_active=not stopped)
            if stopped:
                earliest = max(admission.ended_on, startup.founded_on or admission.ended_on)
                check_in.closed_on = min(today, earliest + datetime.timedelta(days=rng.randint(30, 300)))
            else:
                jobs = rng.randint(2, 25)
                check_in.direct_jobs, check_in.indirect_jobs = jobs, rng.randint(0, jobs // 2)
                check_in.revenue_band = rng.choice(
                    [RevenueBand.UNDER_1M] * 3 + [RevenueBand.FROM_1M] * 2 + [RevenueBand.FROM_5M]
                )
                check_in.funds_raised_mad = Decimal(rng.choice([0, 0, 300000, 1000000]))
                check_in.city, check_in.country = city, country
            check_in_save(actor=None, check_in=check_in)
            created += 1
    return created

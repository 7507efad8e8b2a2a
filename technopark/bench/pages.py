"""The pages `make bench` measures, each as the user who opens it, with its URLs.

A page has several URLs: the cold measure requests each once, one at a time, so that no
request reuses another's work (a distinct search, filter, date or mentor each time); the
warm measure loads the first under wrk. Pages without a parameter to vary (a default view)
repeat their one URL: the cold server has no cache at all, so each request does the whole
work again.

Kinds and their cold targets (issue 16): a list or detail page p95 ≤ 100 ms; a dashboard
or the KPI API, with any filter and any date, p95 ≤ 500 ms; no request over 1 s. The trivial
view (`/health/live/`: the whole middleware stack and no work) is the floor of the warm
measure, anonymous and signed in.
"""

import datetime
import itertools
from dataclasses import dataclass
from urllib.parse import urlencode

from mentors.models import MentorProfile, ProfileStatus
from reports.snapshots import month_ends
from services.models import Dimension
from sites.models import Region, Sector, Site
from startups.forms.residents import SORT_CHOICES
from startups.models import AdmissionKind

MANAGER = "manager.casablanca@demo.technopark.ma"
STAFF = "staff@demo.technopark.ma"
SITE = "casablanca"

TRIVIAL, REFERENCE, LIST, DASHBOARD = "trivial", "reference", "list", "dashboard"
COLD_TARGET_MS = {LIST: 100, DASHBOARD: 500}
COLD_CEILING_MS = 1000  # no request over this, whatever the page


@dataclass(frozen=True)
class Page:
    name: str
    user_email: str | None  # None: anonymous
    paths: tuple[str, ...]
    kind: str = LIST

    @property
    def path(self) -> str:
        """The URL loaded by the warm measure."""
        return self.paths[0]

    @property
    def targeted(self) -> bool:
        return self.kind in COLD_TARGET_MS

    @property
    def signed_in(self) -> bool:
        return self.user_email is not None


def _take(values, count: int) -> tuple[str, ...]:
    """`count` URLs from an iterable of URLs, cycling it if it has fewer."""
    values = list(values)
    return tuple(itertools.islice(itertools.cycle(values), count))


def _past_days(today: datetime.date, count: int) -> tuple[list[datetime.date], list[datetime.date]]:
    """`count` month ends (each has its snapshot: a read) and `count` other days (without a
    snapshot: computed live), spread over the past ten years, most recent first."""
    ends = month_ends(today=today, first_year=today.year - 10)[::-1]
    step = max(1, len(ends) // count)
    chosen_ends = ends[::step][:count]
    others = [end - datetime.timedelta(days=11 + index % 17) for index, end in enumerate(chosen_ends)]
    return chosen_ends, others


def pages(*, today: datetime.date, samples: int) -> list[Page]:
    """Every measured page with `samples` URLs each (read from the bench database, scopes
    disabled by the caller)."""
    regions = list(Region.objects.order_by("code").values_list("code", flat=True))
    sites = list(Site.objects.order_by("slug").values_list("slug", flat=True))
    sectors = list(Sector.objects.order_by("pk").values_list("pk", flat=True))  # the residents' filter
    sector_codes = list(Sector.objects.order_by("pk").values_list("code", flat=True))  # the dashboards'

    mentors = list(
        MentorProfile.objects.filter(status=ProfileStatus.PUBLISHED).order_by("pk").values_list("pk", flat=True)
    )
    month_end_days, other_days = _past_days(today, samples)
    words = ["atelier", "financement", "export", "pitch", "marché", "levée", "formation", "réseau", "IA", "santé"]
    manage = f"/manage/{SITE}"
    weeks = [today + datetime.timedelta(days=7 * week) for week in range(samples)]

    def dashboard(name, user, base, extra):
        return Page(name, user, _take((f"{base}?{query}" for query in extra), samples), DASHBOARD)

    return [
        Page("trivial view (floor)", None, ("/health/live/",) * samples, TRIVIAL),
        Page("trivial view, signed in", MANAGER, ("/health/live/",) * samples, REFERENCE),
        Page("catalogue", None, ("/services/",) * samples),
        Page(
            "catalogue, filtered",
            None,
            _take(
                (
                    "/services/?" + urlencode({"dimension": dimension, "q": word})
                    for word, dimension in zip(words * 2, Dimension.values * 5, strict=True)
                ),
                samples,
            ),
        ),
        Page("residents", MANAGER, (f"{manage}/residents/",) * samples),
        Page(
            "residents, search",
            MANAGER,
            _take((f"{manage}/residents/?q=Startup+{n:03d}" for n in range(samples)), samples),
        ),
        Page(
            "residents, filter",
            MANAGER,
            _take(
                (
                    f"{manage}/residents/?sector={sector}&kind={kind}&status=all"
                    for sector, kind in itertools.product(sectors, AdmissionKind.values)
                ),
                samples,
            ),
        ),
        Page(
            "residents, sort",
            MANAGER,
            _take(
                (
                    f"{manage}/residents/?status=all&sort={key}&page={page}"
                    for page, (key, _label) in itertools.product(range(1, 4), SORT_CHOICES)
                ),
                samples,
            ),
        ),
        Page("pipeline", MANAGER, (f"{manage}/applications/",) * samples),
        Page(
            "mentor slots (API)",
            None,
            _take(
                (
                    f"/api/v1/mentors/{mentor}/slots/?from={week}&to={week + datetime.timedelta(days=6)}"
                    for week, mentor in zip(weeks, itertools.cycle(mentors))
                ),
                samples,
            ),
        ),
        Page("site mentoring bookings", MANAGER, (f"{manage}/mentoring/",) * samples),
        Page(
            "site mentoring bookings, by mentor",
            MANAGER,
            _take((f"{manage}/mentoring/?mentor={mentor}&when=past" for mentor in mentors), samples),
        ),
        Page("network dashboard", STAFF, ("/network/dashboard/",) * samples, DASHBOARD),
        dashboard("network dashboard, region", STAFF, "/network/dashboard/", [f"region={code}" for code in regions]),
        dashboard(
            "network dashboard, sector", STAFF, "/network/dashboard/", [f"sector={code}" for code in sector_codes]
        ),
        dashboard(
            "network dashboard, past month end", STAFF, "/network/dashboard/", [f"as_of={d}" for d in month_end_days]
        ),
        dashboard("network dashboard, past day", STAFF, "/network/dashboard/", [f"as_of={d}" for d in other_days]),
        dashboard(
            "network dashboard, day + region + sector",
            STAFF,
            "/network/dashboard/",
            [
                f"as_of={day}&region={region}&sector={sector}"
                for day, region, sector in zip(other_days, itertools.cycle(regions), itertools.cycle(sector_codes))
            ],
        ),
        Page("site dashboard", MANAGER, (f"{manage}/dashboard/",) * samples, DASHBOARD),
        dashboard(
            "site dashboard, sector", MANAGER, f"{manage}/dashboard/", [f"sector={code}" for code in sector_codes]
        ),
        dashboard("site dashboard, past day", MANAGER, f"{manage}/dashboard/", [f"as_of={d}" for d in other_days]),
        Page("KPI API, network", STAFF, ("/api/v1/kpis/?scope=network",) * samples, DASHBOARD),
        dashboard("KPI API, region", STAFF, "/api/v1/kpis/", [f"scope=region:{code}" for code in regions]),
        dashboard("KPI API, site", STAFF, "/api/v1/kpis/", [f"scope=site:{slug}" for slug in sites]),
        dashboard("KPI API, past day", STAFF, "/api/v1/kpis/", [f"scope=network&as_of={d}" for d in other_days]),
    ]

"""What the feature apps add to a site's back-office home without sites importing them
(layers point down: sites sits below startups, services and mentors). Each app registers its
panel in its AppConfig.ready().

The home leads with a "To do" section: one panel per kind of work waiting at the site
(applications to decide, offices free today, today's sessions...), each defined once as a
`WorkQueue`. The same definition gives the panel (a count, the first few rows linked to where
the work is done, a "see all" link, or an empty state) and the figure the site manager's
landing page shows for each of their sites (`site_work_cards`).
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.utils.functional import Promise

from .scoping import managed_site_list

Text = str | Promise | Callable[[], str]


def _text(value: Text) -> str:
    return str(value() if callable(value) else value)


@dataclass(frozen=True)
class SiteCount:
    """One figure of a site manager's landing card: how much of one kind of work waits at a site."""

    key: str
    label: str
    count: int
    url: str


@dataclass(frozen=True)
class SitePanel:
    """A block of a site's page: `template` is rendered with `panel`, the dict `context`
    returns, in a constant number of queries. On the back-office home that is
    `context(site=, user=)`, read in the site's scope, and `counts(sites=, user=)`, when
    given, is the block's figure at each of `sites` (`{site id: SiteCount}`, read in the
    request's scope in a constant number of queries whatever the number of sites): what the
    site manager's landing page shows. On the public page, `context(site)` (see below)."""

    template: str
    context: Callable[..., dict]
    counts: Callable[..., dict[int, SiteCount]] | None = None


@dataclass(frozen=True)
class WorkQueue:
    """One kind of work waiting at a site, defined once for the home's panel and the landing's figure.

    - `rows(sites=, user=)`: the queue at the sites of these ids, in the order the panel
      shows it; only filtered (no aggregate), so that it can be counted by site in one query;
    - `decorate(rows)`: what the panel reads with its first rows (related objects, figures);
    - `see_all(site)`: the URL of the whole list, where the work is done;
    - `item_template`: one row of the panel (`item`, with `site`), linked to its own page;
    - `title`, `empty`: the panel's title (also the landing's label) and what it says when
      nothing waits ("Nothing to …"); text, or a function returning it (e.g. with a year).
    """

    key: str
    title: Text
    empty: Text
    item_template: str
    rows: Callable[..., QuerySet]
    see_all: Callable[..., str]
    decorate: Callable[[QuerySet], QuerySet] | None = None
    shown: int = 5

    def panel(self, *, site, user) -> dict:
        """The home's panel at `site`: the first `shown` rows and how many there are (two queries at most)."""
        rows = self.rows(sites=[site.pk], user=user)
        shown = list((self.decorate(rows) if self.decorate else rows)[: self.shown])
        count = len(shown) if len(shown) < self.shown else rows.count()
        return {
            "key": self.key,
            "title": _text(self.title),
            "empty": _text(self.empty),
            "item_template": self.item_template,
            "items": shown,
            "count": count,
            "see_all_url": self.see_all(site),
        }

    def counts(self, *, sites, user) -> dict[int, SiteCount]:
        """The queue's size at each of `sites` (one query), with its label and link."""
        rows = self.rows(sites=[site.pk for site in sites], user=user)
        by_site = Counter(dict(rows.order_by().values_list("site").annotate(count=Count("pk"))))
        label = _text(self.title)
        return {site.pk: SiteCount(self.key, label, by_site[site.pk], self.see_all(site)) for site in sites}

    def site_panel(self) -> SitePanel:
        return SitePanel(WORK_QUEUE_TEMPLATE, self.panel, self.counts)


WORK_QUEUE_TEMPLATE = "sites/home/_work_queue.html"
SITE_HOME_PANELS: list[SitePanel] = []


def site_home_panel_register(panel: SitePanel | WorkQueue) -> None:
    SITE_HOME_PANELS.append(panel.site_panel() if isinstance(panel, WorkQueue) else panel)


def site_home_panels(*, site, user) -> list[tuple[str, dict]]:
    """The home's registered panels at `site`: (template, context) pairs, in the order registered."""
    return [(panel.template, panel.context(site=site, user=user)) for panel in SITE_HOME_PANELS]


def site_work_cards(user) -> dict:
    """The site manager's landing page: for each site where `user` works, the figure of each
    registered panel that counts (`SitePanel.counts`) linked to its list, in a constant
    number of queries (one per panel) whatever the number of sites. Read in the request's
    scope, which covers the sites the user works at."""
    sites = managed_site_list(user)
    counted = [panel.counts(sites=sites, user=user) for panel in SITE_HOME_PANELS if panel.counts] if sites else []
    return {"cards": [{"site": site, "counts": [counts[site.pk] for counts in counted]} for site in sites]}


# --- A site's public page (/sites/<slug>/) ----------------------------------------------------
# What the feature apps show of the site to anyone (its services, its open calls): `SitePanel`s
# whose `context(site)` runs in that one site's scope (`sites.scoping.site_scope`, opened by
# sites.views.site_detail whoever the visitor is: no other site's row can show), reads only
# the site's public rows (published services, open calls: the scope does not make a draft
# public) and returns them evaluated (lists): the template is rendered outside that scope.
SITE_PUBLIC_PANELS: list[SitePanel] = []


def site_public_panel_register(panel: SitePanel) -> None:
    SITE_PUBLIC_PANELS.append(panel)

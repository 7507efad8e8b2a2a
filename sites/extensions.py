"""What the feature apps add to a site's back-office home without sites importing them
(layers point down: sites sits below startups, services and mentors). Each app registers its
panel in its AppConfig.ready()."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class SitePanel:
    """A block of the site's back-office home: `template` is rendered with `panel`, the dict
    `context(site)` returns (read in the site's scope)."""

    template: str
    context: Callable[..., dict]


SITE_HOME_PANELS: list[SitePanel] = []


def site_home_panel_register(panel: SitePanel) -> None:
    SITE_HOME_PANELS.append(panel)

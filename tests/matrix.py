"""The isolation matrix's vocabulary: a route, and who gets which status on it.

Each app lists its routes in `tests/<app>/matrix*.py` (a `MATRIX` dict keyed by the URL
name, and `"<name> [<method>]"` for a second method of the same URL; one file per area); `tests/technopark/test_isolation_matrix.py` merges them and checks that every URL
pattern of the portal is listed. URLs are filled from the `world` fixture
(`{startup_a}`, `{application_a}`, … see tests/conftest.py).

Site A's read-only roles (`committee_a`, `team_a`: ROLE_PERSONAS) are not written out
route by route: `Route.role_expected` derives what they get (see there). A route states
only what the derivation cannot know: the site permission it needs when it is not the
default one of its method (`action`, e.g. "review" for the committee's scoring form) and,
rarely, the two statuses outright (`roles`).
"""

import importlib
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import PERSONAS, ROLE_PERSONAS

# What site A's read-only roles may do there (sites.roles).
ROLE_ACTIONS = {"committee_a": {"read", "review"}, "team_a": {"read"}}


@dataclass(frozen=True)
class Route:
    url: str  # may contain {placeholders} filled from the `world` fixture
    expected: tuple[int, int, int, int, int, int]  # in the order of PERSONAS
    method: str = "get"
    data: dict | None = None
    # The site permission the route needs (sites.roles): by default "read" for GET, "manage"
    # for any other method; a route that declares another one (`@site_action`) says so.
    action: str | None = None
    # (committee_a, team_a) when the derivation below does not apply (e.g. a page that is
    # only the reviewer's own).
    roles: tuple[int, int] | None = None

    @property
    def needs(self) -> str:
        return self.action or ("read" if self.method == "get" else "manage")

    def status(self, persona: str) -> int:
        if persona in ROLE_ACTIONS:
            return self.role_expected(persona)
        return self.expected[PERSONAS.index(persona)]

    def role_expected(self, persona: str) -> int:
        """What a committee or team member of site A gets: the explicit `roles` if given;
        where their role allows what the route needs, what manager_a gets; where it does
        not, a 403 — but what the outsider gets when manager_a gets that too (the route is
        nobody's business as staff: a founder's action, someone else's object, head office
        only)."""
        if self.roles is not None:
            return self.roles[ROLE_PERSONAS.index(persona)]
        manager_a, outsider = self.status("manager_a"), self.status("outsider")
        if self.needs in ROLE_ACTIONS[persona]:
            return manager_a
        return outsider if manager_a == outsider else 403


#           anonymous outsider founder_a manager_a manager_b staff
PUBLIC = (200, 200, 200, 200, 200, 200)
SIGNED_IN = (302, 200, 200, 200, 200, 200)
HEAD_OFFICE = (302, 403, 403, 403, 403, 200)
SITE_A = (302, 404, 404, 200, 404, 200)
SITE_A_HEAD_OFFICE_WRITE = (302, 404, 404, 403, 404, 302)
ANONYMOUS_ONLY = (200, 302, 302, 302, 302, 302)
API_PUBLIC = PUBLIC
API_SIGNED_IN = (401, 200, 200, 200, 200, 200)
# The site back-office API: 401 without credentials (for every slug alike), 404 for strangers.
API_SITE_A = (401, 404, 404, 200, 404, 200)


def load_matrix() -> dict[str, Route]:
    merged: dict[str, Route] = {}
    for path in sorted(Path(__file__).parent.glob("*/matrix*.py")):
        module = importlib.import_module(f"tests.{path.parent.name}.{path.stem}")
        duplicates = set(merged) & set(module.MATRIX)
        assert not duplicates, f"listed twice in the isolation matrix: {duplicates}"
        merged.update(module.MATRIX)
    return merged

"""The isolation matrix's vocabulary: a route, and who gets which status on it.

Each app lists its routes in `tests/<app>/matrix*.py` (a `MATRIX` dict keyed by the URL
name; one file per area); `tests/technopark/test_isolation_matrix.py` merges them and checks that every URL
pattern of the portal is listed. URLs are filled from the `world` fixture
(`{startup_a}`, `{application_a}`, … see tests/conftest.py).
"""

import importlib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Route:
    url: str  # may contain {placeholders} filled from the `world` fixture
    expected: tuple[int, int, int, int, int, int]  # in the order of PERSONAS
    method: str = "get"
    data: dict | None = None


#           anonymous outsider founder_a manager_a manager_b staff
PUBLIC = (200, 200, 200, 200, 200, 200)
SIGNED_IN = (302, 200, 200, 200, 200, 200)
HEAD_OFFICE = (302, 403, 403, 403, 403, 200)
SITE_A = (302, 404, 404, 200, 404, 200)
SITE_A_HEAD_OFFICE_WRITE = (302, 404, 404, 403, 404, 302)
ANONYMOUS_ONLY = (200, 302, 302, 302, 302, 302)
API_PUBLIC = PUBLIC
API_SIGNED_IN = (401, 200, 200, 200, 200, 200)
API_SITE_A = (404, 404, 404, 200, 404, 200)


def load_matrix() -> dict[str, Route]:
    merged: dict[str, Route] = {}
    for path in sorted(Path(__file__).parent.glob("*/matrix*.py")):
        module = importlib.import_module(f"tests.{path.parent.name}.{path.stem}")
        duplicates = set(merged) & set(module.MATRIX)
        assert not duplicates, f"listed twice in the isolation matrix: {duplicates}"
        merged.update(module.MATRIX)
    return merged

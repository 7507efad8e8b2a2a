"""Isolation matrix: the public "network in figures" page (reports issue, public area)."""

from tests.matrix import PUBLIC, Route

MATRIX: dict[str, Route] = {
    "reports:figures": Route("/figures/", PUBLIC),
}

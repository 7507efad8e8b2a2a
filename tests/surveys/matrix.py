"""Isolation matrix: the yearly satisfaction survey (issue 22, surveys/views.py).

The form opened by founder_a's signed link (`survey_token_a`) answers anyone who holds the
link, signed in or not: the link is the authority (tests/surveys/test_link.py refuses every
other). The survey's figures and comments are read on the dashboards, whose routes are
listed in tests/reports/matrix_dashboards.py."""

from tests.matrix import PUBLIC, Route

MATRIX: dict[str, Route] = {
    "surveys:answer": Route("/surveys/{survey_token_a}/", PUBLIC),
}

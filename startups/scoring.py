"""Committee scores: per-criterion averages and the weighted total of an application.

Only submitted (scored) reviews count; a reviewer who was assigned but has not scored yet
adds nothing. A criterion's average is the mean of its scores over those reviews. The
weighted total is Σ(weight × average) / Σ(weight) over the criteria that have at least one
score, on the 0–5 scale, rounded half-up to 2 decimals; None while nobody has scored.
Weights come from `Criterion.weight`.

Run inside the request's tenant scope: reviews and scores are site-owned.
"""

from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from .models import Application, Criterion, Review, Score

TWO_PLACES = Decimal("0.01")


def _round(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def weighted_total(values_by_criterion: dict[int, list[int]], weights: dict[int, int]) -> Decimal | None:
    """{criterion id: [scores]} and {criterion id: weight} → the rounded weighted total."""
    numerator = Decimal(0)
    denominator = 0
    for criterion_id, values in values_by_criterion.items():
        if not values:
            continue
        weight = weights.get(criterion_id, 1)
        numerator += weight * (Decimal(sum(values)) / len(values))
        denominator += weight
    if not denominator:
        return None
    return _round(numerator / denominator)


def application_scores(application: Application) -> dict:
    """Everything the application page shows about the committee's scores:

    - `criteria`: [{criterion, weight, average, count}] — the active criteria, plus any
      retired one that still has scores, in display order; `average` rounded (None if unscored);
    - `reviews`: [{review, cells}] — every assigned reviewer, `cells` being their Score (or
      None) for each criterion of `criteria`, in the same order;
    - `submitted_count`: how many reviewers have scored;
    - `weighted_total`: Decimal on 0–5 with 2 decimals, or None.
    """
    reviews = list(
        Review.objects.filter(application=application)
        .select_related("reviewer")
        .prefetch_related("scores")
        .order_by("assigned_at", "pk")
    )
    values: dict[int, list[int]] = defaultdict(list)
    for review in reviews:
        if review.submitted_at is None:
            continue
        for score in review.scores.all():
            values[score.criterion_id].append(score.value)
    criteria = [criterion for criterion in Criterion.objects.all() if criterion.is_active or values.get(criterion.pk)]
    weights = {criterion.pk: criterion.weight for criterion in criteria}
    rows = []
    for criterion in criteria:
        scores = values.get(criterion.pk, [])
        average = Decimal(sum(scores)) / len(scores) if scores else None
        rows.append(
            {"criterion": criterion, "weight": criterion.weight, "average": _round(average), "count": len(scores)}
        )
    review_rows = []
    for review in reviews:
        by_criterion = {score.criterion_id: score for score in review.scores.all()} if review.submitted_at else {}
        review_rows.append({"review": review, "cells": [by_criterion.get(criterion.pk) for criterion in criteria]})
    return {
        "criteria": rows,
        "reviews": review_rows,
        "submitted_count": sum(1 for review in reviews if review.submitted_at),
        "weighted_total": weighted_total(values, weights),
    }


def weighted_totals(applications: Iterable[Application]) -> dict[int, Decimal | None]:
    """{application id: weighted total} for a page of applications, in two queries."""
    ids = [application.pk for application in applications]
    if not ids:
        return {}
    weights = dict(Criterion.objects.values_list("pk", "weight"))
    values: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    rows = Score.objects.filter(review__application__in=ids, review__submitted_at__isnull=False).values_list(
        "review__application_id", "criterion_id", "value"
    )
    for application_id, criterion_id, value in rows:
        values[application_id][criterion_id].append(value)
    return {pk: weighted_total(values.get(pk, {}), weights) for pk in ids}

"""Helpers of the mentors API's resources (the shared serializer fields live in core.serializers)."""

import datetime

from ..availability import LOCAL


def local_today() -> datetime.date:
    """Today in Moroccan time."""
    return datetime.datetime.now(LOCAL).date()

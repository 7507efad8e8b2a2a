"""The portal's clock: days and wall-clock times are Moroccan (settings.TIME_ZONE,
Africa/Casablanca) whatever the active time zone or the server's. One declaration, imported
wherever a local day or time becomes an instant."""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings

LOCAL = ZoneInfo(settings.TIME_ZONE)


def local_moment(day: datetime.date, time: datetime.time) -> datetime.datetime:
    """`day` at `time` on Moroccan clocks, as an aware datetime."""
    return datetime.datetime.combine(day, time, tzinfo=LOCAL)


def local_midnight(day: datetime.date) -> datetime.datetime:
    """The instant the Moroccan day `day` starts (Casablanca changes its clock at 02:00 or
    03:00, never at midnight, so midnight always exists once), in UTC: subtracting two of
    them gives the time elapsed, not the wall clock's difference."""
    return local_moment(day, datetime.time.min).astimezone(datetime.UTC)

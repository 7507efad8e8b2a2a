"""Serializer fields and schema helpers shared by the mentors API's resources."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, OpenApiParameter
from rest_framework import serializers

from ..availability import LOCAL


def id_parameter(what: str) -> OpenApiParameter:
    """The `{id}` of a path, with an example (the fuzz test's fixture has rows with id 1)."""
    return OpenApiParameter("id", int, OpenApiParameter.PATH, required=True, examples=[OpenApiExample(what, value=1)])


class LocalDateTimeField(serializers.DateTimeField):
    """An instant in Moroccan local time with its UTC offset, whatever the active time zone:
    `+01:00` most of the year, `+00:00` (never `Z`) around Ramadan."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return None if value is None else value.astimezone(LOCAL).isoformat()


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date and time with its UTC offset (`2027-03-15T10:00:00+01:00`,
    `2027-03-15T09:00:00Z`); without one it is a 400, not a guess."""

    default_error_messages = {
        "naive": gettext_lazy("Give the UTC offset too, e.g. 2027-03-15T10:00:00+01:00 for 10:00 Moroccan time."),
    }

    def __init__(self, **kwargs):
        super().__init__(input_formats=["iso-8601"], **kwargs)

    def enforce_timezone(self, value):
        if timezone.is_naive(value):
            self.fail("naive")
        return super().enforce_timezone(value)


def local_today() -> datetime.date:
    """Today in Moroccan time."""
    return datetime.datetime.now(LOCAL).date()


def read_only_choice(choices, **kwargs) -> serializers.ChoiceField:
    """A read-only choice field (the schema lists its values)."""
    return serializers.ChoiceField(choices=choices, read_only=True, **kwargs)

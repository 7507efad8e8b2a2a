"""Serializer fields and the body validation every app's API shares.

Validation errors are flat (`{"field": ["message", …]}`), as `core.api.VALIDATION_ERROR_SCHEMA`
documents: junk is a 400, never a 500.
"""

import json
import re

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema_field
from rest_framework import exceptions, serializers

from core.local_time import LOCAL

MAX_ID = 2**31 - 1  # ids, years and counts stay within a 32-bit integer column
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"
AMOUNT_PATTERN = r"^[0-9]{1,12}(\.[0-9]{1,2})?$"


def _messages(value, prefix: str = "") -> list[str]:
    if isinstance(value, dict):
        return [message for key, inner in value.items() for message in _messages(inner, f"{prefix}{key}: ")]
    if isinstance(value, list):
        return [message for inner in value for message in _messages(inner, prefix)]
    return [f"{prefix}{value}"]


def _form_as_object(serializer_class, data: QueryDict) -> dict:
    """A form or multipart body as the object the schema describes. DRF reads a QueryDict
    as an HTML form: an empty value of an optional field counts as absent and a dict field
    is looked for as `field.key` names, so `amount=` would pass where the schema calls it
    invalid. Here list fields take every value of their name, object fields their value as
    JSON (OpenAPI's default encoding of an object in a multipart part), others their value."""
    fields = serializer_class().fields
    body = {}
    for name, values in data.lists():
        field = fields.get(name)
        if isinstance(field, (serializers.ListField, serializers.MultipleChoiceField, serializers.ManyRelatedField)):
            body[name] = values
        elif isinstance(field, (serializers.DictField, serializers.JSONField, serializers.Serializer)):
            try:
                body[name] = json.loads(values[-1])
            except ValueError:
                body[name] = values[-1]  # not an object: the field says so
        else:
            body[name] = values[-1]
    return body


def validated(serializer_class, data) -> dict:
    """`serializer_class(data=data)`'s validated data, or a 400 whose errors are flat lists
    of strings (nested list and dict errors are prefixed with their index or key)."""
    if isinstance(data, QueryDict):
        data = _form_as_object(serializer_class, data)
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        errors = serializer.errors
        if isinstance(errors, dict):
            errors = {key: _messages(value) for key, value in errors.items()}
        raise exceptions.ValidationError(errors)
    return serializer.validated_data


class IdField(serializers.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)


@extend_schema_field({"type": "string", "format": "decimal", "pattern": AMOUNT_PATTERN})
class AmountField(serializers.DecimalField):
    """An amount in MAD: at most 12 digits before the point and 2 after, never negative.
    Given as a string in exactly that form, as the schema says (DRF's DecimalField would
    also take a JSON number, `1e3` or ` 5`)."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=14, decimal_places=2, min_value=0, **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not re.match(AMOUNT_PATTERN, data):
            self.fail("invalid")
        return super().to_internal_value(data)


# --- Times and choices the APIs share --------------------------------------------------


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


@extend_schema_field({"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$", "example": "08:30"})
class WallClockTimeField(serializers.TimeField):
    """A time of day on Moroccan clocks, "HH:MM". Not JSON Schema's "time" format, which
    requires a UTC offset: opening hours keep their clock time whatever the offset."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(format="%H:%M", **kwargs)


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


def read_only_choice(choices, **kwargs) -> serializers.ChoiceField:
    """A read-only choice field (the schema lists its values)."""
    return serializers.ChoiceField(choices=choices, read_only=True, **kwargs)

"""Query parameters of the API's lists, validated with small serializers (which the views
also explode into the schema): junk is a 400, never a 500."""

from rest_framework import serializers

from .serializers import validated


class BooleanFilter(serializers.ChoiceField):
    """`true` or `false`, nothing else (DRF's BooleanField also takes `1`, `on`, `yes`…)."""

    def __init__(self, **kwargs):
        super().__init__(choices=["true", "false"], required=False, **kwargs)


def boolean(value: str | None) -> bool | None:
    """A validated `BooleanFilter` value as a bool, None when the parameter is absent."""
    return None if value is None else value == "true"


def filters(request, serializer_class) -> dict:
    """The validated query parameters of a list (an empty value is invalid but for `q`)."""
    # A plain dict: with a QueryDict, DRF reads an empty optional value as an absent one.
    return validated(serializer_class, request.query_params.dict())

"""Filtering the API's lists: django-filter FilterSets whose parameters are validated by DRF
serializer fields, the same fields the OpenAPI schema is drawn from.

A list view sets `filterset_class` (a `django_filters.rest_framework.FilterSet`; a rule
between parameters goes in its `Meta.form`'s `clean`); `FilterBackend` (REST_FRAMEWORK's default) applies it
and turns invalid parameters into a 400 with flat messages (`{"site": ["…"]}`), as the
bodies' validation does (core.serializers.validated): junk is a 400, never a 500. Each
parameter is a `Param(<serializer field>, …)`: the field says what a valid value is (a
slug of at most 50 characters, one of the choices, a positive id…) and drf-spectacular
documents the parameter from that field, so the schema and the validation cannot part.
A parameter given empty is invalid, like any body field (`?site=` is a 400), but for
fields that allow a blank (`q`); an absent one does not filter.

Query parameters that are not filters but the inputs of a computation (a mentor's free
slots between two days, the KPI engine's scope and date) are validated with a serializer
(`query_params`).
"""

from django import forms
from django_filters import rest_framework as django_filters
from rest_framework import exceptions, serializers

from .serializers import validated


class _ParamFormField(forms.Field):
    """The form field django-filter validates with: the DRF field's validation, as is."""

    def __init__(self, *, param: serializers.Field, **kwargs):
        self.param = param
        super().__init__(**kwargs)

    def clean(self, value):
        if value is None:  # absent: no filter
            return None
        try:
            return self.param.run_validation(value)
        except serializers.ValidationError as error:
            raise forms.ValidationError([str(message) for message in error.detail]) from None


class Param(django_filters.Filter):
    """A query parameter validated by `field` (a DRF serializer field, documented from
    it): `Param(serializers.SlugField(max_length=50), field_name="site__slug")`, or with
    `method=` when the value decides more than one lookup."""

    field_class = _ParamFormField

    def __init__(self, field: serializers.Field, **kwargs):
        super().__init__(param=field, **kwargs)  # documented by core.schema.ParamFilterExtension

    def filter(self, qs, value):
        return qs if value is None else super().filter(qs, value)


class FilterBackend(django_filters.DjangoFilterBackend):
    """DjangoFilterBackend with the API's flat 400 messages."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            raise exceptions.ValidationError({name: list(messages) for name, messages in filterset.errors.items()})
        return filterset.qs


class TrueFalseField(serializers.ChoiceField):
    """`true` or `false`, nothing else (DRF's BooleanField also takes `1`, `on`, `yes`…),
    read as a bool."""

    def __init__(self, **kwargs):
        super().__init__(choices=["true", "false"], required=False, **kwargs)

    def to_internal_value(self, data):
        return super().to_internal_value(data) == "true"


def query_params(request, serializer_class) -> dict:
    """The validated query parameters of a computation (an empty value is invalid but for
    fields that allow a blank)."""
    # A plain dict: with a QueryDict, DRF reads an empty optional value as an absent one.
    return validated(serializer_class, request.query_params.dict())

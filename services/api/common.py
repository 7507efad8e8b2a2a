"""Pieces several resources of the services API share: the `site` filter (a site's slug or
`network`), read-only choices, and the network-wide scope of the public catalogue and of
the caller's own rows."""

from django.db.models import QuerySet
from rest_framework import serializers

from core.filters import Param
from sites.scoping import network_scope

NETWORK = "network"  # the `site` filter's value for the network's e-Technopark offer


def choice(choices, **kwargs) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=choices, read_only=True, **kwargs)


def _of_site(rows: QuerySet, name: str, slug: str) -> QuerySet:
    return rows.owned_by(None) if slug == NETWORK else rows.filter(site__slug=slug)


def site_param() -> Param:
    """The `site` filter: `site=<slug>` for a site's rows, `site=network` for the
    e-Technopark offer (the rows without a site)."""
    field = serializers.SlugField(
        max_length=50, help_text="A site's slug, or `network` for the network's e-Technopark offer."
    )
    return Param(field, method=_of_site)


class NetworkScoped:
    """Runs the whole request (queries, prefetches, serialization) inside `network_scope()`:
    for the public catalogue across the network and for the caller's own rows, each view
    filtering its queryset explicitly."""

    def dispatch(self, request, *args, **kwargs):
        with network_scope():
            return super().dispatch(request, *args, **kwargs)

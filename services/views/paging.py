"""Pagination shared by the partners, programmes and incubators pages."""

from django.core.paginator import Paginator

PAGE_SIZE = 25


def page_of(request, queryset, size: int = PAGE_SIZE):
    """The page of `queryset` asked for by `?page=` (the first or last one when out of range)."""
    return Paginator(queryset, size).get_page(request.GET.get("page"))

"""Keys of cached page fragments (`{% cache %}`): one per path, query string (in a stable
order) and language, plus whatever else the fragment depends on (the day, version stamps
of technopark.versions)."""

from urllib.parse import urlencode

from django.utils.translation import get_language


def fragment_key(request, *parts) -> str:
    query = urlencode(sorted(request.GET.lists()), doseq=True)
    return "|".join([f"{request.path}?{query}", get_language(), *map(str, parts)])

"""Every URL pattern of the portal, named, so the isolation matrix can check it covers
them all."""

from django.urls import URLPattern, URLResolver, get_resolver


def all_routes() -> list[tuple[str | None, str]]:
    """(namespaced name or None, route) for every URL pattern, resolvers flattened."""

    def walk(patterns, prefix="", namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
                yield name, prefix + str(pattern.pattern)

    return list(walk(get_resolver().url_patterns))

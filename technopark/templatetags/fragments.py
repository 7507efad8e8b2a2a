"""`{% versioned_cache key names %}…{% endversioned_cache %}`: a page fragment cached until one
of the version stamps `names` moves on (technopark.versions), read together with those
stamps in one round trip to the cache (`{% cache %}` with the stamps in its key needs two:
the stamps, then the fragment). `key` tells the fragments apart (technopark.fragments)."""

import hashlib

from django import template

from technopark.versions import versioned_get, versioned_set

register = template.Library()

# A fragment nobody asks for again leaves the cache after a day; a change replaces it at once.
FRAGMENT_SECONDS = 86400


class VersionedCacheNode(template.Node):
    def __init__(self, nodelist, key, names):
        self.nodelist, self.key, self.names = nodelist, key, names

    def render(self, context):
        # Hashed: a fragment key holds a whole query string.
        digest = hashlib.md5(str(self.key.resolve(context)).encode(), usedforsecurity=False).hexdigest()
        key = f"fragment:{digest}"
        html, version = versioned_get(key, *self.names.resolve(context))
        if html is None:
            html = self.nodelist.render(context)
            versioned_set(key, html, version, FRAGMENT_SECONDS)
        return html


@register.tag
def versioned_cache(parser, token):
    bits = token.split_contents()
    if len(bits) != 3:
        raise template.TemplateSyntaxError(f"'{bits[0]}' takes a key and a list of version stamp names.")
    nodelist = parser.parse(("endversioned_cache",))
    parser.delete_first_token()
    return VersionedCacheNode(nodelist, parser.compile_filter(bits[1]), parser.compile_filter(bits[2]))

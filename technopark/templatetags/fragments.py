"""Cached page fragments, shared by every web process and copied in each
(technopark.fragments). `key` tells the fragments apart (technopark.fragments.fragment_key).

- `{% timed_cache seconds key %}…{% endtimed_cache %}`: kept `seconds` (not cached at 0), for
  what may be that old (the public catalogue, the dashboards' figures).
- `{% versioned_cache key names %}…{% endversioned_cache %}`: kept until one of the version
  stamps `names` moves on (technopark.versions), read together with those stamps in one
  round trip (`{% cache %}` with the stamps in its key needs two).
"""

from django import template

from technopark.fragments import timed_get, timed_set, versioned_fragment_get, versioned_fragment_set

register = template.Library()

# A fragment nobody asks for again leaves the cache after a day; a change replaces it at once.
FRAGMENT_SECONDS = 86400


class TimedCacheNode(template.Node):
    def __init__(self, nodelist, seconds, key):
        self.nodelist, self.seconds, self.key = nodelist, seconds, key

    def render(self, context):
        seconds = self.seconds.resolve(context)
        if not seconds:
            return self.nodelist.render(context)
        key = str(self.key.resolve(context))
        html = timed_get(key)
        if html is None:
            html = self.nodelist.render(context)
            timed_set(key, html, seconds)
        return html


class VersionedCacheNode(template.Node):
    def __init__(self, nodelist, key, names):
        self.nodelist, self.key, self.names = nodelist, key, names

    def render(self, context):
        key = str(self.key.resolve(context))
        html, version = versioned_fragment_get(key, self.names.resolve(context))
        if html is None:
            html = self.nodelist.render(context)
            versioned_fragment_set(key, html, version, FRAGMENT_SECONDS)
        return html


def _block(parser, token, node_class, usage: str):
    bits = token.split_contents()
    if len(bits) != 3:
        raise template.TemplateSyntaxError(f"'{bits[0]}' takes {usage}.")
    nodelist = parser.parse((f"end{bits[0]}",))
    parser.delete_first_token()
    return node_class(nodelist, parser.compile_filter(bits[1]), parser.compile_filter(bits[2]))


@register.tag
def timed_cache(parser, token):
    return _block(parser, token, TimedCacheNode, "a number of seconds and a key")


@register.tag
def versioned_cache(parser, token):
    return _block(parser, token, VersionedCacheNode, "a key and a list of version stamp names")

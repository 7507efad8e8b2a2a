"""The API's OpenAPI schema: the error responses every operation can give, written in one
place rather than listed by hand on each view (REST_FRAMEWORK's DEFAULT_SCHEMA_CLASS).

A view's `extend_schema(responses=…)` lists its success and its own errors (a role check's
403, a state conflict's 409…); `AutoSchema` adds, to every operation where they can happen,
the responses that come from the kernel rather than from the view:

- 400 everywhere: the kernel refuses a NUL character in the query string of any API call
  (core.api.RejectNulCharacters), the validated filters and bodies refuse junk;
- 401 and 403 on every operation that authenticates: an invalid token is a 401 even where
  no sign-in is needed, a missing one a 401 where it is; a session or token of an account
  that must use two-factor authentication and has not set it up is a 403 on every view
  (accounts.authentication), as is a session's write without its CSRF token;
- 404 for a path with parameters (a missing row, or one that is not yours), a list (a page
  past the end) and the site back-office (a site you do not work at);
- 413 and 400 for an operation that takes a body (too large; malformed, or not an object);
- 429 for a throttled operation.

Every operation also documents `?lang=` (core.multilingual.api_language): the language of
the content staff write (titles, descriptions…) and of the messages.

Strings: PostgreSQL cannot store a NUL character, and DRF's CharField refuses it (a 400),
so every request string without a stricter pattern, format or enum gets the pattern
`^[^\\u0000]*$` in the schema: clients (and schemathesis) know a NUL is invalid input.
"""

import copy

from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiFilterExtension
from drf_spectacular.plumbing import build_parameter_type
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from .api import ERROR_RESPONSES
from .filters import Param
from .multilingual import API_LANGUAGE_PARAMETER, DEFAULT_LANGUAGE, LANGUAGES

NO_NUL_PATTERN = r"^[^\u0000]*$"
BODY_METHODS = {"POST", "PUT", "PATCH"}


def forbid_nul(schema: dict) -> None:
    """Add NO_NUL_PATTERN to a string schema that has no pattern, format or enum of its own
    (a slug's pattern, a date's format and a choice's enum already exclude NUL)."""
    if schema.get("type") == "string" and not {"pattern", "format", "enum"} & set(schema):
        schema["pattern"] = NO_NUL_PATTERN
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            forbid_nul(schema[key])


LANGUAGE_PARAMETER = OpenApiParameter(
    name=API_LANGUAGE_PARAMETER,
    type=str,
    enum=list(LANGUAGES),
    location=OpenApiParameter.QUERY,
    required=False,
    description=(
        "The language of the answer: of the content staff write (titles, descriptions, questions…) "
        "and of the messages. Without it, the first of these languages in the `Accept-Language` "
        f"header, else the portal's. Content not translated yet comes in French (`{DEFAULT_LANGUAGE}`)."
    ),
)


class AutoSchema(openapi.AutoSchema):
    def get_override_parameters(self):
        return [*super().get_override_parameters(), LANGUAGE_PARAMETER]

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "request":  # after the fields' own validators (a slug's pattern…)
            for field_schema in schema.get("properties", {}).values():
                forbid_nul(field_schema)
        return schema

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        for parameter in operation.get("parameters", []):
            if isinstance(parameter.get("schema"), dict):
                forbid_nul(parameter["schema"])
        responses = operation["responses"]
        for code in sorted(self.kernel_error_codes(operation)):
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(ERROR_RESPONSES[code], str(code))
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def kernel_error_codes(self, operation: dict) -> set[int]:
        codes = {400}
        if self.view.get_authenticators():
            codes |= {401, 403}
        if "{" in self.path or (self.method == "GET" and self._is_list_view()) or "/manage/" in self.path:
            codes.add(404)
        if self.method in BODY_METHODS:
            codes.add(413)
        if self.view.get_throttles():
            codes.add(429)
        return codes


class ParamFilterExtension(OpenApiFilterExtension):
    """A list's filters (core.filters) documented from the serializer fields that validate
    them, exactly as a serializer of query parameters is: their pattern, length, enum,
    bounds and description are the validation's own."""

    target_class = "core.filters.FilterBackend"
    priority = 1  # before drf-spectacular's own extension for DjangoFilterBackend's subclasses

    def get_schema_operation_parameters(self, auto_schema, *args, **kwargs):
        filterset_class = getattr(auto_schema.view, "filterset_class", None)
        if filterset_class is None or not auto_schema._is_list_view():
            return []
        fields = {
            name: filter_.extra["param"]
            for name, filter_ in filterset_class.base_filters.items()
            if isinstance(filter_, Param)
        }
        parameters = type(filterset_class.__name__, (serializers.Serializer,), {})()
        for name, field in fields.items():
            parameters.fields[name] = copy.deepcopy(field)
        mapped = auto_schema._map_serializer(parameters, "request")
        return [
            build_parameter_type(
                name=name,
                schema=schema,
                description=schema.pop("description", None),
                location=OpenApiParameter.QUERY,
                allow_blank=getattr(fields[name], "allow_blank", True),
            )
            for name, schema in mapped["properties"].items()
        ]

"""Form and multipart request bodies that must be what the schema says: key/value objects.

Every request schema of the API is an object. DRF's form and multipart parsers read a body
that is not one as an empty or meaningless form: `abc` or `[1, 2]` sent as
`application/x-www-form-urlencoded` becomes a field named `abc` with an empty value, a
multipart body whose part has no `Content-Disposition: form-data; name=…` header is dropped
silently, and an operation whose fields are all optional then accepts it. Here both are a
400, like a JSON body that is not an object (core.parsers.JSONParser).
"""

import re
from io import BytesIO

from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers


class FormParser(parsers.FormParser):
    """`key=value&…` pairs only: a piece without `=` is not a form field."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", "utf-8")
        raw = stream.read() if stream is not None else b""
        pieces = [piece for piece in raw.strip().split(b"&") if piece]  # Django splits on `&` only
        if any(b"=" not in piece for piece in pieces):
            raise exceptions.ParseError(_("The form body must be key=value pairs."))
        return super().parse(BytesIO(raw), media_type, {**parser_context, "encoding": encoding})


class MultiPartParser(parsers.MultiPartParser):
    """Every part is a named form field or file: a part without a
    `Content-Disposition: form-data; name=…` header is not a field (Django would drop it)."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        raw = stream.read() if stream is not None else b""
        boundary = _boundary(media_type)
        if boundary is not None:
            if not all(map(_is_named_part, _parts(raw, boundary))):
                raise exceptions.ParseError(_("Every part of a multipart body must be a named form field."))
            raw = _with_empty_values_terminated(raw, boundary)
        return super().parse(BytesIO(raw), media_type, parser_context)


def _boundary(media_type: str | None) -> bytes | None:
    match = re.search(r'boundary="?([^";]+)"?', media_type or "")
    return match[1].encode("latin-1") if match else None


def _parts(raw: bytes, boundary: bytes):
    """The parts between `--boundary` delimiters, up to the closing `--boundary--`."""
    for chunk in raw.split(b"--" + boundary)[1:]:  # before the first one: the preamble
        if chunk.startswith(b"--"):
            return
        yield chunk


NAMED_PART = re.compile(rb"^content-disposition:[^\r\n]*\bname=", re.IGNORECASE | re.MULTILINE)


def _is_named_part(part: bytes) -> bool:
    headers = part.lstrip(b"\r\n").split(b"\r\n\r\n", 1)[0]
    return NAMED_PART.search(headers) is not None


def _with_empty_values_terminated(raw: bytes, boundary: bytes) -> bytes:
    """Some encoders (Werkzeug's) write an empty value as `name="x"` CRLF CRLF `--boundary`,
    the blank line doubling as the next delimiter's CRLF: Django then drops the field, as if
    it had not been sent, and an empty amount would pass for an absent one. Such a part gets
    its missing CRLF: it is the empty value its sender meant."""
    delimiter = b"--" + boundary
    chunks = raw.split(delimiter)
    for index in range(1, len(chunks) - 1):
        chunk = chunks[index]
        if not chunk.startswith(b"--") and b"\r\n\r\n" not in chunk[:-2] and chunk.endswith(b"\r\n\r\n"):
            chunks[index] = chunk + b"\r\n"
    return delimiter.join(chunks)

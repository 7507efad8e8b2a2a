"""Serving uploaded images (logos), with the type read from the file's own bytes."""

from django.http import FileResponse, Http404


def _image_type(head: bytes) -> str:
    if head.startswith(b"\x89PNG"):
        return "image/png"
    if head.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"


def public_image_response(field_file) -> FileResponse:
    """A public logo (validated as a PNG, JPEG or WebP image on upload); 404 when there is
    none or the file went missing."""
    if not field_file:
        raise Http404
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    head = handle.read(16)
    handle.seek(0)
    response = FileResponse(handle, content_type=_image_type(head))
    response["Cache-Control"] = "public, max-age=3600"
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response

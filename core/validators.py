"""Moroccan identifiers and uploaded files, checked by content rather than by name."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

ice_validator = RegexValidator(r"^[0-9]{15}$", _("The ICE is made of exactly 15 digits."), code="invalid_ice")
# +212 then 9 digits: 5 (landline), 6 or 7 (mobile), 8 (VoIP and other services).
phone_validator = RegexValidator(
    r"^\+212[5-8][0-9]{8}$", _("Enter a Moroccan number in the form +212 6XX XX XX XX."), code="invalid_phone"
)

MAX_PITCH_DECK_BYTES = 10 * 1024 * 1024
MAX_LOGO_BYTES = 2 * 1024 * 1024


def normalize_phone(value: str) -> str:
    """'+212 6 61-23 45 67' or '0661234567' → '+212661234567'."""
    digits = re.sub(r"[\s.\-()]", "", value or "")
    if digits.startswith("00212"):
        digits = "+" + digits[2:]
    elif digits.startswith("0") and len(digits) == 10:
        digits = "+212" + digits[1:]
    return digits


def _already_stored(upload) -> bool:
    # Files are checked when uploaded; re-validating a stored one (on any later save)
    # would read storage, and fail if the file went missing.
    return getattr(upload, "_committed", False) and not hasattr(upload, "content_type")


def validate_pdf(upload) -> None:
    """A real PDF (by its first bytes, whatever its name says), at most 10 MB."""
    if _already_stored(upload):
        return
    if upload.size > MAX_PITCH_DECK_BYTES:
        raise ValidationError(_("The file is larger than 10 MB."), code="too_large")
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    if b"%PDF-" not in head:
        raise ValidationError(_("This file is not a PDF document."), code="not_pdf")


def validate_logo(upload) -> None:
    """A real PNG, JPEG or WebP image (decoded by Pillow), at most 2 MB."""
    from PIL import Image, UnidentifiedImageError

    if _already_stored(upload):
        return
    if upload.size > MAX_LOGO_BYTES:
        raise ValidationError(_("The image is larger than 2 MB."), code="too_large")
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValidationError(_("This file is not an image we can read."), code="not_image") from error
    finally:
        upload.seek(0)
    if kind not in {"PNG", "JPEG", "WEBP"}:
        raise ValidationError(_("Use a PNG, JPEG or WebP image."), code="image_format")

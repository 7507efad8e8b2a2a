"""An attestation as an A4 PDF (issue 22), in the language it was issued in: what it states,
the issuer, the date, and how to check it — its verification address and code, and the
same address as a QR code (segno, SVG embedded as a data: URL: no file, no network)."""

import segno
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from core.pdf import PDF_CONTENT_TYPE, render_pdf

from .models import Credential
from .statements import agreement_end, issuer_name, skills, statement_html

__all__ = ["PDF_CONTENT_TYPE", "attestation_filename", "attestation_pdf", "verify_url"]


def verify_url(credential: Credential) -> str:
    """The public verification address, absolute (printed and in the QR code)."""
    return settings.PORTAL_URL + reverse("passport:verify", kwargs={"code": credential.grouped_code})


def attestation_filename(credential: Credential) -> str:
    return f"attestation-{credential.grouped_code}.pdf"


def attestation_pdf(credential: Credential) -> bytes:
    """Read `credential` with its site, admission and programme (passport.selectors)."""
    url = verify_url(credential)
    with translation.override(credential.language):  # the sentences in the document's language
        context = {
            "credential": credential,
            "issued_on": timezone.localtime(credential.issued_at).date(),
            "verify_url": url,
            "qr": segno.make(url, error="m").svg_data_uri(scale=3, border=0),
            "statement": statement_html(credential),
            "agreement_end": agreement_end(credential),
            "issuer": issuer_name(credential),
            "skills": skills(credential),
        }
    return render_pdf("passport/pdf/attestation.html", context, language=credential.language)

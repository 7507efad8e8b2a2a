"""Every PDF the portal makes: a Django template rendered to HTML in one language, then laid
out by WeasyPrint (issue 19) — board reports today (reports.board.pdf), invoices tomorrow.

    data = render_pdf("reports/board/pdf/report.html", context, language="ar")

- The template extends `core/pdf/base.html`: `<html lang dir>` from the language (Arabic is
  laid out right to left), A4 pages, the embedded Noto fonts, page numbers in the footer
  (`{% block footer_start %}` beside them).
- Fonts are files of this repository (static/fonts/noto: Noto Sans and Noto Sans Arabic,
  SIL Open Font License, see OFL.txt there), embedded in the PDF: the document looks the
  same on every machine, and Arabic is shaped by HarfBuzz (through Pango).
- No network: relative URLs resolve under static/, and the URL fetcher refuses anything but
  files under static/ and `data:` URLs. A refused or missing resource stops the rendering
  (`PdfResourceError`): a template that points at http(s), or a font file gone, fails loudly
  instead of reaching out or leaving a hole.
- WeasyPrint is imported when a PDF is made: the portal starts, and its other pages work,
  on a machine without Pango (README: requirements).
"""

from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

PDF_CONTENT_TYPE = "application/pdf"


def static_root() -> Path:
    """The folder relative URLs of PDF templates resolve in (the fonts are under it)."""
    return Path(settings.BASE_DIR) / "static"


class PdfResourceError(Exception):
    """A PDF template referenced something refused (a web address, a file outside static/)
    or missing."""


def _fetcher():
    from weasyprint.urls import URLFetcher

    root = static_root().resolve()

    class LocalFetcher(URLFetcher):
        """WeasyPrint's fetcher, for `data:` URLs and files under static/ only."""

        def fetch(self, url, headers=None):
            scheme = url.partition(":")[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                path = Path(unquote(urlsplit(url).path)).resolve()
                if path.is_relative_to(root):
                    return super().fetch(url, headers)
            raise PdfResourceError(f"PDF resources come from static/ only, not {url}")

    # fail_on_errors: any error stops the rendering (WeasyPrint's FatalURLFetchingError).
    return LocalFetcher(allowed_protocols={"file", "data"}, allow_redirects=False, fail_on_errors=True)


def render_pdf(template: str, context: dict, *, language: str) -> bytes:
    """`template` rendered with `context` in `language`, as an A4 PDF (see the module)."""
    import logging

    # WeasyPrint's step-by-step progress is not the portal's business (warnings still are).
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import FatalURLFetchingError

    with translation.override(language):
        # "Page 2 / 5": the words around the number as the language orders them.
        before, _marker, after = (_("Page %(number)s") % {"number": "\x00"}).partition("\x00")
        html = render_to_string(
            template,
            {
                **context,
                "pdf_language": translation.get_language(),
                "pdf_direction": "rtl" if translation.get_language_bidi() else "ltr",
                "pdf_page_before": before,
                "pdf_page_after": after,
            },
        )
    document = HTML(string=html, base_url=static_root().as_uri() + "/", url_fetcher=_fetcher())
    try:
        return document.write_pdf(font_config=FontConfiguration())
    except FatalURLFetchingError as error:  # a BaseException: an Exception for the callers
        cause = error.__cause__
        raise PdfResourceError(f"{error}: {cause}" if cause else str(error)) from cause

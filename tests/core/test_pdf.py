"""core.pdf: every PDF of the portal — a template in one language, laid out by WeasyPrint
with the repository's fonts, never fetching anything from the network."""

import io
import urllib.request

import pytest
from pypdf import PdfReader

from core import pdf


@pytest.fixture
def page(monkeypatch):
    """render_pdf with the template's HTML given by the test (it renders nothing else)."""
    seen = {}

    def use(body: str):
        def render(template, context):
            seen.update(context)
            return (
                f'<html lang="{context["pdf_language"]}" dir="{context["pdf_direction"]}"><head><title>T</title>'
                '<style>@font-face { font-family: "Noto Sans"; src: url("fonts/noto/NotoSans-Regular.ttf"); }'
                'html { font-family: "Noto Sans"; }</style></head>'
                f"<body>{body}</body></html>"
            )

        monkeypatch.setattr(pdf, "render_to_string", render)
        return seen

    return use


def test_a_pdf_is_written_in_its_language_and_direction(page):
    seen = page("<p>Bonjour</p>")
    data = pdf.render_pdf("any.html", {"x": 1}, language="ar")
    assert data.startswith(b"%PDF")
    assert (seen["pdf_language"], seen["pdf_direction"], seen["x"]) == ("ar", "rtl", 1)
    assert PdfReader(io.BytesIO(data)).trailer["/Root"]["/Lang"] == "ar"
    pdf.render_pdf("any.html", {}, language="fr")
    assert (seen["pdf_language"], seen["pdf_direction"]) == ("fr", "ltr")
    assert seen["pdf_page_before"] == "Page " and seen["pdf_page_after"] == ""


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/logo.png",
        "http://127.0.0.1:9/logo.png",
        "file:///etc/hostname",
        "fonts/../../manage.py",  # relative, out of static/
    ],
)
def test_nothing_outside_static_is_fetched(page, url, monkeypatch):
    opened = []
    real_open = urllib.request.OpenerDirector.open

    def open_(self, request, *args, **kwargs):
        opened.append(getattr(request, "full_url", request))
        return real_open(self, request, *args, **kwargs)

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", open_)
    page(f'<img src="{url}" alt="">')
    with pytest.raises(pdf.PdfResourceError, match="static/ only"):
        pdf.render_pdf("any.html", {}, language="fr")
    assert opened and all(name.startswith(pdf.static_root().as_uri()) for name in opened)  # the font only


def test_a_missing_file_stops_the_rendering(page):
    page('<img src="fonts/noto/missing.png" alt="">')
    with pytest.raises(pdf.PdfResourceError):
        pdf.render_pdf("any.html", {}, language="fr")


def test_data_urls_and_the_fonts_are_fetched(page):
    page('<p>Technopark</p><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="">')
    data = pdf.render_pdf("any.html", {}, language="fr")
    font = PdfReader(io.BytesIO(data)).pages[0]["/Resources"]["/Font"]
    assert any("Noto-Sans" in str(value.get_object()["/BaseFont"]) for value in font.values())

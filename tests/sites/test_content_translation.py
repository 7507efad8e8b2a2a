"""Sites and regions keep their hand-made names in three languages (sites.models.TranslatedName):
head office's forms show them one tab per language, Arabic right to left (issue 19); the site's
public page shows its calls and services in the reader's language."""

import pytest
from django_scopes import scopes_disabled

from sites.models import Region
from tests.factories import CallFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def test_the_site_form_shows_the_names_one_tab_per_language(client, staff, site_a):
    client.force_login(staff)
    client.cookies["django_language"] = "en"
    page = client.get(f"/network/sites/{site_a.slug}/edit/").content.decode()
    assert page.count('role="tab"') == 3
    arabic = page[page.index('name="name_ar"') - 200 :][:400]
    assert 'dir="rtl"' in arabic and 'lang="ar"' in arabic and site_a.name_ar in arabic
    assert "Name (French)" not in page  # the tab names the language
    page = client.get("/network/regions/MA-06/edit/").content.decode()
    assert page.count('role="tab"') == 3


def test_every_name_is_still_required(client, staff, db):
    client.force_login(staff)
    region = Region.objects.get(code="MA-06")
    data = {"name_fr": region.name_fr, "name_ar": "", "name_en": region.name_en}
    response = client.post("/network/regions/MA-06/edit/", data)
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"name_ar"}
    assert [pane.code for pane in form.language_tabs.panes if pane.active] == ["ar"]


def test_the_public_page_shows_calls_and_services_in_the_readers_language(client, site_a):
    with scopes_disabled():
        CallFactory(site=site_a, title="Résidence 2027", title_ar="الإقامة 2027")
        ServiceFactory(site=site_a, title="Formation pitch", title_ar="تكوين في تقديم المشاريع")
    client.cookies["django_language"] = "ar"
    page = client.get(f"/sites/{site_a.slug}/").content.decode()
    assert "الإقامة 2027" in page and "تكوين في تقديم المشاريع" in page
    assert "Résidence 2027" not in page and "fallback-note" not in page

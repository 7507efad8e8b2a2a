"""The layout's back-office menu lists the sites a manager works at, read from the database
for each request (never cached): each manager sees their own sites only, and a renamed site
at once."""

import re

import pytest
from django_scopes import scopes_disabled

from tests.factories import SiteMembershipFactory


def _back_office_menu(client) -> list[tuple[str, str]]:
    html = client.get("/").content.decode()
    return re.findall(r'<a class="dropdown-item" href="(/manage/[^"]+)">([^<]+)</a>', html)


@pytest.mark.django_db
def test_each_manager_sees_the_sites_they_work_at_only(client_for, site_a, site_b, manager_a):
    with scopes_disabled():
        SiteMembershipFactory(site=site_b, user=manager_a)
    assert _back_office_menu(client_for("manager_a")) == [
        ("/manage/site-a/", site_a.name),
        ("/manage/site-b/", site_b.name),
    ]
    assert _back_office_menu(client_for("manager_b")) == [("/manage/site-b/", site_b.name)]
    assert _back_office_menu(client_for("founder_a")) == []
    assert _back_office_menu(client_for("staff")) == []  # head office has the network menu


@pytest.mark.django_db
def test_a_renamed_site_shows_at_once(client_for, site_a):
    client = client_for("manager_a")
    assert _back_office_menu(client) == [("/manage/site-a/", site_a.name)]
    with scopes_disabled():
        site_a.name_fr = "Technopark Renommé"
        site_a.save()
    assert _back_office_menu(client) == [("/manage/site-a/", "Technopark Renommé")]

"""Head office manages regions, sites and site teams in the portal; every write is audited."""

from django.core import mail
from django_scopes import scopes_disabled

from core.models import AuditEntry
from sites.models import Region, Site, SiteMembership
from tests.factories import UserFactory

NEW_SITE = {
    "slug": "oujda",
    "name_fr": "Technopark Oujda",
    "name_ar": "تكنوبارك وجدة",
    "name_en": "Technopark Oujda",
    "region": "",
    "status": "operational",
    "opened_on": "2026-03-01",
    "city": "Oujda",
    "address": "Boulevard Mohammed VI",
    "area_m2": "4000",
    "capacity_startups": "50",
    "residency_max_years": "5",
    "vocations": [],
}


def test_head_office_creates_a_site_with_an_audit_entry(client, staff, db):
    client.force_login(staff)
    region = Region.objects.get(code="MA-02")
    response = client.post("/network/sites/new/", {**NEW_SITE, "region": region.pk})
    assert response.status_code == 302, response.context["form"].errors
    site = Site.objects.get(slug="oujda")
    assert site.region == region
    with scopes_disabled():
        entry = AuditEntry.objects.get(object_id=str(site.pk), content_type__model="site")
    assert entry.actor == staff
    assert entry.action == "create"
    assert entry.changes["slug"] == [None, "oujda"]


def test_invalid_site_re_renders_with_messages_and_loses_nothing(client, staff, db):
    client.force_login(staff)
    response = client.post("/network/sites/new/", {**NEW_SITE, "slug": "bad slug!", "opened_on": ""})
    assert response.status_code == 200
    form = response.context["form"]
    assert "slug" in form.errors and "opened_on" in form.errors and "region" in form.errors
    assert form.data["city"] == "Oujda"  # what was typed comes back
    assert not Site.objects.filter(city="Oujda").exists()


def test_editing_a_region_keeps_only_the_changed_fields_in_the_trail(client, staff, db):
    client.force_login(staff)
    region = Region.objects.get(code="MA-06")
    response = client.post(
        "/network/regions/MA-06/edit/", {"name_fr": region.name_fr, "name_ar": region.name_ar, "name_en": "Casa-Settat"}
    )
    assert response.status_code == 302
    with scopes_disabled():
        entry = AuditEntry.objects.get(content_type__model="region")
    assert entry.changes == {"name_en": ["Casablanca-Settat", "Casa-Settat"]}


def test_granting_a_role_emails_the_person_in_their_language(client, staff, site_a, django_capture_on_commit_callbacks):
    person = UserFactory(email="amina@example.ma", language="ar")
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post("/manage/site-a/team/", {"email": "Amina@Example.ma", "role": "committee"})
    assert response.status_code == 302
    assert len(callbacks) == 1  # the email
    with scopes_disabled():
        assert SiteMembership.objects.get(user=person).role == "committee"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["amina@example.ma"]
    assert "تكنوبارك" in mail.outbox[0].subject


def test_no_email_when_the_grant_fails(client, staff, manager_a, django_capture_on_commit_callbacks):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/manage/site-a/team/", {"email": manager_a.email, "role": "team"})
    assert response.status_code == 200
    assert "already has a role" in str(response.context["form"].errors) or response.context["form"].errors
    assert mail.outbox == []


def test_site_manager_sees_the_team_but_cannot_change_it(client, manager_a, manager_b, site_a):
    client.force_login(manager_a)
    page = client.get("/manage/site-a/team/").content.decode()
    assert "manager.a@example.ma" in page
    assert "manager.b@example.ma" not in page
    assert client.post("/manage/site-a/team/", {"email": "x@example.ma", "role": "team"}).status_code == 403


def test_head_office_removes_a_role(client, staff, manager_a):
    with scopes_disabled():
        membership = SiteMembership.objects.get(user=manager_a)
    client.force_login(staff)
    assert client.post(f"/manage/site-a/team/{membership.pk}/remove/").status_code == 302
    with scopes_disabled():
        assert not SiteMembership.objects.filter(pk=membership.pk).exists()
        entry = AuditEntry.objects.get(action="delete")
    assert entry.changes["user"] == [manager_a.pk, None]


def test_a_manager_cannot_remove_another_sites_membership_through_their_own_site(client, staff, manager_a, manager_b):
    with scopes_disabled():
        foreign = SiteMembership.objects.get(user=manager_b)
    client.force_login(staff)
    # Head office on site A's back-office cannot reach site B's row either: the scope hides it.
    assert client.post(f"/manage/site-a/team/{foreign.pk}/remove/").status_code == 404


def test_audit_page_filters(client, staff, site_a, db):
    client.force_login(staff)
    client.post("/network/sites/new/", {**NEW_SITE, "region": Region.objects.get(code="MA-02").pk})
    response = client.get("/network/audit/", {"action": "create", "q": "oujda"})
    assert response.status_code == 200
    assert [entry.object_repr for entry in response.context["page"]] == ["Technopark Oujda"]
    assert client.get("/network/audit/", {"action": "delete"}).context["page"].paginator.count == 0
    assert client.get("/network/audit/", {"since": "not-a-date"}).status_code == 200


def test_admin_changes_are_audited(client, staff, site_a):
    client.force_login(staff)
    response = client.post(
        f"/admin/tp_sites/site/{site_a.pk}/change/",
        {
            "slug": "site-a",
            "name_fr": "Nouveau nom",
            "name_ar": site_a.name_ar,
            "name_en": site_a.name_en,
            "region": site_a.region_id,
            "status": "operational",
            "opened_on": site_a.opened_on.isoformat(),
            "city": "Casablanca",
            "residency_max_years": "5",
        },
    )
    assert response.status_code == 302, response.content
    with scopes_disabled():
        changes = [entry.changes for entry in AuditEntry.objects.filter(content_type__model="site")]
    assert {"name_fr": ["Technopark site-a", "Nouveau nom"]} in changes

"""Fail-closed tenancy: every site-owned model refuses to be queried outside a scope,
and inside a scope only sees the scope's sites."""

import pytest
from django.apps import apps
from django_scopes import ScopeError, scope, scopes_disabled

from core.audit import audited_save
from core.models import AuditEntry
from sites.models import Site, SiteMembership
from sites.scoping import network_scope, visible_site_ids


def owned_models(dimension: str):
    return [
        model
        for model in apps.get_models()
        if any(field.name == dimension and field.is_relation for field in model._meta.get_fields())
    ]


def site_owned_models():
    return owned_models("site")


def test_site_owned_models_are_found():
    # Guards the meta-test below against silently checking nothing.
    assert {SiteMembership, AuditEntry} <= set(site_owned_models())


@pytest.mark.parametrize("model", site_owned_models(), ids=lambda model: model._meta.label)
def test_site_owned_model_raises_outside_a_scope(model, db):
    field = model._meta.get_field("site")
    assert field.related_model is Site, f"{model._meta.label}.site must point at the tenant"
    with pytest.raises(ScopeError):
        list(model.objects.all())
    with pytest.raises(ScopeError):
        model.objects.filter(pk=1).exists()


@pytest.mark.parametrize("model", owned_models("incubator"), ids=lambda model: model._meta.label)
def test_incubator_owned_model_raises_outside_an_incubator_scope(model, db):
    from sites.models import Incubator

    assert model._meta.get_field("incubator").related_model is Incubator
    with pytest.raises(ScopeError), scope(site=None):  # a site scope alone does not open them
        list(model.objects.all())


def test_incubator_owned_models_are_found():
    from services.models import IncubatedStartup
    from sites.models import IncubatorMembership

    assert {IncubatedStartup, IncubatorMembership} <= set(owned_models("incubator"))


def test_scope_filters_by_site(site_a, site_b, manager_a, manager_b):
    with scope(site=site_a.pk):
        assert list(SiteMembership.objects.values_list("user__email", flat=True)) == ["manager.a@example.ma"]
    with scope(site=[site_a.pk, site_b.pk]):
        assert SiteMembership.objects.count() == 2
    with scope(site=[]):
        assert SiteMembership.objects.count() == 0


def test_visible_sites_per_persona(personas, site_a, site_b):
    assert visible_site_ids(personas["manager_a"]) == [site_a.pk]
    assert visible_site_ids(personas["manager_b"]) == [site_b.pk]
    assert visible_site_ids(personas["outsider"]) == []
    assert visible_site_ids(personas["staff"]) is None  # head office: every site
    from django.contrib.auth.models import AnonymousUser

    assert visible_site_ids(AnonymousUser()) == []


def test_inactive_head_office_sees_nothing(staff):
    staff.is_active = False
    assert visible_site_ids(staff) == []


def test_audit_entries_follow_the_site_scope(site_a, site_b, staff, manager_a, manager_b):
    with scopes_disabled():
        for membership in SiteMembership.objects.all():
            membership.role = "committee"
            audited_save(actor=staff, instance=membership)
    with scope(site=[site_a.pk]):
        assert {entry.site_id for entry in AuditEntry.objects.all()} == {site_a.pk}
    with network_scope():
        assert AuditEntry.objects.count() == 2


def test_visible_ids_follow_every_relation_in_one_query(db, django_assert_num_queries):
    """Each branch of the one hand-written visibility statement (sites.scoping), against
    a site and an incubator nobody is related to."""
    from services.models import IncubatedStartup
    from sites.models import IncubatorMembership
    from sites.scoping import visible_ids
    from tests import factories

    with scopes_disabled():
        applied, admitted, booked, worked, elsewhere = factories.SiteFactory.create_batch(5)
        managed, affiliated, incubating = (
            factories.IncubatorFactory(affiliated_site=elsewhere),
            factories.IncubatorFactory(affiliated_site=worked),
            factories.IncubatorFactory(affiliated_site=elsewhere),
        )
        factories.IncubatorFactory(affiliated_site=elsewhere)  # nobody's
        user = factories.UserFactory()
        factories.SiteMembershipFactory(user=user, site=worked)
        applying = factories.StartupMemberFactory(user=user).startup
        factories.ApplicationFactory(startup=applying, call__site=applied)
        admitted_startup = factories.StartupMemberFactory(user=user).startup
        factories.AdmissionFactory(startup=admitted_startup, site=admitted)
        IncubatedStartup.objects.create(incubator=incubating, startup=admitted_startup, since="2024-01-01")
        IncubatorMembership.objects.create(incubator=managed, user=user)
        mentor = factories.MentorProfileFactory(user=factories.UserFactory())
        factories.BookingFactory(mentor=mentor, site=booked, startup=factories.StartupFactory())

    with django_assert_num_queries(1):
        sites, incubators = visible_ids(user)
    assert sites == sorted([applied.pk, admitted.pk, worked.pk])
    assert incubators == sorted([managed.pk, affiliated.pk, incubating.pk])
    assert visible_ids(mentor.user) == ([booked.pk], [])

"""Choice lists and filters of mentoring read the small table with EXISTS, never a DISTINCT
over joined rows (issue 16: the site bookings page's mentor drop-down was a SELECT DISTINCT
over every booking of the site joined to its mentor), and stay inside the request's scope.

- A site's bookings: the mentor drop-down lists each mentor who has (had) a booking at the
  site once, however many bookings, cancelled ones included; another site's mentors never;
  in another site's scope nobody; outside any scope it refuses to run.
- A mentor's profile form: the operational sites and the closed ones the mentor still
  serves, each once.
- The directory search: a mentor two of whose tags match, or two tags differing only in
  case, is listed once.
"""

import datetime

import pytest
from django_scopes import scope, scopes_disabled
from django_scopes.exceptions import ScopeError

from mentors.forms.backoffice import BookingFilterForm
from mentors.forms.mentor_space import MentorProfileForm
from mentors.models import MentorProfile, Tag
from mentors.selectors.directory import mentor_search
from sites.models import SiteStatus
from tests.factories import AdmissionFactory, BookingFactory, MentorProfileFactory, SiteFactory

pytestmark = pytest.mark.django_db


def sql(queryset) -> str:
    return str(queryset.query).upper()


def test_the_site_bookings_mentor_dropdown_is_an_exists_in_the_sites_scope(site_a, site_b):
    with scopes_disabled():
        startup_a = AdmissionFactory(site=site_a).startup
        startup_b = AdmissionFactory(site=site_b).startup
        often = MentorProfileFactory(user__full_name="Amal Often")
        once_cancelled = MentorProfileFactory(user__full_name="Badr Cancelled")
        elsewhere = MentorProfileFactory(user__full_name="Chama Elsewhere")
        MentorProfileFactory(user__full_name="Driss Never")
        first = datetime.datetime(2027, 1, 5, 9, tzinfo=datetime.UTC)
        for day in range(5):
            BookingFactory(mentor=often, startup=startup_a, site=site_a, starts_at=first + datetime.timedelta(days=day))
        BookingFactory(mentor=once_cancelled, startup=startup_a, site=site_a, starts_at=first, status="cancelled")
        BookingFactory(mentor=elsewhere, startup=startup_b, site=site_b, starts_at=first)
        BookingFactory(mentor=often, startup=startup_b, site=site_b, starts_at=first - datetime.timedelta(days=1))

    with scope(site=site_a.pk):
        mentors = BookingFilterForm({}, site=site_a).fields["mentor"].queryset
        assert list(mentors) == [often, once_cancelled]
        assert "EXISTS" in sql(mentors)
        assert "DISTINCT" not in sql(mentors)
        # The choice validates against the same list.
        assert BookingFilterForm({"mentor": often.pk}, site=site_a).is_valid()
        assert not BookingFilterForm({"mentor": elsewhere.pk}, site=site_a).is_valid()
    with scope(site=site_b.pk):  # the bookings are read in the scope: site A's are not there
        assert list(BookingFilterForm({}, site=site_a).fields["mentor"].queryset) == []
    with pytest.raises(ScopeError):
        BookingFilterForm({}, site=site_a)


def test_the_profile_forms_sites_are_offered_once_without_distinct(site_a, site_b):
    with scopes_disabled():
        closed = SiteFactory(status=SiteStatus.PLANNED, city="Oujda")
        other_closed = SiteFactory(status=SiteStatus.PLANNED, city="Oujda")
        mentor = MentorProfileFactory(sites=[site_a, closed])
        MentorProfileFactory(sites=[site_a, other_closed])  # another mentor's closed site: not offered
    new = MentorProfileForm().fields["sites"].queryset
    assert set(new) == {site_a, site_b}
    sites = MentorProfileForm(instance=mentor).fields["sites"].queryset
    assert sorted(site.pk for site in sites) == sorted([site_a.pk, site_b.pk, closed.pk])
    assert "DISTINCT" not in sql(sites)


def test_the_directory_lists_a_mentor_once_whatever_matches_several_tags():
    mentor = MentorProfileFactory(headline="Finance")
    mentor.tags.set([Tag.objects.create(name="SaaS"), Tag.objects.create(name="saas"), Tag.objects.create(name="B2B")])
    MentorProfileFactory(headline="Marketing")
    mentors = MentorProfile.objects.all()
    for filters in ({"q": "saas"}, {"tag": "SAAS"}, {"q": "saas", "tag": "saas"}, {"q": "a"}):
        found = mentor_search(mentors, **filters)
        assert [row.pk for row in found if row.pk == mentor.pk] == [mentor.pk], filters
        assert "DISTINCT" not in sql(found)
    assert list(mentor_search(mentors, tag="b2c")) == []

"""The choices of the mentors app's forms (profile, availability, back-office filters) and
the sites its pages name. The lists every app shares (languages, sectors, sites) are in
`sites.selectors`."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from sites.models import Language, Site, SiteStatus

from ..models import Booking, MentorProfile


def default_language_ids() -> list[int]:
    """The languages ticked on a new profile: French."""
    return list(Language.objects.filter(code="fr").values_list("pk", flat=True))


def sites_offered_to(profile: MentorProfile) -> QuerySet[Site]:
    """The operational sites, and the closed ones a saved profile still serves (EXISTS), by city."""
    offered = Q(status=SiteStatus.OPERATIONAL)
    if profile.pk:  # keep a site that closed since, so that saving does not drop it silently
        offered |= Q(Exists(MentorProfile.sites.through.objects.filter(site=OuterRef("pk"), mentorprofile=profile)))
    return Site.objects.filter(offered).order_by("city", "slug")


def sites_served_by(mentor: MentorProfile) -> QuerySet[Site]:
    """The sites where the mentor meets in person, by city."""
    return mentor.sites.order_by("city", "slug")


def sites_by_pk(ids) -> dict[int, Site]:
    """The sites of `ids` by pk (no query when there is none)."""
    return Site.objects.in_bulk(ids)


def mentors_of_site(site: Site) -> QuerySet[MentorProfile]:
    """The mentors booked (ever) at `site`, by name: an EXISTS per mentor, not a DISTINCT over bookings."""
    of_site = Booking.objects.filter(site=site, mentor=OuterRef("pk"))
    return MentorProfile.objects.filter(Exists(of_site)).select_related("user").order_by("user__full_name", "pk")

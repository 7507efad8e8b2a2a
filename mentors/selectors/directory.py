"""Reads of mentor profiles: the public directory, one published mentor, the mentor's own
profile and the back-office review of profiles. Profiles are network-level rows: no scope."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from sites.models import Site
from sites.roles import MANAGE, roles_with

from ..models import MentorProfile, ProfileStatus

# A mentor startups may find and book: a published profile of an active account.
PUBLISHED = Q(status=ProfileStatus.PUBLISHED, user__is_active=True)


def published_mentors() -> QuerySet[MentorProfile]:
    """The directory's mentors, with what their cards show."""
    return (
        MentorProfile.objects.filter(PUBLISHED)
        .select_related("user")
        .prefetch_related("dimension_rows", "languages", "sectors", "sites", "tags")
    )


def published_mentor(*, pk: int) -> MentorProfile | None:
    """The published mentor `pk` with their user (whose slots to list, whom to book), or None."""
    return MentorProfile.objects.filter(PUBLISHED, pk=pk).select_related("user").first()


def mentor_search(
    mentors: QuerySet[MentorProfile],
    *,
    q: str = "",
    dimension: str = "",
    sector=None,
    language=None,
    site=None,
    remote: bool = False,
    kind: str = "",
    tag: str = "",
) -> QuerySet[MentorProfile]:
    """Filter the directory; every filter is optional. Tags are matched with EXISTS, so
    that a mentor is listed once without a DISTINCT over the joined rows (two tags may
    match one search, "SaaS" and "saas" one tag filter)."""
    tagged = MentorProfile.tags.through.objects.filter(mentorprofile=OuterRef("pk"))
    if q:
        mentors = mentors.filter(
            Q(user__full_name__icontains=q)
            | Q(headline__icontains=q)
            | Q(bio__icontains=q)
            | Q(organisation__icontains=q)
            | Q(Exists(tagged.filter(tag__name__icontains=q)))
        )
    if dimension:
        mentors = mentors.filter(dimension_rows__dimension=dimension)
    if sector is not None:
        mentors = mentors.filter(sectors=sector)
    if language is not None:
        mentors = mentors.filter(languages=language)
    if site is not None:
        mentors = mentors.filter(sites=site)
    if remote:
        mentors = mentors.filter(offers_video=True)
    if kind:
        mentors = mentors.filter(kind=kind)
    if tag:
        mentors = mentors.filter(Exists(tagged.filter(tag__name__iexact=tag)))
    return mentors


def mentor_profile_of(user, *, with_lists: bool = False) -> MentorProfile | None:
    """The user's own mentor profile, with the user (and, `with_lists`, its languages, tags,
    sites and sectors); None without one."""
    profiles = MentorProfile.objects.filter(user=user).select_related("user")
    if with_lists:
        profiles = profiles.prefetch_related("languages", "tags", "sites", "sectors")
    return profiles.first()


def mentors_by_pk(ids) -> dict[int, MentorProfile]:
    """The profiles of `ids`, with their user, by pk."""
    return MentorProfile.objects.select_related("user").in_bulk(ids)


# --- Back-office: the review of mentor profiles ---------------------------------------------
def is_profile_reviewer(user) -> bool:
    """Head office, or the manager of some site: who reviews mentor profiles."""
    managing = Site.objects.filter(memberships__user=user, memberships__role__in=roles_with(MANAGE))
    return user.is_head_office or managing.exists()


def profiles_reviewable_by(user) -> QuerySet[MentorProfile]:
    """A reviewer's profiles (`actions.may_review`): all, or those serving a site they manage; never their own."""
    if user.is_head_office:
        profiles = MentorProfile.objects.all()
    else:
        managed = MentorProfile.sites.through.objects.filter(
            site__memberships__user=user, site__memberships__role__in=roles_with(MANAGE)
        )
        profiles = MentorProfile.objects.filter(pk__in=managed.values("mentorprofile"))
    return profiles.exclude(user=user)


def profiles_for_review(user, *, statuses: list[str], q: str = "") -> QuerySet[MentorProfile]:
    """The review list: `user`'s profiles in `statuses` whose name, email or headline has `q`, oldest first."""
    profiles = profiles_reviewable_by(user).filter(status__in=statuses)
    if q:
        person = Q(user__full_name__icontains=q) | Q(user__email__icontains=q)
        profiles = profiles.filter(person | Q(headline__icontains=q))
    profiles = profiles.select_related("user").prefetch_related("sites", "dimension_rows")
    return profiles.order_by("submitted_at", "user__full_name", "pk")


def reviewable_profile(user, *, pk: int) -> MentorProfile | None:
    """The profile `pk` if `user` reviews it, with what the review page shows; else None."""
    profiles = profiles_reviewable_by(user).select_related("user", "reviewed_by")
    return profiles.prefetch_related("dimension_rows", "languages", "sectors", "sites", "tags").filter(pk=pk).first()

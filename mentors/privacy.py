"""A person's data in the mentors app, for accounts.privacy (law 09-08): their mentor
profile, the sessions they booked and those they gave. Registered in MentorsConfig.ready()."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.extensions import PersonalData

from .actions import booking_cancel
from .models import MentorProfile, ProfileStatus
from .selectors.bookings import (
    bookings_changeable_given_by,
    bookings_changeable_made_alone_by,
    bookings_given_by,
    bookings_made_by,
)
from .selectors.directory import mentor_profile_of


def _when(value):
    return value.isoformat() if value else None


def _profile(profile) -> dict | None:
    if profile is None:
        return None
    return {
        "kind": profile.kind,
        "headline": profile.headline,
        "bio": profile.bio,
        "photo": profile.photo.name or None,
        "organisation": profile.organisation,
        "linkedin_url": profile.linkedin_url,
        "video_url": profile.video_url,
        "languages": sorted(language.code for language in profile.languages.all()),
        "tags": sorted(tag.name for tag in profile.tags.all()),
        "sectors": sorted(str(sector) for sector in profile.sectors.all()),
        "sites": sorted(site.name for site in profile.sites.all()),
        "offers_video": profile.offers_video,
        "session_minutes": profile.session_minutes,
        "status": profile.status,
        "created_at": _when(profile.created_at),
        "updated_at": _when(profile.updated_at),
    }


def export(user) -> dict:
    profile = mentor_profile_of(user, with_lists=True)
    return {
        "mentor_profile": _profile(profile),
        "mentor_bookings_made": [
            {
                "mentor": booking.mentor.user.full_name,
                "startup": str(booking.startup),
                "topic": booking.topic,
                "questions": booking.questions,
                "starts_at": _when(booking.starts_at),
                "ends_at": _when(booking.ends_at),
                "mode": booking.mode,
                "status": booking.status,
                "attendance": booking.attendance,
                "rating": booking.rating,
                "rating_comment": booking.rating_comment,
                "booked_at": _when(booking.created_at),
            }
            for booking in bookings_made_by(user)
        ],
        "mentor_bookings_received": [
            {
                "startup": str(booking.startup),
                "topic": booking.topic,
                "starts_at": _when(booking.starts_at),
                "ends_at": _when(booking.ends_at),
                "mode": booking.mode,
                "status": booking.status,
                "attendance": booking.attendance,
                "note": booking.note,
                "rating": booking.rating,
            }
            for booking in bookings_given_by(user)
        ],
    }


def cancel_upcoming(user) -> None:
    """The mentor sessions they booked for a startup that keeps no other member (the mentor
    is told, the slot is free again) and, if they are a mentor, the sessions they were to
    give (the startups are told). A startup that keeps other members keeps its session: it
    is theirs as much. Sessions past the cancellation cut-off stay, as they would if the
    person cancelled them."""
    now = timezone.now()
    for booking in bookings_changeable_made_alone_by(user, now=now):
        booking_cancel(actor=user, booking=booking, reason=_("The person who booked it has deleted their account."))
    for booking in bookings_changeable_given_by(user, now=now):
        booking_cancel(actor=user, booking=booking, reason=_("The mentor has deleted their account."))


def anonymise(user, new_email: str) -> None:
    """A mentor's profile is suspended and loses what describes the person; its bookings
    stay for the startups' history."""
    profile = mentor_profile_of(user)
    if profile is None:
        return
    photo = profile.photo.name
    MentorProfile.objects.filter(pk=profile.pk).update(
        status=ProfileStatus.SUSPENDED,
        bio="",
        photo="",
        organisation="",
        linkedin_url="",
        video_url="",
        updated_at=timezone.now(),
    )
    if photo:
        storage = profile.photo.storage
        transaction.on_commit(lambda: storage.delete(photo))


PART = PersonalData(export=export, cancel_upcoming=cancel_upcoming, anonymise=anonymise)

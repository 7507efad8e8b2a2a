"""Every write of the mentors app.

Bookings are decided by the database: `booking_create` locks the mentor's row for the
whole check-and-insert, so concurrent requests for the same mentor queue up (a request that
waits too long gets a Conflict, 409); the uniqueness of (mentor, start) and, on PostgreSQL,
the overlap exclusion constraint are the last word: a violation is a Conflict too. Before
the lock, one indexed query refuses an attempt that cannot succeed (`booking_checks`), so
that the losers of a race neither queue for the row nor expand the mentor's availability.

Booking actions run in the request's scope (the founder's or mentor's `user_scope`, or a
site's scope): the booking's site is the startup's home site, which that scope includes.
"""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.models import Role
from core.audit import audit_record, audited_delete, audited_save, instance_values
from core.emails import email_render, email_send_on_commit
from core.errors import Conflict
from core.locking import lock_row
from core.models import AuditEntry
from sites.models import SiteMembership
from sites.roles import MANAGE, roles_with
from startups.models import Startup, StartupMember

from . import ics
from .availability import MAX_RANGE_DAYS
from .booking_checks import check_quota, closed, not_free, refuse_early
from .models import (
    Attendance,
    BlockedPeriod,
    Booking,
    BookingStatus,
    ExtraWindow,
    MentorDimension,
    MentorProfile,
    ProfileStatus,
    WeeklyRule,
)
from .selectors.bookings import CANCEL_CUTOFF, booking_roles, can_change
from .selectors.slots import find_slot, startup_home_site


# --- Profiles ------------------------------------------------------------------------
@transaction.atomic
def profile_save(*, actor, profile: MentorProfile, dimensions, languages, sectors, sites, tags) -> MentorProfile:
    """Create or change a mentor's profile. A change to a published profile keeps it
    published (head office may suspend it); `tags` are names, created as needed."""
    from .models import Tag

    if not dimensions:
        raise ValidationError({"dimensions": _("Choose at least one support dimension.")})
    if not languages:
        raise ValidationError({"languages": _("Choose at least one language.")})
    if not profile.offers_video and not sites:
        raise ValidationError({"sites": _("Offer video calls or choose at least one site where you meet in person.")})
    tag_rows = [Tag.objects.get_or_create(name=name)[0] for name in tags]
    profile = audited_save(
        actor=actor,
        instance=profile,
        m2m={"languages": list(languages), "sectors": list(sectors), "sites": list(sites), "tags": tag_rows},
    )
    MentorDimension.objects.filter(mentor=profile).exclude(dimension__in=dimensions).delete()
    for dimension in dimensions:
        MentorDimension.objects.get_or_create(mentor=profile, dimension=dimension)
    return profile


def reviewers_of(profile: MentorProfile) -> list:
    """Who may approve `profile`: the managers of the sites it serves, and head office."""
    users = get_user_model().objects.filter(is_active=True)
    managers = users.filter(
        site_memberships__site__in=profile.sites.all(), site_memberships__role__in=roles_with(MANAGE)
    )
    return list((managers | users.filter(role=Role.HEAD_OFFICE)).distinct())


def may_review(user, profile: MentorProfile) -> bool:
    if user.pk == profile.user_id:  # nobody approves their own profile
        return False
    if user.is_head_office:
        return True
    return SiteMembership.objects.filter(user=user, role__in=roles_with(MANAGE), site__in=profile.sites.all()).exists()


@transaction.atomic
def profile_submit(*, actor, profile: MentorProfile) -> MentorProfile:
    """Ask for approval; the reviewers are told by email."""
    if profile.status not in (ProfileStatus.DRAFT, ProfileStatus.REJECTED):
        raise Conflict(_("This profile is not a draft: there is nothing to submit."))
    # One-off windows in the past are no availability.
    if not profile.weekly_rules.exists() and not profile.extra_windows.ahead(timezone.localdate()).exists():
        raise Conflict(_("Add at least one availability window before you submit your profile."))
    before = instance_values(profile)
    profile.status = ProfileStatus.PENDING
    profile.submitted_at = timezone.now()
    profile.save(update_fields=["status", "submitted_at", "updated_at"])
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, instance=profile, before=before)
    review_url = settings.PORTAL_URL + reverse("mentors:review_list")
    for reviewer in reviewers_of(profile):
        subject, body = email_render(
            template="mentors/email/profile_submitted",
            context={"profile": profile, "reviewer": reviewer, "review_url": review_url},
            language=reviewer.language,
        )
        email_send_on_commit(to=[reviewer.email], subject=subject, body=body)
    return profile


class Decision:
    APPROVE = "approve"
    REQUEST_CHANGES = "request_changes"
    SUSPEND = "suspend"


@transaction.atomic
def profile_review(*, actor, profile: MentorProfile, decision: str, note: str = "") -> MentorProfile:
    """Publish a submitted profile, send it back with a note, or suspend a published one
    (head office only). The mentor is told by email."""
    if not may_review(actor, profile):
        raise PermissionDenied
    transitions = {
        Decision.APPROVE: ({ProfileStatus.PENDING, ProfileStatus.SUSPENDED}, ProfileStatus.PUBLISHED),
        Decision.REQUEST_CHANGES: ({ProfileStatus.PENDING}, ProfileStatus.REJECTED),
        Decision.SUSPEND: ({ProfileStatus.PUBLISHED}, ProfileStatus.SUSPENDED),
    }
    if decision not in transitions:
        raise ValidationError({"decision": _("Unknown decision.")})
    allowed_from, new_status = transitions[decision]
    # Head office suspends, and only head office lifts its suspension (a site manager
    # approving a suspended profile would overrule it).
    if (decision == Decision.SUSPEND or profile.status == ProfileStatus.SUSPENDED) and not actor.is_head_office:
        raise PermissionDenied
    if profile.status not in allowed_from:
        raise Conflict(
            _("This profile is “%(status)s”: it cannot be reviewed that way.")
            % {"status": profile.get_status_display()}
        )
    if decision != Decision.APPROVE and not note.strip():
        raise ValidationError({"note": _("Tell the mentor why, so that they can act on it.")})
    before = instance_values(profile)
    profile.status = new_status
    profile.review_note = note.strip()
    profile.reviewed_by = actor
    profile.reviewed_at = timezone.now()
    profile.save(update_fields=["status", "review_note", "reviewed_by", "reviewed_at", "updated_at"])
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, instance=profile, before=before)
    mentor = profile.user
    subject, body = email_render(
        template=f"mentors/email/profile_{decision}",
        context={
            "profile": profile,
            "user": mentor,
            "profile_url": settings.PORTAL_URL + reverse("mentors:my_profile"),
        },
        language=mentor.language,
    )
    email_send_on_commit(to=[mentor.email], subject=subject, body=body)
    return profile


# --- Availability --------------------------------------------------------------------
def _check_window_site(profile: MentorProfile, window) -> None:
    if window.meeting_site_id and not profile.sites.filter(pk=window.meeting_site_id).exists():
        raise ValidationError({"meeting_site": _("Choose one of the sites where you meet startups in person.")})


@transaction.atomic
def weekly_rule_save(*, actor, rule: WeeklyRule) -> WeeklyRule:
    _check_window_site(rule.mentor, rule)
    return audited_save(actor=actor, instance=rule)


@transaction.atomic
def extra_window_save(*, actor, window: ExtraWindow) -> ExtraWindow:
    if window.date and window.date < timezone.localdate():
        raise ValidationError({"date": _("This date is in the past.")})
    _check_window_site(window.mentor, window)
    return audited_save(actor=actor, instance=window)


@transaction.atomic
def blocked_period_save(*, actor, period: BlockedPeriod) -> BlockedPeriod:
    """Block dates. Bookings already made on those dates stay: the mentor cancels them
    one by one, with a word for the startup."""
    return audited_save(actor=actor, instance=period)


@transaction.atomic
def availability_delete(*, actor, instance: WeeklyRule | ExtraWindow | BlockedPeriod) -> None:
    audited_delete(actor=actor, instance=instance)


# --- Bookings ------------------------------------------------------------------------
def _locked_mentor(mentor: MentorProfile) -> MentorProfile:
    return lock_row(
        MentorProfile.objects.select_related("user"),
        mentor.pk,
        busy_message=_("This mentor's agenda is being booked right now: please try again in a moment."),
    )


def _notify(booking: Booking, template: str, *, with_ics: bool = False, to_mentor=True, to_startup=True, extra=None):
    """Email the mentor and the startup's booker (or its founders), each in their language."""
    recipients = []
    if to_mentor:
        recipients.append((booking.mentor.user, "mentor"))
    if to_startup:
        if booking.booked_by_id and booking.booked_by.is_active:
            recipients.append((booking.booked_by, "startup"))
        else:
            for member in StartupMember.objects.filter(startup=booking.startup_id, role="founder").select_related(
                "user"
            ):
                recipients.append((member.user, "startup"))
    for user, side in recipients:
        url_name = "mentors:agenda_detail" if side == "mentor" else "mentors:my_booking"
        context = {
            "booking": booking,
            "user": user,
            "side": side,
            "url": settings.PORTAL_URL + reverse(url_name, kwargs={"pk": booking.pk}),
            **(extra or {}),
        }
        subject, body = email_render(template=f"mentors/email/{template}", context=context, language=user.language)
        attachments = []
        if with_ics:
            with override(user.language):
                attachments.append(("mentoring.ics", ics.calendar([ics.booking_event(booking)]), "text/calendar"))
        email_send_on_commit(to=[user.email], subject=subject, body=body, attachments=attachments)


@transaction.atomic
def booking_create(
    *,
    actor,
    mentor: MentorProfile,
    startup: Startup,
    start: datetime.datetime,
    topic: str,
    questions: str = "",
    mode: str | None = None,
    now: datetime.datetime | None = None,
) -> Booking:
    """Book the free slot of `mentor` starting at `start` (in `mode`, when a video and an
    in-person window offer the same time) for `startup` (whose team `actor` is in), at the
    startup's home site. Both sides get a confirmation with a calendar file."""
    if not StartupMember.objects.filter(startup=startup, user=actor).exists():
        raise PermissionDenied
    site = startup_home_site(startup)
    if site is None:
        raise PermissionDenied(_("Only startups admitted at a Technopark site can book a mentor."))
    if not topic.strip():
        raise ValidationError({"topic": _("Say in a few words what you want to talk about.")})
    booking = _book(
        mentor=mentor,
        startup=startup,
        site=site,
        booked_by=actor,
        start=start,
        topic=topic.strip(),
        questions=questions.strip(),
        mode=mode,
        now=now,
    )
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, instance=booking)
    _notify(booking, "booking_confirmed", with_ics=True)
    return booking


def _book(*, mentor, startup, site, booked_by, start, topic, questions, now, mode=None, rescheduled_from=None):
    """The slot must still be free once the mentor's row is locked: notice, buffer, blocked
    dates and the monthly quota per startup all apply, and it is at most MAX_RANGE_DAYS
    ahead (the farthest the pages and the API show). An attempt that cannot succeed is
    refused by one query first, so that losers of a race neither queue for the lock nor
    expand the mentor's availability."""
    if start > (now or timezone.now()) + datetime.timedelta(days=MAX_RANGE_DAYS):
        raise Conflict(_("Sessions can be booked at most %(days)d days ahead.") % {"days": MAX_RANGE_DAYS})
    refuse_early(mentor=mentor, startup=startup, start=start)
    mentor = _locked_mentor(mentor)
    if not mentor.is_published or not mentor.user.is_active:
        raise closed()
    # The quota before the slot, in the order `refuse_early` checks them: the same answer.
    check_quota(mentor=mentor, startup=startup, start=start)
    slot = find_slot(mentor, start, mode=mode, now=now)
    if slot is None:
        raise not_free()
    try:
        with transaction.atomic():
            return Booking.objects.create(
                mentor=mentor,
                site=site,
                startup=startup,
                booked_by=booked_by,
                starts_at=slot.start,
                ends_at=slot.end,
                mode=slot.mode,
                meeting_site_id=slot.site_id,
                topic=topic,
                questions=questions,
                rescheduled_from=rescheduled_from,
            )
    except IntegrityError as error:  # committed meanwhile by a request that did not queue
        raise Conflict(_("This slot has just been taken: choose another one.")) from error


def _cancel(*, actor, booking: Booking, reason: str) -> Booking:
    before = instance_values(booking)
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = timezone.now()
    booking.cancelled_by = actor
    booking.cancel_reason = reason.strip()[:300]
    booking.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason"])
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, instance=booking, before=before)
    return booking


def _changeable(actor, booking: Booking) -> Booking:
    """Lock the mentor then re-read the booking; refuse when it is not the actor's to change
    or it is too late."""
    _locked_mentor(booking.mentor)
    booking = Booking.objects.select_related("mentor__user", "startup", "booked_by", "meeting_site").get(pk=booking.pk)
    if not booking_roles(actor, booking) & {"mentor", "startup", "site_manager"}:
        raise PermissionDenied
    if booking.status != BookingStatus.CONFIRMED:
        raise Conflict(_("This booking is already cancelled."))
    if not can_change(booking):
        hours = int(CANCEL_CUTOFF.total_seconds() // 3600)
        raise Conflict(
            _("Bookings can be cancelled or moved until %(hours)d hours before they start.") % {"hours": hours}
        )
    return booking


@transaction.atomic
def booking_cancel(*, actor, booking: Booking, reason: str = "") -> Booking:
    """Cancel by either side (or the site's managers) up to the cut-off; the others are told."""
    booking = _changeable(actor, booking)
    booking = _cancel(actor=actor, booking=booking, reason=reason)
    _notify(
        booking,
        "booking_cancelled",
        to_mentor=actor.pk != booking.mentor.user_id,
        to_startup=actor.pk != booking.booked_by_id,
    )
    return booking


@transaction.atomic
def booking_reschedule(*, actor, booking: Booking, start: datetime.datetime, mode=None, now=None) -> Booking:
    """Move a booking to another free slot of the same mentor, by either side up to the
    cut-off: the old one is cancelled and a new one made in the same transaction (if the new
    slot is not free, nothing changes). The startup must still be admitted somewhere."""
    booking = _changeable(actor, booking)
    if startup_home_site(booking.startup) is None:
        raise Conflict(_("This startup is no longer admitted at a Technopark site: the session cannot be moved."))
    old = _cancel(actor=actor, booking=booking, reason=_("Moved to another time."))
    new = _book(
        mentor=old.mentor,
        startup=old.startup,
        site=old.site,
        booked_by=old.booked_by,
        start=start,
        topic=old.topic,
        questions=old.questions,
        mode=mode,
        now=now,
        rescheduled_from=old,
    )
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, instance=new)
    _notify(new, "booking_rescheduled", with_ics=True, extra={"old": old})
    return new


def _after_start(booking: Booking, message: str) -> None:
    if booking.status != BookingStatus.CONFIRMED:
        raise Conflict(_("This booking was cancelled."))
    if booking.starts_at > timezone.now():
        raise Conflict(message)


@transaction.atomic
def booking_note(*, actor, booking: Booking, note: str) -> Booking:
    """The mentor's notes, once the session has started; seen by the startup and its site team."""
    if "mentor" not in booking_roles(actor, booking):
        raise PermissionDenied
    _after_start(booking, _("You can write notes once the session has started."))
    before = instance_values(booking)
    booking.note = note.strip()
    booking.note_updated_at = timezone.now()
    if booking.attendance == Attendance.UNKNOWN:
        booking.attendance = Attendance.HELD
        booking.attendance_marked_by = actor
    booking.full_clean(validate_unique=False, validate_constraints=False)
    booking.save(update_fields=["note", "note_updated_at", "attendance", "attendance_marked_by"])
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, instance=booking, before=before)
    return booking


@transaction.atomic
def booking_rate(*, actor, booking: Booking, rating: int, comment: str = "") -> Booking:
    """The startup rates the session once it is over (and may revise its rating)."""
    if "startup" not in booking_roles(actor, booking):
        raise PermissionDenied
    _after_start(booking, _("You can rate the session once it is over."))
    if booking.ends_at > timezone.now():
        raise Conflict(_("You can rate the session once it is over."))
    if booking.attendance in (Attendance.STARTUP_NO_SHOW, Attendance.MENTOR_NO_SHOW):
        raise Conflict(_("This session did not take place: there is nothing to rate."))
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": _("Give a rating from 1 to 5.")})
    before = instance_values(booking)
    booking.rating = rating
    booking.rating_comment = comment.strip()[:2000]
    booking.rated_at = timezone.now()
    booking.save(update_fields=["rating", "rating_comment", "rated_at"])
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, instance=booking, before=before)
    return booking


@transaction.atomic
def booking_mark_attendance(*, actor, booking: Booking, attendance: str) -> Booking:
    """Either side records what happened once the session has started: the mentor may say
    it was held or the startup did not come; the startup that it was held or the mentor
    did not come. The site's managers (and head office) may record any of these; the
    site's read-only roles (committee, team) none."""
    roles = booking_roles(actor, booking)
    allowed = set()
    if "mentor" in roles:
        allowed |= {Attendance.HELD, Attendance.STARTUP_NO_SHOW}
    if "startup" in roles:
        allowed |= {Attendance.HELD, Attendance.MENTOR_NO_SHOW}
    if "site_manager" in roles:
        allowed |= {Attendance.HELD, Attendance.STARTUP_NO_SHOW, Attendance.MENTOR_NO_SHOW, Attendance.UNKNOWN}
    if not allowed:
        raise PermissionDenied
    if attendance not in allowed:
        raise ValidationError({"attendance": _("You cannot record that for this session.")})
    _after_start(booking, _("Attendance can be recorded once the session has started."))
    before = instance_values(booking)
    booking.attendance = attendance
    booking.attendance_marked_by = actor
    booking.save(update_fields=["attendance", "attendance_marked_by"])
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, instance=booking, before=before)
    return booking


@transaction.atomic
def booking_remind(*, booking: Booking) -> bool:
    """Email the 24-hour reminder to both sides, once (the row is locked and `reminded_at`
    set in the same transaction as the emails are queued). Returns whether it was sent.
    Call inside the scope in which the booking was found."""
    booking = lock_row(
        Booking.objects.select_related("mentor__user", "startup", "booked_by", "meeting_site"),
        booking.pk,
        busy_message=_("Many people are booking right now: please try again in a moment."),
    )
    if (
        booking.reminded_at is not None
        or booking.status != BookingStatus.CONFIRMED
        or booking.starts_at <= timezone.now()
    ):
        return False
    booking.reminded_at = timezone.now()
    booking.save(update_fields=["reminded_at"])
    _notify(booking, "booking_reminder")
    return True

"""Every write of the services app. Seats are decided by the database: the session row is
locked for the whole registration or cancellation, so concurrent requests queue up and
can never oversell; a request that waits too long for the lock gets a Conflict (409)."""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from core.audit import audited_save
from core.emails import email_render, email_send_on_commit
from core.errors import Conflict
from core.locking import lock_row

from . import ics
from .extensions import session_places
from .models import (
    Attendance,
    Registration,
    RegistrationStatus,
    Service,
    ServiceSession,
    SessionStatus,
)
from .selectors import backoffice as backoffice_selectors
from .selectors import partners as partners_selectors

LOCK_TIMEOUT = "5s"


def _locked_session(session: ServiceSession) -> ServiceSession:
    """The session row, locked until the transaction ends. Call inside the scope in which
    `session` was found (network sessions: `network_scope()`)."""
    return lock_row(
        ServiceSession.objects.select_related("service"),
        session.pk,
        busy_message=_("Many people are registering right now: please try again in a moment."),
        timeout=LOCK_TIMEOUT,
    )


def _notify(registration: Registration, template: str, *, with_ics: bool = False) -> None:
    session = registration.session
    cancel_url = settings.PORTAL_URL + reverse("services:registration_cancel", kwargs={"token": registration.token})
    context = {"registration": registration, "session": session, "service": session.service, "cancel_url": cancel_url}
    subject, body = email_render(template=f"services/email/{template}", context=context, language=registration.language)
    attachments = []
    if with_ics:
        with override(registration.language):
            content = ics.calendar([ics.session_event(session, with_link=True)])
        attachments.append(("session.ics", content, "text/calendar"))
    email_send_on_commit(to=[registration.email], subject=subject, body=body, attachments=attachments)


@transaction.atomic
def service_save(*, actor, service: Service, languages) -> Service:
    return audited_save(actor=actor, instance=service, m2m={"languages": languages})


KEEP_PLACE = object()  # `session_save(place_id=…)` default: the session keeps the place it holds


@transaction.atomic
def session_save(*, actor, session: ServiceSession, place_id=KEEP_PLACE) -> ServiceSession:
    """Save a session; at a site with rooms (services.extensions), `place_id` is the room it
    holds (None: an outside venue, in the free-text place). A room taken at that time is a
    Conflict naming what holds it, and nothing is saved."""
    session.site_id = session.service.site_id
    created = session._state.adding
    previous_seats = None if created else ServiceSession.objects.get(pk=session.pk).seats
    session = audited_save(actor=actor, instance=session)
    places = session_places()
    if places is not None and session.site_id is not None:
        if place_id is KEEP_PLACE:
            place_id = None if created else places.current(session)
        places.hold(actor=actor, session=session, place_id=place_id)
    if not created and session.seats > previous_seats:
        waitlist_promote(session=session)  # more seats: the waitlist moves up
    return session


@transaction.atomic
def registration_create(
    *, session: ServiceSession, name: str, email: str, language: str, user=None, startup=None, organisation: str = ""
) -> Registration:
    """A seat if one is left, else a place on the waitlist. Eligibility is the caller's
    check (it depends on who asks); capacity, deadline and duplicates are decided here."""
    session = _locked_session(session)
    if not session.is_open_for_registration():
        raise Conflict(_("Registration for this session is closed."))
    email = email.strip().lower()
    live = backoffice_selectors.live_registrations(session=session)
    if live.filter(email=email).exists():
        raise Conflict(_("You are already registered for this session."))
    confirmed = live.filter(status=RegistrationStatus.CONFIRMED).count()
    status = RegistrationStatus.CONFIRMED if confirmed < session.seats else RegistrationStatus.WAITLISTED
    registration = Registration.objects.create(
        session=session,
        site_id=session.site_id,
        user=user,
        startup=startup,
        name=name.strip(),
        email=email,
        organisation=organisation.strip(),
        language=language,
        status=status,
        waitlisted_at=timezone.now() if status == RegistrationStatus.WAITLISTED else None,
    )
    if status == RegistrationStatus.CONFIRMED:
        _notify(registration, "registration_confirmed", with_ics=True)
    else:
        _notify(registration, "registration_waitlisted")
    return registration


@transaction.atomic
def registration_cancel(*, registration: Registration) -> Registration:
    """Free the seat (or the waitlist place); the next waitlisted person gets the seat."""
    _locked_session(registration.session)
    registration = Registration.objects.select_related("session__service").get(pk=registration.pk)
    if registration.status == RegistrationStatus.CANCELLED:
        raise Conflict(_("This registration is already cancelled."))
    if registration.session.starts_at <= timezone.now():
        raise Conflict(_("The session has started: it can no longer be cancelled."))
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["status", "cancelled_at"])
    waitlist_promote(session=registration.session)
    return registration


@transaction.atomic
def waitlist_promote(*, session: ServiceSession) -> list[Registration]:
    """Give free seats to the waitlist, in order. Running it again changes nothing."""
    session = _locked_session(session)
    if session.status != SessionStatus.SCHEDULED:
        return []
    confirmed = backoffice_selectors.session_confirmed_count(session=session)
    promoted = []
    for registration in backoffice_selectors.waitlist(session=session)[: max(0, session.seats - confirmed)]:
        registration.status = RegistrationStatus.CONFIRMED
        registration.save(update_fields=["status"])
        _notify(registration, "registration_promoted", with_ics=True)
        promoted.append(registration)
    return promoted


@transaction.atomic
def session_cancel(*, actor, session: ServiceSession, reason: str) -> ServiceSession:
    """Cancel a session and tell everyone registered (confirmed or waitlisted)."""
    session = _locked_session(session)
    if session.status == SessionStatus.CANCELLED:
        raise Conflict(_("This session is already cancelled."))
    if not reason.strip():
        from django.core.exceptions import ValidationError

        raise ValidationError({"cancel_reason": _("Tell the participants why the session is cancelled.")})
    session.status = SessionStatus.CANCELLED
    session.cancel_reason = reason
    audited_save(actor=actor, instance=session)
    places = session_places()
    if places is not None:
        places.release(actor=actor, session=session)  # the room is free again
    for registration in backoffice_selectors.live_registrations(session=session):
        _notify(registration, "session_cancelled")
    return session


def attendance_is_open(*, session: ServiceSession, now=None) -> bool:
    """Whether attendance may be taken: from the session's start on (the page hides its
    buttons before, `attendance_mark` refuses)."""
    return (now or timezone.now()) >= session.starts_at


@transaction.atomic
def attendance_mark(*, actor, registration: Registration, attendance: str) -> Registration:
    """Record whether a confirmed participant came (present: checked in now), from the
    session's start on: a mark taken before is a slip. Clearing a mark is always allowed."""
    from django.core.exceptions import ValidationError

    from core.formatting import format_datetime

    if attendance not in (Attendance.PRESENT, Attendance.NO_SHOW, Attendance.UNKNOWN):
        raise Conflict(_("Unknown attendance value."))
    if registration.status != RegistrationStatus.CONFIRMED:
        raise Conflict(_("Only confirmed participants are on the attendance list."))
    session = registration.session
    if attendance != Attendance.UNKNOWN and not attendance_is_open(session=session):
        start = format_datetime(session.starts_at)
        raise ValidationError(
            _("Attendance can be taken once the session has started, from %(start)s.") % {"start": start},
            code="not_started",
        )
    registration.attendance = attendance
    registration.checked_in_at = timezone.now() if attendance == Attendance.PRESENT else None
    return audited_save(actor=actor, instance=registration)


@transaction.atomic
def feedback_give(*, registration: Registration, rating: int, comment: str = "") -> Registration:
    """A participant rates a session they attended, once it is over (they may revise it)."""
    if registration.status != RegistrationStatus.CONFIRMED or registration.attendance == Attendance.NO_SHOW:
        raise Conflict(_("Only participants of the session can rate it."))
    if registration.session.ends_at > timezone.now():
        raise Conflict(_("You can rate the session once it is over."))
    if not 1 <= int(rating) <= 5:
        from django.core.exceptions import ValidationError

        raise ValidationError({"rating": _("Give a rating from 1 to 5.")})
    registration.rating = int(rating)
    registration.comment = comment
    registration.save(update_fields=["rating", "comment"])
    return registration


# --- back-office area ---
@transaction.atomic
def session_mark_held(*, actor, session: ServiceSession) -> ServiceSession:
    """Record that a scheduled session took place, once it is over: its attendance then
    counts in the service's attendance rate."""
    session = _locked_session(session)
    if session.status != SessionStatus.SCHEDULED:
        raise Conflict(_("Only a scheduled session can be marked as held."))
    if session.ends_at > timezone.now():
        raise Conflict(_("The session is not over yet: mark it as held once it has ended."))
    session.status = SessionStatus.HELD
    return audited_save(actor=actor, instance=session)


# --- partners area ---
# Partners, programmes and their cohorts, partner incubators, their managers and their
# incubated startups. Callers run these in the scope where they found the rows: the site's
# scope for a site's programme, `network_scope()` for a network one, the incubator's scope
# (or head office's) for incubations.
import datetime  # noqa: E402

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.exceptions import ValidationError  # noqa: E402

from accounts.models import Role  # noqa: E402
from core.audit import audit_record, audited_delete  # noqa: E402
from core.models import AuditEntry  # noqa: E402
from sites.models import Incubator, IncubatorMembership, Partner  # noqa: E402
from startups.models import Startup  # noqa: E402

from .models import IncubatedStartup, Programme, ProgrammeParticipant  # noqa: E402


@transaction.atomic
def partner_save(*, actor, partner: Partner) -> Partner:
    return audited_save(actor=actor, instance=partner)


@transaction.atomic
def programme_save(*, actor, programme: Programme, partners, incubators, services) -> Programme:
    """Create or change a programme. A site's programme groups that site's services and the
    incubators affiliated to it; a network programme (no site) the network's services."""
    errors = {}
    if programme.starts_on and programme.ends_on and programme.ends_on < programme.starts_on:
        errors["ends_on"] = _("The programme cannot end before it starts.")
    if any(service.site_id != programme.site_id for service in services):
        errors["services"] = _("A programme only groups services of its own site (or the network's).")
    if programme.site_id and any(incubator.affiliated_site_id != programme.site_id for incubator in incubators):
        errors["incubators"] = _("Only incubators affiliated to this site can take part.")
    if errors:
        raise ValidationError(errors)
    return audited_save(
        actor=actor,
        instance=programme,
        m2m={"partners": list(partners), "incubators": list(incubators), "services": list(services)},
    )


@transaction.atomic
def programme_participant_add(
    *, actor, programme: Programme, startup: Startup, joined_on: datetime.date | None = None
) -> ProgrammeParticipant:
    if ProgrammeParticipant.objects.filter(programme=programme, startup=startup).exists():
        raise Conflict(_("%(startup)s is already in this programme's cohort.") % {"startup": startup})
    if not partners_selectors.may_join_cohort(programme=programme, startup=startup):
        raise Conflict(_("Only startups admitted at the programme's site can join its cohort."))
    participant = ProgrammeParticipant(
        programme=programme, site_id=programme.site_id, startup=startup, joined_on=joined_on or timezone.localdate()
    )
    return audited_save(actor=actor, instance=participant)


@transaction.atomic
def programme_participant_remove(*, actor, participant: ProgrammeParticipant) -> None:
    audited_delete(actor=actor, instance=participant)


@transaction.atomic
def incubator_save(*, actor, incubator: Incubator) -> Incubator:
    return audited_save(actor=actor, instance=incubator)


def _role_change(*, actor, user, role: str) -> None:
    before = user.role
    user.role = role
    user.save(update_fields=["role"])
    audit_record(
        actor=actor, action=AuditEntry.Action.UPDATE, instance=user, before={"role": before}, after={"role": role}
    )


@transaction.atomic
def incubator_membership_grant(*, actor, incubator: Incubator, user) -> IncubatorMembership:
    """Make `user` a manager of `incubator` and tell them by email once committed.

    A plain founder account (no startup team) becomes a "partner" account, so that the
    portal lands them on the partner space; anyone else keeps their role (a founder who
    also runs an incubator stays a founder: the incubator back-office is reached through
    the membership, not the role)."""
    if partners_selectors.is_incubator_manager(incubator=incubator, user=user):
        raise Conflict(_("This person already manages this incubator."))
    membership = audited_save(actor=actor, instance=IncubatorMembership(incubator=incubator, user=user))
    if user.role == Role.FOUNDER and not user.startup_memberships.exists():
        _role_change(actor=actor, user=user, role=Role.PARTNER)
    manage_url = settings.PORTAL_URL + reverse("services:incubator_home", kwargs={"incubator_slug": incubator.slug})
    subject, body = email_render(
        template="services/partners/email/incubator_manager_granted",
        context={"incubator": incubator, "user": user, "manage_url": manage_url},
        language=user.language,
    )
    email_send_on_commit(to=[user.email], subject=subject, body=body)
    return membership


@transaction.atomic
def incubator_membership_revoke(*, actor, membership: IncubatorMembership) -> None:
    """Remove a manager; a "partner" account left with no incubator becomes a founder one."""
    user = get_user_model().objects.get(pk=membership.user_id)
    audited_delete(actor=actor, instance=membership)
    if user.role == Role.PARTNER and not IncubatorMembership.objects.filter(user=user).exists():
        _role_change(actor=actor, user=user, role=Role.FOUNDER)


@transaction.atomic
def incubation_add(*, actor, incubator: Incubator, startup: Startup, since: datetime.date) -> IncubatedStartup:
    """`startup` is incubated by `incubator` from `since` (not in the future)."""
    if since > timezone.localdate():
        raise ValidationError({"since": _("The incubation cannot start in the future.")})
    if IncubatedStartup.objects.filter(incubator=incubator, startup=startup, until__isnull=True).exists():
        raise Conflict(_("%(startup)s is already incubated here.") % {"startup": startup})
    if IncubatedStartup.objects.filter(incubator=incubator, startup=startup, since=since).exists():
        raise Conflict(_("An incubation of %(startup)s already starts on that day.") % {"startup": startup})
    return audited_save(actor=actor, instance=IncubatedStartup(incubator=incubator, startup=startup, since=since))


@transaction.atomic
def incubation_end(*, actor, incubation: IncubatedStartup, until: datetime.date | None = None) -> IncubatedStartup:
    until = until or timezone.localdate()
    if incubation.until is not None:
        raise Conflict(_("This incubation has already ended."))
    if until < incubation.since:
        raise ValidationError({"until": _("An incubation cannot end before it starts.")})
    incubation.until = until
    return audited_save(actor=actor, instance=incubation)


# --- catalogue area ---
@transaction.atomic
def registration_remind(*, registration: Registration) -> bool:
    """Email the 24-hour reminder of a confirmed seat, once: the row is locked and
    `reminded_at` set in the same transaction as the email is queued (sent on commit), so a
    second run, or a concurrent one, sends nothing. Returns whether a reminder was sent.
    Call inside the scope in which the registration was found (`network_scope()`)."""
    registration = (
        Registration.objects.select_for_update(of=("self",)).select_related("session__service").get(pk=registration.pk)
    )
    session = registration.session
    if (
        registration.reminded_at is not None
        or registration.status != RegistrationStatus.CONFIRMED
        or session.status != SessionStatus.SCHEDULED
        or session.starts_at <= timezone.now()
    ):
        return False
    registration.reminded_at = timezone.now()
    registration.save(update_fields=["reminded_at"])
    _notify(registration, "session_reminder")
    return True


@transaction.atomic
def calendar_token_regenerate(*, user):
    """A new secret for the user's calendar feed: the old feed URL stops working."""
    import secrets

    user.calendar_token = secrets.token_urlsafe(32)
    user.save(update_fields=["calendar_token"])
    return user

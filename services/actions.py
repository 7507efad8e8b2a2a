"""Every write of the services app. Seats are decided by the database: the session row is
locked for the whole registration or cancellation, so concurrent requests queue up and
can never oversell; a request that waits too long for the lock gets a Conflict (409)."""

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from technopark.audit import audited_save
from technopark.emails import email_render, email_send_on_commit
from technopark.errors import Conflict

from . import ics
from .models import (
    Attendance,
    Registration,
    RegistrationStatus,
    Service,
    ServiceSession,
    SessionStatus,
)
from .selectors import waitlist

LOCK_TIMEOUT = "5s"


def _locked_session(session: ServiceSession) -> ServiceSession:
    """The session row, locked until the transaction ends. Call inside the scope in which
    `session` was found (network sessions: `network_scope()`)."""
    try:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        return ServiceSession.objects.select_for_update().select_related("service").get(pk=session.pk)
    except OperationalError as error:  # lock timeout (PostgreSQL) or busy database (SQLite)
        raise Conflict(_("Many people are registering right now: please try again in a moment.")) from error


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


@transaction.atomic
def session_save(*, actor, session: ServiceSession) -> ServiceSession:
    session.site_id = session.service.site_id
    created = session._state.adding
    previous_seats = None if created else ServiceSession.objects.get(pk=session.pk).seats
    session = audited_save(actor=actor, instance=session)
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
    live = Registration.objects.filter(session=session).exclude(status=RegistrationStatus.CANCELLED)
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
    confirmed = Registration.objects.filter(session=session, status=RegistrationStatus.CONFIRMED).count()
    promoted = []
    for registration in waitlist(session)[: max(0, session.seats - confirmed)]:
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
    for registration in Registration.objects.filter(session=session).exclude(status=RegistrationStatus.CANCELLED):
        _notify(registration, "session_cancelled")
    return session


@transaction.atomic
def attendance_mark(*, actor, registration: Registration, attendance: str) -> Registration:
    if attendance not in (Attendance.PRESENT, Attendance.NO_SHOW, Attendance.UNKNOWN):
        raise Conflict(_("Unknown attendance value."))
    if registration.status != RegistrationStatus.CONFIRMED:
        raise Conflict(_("Only confirmed participants are on the attendance list."))
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

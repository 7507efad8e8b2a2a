"""A person's data in the services app, for accounts.privacy (law 09-08): their session
registrations. Registered in ServicesConfig.ready()."""

from django.utils import timezone

from accounts.extensions import PersonalData

from .actions import registration_cancel
from .models import Registration, RegistrationStatus

ANONYMOUS_NAME = "—"  # what a session's check-in list shows for a deleted participant


def _when(value):
    return value.isoformat() if value else None


def export(user) -> dict:
    registrations = (
        Registration.objects.filter(user=user)
        .select_related("session__service", "startup")
        .order_by("created_at", "pk")
    )
    return {
        "service_registrations": [
            {
                "service": registration.session.service.title,
                "session_starts_at": _when(registration.session.starts_at),
                "startup": str(registration.startup) if registration.startup else None,
                "name": registration.name,
                "email": registration.email,
                "organisation": registration.organisation,
                "status": registration.status,
                "registered_at": _when(registration.created_at),
                "cancelled_at": _when(registration.cancelled_at),
                "attendance": registration.attendance,
                "rating": registration.rating,
                "comment": registration.comment,
            }
            for registration in registrations
        ],
    }


def cancel_upcoming(user) -> None:
    """Their seats and waitlist places in sessions to come (the waitlist moves up)."""
    registrations = Registration.objects.filter(
        user=user,
        status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED],
        session__starts_at__gt=timezone.now(),
    ).order_by("pk")
    for registration in registrations.select_related("session"):
        registration_cancel(registration=registration)


def anonymise(user, new_email: str) -> None:
    """Past registrations stay (attendance counts), without the person's name."""
    Registration.objects.filter(user=user).update(name=ANONYMOUS_NAME, email=new_email, organisation="")


PART = PersonalData(export=export, cancel_upcoming=cancel_upcoming, anonymise=anonymise)

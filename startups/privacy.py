"""A person's data in the startups app, for accounts.privacy (law 09-08): their team
memberships and the applications they wrote. Registered in StartupsConfig.ready()."""

from accounts.extensions import PersonalData

from .models import Application, StartupMember


def _when(value):
    return value.isoformat() if value else None


def export(user) -> dict:
    memberships = StartupMember.objects.filter(user=user).select_related("startup").order_by("joined_at", "pk")
    applications = (
        Application.objects.filter(created_by=user)
        .select_related("call", "startup", "site")
        .order_by("created_at", "pk")
    )
    return {
        "startup_memberships": [
            {"startup": str(member.startup), "role": member.role, "joined_at": _when(member.joined_at)}
            for member in memberships
        ],
        "applications": [
            {
                "call": application.call.title,
                "startup": str(application.startup),
                "site": application.site.name,
                "status": application.status,
                "answers": application.answers,
                "pitch_deck": application.pitch_deck.name or None,
                "created_at": _when(application.created_at),
                "submitted_at": _when(application.submitted_at),
                "decided_at": _when(application.decided_at),
                "decision": application.decision,
            }
            for application in applications
        ],
    }


def anonymise(user, new_email: str) -> None:
    """No longer a member of any team; the startups and their history stay."""
    StartupMember.objects.filter(user=user).delete()


PART = PersonalData(export=export, anonymise=anonymise)

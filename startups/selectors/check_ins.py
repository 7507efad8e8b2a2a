"""The yearly alumni check-in: what its signed link opens, and a site's answers."""

from dataclasses import dataclass, field

from django.db.models import QuerySet

from ..check_in_links import CheckInLink
from ..models import Admission, AlumniCheckIn, Declaration, Startup, StartupMember, TeamRole


@dataclass
class CheckInTarget:
    """What a check-in link opens: its startup and founder, the year, the answer given
    already (if any), the year's declaration (if any), and the admissions it was followed
    through (with their sites)."""

    startup: Startup
    user: object
    fiscal_year: int
    check_in: AlumniCheckIn | None
    declaration: Declaration | None
    admissions: list[Admission] = field(default_factory=list)


def check_in_target(link: CheckInLink) -> CheckInTarget | None:
    """The target of a genuine link, filtered on its startup; None when its founder is no
    longer an active founder of that startup (the link goes with the role). The admissions
    are site-owned: call inside a scope that covers the startup's sites (`network_scope`)."""
    member = (
        StartupMember.objects.filter(
            startup_id=link.startup_id, user_id=link.user_id, role=TeamRole.FOUNDER, user__is_active=True
        )
        .select_related("startup", "user")
        .first()
    )
    if member is None:
        return None
    startup = member.startup
    return CheckInTarget(
        startup=startup,
        user=member.user,
        fiscal_year=link.fiscal_year,
        check_in=AlumniCheckIn.objects.filter(startup=startup, fiscal_year=link.fiscal_year).first(),
        declaration=Declaration.objects.filter(startup=startup, fiscal_year=link.fiscal_year).first(),
        admissions=list(Admission.objects.filter(startup=startup).select_related("site").order_by("-starts_on")),
    )


def check_ins_for_site(*, fiscal_year: int) -> QuerySet[AlumniCheckIn]:
    """`fiscal_year`'s check-ins of the startups admitted (now or before) at the scope's
    site, with who answered, by name."""
    return (
        AlumniCheckIn.objects.filter(fiscal_year=fiscal_year, startup__in=Admission.objects.values("startup"))
        .select_related("startup", "answered_by")
        .order_by("startup__legal_name", "pk")
    )

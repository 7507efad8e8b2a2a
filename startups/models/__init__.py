"""Startups and their journey through the network: calls, applications, committee review,
admissions (residency or e-Technopark membership), offices and yearly declarations.

A startup is not site-owned: it keeps one record across e-Technopark → residency → another
site → alumni. What a site sees of it goes through its admissions and applications, which
are site-owned (scoped). Declarations belong to the startup.

The models live in one module per subject; everything is re-exported here so that
`from startups.models import X` keeps working and Django finds every model.
"""

from .applications import (
    OPEN_STATUSES,
    AdmissionKind,
    Application,
    ApplicationEvent,
    ApplicationStatus,
    Call,
    Criterion,
    Decision,
    Review,
    Score,
)
from .check_ins import AlumniCheckIn, RevenueBand
from .declarations import Declaration, DeclarationReminder
from .import_jobs import ImportJob
from .residencies import Admission, ExitReason, Office, OfficeAllocation, Renewal, admission_active_q
from .startup import (
    LegalForm,
    Stage,
    Startup,
    StartupInvitation,
    StartupMember,
    TeamRole,
    _invitation_token,  # named by migration 0001 as startups.models._invitation_token
)

__all__ = [
    "OPEN_STATUSES",
    "Admission",
    "AlumniCheckIn",
    "admission_active_q",
    "AdmissionKind",
    "Application",
    "ApplicationEvent",
    "ApplicationStatus",
    "Call",
    "Criterion",
    "Decision",
    "Declaration",
    "DeclarationReminder",
    "ExitReason",
    "ImportJob",
    "LegalForm",
    "Office",
    "OfficeAllocation",
    "Renewal",
    "RevenueBand",
    "Review",
    "Score",
    "Stage",
    "Startup",
    "StartupInvitation",
    "StartupMember",
    "TeamRole",
    "_invitation_token",
]

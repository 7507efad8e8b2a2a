"""Reads of attestations (issue 22): what a startup may have attested, its attestations, a
site's, and what the public verification page may say about a code.

A startup's attestations and what it may attest span sites (and the network's e-Technopark
programmes, which no site owns): those reads open the network-wide scope and filter on the
startup explicitly, once the caller checked the person is in its team (or works where it
is). The verification page reads one attestation by its code, network-wide: the code is
unguessable and signed (passport.codes), and the page shows only what the attestation
states (tests/sites/test_wide_scopes.py)."""

import datetime
from dataclasses import dataclass

from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone

from services.models import Attendance, Programme, ProgrammeParticipant, Registration, RegistrationStatus
from sites.scoping import managed_site_ids, network_scope
from startups.models import Admission, Startup, StartupMember

from . import codes
from .models import Credential, CredentialKind


class State:
    VALID = "valid"
    ENDED = "ended"  # a residency or membership attested as ongoing has ended since
    REVOKED = "revoked"
    NOT_VALID = "not_valid"  # no such code: forged, altered, mistyped


@dataclass(frozen=True)
class Verification:
    state: str
    credential: Credential | None = None
    ended_on: datetime.date | None = None

    @property
    def shows_statement(self) -> bool:
        """A revoked attestation, like an unknown code, shows nothing of what it stated."""
        return self.state in (State.VALID, State.ENDED)


def credential_state(credential: Credential, *, today: datetime.date | None = None) -> Verification:
    """What an attestation is worth `today` (its admission read with it, see the queries)."""
    today = today or timezone.localdate()
    if credential.revoked_at is not None:
        return Verification(State.REVOKED, credential)
    admission = credential.admission
    if credential.ongoing and admission is not None and admission.ended_on is not None and admission.ended_on <= today:
        return Verification(State.ENDED, credential, ended_on=admission.ended_on)
    return Verification(State.VALID, credential)


def _with_subject(credentials: QuerySet[Credential]) -> QuerySet[Credential]:
    """With what their statement and skills read (passport.statements): no query per row."""
    return credentials.select_related(
        "site", "admission", "programme", "startup", "registration__session__service"
    ).prefetch_related("programme__services")


def verification(text: str, *, today: datetime.date | None = None) -> Verification:
    """The verification of a typed or scanned code: NOT_VALID for anything not issued here,
    without reading the database when its signature is wrong."""
    code = codes.normalized(text)
    if code is None or not codes.is_authentic(code):
        return Verification(State.NOT_VALID)
    with network_scope():  # one attestation, found by its unguessable code
        credential = _with_subject(Credential.objects.filter(code=code)).first()
    if credential is None:
        return Verification(State.NOT_VALID)
    return credential_state(credential, today=today)


def startup_credentials(startup: Startup, *, site_ids: list[int] | None = None) -> list[Credential]:
    """`startup`'s attestations, newest first: all of them, or those issued by `site_ids`
    (a site's staff see their sites' only)."""
    with network_scope():  # one startup's own attestations, filtered on it (and on the sites given)
        credentials = _with_subject(Credential.objects.filter(startup=startup))
        if site_ids is not None:
            credentials = credentials.filter(site__in=site_ids)
        return list(credentials)


def startup_credential(startup: Startup, pk: int) -> Credential | None:
    with network_scope():  # one of a startup's own attestations, filtered on it
        return _with_subject(Credential.objects.filter(startup=startup, pk=pk)).first()


@dataclass(frozen=True)
class Subject:
    """Something a startup may have attested: a residency or membership that started, or a
    programme it takes part in."""

    key: str  # "admission-12", "programme-3": the form's choice
    admission: Admission | None = None
    participation: ProgrammeParticipant | None = None


def attestable_subjects(startup: Startup, *, today: datetime.date | None = None) -> list[Subject]:
    """The residencies and memberships of `startup` that started (newest first), then the
    programmes it takes part in."""
    today = today or timezone.localdate()
    with network_scope():  # one startup's own admissions and programmes, on every site
        admissions = Admission.objects.filter(startup=startup, starts_on__lte=today).select_related("site")
        participations = ProgrammeParticipant.objects.filter(startup=startup).select_related(
            "programme", "programme__site"
        )
        subjects = [Subject(f"admission-{admission.pk}", admission=admission) for admission in admissions]
        subjects += [
            Subject(f"programme-{participation.pk}", participation=participation)
            for participation in participations.order_by("-programme__starts_on", "pk")
        ]
    return subjects


def site_credentials(*, kind: str = "", state: str = "", search: str = "") -> QuerySet[Credential]:
    """The attestations of the request's site (its scope), newest first, filtered."""
    credentials = _with_subject(Credential.objects.all())
    if kind in CredentialKind.values:
        credentials = credentials.filter(kind=kind)
    if state == State.REVOKED:
        credentials = credentials.filter(revoked_at__isnull=False)
    elif state == State.VALID:
        credentials = credentials.filter(revoked_at__isnull=True)
    search = search.strip()
    if search:
        code = codes.normalized(search)
        credentials = credentials.filter(
            Q(startup_name__icontains=search) | Q(holder_name__icontains=search) | Q(code=code or "-")
        )
    return credentials


def credentials_visible_to(user, startup_id: int) -> list[Credential] | None:
    """A startup's attestations as `user` may read them: all of them for its team and head
    office; for the staff of a site where it was admitted, those their sites issued; None
    (a 404) for anyone else, and for a startup that does not exist."""
    startup = Startup.objects.filter(pk=startup_id).first()
    if startup is None or not user.is_authenticated:
        return None
    if user.is_head_office or StartupMember.objects.filter(user=user, startup=startup).exists():
        return startup_credentials(startup)
    site_ids = managed_site_ids(user)
    with network_scope():  # whether the startup was admitted at one of the user's sites
        admitted_here = Admission.objects.filter(startup=startup, site__in=site_ids).exists()
    return startup_credentials(startup, site_ids=site_ids) if admitted_here else None


# --- Certificates due (passport.actions.certificates_issue, run by the hourly task) ----------
def _attended(now: datetime.datetime) -> QuerySet[Registration]:
    """Startups' members checked in at a session that is over."""
    return Registration.objects.filter(
        status=RegistrationStatus.CONFIRMED,
        attendance=Attendance.PRESENT,
        startup__isnull=False,
        session__ends_at__lte=now,
    )


def attendances_to_certify(now: datetime.datetime) -> QuerySet[Registration]:
    """Attendances of a session over without their certificate yet. Read inside the task's
    network-wide scope."""
    certified = Credential.objects.filter(kind=CredentialKind.ATTENDANCE).values("registration")
    return (
        _attended(now)
        .exclude(pk__in=certified)
        .select_related("session__service", "session__site", "startup")
        .order_by("session__ends_at", "pk")
    )


def attendance_certificates_withdrawn() -> QuerySet[Credential]:
    """Certificates of attendance still valid whose attendance was corrected since (the
    participant was not there after all, or their seat was cancelled)."""
    return (
        Credential.objects.filter(kind=CredentialKind.ATTENDANCE, revoked_at__isnull=True)
        .exclude(registration__attendance=Attendance.PRESENT, registration__status=RegistrationStatus.CONFIRMED)
        .order_by("pk")
    )


def completions_to_certify(now: datetime.datetime) -> list[ProgrammeParticipant]:
    """Participants of a programme with services whose startup attended, within the
    programme's dates, a session of each of them, and have no certificate of completion yet.
    Three queries, whatever the number of programmes."""
    participants = list(
        ProgrammeParticipant.objects.exclude(
            pk__in=ProgrammeParticipant.objects.filter(
                startup__credentials__kind=CredentialKind.COMPLETION,
                startup__credentials__programme=models.F("programme"),
            ).values("pk")
        ).select_related("programme", "startup")
    )
    if not participants:
        return []
    programmes = {participant.programme_id for participant in participants}
    required: dict[int, set[int]] = {}
    for programme_id, service_id in Programme.services.through.objects.filter(programme_id__in=programmes).values_list(
        "programme_id", "service_id"
    ):
        required.setdefault(programme_id, set()).add(service_id)
    startups = {participant.startup_id for participant in participants}
    services = set().union(*required.values()) if required else set()
    attended: dict[int, list[tuple[int, datetime.date]]] = {}
    rows = _attended(now).filter(startup__in=startups, session__service__in=services)
    for startup_id, service_id, starts_at in rows.values_list(
        "startup_id", "session__service_id", "session__starts_at"
    ):
        attended.setdefault(startup_id, []).append((service_id, timezone.localtime(starts_at).date()))
    due = []
    for participant in participants:
        programme, needed = participant.programme, required.get(participant.programme_id)
        if not needed:
            continue
        done = {
            service
            for service, day in attended.get(participant.startup_id, [])
            if programme.starts_on <= day <= programme.ends_on
        }
        if needed <= done:
            due.append(participant)
    return due

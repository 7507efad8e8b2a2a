"""Query counts of attestations' lists (issue 22, tests/querycount.py): a site's attestations,
a startup's (its page and the API) issue as many queries for 50 rows as for 1. Rows are of
every kind and state: a residency ongoing or ended since, a membership, a programme run by
the site or by the network, revoked or not."""

import datetime

import pytest
from django.utils import timezone

from passport.actions import attestation_issue, certificates_issue, credential_revoke
from passport.models import Credential
from services.models import ProgrammeParticipant
from startups.models import AdmissionKind
from tests.factories import (
    AdmissionFactory,
    ProgrammeFactory,
    RegistrationFactory,
    ServiceFactory,
    ServiceSessionFactory,
    StartupFactory,
    StartupMemberFactory,
)
from tests.querycount import ListRoute, api_results, check_list_route, row_name

TODAY = datetime.date.today()


def _attest(ctx, index: int, *, startup, site, past: bool = False):
    """Row `index`'s attestation for `startup`, its subject chosen by the row (`past`: of
    admissions over before the attestation, so that one startup may have many)."""
    kind = (index + 3) % 4  # row 0 is a programme's: its services are read (prefetched) from the first row on
    if index % 6 == 5:  # a certificate of attendance (its session and service read along)
        session = ServiceSessionFactory(
            service=ServiceFactory(site=site, title=row_name(index)),
            starts_at=timezone.now() - datetime.timedelta(days=1, hours=index),
        )
        RegistrationFactory(session=session, startup=startup, attendance="present")
        certificates_issue()
        return Credential.objects.get(kind="attendance", registration__session=session)
    if kind in (0, 1, 2):
        starts_on = datetime.date(2020, 1, 1) + datetime.timedelta(days=20 * index)
        admission = AdmissionFactory(
            startup=startup,
            site=site,
            kind=AdmissionKind.ETECHNOPARK if kind == 2 else AdmissionKind.RESIDENT,
            starts_on=starts_on,
            ended_on=starts_on + datetime.timedelta(days=10) if past else None,
            exit_reason="graduated" if past else "",
        )
        credential, _new = attestation_issue(actor=None, startup=startup, language="fr", admission=admission)
        if kind == 1 and not past:  # the residency ended after the attestation
            admission.ended_on, admission.exit_reason = TODAY, "graduated"
            admission.save()
    else:
        # The network runs some of a startup's programmes (not listed by a site, which did not issue them).
        network = past and index % 8 == 7
        programme = ProgrammeFactory(site=None if network else site, title=row_name(index))
        participation = ProgrammeParticipant.objects.create(programme=programme, site=programme.site, startup=startup)
        credential, _new = attestation_issue(actor=None, startup=startup, language="ar", participation=participation)
    if index % 5 == 4:
        credential_revoke(actor=None, credential=credential, reason="Erreur")
    return credential


def site_row(ctx, index: int):
    return _attest(ctx, index, startup=StartupFactory(legal_name=row_name(index)), site=ctx.site_a)


def founder_setup(ctx) -> dict:
    startup = StartupFactory(legal_name="Atlas")
    StartupMemberFactory(startup=startup, user=ctx.founder_a)
    return {"startup": startup}


def founder_row(ctx, index: int):
    """One more attestation of founder_a's startup, at site A or B."""
    return _attest(ctx, index, startup=ctx.startup, site=(ctx.site_a, ctx.site_b)[index % 2], past=True)


def attestation_rows(text: str) -> set[int]:
    """The rows of a startup's attestations page (they are not named after the rows)."""
    return set(range(text.count('<tr id="attestation-')))


ROUTES = [
    ListRoute("passport:manage_list", "/manage/site-a/attestations/", "manager_a", site_row),
    ListRoute(
        "passport:attestations",
        "/startups/{startup}/attestations/",
        "founder_a",
        founder_row,
        founder_setup,
        seen=attestation_rows,
    ),
    ListRoute(
        "api:startup_documents",
        "/api/v1/startups/{startup}/documents/",
        "founder_a",
        founder_row,
        founder_setup,
        seen=api_results,
    ),
]


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.test_id)
def test_list_queries_do_not_grow_with_rows(route, client, personas, site_a, site_b):
    check_list_route(route, client=client, personas=personas, site_a=site_a, site_b=site_b)

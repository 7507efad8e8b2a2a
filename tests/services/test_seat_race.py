"""A session is never oversold, even under concurrent requests: 30 admitted founders race
through the HTTP API for 10 seats (real threads, real commits, on PostgreSQL). Exactly 10
are confirmed, the others waitlisted (a 409 would be lock contention: allowed, never a
500); then 10 parallel cancellations hand exactly 10 seats to the waitlist, in order."""

import threading

import pytest
from django.db import connection, connections, transaction
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from core.errors import Conflict
from services import actions
from services.models import Registration, RegistrationStatus, ServiceSession
from sites.scoping import network_scope
from tests.factories import (
    AdmissionFactory,
    ServiceFactory,
    ServiceSessionFactory,
    SiteFactory,
    StartupMemberFactory,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency proof needs PostgreSQL"),
]

SEATS = 10
PEOPLE = 30


def _founders(site, count: int) -> list:
    """`count` founders, each of a startup admitted at `site`."""
    users = []
    for _ in range(count):
        member = StartupMemberFactory()
        AdmissionFactory(startup=member.startup, site=site)
        users.append(member.user)
    return users


def _race(jobs) -> list:
    """Run every `job()` in its own thread, all released at once; their results in order of
    completion (an unexpected exception is a result too: it would have been a 500)."""
    barrier = threading.Barrier(len(jobs))
    results = []
    lock = threading.Lock()

    def run(job):
        try:
            barrier.wait()
            result = job()
        except Exception as error:
            result = ("error", repr(error))
        finally:
            connections.close_all()
        with lock:
            results.append(result)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    return results


def _post(user, url):
    def job():
        client = APIClient()
        client.force_authenticate(user=user)
        response = client.post(url, {}, format="json")
        return response.status_code, response.json()

    return job


def _registrations(session):
    with scopes_disabled():
        return list(Registration.objects.filter(session=session).order_by("pk"))


def _assert_no_server_errors(results):
    assert not [result for result in results if result[0] == "error" or result[0] >= 500], results
    assert {code for code, _body in results} <= {200, 201, 409}, results


def test_thirty_founders_race_for_ten_seats_then_ten_cancel():
    with scopes_disabled():
        site = SiteFactory()
        session = ServiceSessionFactory(service=ServiceFactory(site=site), seats=SEATS)
        users = _founders(site, PEOPLE)

    results = _race([_post(user, f"/api/v1/sessions/{session.pk}/register/") for user in users])
    _assert_no_server_errors(results)
    created = [body for code, body in results if code == 201]
    conflicts = [body for code, body in results if code == 409]
    assert all(set(body) == {"detail"} for body in conflicts)  # a clear message, to retry
    confirmed_answers = [body for body in created if body["status"] == "confirmed"]
    assert len(confirmed_answers) == min(SEATS, len(created))
    assert len(created) - len(confirmed_answers) == len([b for b in created if b["status"] == "waitlisted"])
    rows = _registrations(session)
    assert len(rows) == len(created)
    assert len({row.email for row in rows}) == len(rows)  # nobody twice
    confirmed = [row for row in rows if row.status == RegistrationStatus.CONFIRMED]
    waitlisted = sorted(
        (row for row in rows if row.status == RegistrationStatus.WAITLISTED), key=lambda r: (r.waitlisted_at, r.pk)
    )
    assert len(confirmed) == SEATS  # never more, and never fewer while people wait
    assert {row.pk for row in confirmed} == {body["id"] for body in confirmed_answers}
    assert len(waitlisted) == PEOPLE - SEATS - len(conflicts)
    # The waitlist positions handed out are 1…n, each once.
    positions = sorted(body["waitlist_position"] for body in created if body["status"] == "waitlisted")
    assert positions == list(range(1, len(waitlisted) + 1))

    # Ten confirmed participants cancel at once: the first ten on the waitlist move up.
    owners = {user.pk: user for user in users}
    cancels = _race([_post(owners[row.user_id], f"/api/v1/registrations/{row.pk}/cancel/") for row in confirmed])
    _assert_no_server_errors(cancels)
    cancelled = [body["id"] for code, body in cancels if code == 200]
    assert len(cancelled) == len(cancels) - len([1 for code, _body in cancels if code == 409])
    after = {row.pk: row for row in _registrations(session)}
    assert {pk for pk, row in after.items() if row.status == RegistrationStatus.CANCELLED} == set(cancelled)
    now_confirmed = {pk for pk, row in after.items() if row.status == RegistrationStatus.CONFIRMED}
    promoted = [row.pk for row in waitlisted[: len(cancelled)]]
    assert len(now_confirmed) == min(SEATS, SEATS - len(cancelled) + len(waitlisted))
    assert now_confirmed == {row.pk for row in confirmed} - set(cancelled) | set(promoted)  # in waitlist order
    still_waiting = [row.pk for row in waitlisted[len(cancelled) :]]
    assert [pk for pk in still_waiting if after[pk].status == RegistrationStatus.WAITLISTED] == still_waiting


def test_network_session_race_through_the_actions():
    """The e-Technopark offer (no site), through the actions in the network scope."""
    with scopes_disabled():
        site = SiteFactory()
        session = ServiceSessionFactory(service=ServiceFactory(site=None), seats=SEATS)
        users = _founders(site, PEOPLE)

    def register(user):
        def job():
            try:
                with network_scope():
                    registration = actions.registration_create(
                        session=session, name=user.full_name, email=user.email, language="fr", user=user
                    )
            except Conflict:  # lock contention: allowed
                return "conflict"
            return registration.status

        return job

    outcomes = _race([register(user) for user in users])
    assert not [outcome for outcome in outcomes if isinstance(outcome, tuple)], outcomes
    assert outcomes.count(RegistrationStatus.CONFIRMED) == SEATS
    assert outcomes.count(RegistrationStatus.WAITLISTED) == PEOPLE - SEATS - outcomes.count("conflict")
    with scopes_disabled():
        assert Registration.objects.filter(session=session, status=RegistrationStatus.CONFIRMED).count() == SEATS


def test_lock_contention_is_a_clear_409(monkeypatch):
    """While another transaction holds the session row, a registration waits for the lock,
    then gives up with a 409 (not a 500) and registers nothing."""
    monkeypatch.setattr(actions, "LOCK_TIMEOUT", "200ms")
    with scopes_disabled():
        site = SiteFactory()
        session = ServiceSessionFactory(service=ServiceFactory(site=site), seats=SEATS)
        (user,) = _founders(site, 1)
    holding, release = threading.Event(), threading.Event()

    def hold_the_row():
        try:
            with transaction.atomic(), scopes_disabled():
                ServiceSession.objects.select_for_update().get(pk=session.pk)
                holding.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    try:
        assert holding.wait(timeout=30)
        client = APIClient()
        client.force_authenticate(user=user)
        response = client.post(f"/api/v1/sessions/{session.pk}/register/", {}, format="json")
    finally:
        release.set()
        holder.join(timeout=30)
    assert response.status_code == 409
    assert set(response.json()) == {"detail"}
    assert _registrations(session) == []
    # Once the lock is free, the same request goes through.
    response = client.post(f"/api/v1/sessions/{session.pk}/register/", {}, format="json")
    assert response.status_code == 201
    assert response.json()["status"] == "confirmed"

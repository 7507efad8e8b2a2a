"""A person on a session's waitlist sees their place, "Waiting list: position N of M", on "My
registrations" and on the service's page (issue 18): in the order the seats are given
(`backoffice.waitlist`: the time they joined, then the id), as the API's
`waitlist_position`; at a constant number of queries."""

import datetime

import pytest
from django.utils import timezone

from services.models import Registration, RegistrationStatus
from services.selectors import catalogue as catalogue_selectors
from sites.scoping import network_scope
from tests.factories import RegistrationFactory, ServiceFactory, ServiceSessionFactory

pytestmark = pytest.mark.django_db

MINUTE = datetime.timedelta(minutes=1)


def waitlisted(session, *, at, **fields) -> Registration:
    return RegistrationFactory(session=session, status=RegistrationStatus.WAITLISTED, waitlisted_at=at, **fields)


@pytest.fixture
def full_session(unscoped):
    """A one-seat e-Technopark session, its seat taken."""
    session = ServiceSessionFactory(service=ServiceFactory(site=None, title="Pitch clinic"), seats=1)
    RegistrationFactory(session=session)
    return session


def pages(client, session) -> tuple[str, str]:
    client.cookies["django_language"] = "en"
    mine = client.get("/me/registrations/")
    detail = client.get(session.service.get_absolute_url())
    assert mine.status_code == detail.status_code == 200
    return mine.content.decode(), detail.content.decode()


def test_the_place_is_shown_on_both_pages_and_moves_up(client, founder_a, full_session):
    start = timezone.now()
    first = waitlisted(full_session, at=start)
    mine = waitlisted(full_session, at=start + MINUTE, user=founder_a, email=founder_a.email)
    waitlisted(full_session, at=start + 2 * MINUTE)
    client.force_login(founder_a)
    for page in pages(client, full_session):
        assert "Waiting list: position 2 of 3" in page
    Registration.objects.filter(pk=first.pk).update(status=RegistrationStatus.CANCELLED)
    for page in pages(client, full_session):
        assert "Waiting list: position 1 of 2" in page
    # The API numbers the same place.
    with network_scope():
        [api_row] = catalogue_selectors.registrations_of_account(user=founder_a)
    assert (api_row.pk, api_row.waitlist_position) == (mine.pk, 1)


def test_a_tie_on_the_time_is_broken_by_the_id(client, founder_a, full_session):
    same_time = timezone.now()
    waitlisted(full_session, at=same_time)
    waitlisted(full_session, at=same_time, user=founder_a, email=founder_a.email)
    client.force_login(founder_a)
    for page in pages(client, full_session):
        assert "Waiting list: position 2 of 2" in page


def test_a_confirmed_seat_shows_no_waiting_list(client, founder_a, full_session):
    session = ServiceSessionFactory(service=full_session.service, seats=5)
    RegistrationFactory(session=session, user=founder_a, email=founder_a.email)
    waitlisted(full_session, at=timezone.now())  # someone else waits for the other session
    client.force_login(founder_a)
    for page in pages(client, session):
        assert "Waiting list" not in page


def test_a_registration_made_with_the_address_alone_shows_its_place(client, founder_a, full_session):
    waitlisted(full_session, at=timezone.now(), user=None, email=founder_a.email)
    client.force_login(founder_a)
    for page in pages(client, full_session):
        assert "Waiting list: position 1 of 1" in page


def test_the_pages_queries_do_not_grow_with_waitlisted_registrations(
    client, founder_a, full_session, django_assert_max_num_queries
):
    service = full_session.service
    start = timezone.now()

    def wait_for_one_more(index: int) -> None:
        session = ServiceSessionFactory(
            service=service, seats=1, starts_at=full_session.starts_at + datetime.timedelta(days=index)
        )
        RegistrationFactory(session=session)
        waitlisted(session, at=start)
        waitlisted(session, at=start + MINUTE, user=founder_a, email=founder_a.email)

    wait_for_one_more(1)
    client.force_login(founder_a)
    pages(client, full_session)  # warm up: the session, content types
    with django_assert_max_num_queries(30) as mine_one:
        client.get("/me/registrations/")
    with django_assert_max_num_queries(30) as detail_one:
        client.get(service.get_absolute_url())
    for index in range(2, 8):
        wait_for_one_more(index)
    with django_assert_max_num_queries(len(mine_one.captured_queries)):
        mine = client.get("/me/registrations/").content.decode()
    with django_assert_max_num_queries(len(detail_one.captured_queries)):
        detail = client.get(service.get_absolute_url()).content.decode()
    assert mine.count("Waiting list: position 2 of 2") == detail.count("Waiting list: position 2 of 2") == 7

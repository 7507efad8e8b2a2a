"""Alumni keep the figures true (issue 22): the yearly declaration reminders go to every
startup supported in the last five years — residents, e-Technopark members and alumni (left
for any reason but closing down) — once per campaign (a month), and a site's managers see who
has not declared, alumni included, when they were last reminded, and remind them all at once."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from startups import tasks
from startups.actions import declaration_reminders_send
from startups.selectors.declarations import startups_to_remind
from startups.selectors.residents import alumni_since
from tests.factories import AdmissionFactory, DeclarationFactory, StartupFactory, StartupMemberFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]
TODAY = timezone.localdate()
LAST_YEAR = TODAY.year - 1


def _startup(email: str, site, **admission):
    startup = StartupFactory(legal_name=email.split("@")[0])
    StartupMemberFactory(startup=startup, role="founder", user=UserFactory(email=email))
    if admission is not None:
        AdmissionFactory(startup=startup, site=site, **admission)
    return startup


def _ended(days_ago: int, reason: str = "graduated") -> dict:
    return {
        "starts_on": TODAY - datetime.timedelta(days=days_ago + 700),
        "ended_on": TODAY - datetime.timedelta(days=days_ago),
        "exit_reason": reason,
    }


@pytest.fixture
def network(site_a, site_b):
    five_years = (TODAY - alumni_since(TODAY)).days
    _startup("resident@example.ma", site_a, starts_on=TODAY - datetime.timedelta(days=100))
    _startup("graduated@example.ma", site_a, **_ended(1200))
    _startup("relocated@example.ma", site_b, **_ended(30, "relocated"))
    _startup("acquired@example.ma", site_a, **_ended(five_years - 1, "acquired"))
    _startup("too.old@example.ma", site_a, **_ended(five_years + 1))
    _startup("closed.down@example.ma", site_a, **_ended(200, "closed"))
    gone = _startup("closed.since@example.ma", site_b, **_ended(200, "relocated"))
    gone.closed_on = TODAY - datetime.timedelta(days=100)
    gone.save()
    came_back = _startup("came.back@example.ma", site_a, **_ended(400))
    AdmissionFactory(startup=came_back, site=site_a, kind="e-technopark", starts_on=TODAY - datetime.timedelta(days=90))
    declared = _startup("declared@example.ma", site_a, **_ended(60))
    DeclarationFactory(startup=declared, fiscal_year=LAST_YEAR)
    return site_a


REMINDED = [
    "acquired@example.ma",
    "came.back@example.ma",
    "graduated@example.ma",
    "relocated@example.ma",
    "resident@example.ma",
]


def test_every_startup_supported_in_the_last_five_years_is_reminded_once_per_campaign(
    network, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_declaration_reminders() == 5
        assert tasks.send_declaration_reminders() == 0  # the same campaign (month)
    assert sorted(message.to[0] for message in mail.outbox) == REMINDED
    # The next month's campaign reminds them again, each once.
    next_month = (TODAY.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    startups = startups_to_remind(fiscal_year=LAST_YEAR, on=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        assert declaration_reminders_send(startups=startups, fiscal_year=LAST_YEAR, today=next_month) == 5
        assert declaration_reminders_send(startups=startups, fiscal_year=LAST_YEAR, today=next_month) == 0
    assert len(mail.outbox) == 10


def test_a_manager_sees_the_alumni_who_have_not_declared_and_reminds_them_all(
    network, client_for, django_capture_on_commit_callbacks
):
    client = client_for("manager_a")
    client.cookies["django_language"] = "en"
    page = client.get(f"/manage/site-a/declarations/?year={LAST_YEAR}&status=missing").content.decode()
    for name in ("resident", "graduated", "acquired", "came.back"):
        assert f"mailto:{name}@example.ma" in page, name
    for name in ("relocated", "too.old", "closed.down", "declared"):  # another site's, or not followed
        assert f"mailto:{name}@example.ma" not in page, name
    assert "alumnus, left on" in page and "Remind the 4 startups that have not declared" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/manage/site-a/declarations/remind/", {"year": LAST_YEAR})
    assert response.status_code == 302
    assert response["Location"] == f"/manage/site-a/declarations/?year={LAST_YEAR}&status=missing"
    assert sorted(message.to[0] for message in mail.outbox) == [
        "acquired@example.ma",
        "came.back@example.ma",
        "graduated@example.ma",
        "resident@example.ma",
    ]
    page = client.get(response["Location"]).content.decode()
    assert "4 reminders sent" in page and "—</td>\n      </tr>" not in page.split("<tbody>")[1]
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/manage/site-a/declarations/remind/", {"year": "junk"})
    assert len(mail.outbox) == 4  # reminded this month already


def test_read_only_roles_and_other_sites_cannot_send_reminders(network, client_for):
    assert client_for("committee_a").post("/manage/site-a/declarations/remind/").status_code == 403
    assert client_for("manager_b").post("/manage/site-a/declarations/remind/").status_code == 404
    assert client_for("manager_a").get("/manage/site-a/declarations/remind/").status_code == 405
    assert not mail.outbox

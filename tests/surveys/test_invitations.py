"""Who is asked, and only once a year (surveys.selectors.invitations_due, surveys.actions,
surveys.tasks): every startup with a running admission at a site — resident or e-Technopark
member — through its active founders, one invitation per startup, site and year however
many beats run; nothing outside the campaign's months."""

import datetime
import re

import pytest
from django.conf import settings
from django.core import mail
from django_scopes import scopes_disabled

from sites.scoping import network_scope
from surveys import actions, selectors, tasks
from surveys.models import SurveyInvitation
from technopark.celery import app as celery_app
from tests.factories import AdmissionFactory, StartupFactory, StartupMemberFactory, UserFactory

from .survey_setup import founded_startup

pytestmark = pytest.mark.django_db
NOVEMBER = datetime.date(2026, 11, 2)


@pytest.fixture
def startups(site_a, site_b):
    """Who is asked at A in 2026 and who is not."""
    with scopes_disabled():
        resident, founder = founded_startup(site_a, name="Resident")
        StartupMemberFactory(startup=resident, user__email="second.founder@example.ma", user__language="ar")
        StartupMemberFactory(startup=resident, role="member", user__email="member@example.ma")
        StartupMemberFactory(startup=resident, user__email="gone@example.ma", user__is_active=False)
        member, _user = founded_startup(site_a, name="Remote", kind="etechnopark")
        both, _user = founded_startup(site_a, name="Both")
        AdmissionFactory(startup=both, site=site_b)
        # Also resident at A under a second admission of another kind: still asked once for A.
        AdmissionFactory(startup=both, site=site_a, kind="etechnopark")
        founded_startup(site_a, name="Left", ended_on=datetime.date(2026, 6, 30), exit_reason="graduated")
        founded_startup(site_a, name="Later", starts_on=datetime.date(2027, 1, 1))
        closed, _user = founded_startup(site_a, name="Closed")
        closed.closed_on = datetime.date(2026, 9, 1)
        closed.save()
        AdmissionFactory(startup=StartupFactory(brand_name="Nobody"), site=site_a)  # no founder account
    return {"resident": resident, "founder": founder, "member": member, "both": both}


def _send(year: int = 2026, today: datetime.date = NOVEMBER) -> int:
    with network_scope():
        return actions.survey_invitations_send(admissions=selectors.invitations_due(year=year, today=today), year=year)


def _invited() -> set[tuple[str, str, int]]:
    with scopes_disabled():
        return set(SurveyInvitation.objects.values_list("startup__brand_name", "site__slug", "year"))


def test_every_startup_admitted_now_is_asked_once_a_year(startups, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert _send() == 5  # Resident's two active founders, Remote's, Both's twice (A and B)
    # Not Left (gone), Later (not started), Closed, nor Nobody (no founder's account: not
    # counted as asked).
    assert _invited() == {
        ("Resident", "site-a", 2026),
        ("Remote", "site-a", 2026),
        ("Both", "site-a", 2026),
        ("Both", "site-b", 2026),
    }
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert "member@example.ma" not in recipients and "gone@example.ma" not in recipients
    assert "second.founder@example.ma" in recipients and startups["founder"].email in recipients

    # A second run, however late in the campaign: nobody again.
    with django_capture_on_commit_callbacks(execute=True):
        assert _send(today=datetime.date(2026, 12, 30)) == 0
    assert len(mail.outbox) == 5
    # The next year: asked again, and Later, admitted since.
    with django_capture_on_commit_callbacks(execute=True):
        assert _send(year=2027, today=datetime.date(2027, 10, 1)) == 6
    assert len(_invited()) == 9 and ("Later", "site-a", 2027) in _invited()


def test_two_beats_at_once_ask_once(startups, django_capture_on_commit_callbacks):
    with network_scope():
        first = selectors.invitations_due(year=2026, today=NOVEMBER)
        second = selectors.invitations_due(year=2026, today=NOVEMBER)  # read before the first one sent
        with django_capture_on_commit_callbacks(execute=True):
            assert actions.survey_invitations_send(admissions=first, year=2026) == 5
            assert actions.survey_invitations_send(admissions=second, year=2026) == 0
    assert len(mail.outbox) == 5
    with scopes_disabled():
        assert SurveyInvitation.objects.count() == 4


def test_the_email_is_in_the_founders_language_with_their_own_working_link(
    startups, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _send()
    arabic = next(message for message in mail.outbox if message.to == ["second.founder@example.ma"])
    french = next(message for message in mail.outbox if message.to == [startups["founder"].email])
    assert any("\u0600" <= letter <= "\u06ff" for letter in arabic.subject)
    assert "Resident" in french.body and startups["founder"].get_short_name() in french.body
    links = [
        (message.to[0], re.search(r"http://127\.0\.0\.1:8000(/surveys/\S+/)", message.body).group(1))
        for message in mail.outbox
    ]
    assert len({url for _to, url in links}) == 5  # one link per founder and invitation
    assert client.get(dict(links)[startups["founder"].email]).status_code == 200


def test_the_daily_beat_sends_only_during_the_campaign(startups, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr("surveys.tasks.timezone.localdate", lambda *args: datetime.date(2026, 6, 15))
    assert tasks.send_survey_invitations() == 0
    assert not _invited()
    monkeypatch.setattr("surveys.tasks.timezone.localdate", lambda *args: datetime.date(2026, 10, 1))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_survey_invitations.delay().get() == 5
        assert tasks.send_survey_invitations() == 0
    assert {year for _name, _site, year in _invited()} == {2026}


def test_the_beat_schedule_runs_the_task_every_day_of_the_campaign():
    entry = settings.CELERY_BEAT_SCHEDULE["satisfaction-survey-invitations"]
    assert entry["task"] == "surveys.tasks.send_survey_invitations"
    schedule = entry["schedule"]
    assert schedule.month_of_year == {10, 11, 12} and schedule.hour == {10} and len(schedule.day_of_month) == 31
    celery_app.loader.import_default_modules()
    assert entry["task"] in celery_app.tasks


def test_inviting_takes_a_fixed_number_of_queries_per_startup(
    site_a, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    with scopes_disabled():
        for number in range(20):
            founded_startup(site_a, name=f"S{number}")
    # Two reads, then per startup: its claim (a transaction, get-or-insert) and one outbox row.
    with django_assert_max_num_queries(2 + 20 * 7):
        assert _send() == 20


def test_an_unknown_founder_language_still_gets_an_email(site_a, django_capture_on_commit_callbacks):
    with scopes_disabled():
        founded_startup(site_a, founder=UserFactory(language="en"), name="English")
    with django_capture_on_commit_callbacks(execute=True):
        assert _send() == 1
    assert "recommend" in mail.outbox[0].body

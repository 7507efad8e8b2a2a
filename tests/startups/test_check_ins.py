"""The yearly alumni check-in's one-click signed link (issue 22): every declaration reminder
carries one per founder; it opens the startup's check-in for the year without signing in;
an altered, expired, foreign or junk token — or one whose founder has left — gets the same
"not valid" page (404) and reveals nothing; 30 requests per address and quarter of an hour;
never cached, never indexed; the form's validation re-renders with clear messages and
loses nothing."""

import datetime
import re

import pytest
from django.core import mail, signing
from django.utils import timezone

from startups.actions import declaration_reminders_send
from startups.check_in_links import MAX_AGE, SALT, CheckInLink, check_in_link_read, check_in_token
from startups.models import AlumniCheckIn, Declaration, StartupMember
from startups.selectors.declarations import startups_to_remind
from startups.views.check_ins import LIMIT

# Every test here uses the world: built once for the module (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world", "unscoped")]
YEAR = 2023  # a year over, that startup_a has not declared (the world declares 2024)
LAST_YEAR = timezone.localdate().year - 1
TODAY = timezone.localdate()
ANSWER = {
    "still_active": "yes",
    "closed_on": "",
    "direct_jobs": "12",
    "indirect_jobs": "4",
    "revenue_band": "1m_5m",
    "funds_raised_mad": "250,000.50",  # as English writes it (the page is in English)
    "city": "Dakar",
    "country": "SN",
}


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


def _token(world, founder_a, year: int = YEAR) -> str:
    return check_in_token(startup_id=world["startup_a"], fiscal_year=year, user_id=founder_a.pk)


def _url(token: str) -> str:
    return f"/declarations/check-in/{token}/"


def _altered(token: str) -> str:
    value, timestamp, signature = token.split(":")
    return ":".join([value[:-1] + ("A" if value[-1] != "A" else "B"), timestamp, signature])


def _bare(page: str) -> str:
    """A page without what changes from one request to the next (nonces, CSRF tokens)."""
    return re.sub(r'(nonce|value)="[^"]*"', "", page)


# --- The token -------------------------------------------------------------------------------
def test_a_token_carries_the_startup_the_year_and_the_founder(world, founder_a):
    token = _token(world, founder_a)
    assert check_in_link_read(token) == CheckInLink(world["startup_a"], YEAR, founder_a.pk)
    assert "/" not in token and len(token) < 80


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda token: _altered(token), id="altered"),
        pytest.param(lambda token: token[:-2], id="cut"),
        pytest.param(
            lambda token: signing.dumps(signing.loads(token, salt=SALT), salt="accounts.unlock"), id="foreign"
        ),
        pytest.param(lambda token: signing.dumps([1, 2]), id="unsalted"),
        pytest.param(lambda token: "not-a-token", id="junk"),
    ],
)
def test_an_altered_cut_foreign_or_junk_token_reads_as_nothing(world, founder_a, make):
    assert check_in_link_read(make(_token(world, founder_a))) is None


def test_a_token_expires_after_the_campaign(world, founder_a, monkeypatch):
    past = int(timezone.now().timestamp() - MAX_AGE.total_seconds() - 60)
    with monkeypatch.context() as patched:
        patched.setattr(signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(past))
        token = _token(world, founder_a)
    assert check_in_link_read(token) is None


# --- The page ----------------------------------------------------------------------------------
def test_the_link_opens_the_startups_check_in_without_signing_in(en, world, founder_a):
    response = en.get(_url(_token(world, founder_a)))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Yearly check-in 2023" in page and "Atlas Data" in page and "site-a" in page.lower()
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"]
    form = response.context["form"]
    assert form["country"].value() == "MA" and form["still_active"].value() is None


def _invalid_pages(en, world, founder_a, monkeypatch):
    token = _token(world, founder_a)
    past = int(timezone.now().timestamp() - MAX_AGE.total_seconds() - 60)
    with monkeypatch.context() as patched:
        patched.setattr(signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(past))
        expired = _token(world, founder_a)
    member = StartupMember.objects.get(pk=world["member_a"])  # a team member, not a founder
    tokens = {
        "altered": _altered(token),
        "expired": expired,
        "foreign": signing.dumps([world["startup_a"], YEAR, founder_a.pk], salt="accounts.unlock"),
        "not a founder": check_in_token(startup_id=world["startup_a"], fiscal_year=YEAR, user_id=member.user_id),
        "another startup": check_in_token(startup_id=world["startup_b"], fiscal_year=YEAR, user_id=founder_a.pk),
        "junk": "%3Cscript%3E",
    }
    return {how: en.get(_url(value)) for how, value in tokens.items()}


def test_an_invalid_link_gets_the_same_page_and_reveals_nothing(en, world, founder_a, monkeypatch):
    pages = _invalid_pages(en, world, founder_a, monkeypatch)
    bodies = set()
    for how, response in pages.items():
        page = response.content.decode()
        assert response.status_code == 404, how
        assert "This link is not valid." in page, how
        assert response["X-Robots-Tag"] == "noindex, nofollow" and "no-store" in response["Cache-Control"]
        for revealing in ("Atlas", "Souss", "2023", founder_a.full_name, "<script>"):
            assert revealing not in page, (how, revealing)
        bodies.add(_bare(page))
    assert len(bodies) == 1  # one page for every reason


def test_a_founder_who_left_the_startup_loses_the_link(en, world, founder_a):
    token = _token(world, founder_a)
    StartupMember.objects.filter(startup_id=world["startup_a"], user=founder_a).delete()
    assert en.get(_url(token)).status_code == 404
    assert en.post(_url(token), ANSWER).status_code == 404
    assert not AlumniCheckIn.objects.exists()


def test_the_page_is_rate_limited_per_address(en, world, founder_a):
    url = _url(_token(world, founder_a))
    statuses = [en.get(url).status_code for _ in range(LIMIT)]
    assert statuses == [200] * LIMIT
    response = en.get(url)
    assert response.status_code == 429 and response["Retry-After"] == "900"
    assert en.post(url, ANSWER).status_code == 429 and not AlumniCheckIn.objects.exists()
    assert en.get("/declarations/check-in/junk/", REMOTE_ADDR="10.9.9.9").status_code == 404  # another address


# --- The form ----------------------------------------------------------------------------------
def test_an_answer_is_saved_and_shown_again(en, world, founder_a):
    url = _url(_token(world, founder_a))
    response = en.post(url, ANSWER, follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert "Your answer is saved" in response.content.decode()
    check_in = AlumniCheckIn.objects.get()
    assert (check_in.startup_id, check_in.fiscal_year, check_in.answered_by) == (world["startup_a"], YEAR, founder_a)
    assert str(check_in.funds_raised_mad) == "250000.50" and check_in.country.code == "SN"
    form = response.context["form"]
    assert form["still_active"].value() == "yes" and form["city"].value() == "Dakar"


def test_a_startup_that_stopped_answers_without_figures(en, world, founder_a):
    stopped = {"still_active": "no", "closed_on": "2024-03-01", "direct_jobs": "", "indirect_jobs": ""}
    response = en.post(_url(_token(world, founder_a)), {**stopped, "funds_raised_mad": "", "country": ""})
    assert response.status_code == 302
    check_in = AlumniCheckIn.objects.get()
    assert not check_in.still_active and (check_in.direct_jobs, check_in.indirect_jobs) == (0, 0)
    assert check_in.startup.closed_on == datetime.date(2024, 3, 1)


WRONG = [
    ({"still_active": ""}, "still_active", "Tell us whether the startup is still active."),
    ({"still_active": "no", "direct_jobs": "0", "indirect_jobs": "0"}, "closed_on", "Give the date the startup"),
    (
        {"still_active": "no", "closed_on": (TODAY + datetime.timedelta(days=1)).isoformat(), "direct_jobs": "0"},
        "closed_on",
        "cannot be in the future",
    ),
    (
        {"still_active": "no", "closed_on": "2019-12-31", "direct_jobs": "0", "indirect_jobs": "0"},
        "closed_on",
        "before it was founded (Jan. 15, 2020)",
    ),
    ({"still_active": "no", "closed_on": "2024-03-01", "indirect_jobs": "0"}, "direct_jobs", "has no jobs left"),
    ({"closed_on": "2024-03-01"}, "closed_on", "Leave the closing date empty"),
    ({"revenue_band": ""}, "revenue_band", "Choose the band"),
    ({"revenue_band": "billions"}, "revenue_band", "Select a valid choice"),
    ({"country": ""}, "country", "Choose the country"),
    ({"direct_jobs": "-1"}, "direct_jobs", "greater than or equal to 0"),
    ({"funds_raised_mad": "beaucoup"}, "funds_raised_mad", "Enter a number"),
]


@pytest.mark.parametrize(("change", "field", "message"), WRONG)
def test_a_wrong_answer_re_renders_with_its_message_and_loses_nothing(en, world, founder_a, change, field, message):
    response = en.post(_url(_token(world, founder_a)), {**ANSWER, **change})
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field]), form.errors
    assert form["city"].value() == "Dakar" and form["indirect_jobs"].value() == change.get("indirect_jobs", "4")
    assert "Please correct the errors below." in response.content.decode()
    assert not AlumniCheckIn.objects.exists()


def test_the_page_takes_a_fixed_number_of_queries(en, world, founder_a, django_assert_max_num_queries):
    url = _url(_token(world, founder_a))
    en.get(url)  # warm-up: content types, the session
    # The founder (with the startup), the year's answer and declaration, the admissions.
    with django_assert_max_num_queries(5):
        assert en.get(url).status_code == 200
    # Saving: those, the startup locked, the check-in and the estimate (validated, written,
    # audited), in savepoints.
    with django_assert_max_num_queries(26):
        assert en.post(url, ANSWER).status_code == 302


# --- The reminder email ---------------------------------------------------------------------------
def test_each_founder_gets_their_own_working_link_with_the_declarations_link(
    en, world, founder_a, site_a, django_capture_on_commit_callbacks
):
    Declaration.objects.filter(startup_id=world["startup_a"], fiscal_year=LAST_YEAR).delete()
    startups = startups_to_remind(fiscal_year=LAST_YEAR, on=TODAY)
    assert world["startup_a"] in [startup.pk for startup in startups]
    with django_capture_on_commit_callbacks(execute=True):
        declaration_reminders_send(startups=startups, fiscal_year=LAST_YEAR, today=TODAY)
    message = next(message for message in mail.outbox if message.to == [founder_a.email])
    assert f"http://127.0.0.1:8000/startups/{world['startup_a']}/declarations/" in message.body
    links = re.findall(r"http://127\.0\.0\.1:8000(/declarations/check-in/[^/\s]+/)", message.body)
    assert len(links) == 1
    assert check_in_link_read(links[0].split("/")[-2]) == CheckInLink(world["startup_a"], LAST_YEAR, founder_a.pk)
    response = en.get(links[0])
    assert response.status_code == 200 and f"Yearly check-in {LAST_YEAR}" in response.content.decode()
    assert en.post(links[0], ANSWER).status_code == 302
    assert AlumniCheckIn.objects.get().fiscal_year == LAST_YEAR

"""A newcomer's first visit, end to end in a real browser: sign up, confirm the email
address, sign in, switch the portal to Arabic, sign out."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import User

# live_server needs a transactional database anyway: the live server's thread must see the
# test's data and the on_commit email must really be sent. No bypass_csp here: the flow
# runs under the portal's real Content Security Policy.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Zellige-Atlas-2031!"
CONFIRM_LINK = re.compile(r"https?://\S+/accounts/confirm-email/[^/\s]+/")


def csp_errors(console_messages):
    return [
        text
        for kind, text in console_messages
        if kind == "error" and ("Content Security Policy" in text or "Content-Security-Policy" in text)
    ]


def test_newcomer_signs_up_confirms_signs_in_switches_to_arabic_and_signs_out(live_server, page, console_messages):
    base = live_server.url
    email = "salma.bennani@example.ma"

    # --- Sign up --------------------------------------------------------------------
    page.goto(f"{base}/accounts/signup/")
    signup_form = page.locator("main form[action='/accounts/signup/']")
    signup_form.locator("input[name=full_name]").fill("Salma Bennani")
    signup_form.locator("input[name=email]").fill(email)
    signup_form.locator("input[name=password1]").fill(PASSWORD)
    signup_form.locator("input[name=password2]").fill(PASSWORD)
    signup_form.locator("button[type=submit]").click()
    page.wait_for_url(f"{base}/accounts/confirm-email/")

    user = User.objects.get(email=email)
    assert user.full_name == "Salma Bennani"
    assert not user.emailaddress_set.get(email=email).verified

    # --- The verification email (sent by Celery, eagerly, once committed) -------------
    assert len(mail.outbox) == 1, [message.subject for message in mail.outbox]
    message = mail.outbox[0]
    assert message.to == [email]
    match = CONFIRM_LINK.search(message.body)
    assert match, message.body
    confirm_url = match.group(0)
    assert confirm_url.startswith(base), (confirm_url, base)

    # --- Confirm (a button: ACCOUNT_CONFIRM_EMAIL_ON_GET is off) -----------------------
    page.goto(confirm_url)
    assert not user.emailaddress_set.get(email=email).verified, "confirmed on GET"
    # (The form re-signs the key: its action may differ from the link by the timestamp.)
    page.locator("main form[action^='/accounts/confirm-email/'] button[type=submit]").click()
    page.wait_for_url(f"{base}/accounts/login/")
    assert user.emailaddress_set.get(email=email).verified

    # --- Sign in ----------------------------------------------------------------------
    login_form = page.locator("main form[action='/accounts/login/']")
    login_form.locator("input[name=login]").fill(email)
    login_form.locator("input[name=password]").fill(PASSWORD)
    login_form.locator("button[type=submit]").click()
    page.wait_for_url(f"{base}/dashboard/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.locator("header a[href='/profile/']")).to_have_text("Salma")

    # --- Switch to Arabic with the navbar's selector (portal.js submits on change) -----
    page.locator("#language-select").select_option("ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    assert page.url == f"{base}/dashboard/"
    stylesheets = page.locator("link[rel=stylesheet]").evaluate_all("links => links.map(link => link.href)")
    assert any(href.endswith("/vendor/bootstrap/bootstrap.rtl.min.css") for href in stylesheets), stylesheets
    assert not any(href.endswith("/vendor/bootstrap/bootstrap.min.css") for href in stylesheets), stylesheets
    # The RTL stylesheet really applies (it was found and parsed: no 404, not blocked by CSP);
    # waited for, as `dir` is set before a busy machine has finished loading the sheet.
    page.wait_for_function(
        "() => [...document.styleSheets].some(s => s.href && s.href.endsWith('bootstrap.rtl.min.css') && s.cssRules.length > 100)",
        timeout=10_000,
    )
    expect(page.locator("#language-select")).to_have_value("ar")

    # --- Sign out (a POST form in the navbar; allauth may ask to confirm) --------------
    with page.expect_navigation():
        page.locator("header form[action='/accounts/logout/'] button[type=submit]").click()
    if page.url.startswith(f"{base}/accounts/logout/"):
        with page.expect_navigation():
            page.locator("main form[action='/accounts/logout/'] button[type=submit]").click()
    expect(page.locator("header a[href='/accounts/login/']")).to_be_visible()
    expect(page.locator("header form[action='/accounts/logout/']")).to_have_count(0)
    # The session is really gone: the API treats the browser as anonymous.
    assert page.request.get(f"{base}/api/v1/me/").status in (401, 403)
    # The language choice outlives the session (it is a cookie).
    expect(page.locator("html")).to_have_attribute("dir", "rtl")

    assert csp_errors(console_messages) == [], console_messages

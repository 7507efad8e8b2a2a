"""Emails as people read them (issue 18): subjects and plain text never HTML-escaped, an
HTML part in the recipient's language and direction, links to PORTAL_URL, which `make run`
sets to what it serves and the settings validate."""

import os
import runpy
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.test import override_settings

from core.emails import email_render, email_send_on_commit
from core.models import OutboxMessage
from startups.actions.team import invitation_send
from tests.factories import StartupFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]


def _invite(*, brand_name: str, language: str, django_capture_on_commit_callbacks) -> mail.EmailMessage:
    actor = UserFactory(full_name="Salma O'Brien", language=language)
    startup = StartupFactory(brand_name=brand_name)
    with django_capture_on_commit_callbacks(execute=True):
        invitation_send(actor=actor, startup=startup, email="new@example.ma", role="member")
    [message] = mail.outbox
    return message


def _html(message: mail.EmailMultiAlternatives) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


@pytest.mark.django_db
def test_an_apostrophe_stays_an_apostrophe_and_the_email_has_a_text_and_an_html_part(
    django_capture_on_commit_callbacks,
):
    message = _invite(
        brand_name="L'Atelier", language="fr", django_capture_on_commit_callbacks=django_capture_on_commit_callbacks
    )
    assert message.subject == "Rejoignez L'Atelier sur le portail Technopark"
    assert "Salma O'Brien" in message.body and "L'Atelier" in message.body
    assert "&#x27;" not in message.subject + message.body
    html = _html(message)
    assert '<html lang="fr" dir="ltr">' in html
    assert "L&#x27;Atelier" in html  # the same apostrophe, written as HTML writes it
    assert f'<a href="{settings.PORTAL_URL}/">Technopark</a>' in html.replace(
        ' style="color:#ffffff;text-decoration:none;"', ""
    )
    # The link is the portal's, in both parts, clickable in the HTML one.
    [link] = [line for line in message.body.splitlines() if "://" in line]
    assert link.startswith(f"{settings.PORTAL_URL}/startups/invitations/")
    assert f'<a href="{link}" rel="nofollow">{link}</a>' in html


@pytest.mark.django_db
def test_an_arabic_email_is_right_to_left_in_its_html_part(django_capture_on_commit_callbacks):
    message = _invite(
        brand_name="L'Atelier", language="ar", django_capture_on_commit_callbacks=django_capture_on_commit_callbacks
    )
    assert "L'Atelier" in message.subject and "بوابة" in message.subject
    html = _html(message)
    assert '<html lang="ar" dir="rtl">' in html
    assert '<div lang="ar" dir="rtl"' in html  # for the mail clients that drop <html>


@pytest.mark.django_db
def test_what_people_type_is_text_in_the_plain_part_and_escaped_in_the_html_part(django_capture_on_commit_callbacks):
    message = _invite(
        brand_name="<b>Bold</b> & Co",
        language="en",
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
    )
    assert "<b>Bold</b> & Co" in message.subject and "<b>Bold</b> & Co" in message.body
    html = _html(message)
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; Co" in html and "<b>" not in html


@pytest.mark.django_db
def test_the_outbox_keeps_both_parts(django_capture_on_commit_callbacks):
    subject, body = email_render(
        template="startups/email/invitation",
        context={"actor": UserFactory(), "startup": "L'Atelier", "accept_url": "https://x.ma/a"},
        language="fr",
    )
    with django_capture_on_commit_callbacks(execute=True):
        email_send_on_commit(to=["a@example.ma"], subject=subject, body=body)
    [message] = mail.outbox
    assert message.body == body and _html(message) == body.html
    # An explicit HTML part wins; a body written by hand has none unless given one.
    email_send_on_commit(to=["a@example.ma"], subject=subject, body=body, html="<p>x</p>")
    email_send_on_commit(to=["a@example.ma"], subject="S", body="Marhba")
    assert [row.html for row in OutboxMessage.objects.order_by("pk")][1:] == ["<p>x</p>", ""]


def test_an_email_with_an_html_template_uses_it_in_the_portal_layout(tmp_path):
    folder = tmp_path / "demo" / "email"
    folder.mkdir(parents=True)
    (folder / "hello_subject.txt").write_text("{% load i18n %}\n  Bienvenue chez {{ name }}\n")
    (folder / "hello_message.txt").write_text("Bonjour {{ name }} <3")
    (folder / "hello_message.html").write_text(
        '{% extends "email/base.html" %}{% block content %}<p>Bonjour <strong>{{ name }}</strong></p>{% endblock %}'
    )
    templates = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    with override_settings(TEMPLATES=templates):
        subject, body = email_render(template="demo/email/hello", context={"name": "L'Atelier"}, language="ar")
    assert subject == "Bienvenue chez L'Atelier"  # on one line, not escaped
    assert body == "Bonjour L'Atelier <3"
    assert "<p>Bonjour <strong>L&#x27;Atelier</strong></p>" in body.html
    assert '<html lang="ar" dir="rtl">' in body.html and "<title>Bienvenue chez L&#x27;Atelier</title>" in body.html


# --- PORTAL_URL --------------------------------------------------------------------------
def _settings(monkeypatch, portal_url: str) -> dict:
    monkeypatch.setenv("DEBUG", "true")
    monkeypatch.setenv("PORTAL_URL", portal_url)
    monkeypatch.delenv("SENTRY_DSN", raising=False)
    return runpy.run_path(str(ROOT / "technopark" / "settings.py"))


@pytest.mark.parametrize("url", ["https://portal.technopark.ma", "http://0.0.0.0:8101", "https://x.ma/portal"])
def test_portal_url_is_read_from_the_environment(monkeypatch, url):
    assert _settings(monkeypatch, url)["PORTAL_URL"] == url


@pytest.mark.parametrize(
    "url",
    ["https://portal.technopark.ma/", "portal.technopark.ma", "ftp://x.ma", "https://x.ma?a=1", "https://x.ma#a", ""],
)
def test_a_wrong_portal_url_stops_the_start(monkeypatch, url):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="PORTAL_URL"):
        _settings(monkeypatch, url)


@pytest.fixture
def make_run(tmp_path):
    """`make run` with the project's Makefile and a `python` that prints what it was given."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    for name in ("requirements.txt", "requirements-dev.txt"):
        (tmp_path / name).touch()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").write_text('#!/bin/sh\necho "PORTAL_URL=$PORTAL_URL $*"\n')
    (bin_dir / "python").chmod(0o755)
    (bin_dir / ".installed").touch()

    def run(*args: str, **env: str) -> subprocess.CompletedProcess:
        clean = {
            key: value for key, value in os.environ.items() if key not in {"PORTAL_URL", "MAKEFLAGS", "HOST", "PORT"}
        }
        return subprocess.run(
            ["make", "-s", "run", f"BIN={bin_dir}", *args],
            cwd=tmp_path,
            env={**clean, **env},
            capture_output=True,
            text=True,
            timeout=60,
        )

    return run


def test_make_run_links_emails_to_what_it_serves(make_run, tmp_path):
    served = make_run("HOST=0.0.0.0", "PORT=8101")
    assert served.returncode == 0, served.stderr
    assert "PORTAL_URL=http://0.0.0.0:8101 manage.py runserver 0.0.0.0:8101" in served.stdout
    assert "PORTAL_URL=http://0.0.0.0:8101 manage.py migrate --noinput" in served.stdout
    assert "PORTAL_URL=http://127.0.0.1:8000 manage.py runserver 127.0.0.1:8000" in make_run().stdout
    # Set by the person: kept, from the environment or from .env (read by the settings).
    tunnel = make_run("PORT=8101", PORTAL_URL="https://dev.example.ma")
    assert "PORTAL_URL=https://dev.example.ma manage.py runserver 127.0.0.1:8101" in tunnel.stdout
    (tmp_path / ".env").write_text("PORTAL_URL=https://dev.example.ma\n")
    assert "PORTAL_URL= manage.py runserver 127.0.0.1:8000" in make_run().stdout


def test_make_run_explains_host_and_port_to_whoever_gives_the_old_host(make_run):
    result = make_run("HOST=127.0.0.1:8101")
    assert result.returncode != 0
    assert "make run HOST=127.0.0.1 PORT=8101" in result.stdout
    assert "manage.py" not in result.stdout

"""Shared fixtures for the browser tests (Playwright's sync API against `live_server`).

- Playwright's own browser download does not work here: Debian's Chromium is used.
- Browser tests are skipped when that Chromium is missing, unless REQUIRE_BROWSER=1 (CI),
  in which case they fail loudly.
- Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls
  from a thread with a running loop unless DJANGO_ALLOW_ASYNC_UNSAFE is set.
"""

import os

# Must be set before Django's first ORM call in this process. It has to stay set until the
# session ends (Playwright keeps its loop marked as running between sync calls), so child
# processes inherit it: a test that runs `manage.py check --deploy` must drop it from the
# child's environment (Django's async.E001 refuses it in deployment).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def pytest_runtest_setup(item):
    """Runs before any fixture (the session-scoped browser included) is set up."""
    if item.get_closest_marker("browser") is None or CHROMIUM.exists():
        return
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {CHROMIUM} is missing: install Debian's `chromium` package.", pytrace=False)
    pytest.skip(f"{CHROMIUM} is missing (set REQUIRE_BROWSER=1 to make this an error)")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # French first, like most of our visitors; tests switch language explicitly.
    return {**browser_context_args, "locale": "fr-FR"}


@pytest.fixture
def axe_script() -> Path:
    """axe-core comes from npm (package.json); missing it is an error, not a skip."""
    if not AXE_JS.is_file():
        pytest.fail(
            f"{AXE_JS} is missing: run `npm ci` in {AXE_JS.parents[2]} to install axe-core "
            "(pinned in package.json / package-lock.json).",
            pytrace=False,
        )
    return AXE_JS


@pytest.fixture
def console_messages(page):
    """Every console message of `page`, as (type, text), plus uncaught page errors."""
    messages: list[tuple[str, str]] = []
    page.on("console", lambda message: messages.append((message.type, message.text)))
    page.on("pageerror", lambda error: messages.append(("pageerror", str(error))))
    return messages

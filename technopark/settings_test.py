"""The tests' settings (pyproject.toml): the project's, with DEBUG on unless the environment
says otherwise, as on a developer's machine (`make run`). Tests that need production
settings run `manage.py` with DEBUG=false (tests/technopark/test_settings.py)."""

import os

os.environ.setdefault("DEBUG", "true")

from .settings import *  # noqa: E402, F403

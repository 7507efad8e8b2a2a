"""Tasks through a real broker and worker (eager mode would hide serialisation bugs)."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from core.tasks import send_email
from technopark.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a broker: set REDIS_URL")


def test_email_task_is_delivered_by_a_worker(tmp_path):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path),
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "technopark",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--loglevel=warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    celery_app.conf.task_always_eager = False
    try:
        send_email.apply_async(
            kwargs={"to": ["founder@example.ma"], "subject": "Bienvenue", "body": "Marhba", "html": None}, queue=queue
        )
        deadline = time.monotonic() + 60
        # The file backend creates the file before writing to it: wait for its content.
        while time.monotonic() < deadline and not any(path.stat().st_size for path in tmp_path.iterdir()):
            time.sleep(0.2)
        files = list(tmp_path.iterdir())
        assert files, "the worker did not send the email within 60 s"
        content = files[0].read_text()
        assert "Subject: Bienvenue" in content and "founder@example.ma" in content
    finally:
        celery_app.conf.task_always_eager = True
        worker.terminate()
        worker.wait(timeout=30)

"""The Celery wiring against the real broker: a worker started from our settings answers on Redis."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lousihui.celery import app

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.celery
def test_a_worker_started_from_the_project_settings_answers_on_redis() -> None:
    env = {**os.environ, "CELERY_TASK_ALWAYS_EAGER": "0"}
    # Tasks other tests left on the broker (notifications published after commit) would be run by
    # this probe against a database that does not exist, and their error logs fill its unread pipe.
    app.control.purge()
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "lousihui",
            "worker",
            "--pool",
            "solo",
            "-n",
            "ci-probe@%h",
            "-l",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        replies: list[dict] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not replies:
            assert worker.poll() is None, worker.stdout.read() if worker.stdout else "worker exited"
            replies = app.control.ping(timeout=1.0) or []
        assert any(name.startswith("ci-probe@") for reply in replies for name in reply), replies
        assert app.conf.broker_url.startswith("redis://")
        assert app.conf.timezone == "Asia/Shanghai"
        assert app.conf.worker_prefetch_multiplier == 1
    finally:
        worker.terminate()
        worker.wait(timeout=30)

"""The API answers as its schema says (#14): schemathesis against a live server, anonymous and with a token.

gunicorn serves the test database (seeded by `seed_demo`) on a free port, as deployed: DEBUG off, the
production error handlers. `st run` with tests/schemathesis.toml sends it every check, examples, coverage,
fuzzing and the stateful phase (links schemathesis infers from the schema), once anonymous and once with
a superuser's API token. At least 1,000 generated cases in all; any failure fails the test, with
schemathesis' report (and a curl command that reproduces each failure) in the output.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from rest_framework.authtoken.models import Token

CONFIG = Path(__file__).with_name("schemathesis.toml")
BIN = Path(sys.executable).parent
MIN_CASES = 1000
# Far above a run on two loaded cores (under a minute each); only a hung server should reach it.
TIMEOUT_SECONDS = 600

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _database_url() -> str:
    """The test database (committed data: a transactional test), as a URL for the server's settings."""
    db = settings.DATABASES["default"]
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    return f"postgres://{quote(db['USER'], safe='')}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def server() -> Iterator[str]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": url,
        "SECURE_SSL_REDIRECT": "0",  # plain HTTP on the loopback, no proxy in front
        "SECURE_HSTS_SECONDS": "0",
        "EMAIL_URL": "dummymail://",  # notifications are built and "sent" nowhere
        # Notifications of the generated demands are sent in the request, not queued for a worker.
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "LOG_LEVEL": "ERROR",
    }
    command = [str(BIN / "gunicorn"), "lousihui.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
    process = subprocess.Popen(command, env=env, cwd=settings.BASE_DIR, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz/", timeout=2):
                    break
            except OSError:
                assert process.poll() is None, "gunicorn exited"
                assert time.monotonic() < deadline, "gunicorn did not answer within 60 s"
                time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def run_schemathesis(url: str, *options: str) -> int:
    """`st run` against the server's schema; the number of cases generated (all passed)."""
    completed = subprocess.run(
        [str(BIN / "st"), "--config-file", str(CONFIG), "--no-color", "run", f"{url}/api/v1/schema/", *options],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    report = completed.stdout + completed.stderr
    assert completed.returncode == 0, f"schemathesis found failures (exit {completed.returncode}):\n{report}"
    found = re.search(r"(\d+) generated, (\d+) passed", report)
    assert found, f"no summary line in the report:\n{report}"
    generated, passed = int(found.group(1)), int(found.group(2))
    assert passed == generated, report
    return generated


@pytest.fixture
def seeded() -> None:
    call_command("seed_demo", force=True, stdout=io.StringIO())  # DEBUG is off in tests; a throwaway database


def test_the_api_matches_its_schema_anonymous_and_with_a_token(seeded: None, server: str) -> None:
    assert (BIN / "st").exists(), "schemathesis is not installed: pip install -r requirements-dev.txt"
    token = Token.objects.create(user=get_user_model().objects.get(username="admin"))

    anonymous = run_schemathesis(server)
    with_token = run_schemathesis(server, "--header", f"Authorization: Token {token.key}")

    total = anonymous + with_token
    print(f"schemathesis: {total} cases ({anonymous} anonymous, {with_token} with a token), 0 failures")
    assert total >= MIN_CASES

"""The settings contract: embedded default with no environment, loud failure without secrets in production."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PRINT_SETTINGS = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'db': s.DATABASES['default']['ENGINE'], 'cache': s.CACHES['default']['BACKEND'], "
    "'eager': s.CELERY_TASK_ALWAYS_EAGER, 'email': s.EMAIL_BACKEND, 'lang': s.LANGUAGE_CODE, "
    "'tz': s.TIME_ZONE, 'debug': s.DEBUG, 'user': s.AUTH_USER_MODEL}))"
)


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "lousihui.settings",
        "HOME": os.environ.get("HOME", str(ROOT)),
    }
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


def test_no_environment_runs_the_embedded_default() -> None:
    result = run(["-c", PRINT_SETTINGS], {})
    assert result.returncode == 0, result.stderr
    import json

    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "db": "django.db.backends.sqlite3",
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "eager": True,
        "email": "django.core.mail.backends.console.EmailBackend",
        "lang": "zh-hans",
        "tz": "Asia/Shanghai",
        "debug": True,
        "user": "buildings.User",
    }


def test_environment_switches_to_postgres_redis_and_smtp() -> None:
    result = run(
        ["-c", PRINT_SETTINGS],
        {
            "DATABASE_URL": "postgres://u:p@db.example:5432/lousihui",
            "REDIS_URL": "redis://cache.example:6379/1",
            "EMAIL_URL": "smtp+tls://u:p@smtp.example:587",
        },
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "django.db.backends.postgresql" in out
    assert "lousihui.cache.ResilientRedisCache" in out  # Redis, with a local-memory fallback (README "Outages")
    assert '"eager": false' in out
    assert "django.core.mail.backends.smtp.EmailBackend" in out


def test_production_without_secret_key_refuses_to_start_with_a_clear_message() -> None:
    result = run(["manage.py", "check"], {"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_settings_pass_the_deploy_check() -> None:
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        {"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "lousihui.example.com"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_health_endpoint_answers(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}

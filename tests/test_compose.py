"""docker-compose.yml cannot run here (no engine): check that it parses and describes the real stack."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def _command(service: str) -> str:
    command = SERVICES[service]["command"]
    return " ".join(command) if isinstance(command, list) else command


def test_compose_names_the_five_services() -> None:
    assert set(SERVICES) == {"postgres", "redis", "web", "worker", "beat"}


def test_every_service_has_a_health_check() -> None:
    for name, service in SERVICES.items():
        assert service.get("healthcheck", {}).get("test"), f"{name} has no health check"


def test_data_lives_in_named_volumes() -> None:
    assert "postgres-data:/var/lib/postgresql/data" in SERVICES["postgres"]["volumes"]
    assert "redis-data:/data" in SERVICES["redis"]["volumes"]
    assert {"postgres-data", "redis-data", "media"} <= set(COMPOSE["volumes"])


def test_app_services_share_the_configuration_the_settings_read() -> None:
    for name in ("web", "worker", "beat"):
        env = SERVICES[name]["environment"]
        for key in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "EMAIL_URL"):
            assert key in env, f"{name} lacks {key}"
        assert env["DATABASE_URL"].startswith("postgres://") and "@postgres:5432/" in env["DATABASE_URL"]
        assert env["REDIS_URL"].startswith("redis://redis:6379")
        assert env["DEBUG"] == "0"
        assert SERVICES[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert SERVICES[name]["depends_on"]["redis"]["condition"] == "service_healthy"


def test_commands_point_at_real_entry_points() -> None:
    assert "gunicorn lousihui.wsgi:application" in _command("web")
    assert "migrate" in _command("web")
    assert _command("worker").startswith("celery -A lousihui worker")
    assert _command("beat").startswith("celery -A lousihui beat")
    # The modules the commands name exist.
    assert (ROOT / "lousihui" / "wsgi.py").exists()
    assert (ROOT / "lousihui" / "celery.py").exists()


def test_web_health_check_uses_a_real_url() -> None:
    from django.urls import resolve

    test = " ".join(SERVICES["web"]["healthcheck"]["test"])
    assert "/healthz/" in test
    assert resolve("/healthz/").url_name == "healthz"


def test_the_image_is_built_from_the_pinned_requirements() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install -r requirements.txt" in dockerfile
    assert "collectstatic" in dockerfile

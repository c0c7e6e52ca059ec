"""docker-compose.yml cannot run here (no engine): check that it parses and describes the real stack."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def _command(service: str) -> str:
    command = SERVICES[service]["command"]
    return " ".join(command) if isinstance(command, list) else command


def test_compose_names_the_services() -> None:
    assert set(SERVICES) == {"postgres", "redis", "minio", "minio-init", "web", "worker", "beat"}


def test_every_long_running_service_has_a_health_check() -> None:
    for name, service in SERVICES.items():
        if service.get("restart") == "no":
            continue  # one-shot (minio-init): the services after it wait for it to complete
        assert service.get("healthcheck", {}).get("test"), f"{name} has no health check"


def test_data_lives_in_named_volumes() -> None:
    assert "postgres-data:/var/lib/postgresql/data" in SERVICES["postgres"]["volumes"]
    assert "redis-data:/data" in SERVICES["redis"]["volumes"]
    assert "minio-data:/data" in SERVICES["minio"]["volumes"]
    assert {"postgres-data", "redis-data", "minio-data"} <= set(COMPOSE["volumes"])
    # Photos are in the object store, not on a disk only one container sees.
    for name in ("web", "worker"):
        assert not [v for v in SERVICES[name].get("volumes", []) if v.endswith(":/app/media")], name


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
        assert SERVICES[name]["depends_on"]["minio-init"]["condition"] == "service_completed_successfully"


def test_app_services_keep_media_in_minio_under_the_names_the_settings_read() -> None:
    settings_py = (ROOT / "lousihui" / "settings.py").read_text()
    minio = SERVICES["minio"]["environment"]
    for name in ("web", "worker"):
        env = SERVICES[name]["environment"]
        assert env["S3_ENDPOINT_URL"] == "http://minio:9000"
        assert env["S3_BUCKET"] == SERVICES["minio-init"]["environment"]["S3_BUCKET"]
        # The app signs in with the store's credentials, from .env (no password in the file).
        assert env["AWS_ACCESS_KEY_ID"] == minio["MINIO_ROOT_USER"]
        assert env["AWS_SECRET_ACCESS_KEY"] == minio["MINIO_ROOT_PASSWORD"]
        assert ":?" in env["AWS_SECRET_ACCESS_KEY"]
        for key in (k for k in env if k.startswith("S3_")):
            assert f'"{key}"' in settings_py, f"settings.py does not read {key}"


def test_the_bucket_is_created_private_before_the_app_starts() -> None:
    init = SERVICES["minio-init"]
    script = " ".join(init["entrypoint"])
    assert init["depends_on"]["minio"]["condition"] == "service_healthy"
    assert 'mc mb --ignore-existing "store/$$S3_BUCKET"' in script
    assert 'mc anonymous set none "store/$$S3_BUCKET"' in script
    assert SERVICES["minio"]["image"] == init["image"] and "RELEASE." in init["image"]  # pinned, mc inside
    assert "mc ready local" in " ".join(SERVICES["minio"]["healthcheck"]["test"])


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
    assert "token" not in test.lower()  # the bare status (503 when the database is down) is what it needs


def test_the_health_token_reaches_the_app_from_env_not_from_the_file() -> None:
    settings_py = (ROOT / "lousihui" / "settings.py").read_text()
    assert '"HEALTHZ_TOKEN"' in settings_py
    for name in ("web", "worker", "beat"):
        assert SERVICES[name]["environment"]["HEALTHZ_TOKEN"] == "${HEALTHZ_TOKEN:-}"


def test_the_image_is_built_from_the_pinned_requirements() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install -r requirements.txt" in dockerfile
    assert "collectstatic" in dockerfile

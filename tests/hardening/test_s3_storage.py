"""#14 item 18: media on S3-compatible object storage when configured, the local disk otherwise; private
photos stay private. Against moto's S3 server, started here (a real HTTP S3 endpoint)."""

from __future__ import annotations

import html
import io
import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from PIL import Image

from requests_tracker.models import Demand
from tests import factories
from tests.hardening.s3_server import S3Server, moto_s3

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def s3() -> Iterator[S3Server]:
    with moto_s3() as server:
        yield server


@pytest.fixture
def bucket(s3: S3Server, settings, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    """Media in a fresh private bucket; MEDIA_ROOT an empty folder that must stay empty."""
    name = s3.new_bucket()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": s3.storage_settings(name)}
    return name


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


def _submit(client: Client, *, public: bool) -> Demand:
    from django.core.files.uploadedfile import SimpleUploadedFile

    data: dict[str, object] = {
        "category": "delivery",
        "title": "一楼大堂外卖柜门坏了",
        "photos": SimpleUploadedFile("p.jpg", _jpeg(), content_type="image/jpeg"),
    }
    if public:
        data["is_public"] = "on"
    response = client.post("/b/shanghai-tower/submit/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Demand.objects.get(title="一楼大堂外卖柜门坏了")


def _anonymous_get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


# --- the settings ------------------------------------------------------------------------------


def _settings(env: dict[str, str]) -> dict[str, object]:
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "from lousihui.csp import with_media_origins, DEFAULT_POLICY; "
        "print(json.dumps({'default': s.STORAGES['default'], "
        "'csp': with_media_origins(DEFAULT_POLICY, s.MEDIA_ORIGINS)}))"
    )
    base = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "lousihui.settings", "HOME": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_local_disk_stays_the_default_and_s3_is_chosen_by_the_environment() -> None:
    assert _settings({})["default"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    configured = _settings(
        {
            "S3_BUCKET": "lousihui-media",
            "S3_ENDPOINT_URL": "http://minio:9000",
            "S3_PUBLIC_ENDPOINT_URL": "http://localhost:9000",
        }
    )
    default = configured["default"]
    assert isinstance(default, dict)
    assert default["BACKEND"] == "lousihui.storage.MediaStorage"
    options = default["OPTIONS"]
    assert options["bucket_name"] == "lousihui-media" and options["endpoint_url"] == "http://minio:9000"
    assert options["querystring_auth"] is True and options["querystring_expire"] <= 900
    assert options["default_acl"] is None  # never public-read
    # Signed URLs point browsers at the public endpoint: the policy lets those images in, nothing else.
    assert "img-src 'self' data: blob: http://localhost:9000;" in str(configured["csp"])
    assert "img-src 'self' data: blob:;" in str(_settings({})["csp"])


def test_unsigned_media_urls_are_refused(s3: S3Server) -> None:
    from lousihui.storage import MediaStorage

    with pytest.raises(ImproperlyConfigured):
        MediaStorage(**s3.storage_settings("any")["OPTIONS"] | {"querystring_auth": False})
    with pytest.raises(ImproperlyConfigured):
        MediaStorage(**s3.storage_settings("any")["OPTIONS"] | {"custom_domain": "media.example.cn"})


# --- photos in the bucket ----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_submitted_photo_goes_to_the_bucket_and_is_served_by_the_app(
    cast: factories.Cast,
    s3: S3Server,
    bucket: str,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    demand = _submit(Client(), public=True)
    photo = demand.photos.get()
    assert s3.keys(bucket) == [photo.image.name]
    assert photo.image.name.startswith("demand-photos/")
    assert not Path(settings.MEDIA_ROOT).exists() or not any(Path(settings.MEDIA_ROOT).rglob("*"))
    stored = s3.client().get_object(Bucket=bucket, Key=photo.image.name)["Body"].read()

    page = Client().get(reverse("demand-public", args=["shanghai-tower", demand.pk])).content.decode()
    src = reverse("photo-public", args=["shanghai-tower", demand.pk, photo.pk])
    assert src in page
    assert s3.endpoint_url not in page  # the page names the app's route, never the bucket

    response = Client().get(src)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == stored  # type: ignore[attr-defined]
    assert Image.open(io.BytesIO(stored)).format == "JPEG"
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_a_private_photo_is_only_served_to_the_token_holder_and_the_bucket_refuses_strangers(
    cast: factories.Cast, s3: S3Server, bucket: str
) -> None:
    demand = _submit(Client(), public=False)
    photo = demand.photos.get()

    # Not through the public route (the demand is not public)...
    assert Client().get(reverse("photo-public", args=["shanghai-tower", demand.pk, photo.pk])).status_code == 404
    # ...only through the submitter's tracking link, not cached by shared caches.
    track = Client().get(reverse("track", args=[demand.token])).content.decode()
    src = reverse("photo-by-token", args=[demand.token, photo.pk])
    assert src in track and s3.endpoint_url not in track
    response = Client().get(src)
    assert response.status_code == 200 and response["Cache-Control"].startswith("private")

    # The object itself: no grant to everyone, and the store refuses an unsigned request for it.
    grants = s3.client().get_object_acl(Bucket=bucket, Key=photo.image.name)["Grants"]
    assert not [g for g in grants if "AllUsers" in g["Grantee"].get("URI", "")], grants
    assert _anonymous_get(f"{s3.endpoint_url}/{bucket}/{photo.image.name}") == 403


@pytest.mark.django_db
def test_media_urls_are_signed_short_lived_and_work(s3: S3Server, bucket: str) -> None:
    name = default_storage.save("project-photos/2026/12/x.jpg", ContentFile(_jpeg()))
    url = default_storage.url(name)
    query = parse_qs(urlsplit(url).query)
    assert "X-Amz-Signature" in query
    assert int(query["X-Amz-Expires"][0]) == 600
    with urllib.request.urlopen(url, timeout=5) as response:
        assert response.read() == _jpeg()
    # The same address without its signature is refused.
    assert _anonymous_get(url.split("?", 1)[0]) == 403


def test_signed_urls_name_the_public_endpoint_when_browsers_reach_the_store_elsewhere(s3: S3Server) -> None:
    from lousihui.storage import MediaStorage

    storage = MediaStorage(**s3.storage_settings("media")["OPTIONS"] | {"public_endpoint_url": "http://localhost:9000"})
    url = storage.url("project-photos/a b.jpg")
    assert url.startswith("http://localhost:9000/media/project-photos/a%20b.jpg?")
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=600" in url


def test_a_store_that_does_not_answer_fails_fast_instead_of_holding_the_worker(s3: S3Server) -> None:
    """boto3's own defaults (60 s to read, five tries) would outlast gunicorn's 30 s worker timeout."""
    import socket
    import time

    from lousihui.storage import MediaStorage

    with socket.socket() as silent:  # accepts connections (the backlog does) and never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        endpoint = f"http://127.0.0.1:{silent.getsockname()[1]}"
        options = s3.storage_settings("media")["OPTIONS"] | {"endpoint_url": endpoint, "read_timeout": 1.0}
        storage = MediaStorage(**options)
        assert storage.client_config.connect_timeout == 2.0
        assert storage.client_config.retries == {"max_attempts": 2, "mode": "standard"}
        started = time.monotonic()
        with pytest.raises(Exception) as failure:
            storage.save("demand-photos/x.jpg", ContentFile(b"x"))
        assert "timeout" in type(failure.value).__name__.lower() or "timed out" in str(failure.value).lower()
        assert time.monotonic() - started < 8  # 2 attempts x 1 s read timeout, plus backoff


@pytest.mark.django_db
def test_a_project_photo_shows_by_a_signed_link_the_page_policy_allows(
    cast: factories.Cast,
    s3: S3Server,
    bucket: str,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from requests_tracker.projects import actions as project_actions
    from tests.requests_tracker.projects.helpers import make_project

    settings.MEDIA_ORIGINS = [s3.endpoint_url]  # as settings.py derives it from S3_PUBLIC_ENDPOINT_URL
    project = make_project(cast)
    update = project_actions.project_post_update(
        project=project,
        actor=cast.captain_a,
        text="外卖柜已到货",
        photo=SimpleUploadedFile("p.jpg", _jpeg(), content_type="image/jpeg"),
    )
    assert s3.keys(bucket) == [update.photo.name]
    response = Client().get(reverse("project", args=[project.pk]))
    assert response.status_code == 200
    src = re.search(r'<img class="update-photo" src="([^"]+)"', response.content.decode())
    assert src, "the update's photo is not on the page"
    url = html.unescape(src.group(1))
    assert url.startswith(f"{s3.endpoint_url}/{bucket}/project-photos/") and "X-Amz-Signature=" in url
    img_src = next(d for d in response["Content-Security-Policy"].split("; ") if d.startswith("img-src"))
    assert s3.endpoint_url in img_src.split()
    with urllib.request.urlopen(url, timeout=5) as image:
        assert Image.open(io.BytesIO(image.read())).format == "JPEG"

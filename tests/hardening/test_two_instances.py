"""#14 item 20: two gunicorn instances on one PostgreSQL, one Redis and one S3-compatible store.

A demand with a photo submitted through one is shown, with its photo, by the other; the other's screen
feed changes at once; the submit throttle counts across both. Each instance has a MEDIA_ROOT of its own
(two machines' disks), so the photo can only reach the other through the bucket.

The instances run with DEBUG=1 only because the test tree has no collected static files (DEBUG=0 wants
the whitenoise manifest); storage, cache, database and throttles are configured exactly as in production.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from PIL import Image

from requests_tracker.models import Demand
from tests import factories
from tests.hardening.s3_server import S3Server, free_port, moto_s3

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
SLUG = "shanghai-tower"
#: Low on purpose: four submissions from one client, spread over both instances, must meet it.
SUBMIT_RATE = "3/hour"


class Instance:
    """One web instance: gunicorn (1 sync worker) in a subprocess of its own, on a port of its own."""

    def __init__(self, name: str, env: dict[str, str], log: Path) -> None:
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "lousihui.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--timeout",
                "60",
                "--access-logfile",
                "-",
            ],
            cwd=ROOT,
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, session: Any, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.log.read_text()[-3000:]}")
            try:
                if session.get(self.url + "/healthz/", timeout=2).status_code == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{self.name} did not start:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def _database_url() -> str:
    db = settings.DATABASES["default"]
    password = db["PASSWORD"] or ""
    return f"postgres://{db['USER']}:{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture(scope="module")
def s3() -> Iterator[S3Server]:
    with moto_s3() as server:
        yield server


@pytest.fixture
def bucket(s3: S3Server) -> str:
    return s3.new_bucket()


@pytest.fixture
def media_roots(tmp_path: Path) -> tuple[Path, Path]:
    roots = (tmp_path / "media-a", tmp_path / "media-b")
    for root in roots:
        root.mkdir()
    return roots


@pytest.fixture
def instances(
    transactional_db: None, s3: S3Server, bucket: str, media_roots: tuple[Path, Path], tmp_path: Path
) -> Iterator[tuple[Instance, Instance]]:
    import requests

    shared = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lousihui.settings",
        "DEBUG": "1",
        "DATABASE_URL": _database_url(),
        # The same Redis database and key prefix as this test process, which clears them around each test.
        "REDIS_URL": os.environ["REDIS_URL"],
        "CACHE_KEY_PREFIX": settings.CACHES["default"].get("KEY_PREFIX", "lousihui"),
        "THROTTLE_DEMAND_SUBMIT": SUBMIT_RATE,
        **s3.env(bucket),
    }
    started = [
        Instance(name, {**shared, "MEDIA_ROOT": str(root)}, tmp_path / f"gunicorn-{name}.log")
        for name, root in zip(("a", "b"), media_roots, strict=True)
    ]
    try:
        with requests.Session() as probe:
            for instance in started:
                instance.wait_ready(probe)
        yield started[0], started[1]
    finally:
        for instance in started:
            instance.stop()


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 90), (20, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def _feed(session: Any, instance: Instance, etag: str = "") -> Any:
    headers = {"If-None-Match": etag} if etag else {}
    return session.get(f"{instance.url}/api/v1/screen/{SLUG}/", headers=headers, timeout=10)


def _submit_with_photo(instance: Instance, title: str) -> Any:
    """The resident's HTML form, as a phone sends it: page first (CSRF cookie, key), then multipart."""
    import requests

    with requests.Session() as browser:
        page = browser.get(f"{instance.url}/b/{SLUG}/submit/", timeout=10)
        assert page.status_code == 200
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        key = re.search(r'name="submission_key" value="([0-9a-f]{32})"', page.text)
        assert csrf and key
        return browser.post(
            f"{instance.url}/b/{SLUG}/submit/",
            data={
                "csrfmiddlewaretoken": csrf.group(1),
                "submission_key": key.group(1),
                "category": "delivery",
                "title": title,
                "is_public": "on",
            },
            files={"photos": ("lobby.jpg", _jpeg(), "image/jpeg")},
            allow_redirects=False,
            timeout=30,
        )


def _submit_json(instance: Instance, title: str) -> int:
    import requests

    response = requests.post(
        f"{instance.url}/api/v1/demands/",
        json={"building": SLUG, "category": "delivery", "title": title},
        headers={"Accept": "application/json"},
        timeout=30,
    )
    return response.status_code


def test_two_instances_share_photos_screen_and_submit_throttle(
    instances: tuple[Instance, Instance], s3: S3Server, bucket: str, media_roots: tuple[Path, Path]
) -> None:
    import requests

    a, b = instances
    factories.build_cast()
    screen = requests.Session()

    # B's screen, warm: its ETag answers 304 while nothing changes (the stamp is cached in Redis).
    for _ in range(3):  # the ETag also turns over each minute: retry across a minute boundary
        first = _feed(screen, b)
        assert first.status_code == 200 and first.json()["demands"] == []
        if _feed(screen, b, first.headers["ETag"]).status_code == 304:
            break
    else:
        pytest.fail("B's screen feed never answered 304 to its own ETag")

    # Through A: a demand with a photo.
    response = _submit_with_photo(a, "一楼外卖柜坏了，照片在此")
    assert response.status_code == 302, response.text[:2000]
    demand = Demand.objects.get(title="一楼外卖柜坏了，照片在此")
    assert response.headers["Location"].endswith(f"/t/{demand.token}/")
    photo = demand.photos.get()
    stored = s3.client().get_object(Bucket=bucket, Key=photo.image.name)["Body"].read()
    assert not any(p.is_file() for root in media_roots for p in root.rglob("*")), "a photo landed on a local disk"

    # B shows it, with its photo: the public page, the photo itself, and the submitter's tracking page.
    public_page = requests.get(f"{b.url}/b/{SLUG}/d/{demand.pk}/", timeout=10)
    photo_path = f"/b/{SLUG}/d/{demand.pk}/photos/{photo.pk}/"
    assert public_page.status_code == 200 and photo_path in public_page.text
    served = requests.get(b.url + photo_path, timeout=10)
    assert served.status_code == 200, served.text[:500]
    assert served.headers["Content-Type"] == "image/jpeg" and served.content == stored
    assert Image.open(io.BytesIO(served.content)).size == (120, 90)
    tracking = requests.get(f"{b.url}/t/{demand.token}/", timeout=10)
    token_photo = f"/t/{demand.token}/photos/{photo.pk}/"
    assert token_photo in tracking.text
    assert requests.get(b.url + token_photo, timeout=10).content == stored

    # B's screen changed at once: its old ETag no longer matches and the feed lists the new demand.
    changed = _feed(screen, b, first.headers["ETag"])
    assert changed.status_code == 200
    assert [d["id"] for d in changed.json()["demands"]] == [demand.pk]
    assert changed.headers["ETag"] != first.headers["ETag"]

    # The submit throttle (3/hour per client) counts across both: 1 on A above, then B, A, and B is refused.
    assert _submit_json(b, "第二条") == 201
    assert _submit_json(a, "第三条") == 201
    assert _submit_json(b, "第四条") == 429
    assert _submit_json(a, "第五条") == 429
    assert _submit_with_photo(b, "第六条").status_code == 429
    assert Demand.objects.count() == 3
    assert s3.keys(bucket) == [photo.image.name]  # the refused form's photo was never stored

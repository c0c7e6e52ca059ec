"""Issue #14 item 4: photos are judged before they are decoded (honeypot, throttle, count, bytes,
header dimensions, bit depth), decoded with bounded memory; the worst allowed photo's peak is measured."""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from buildings import photos
from requests_tracker.models import Demand
from tests import factories

ROOT = Path(__file__).resolve().parents[2]


def _png_header_only(width: int, height: int, bit_depth: int = 8, colour_type: int = 6) -> bytes:
    """A PNG whose header declares the given size; its (empty) pixel data is never needed to refuse it."""
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    idat = zlib.compress(b"")
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))
        + struct.pack(">I", len(idat)) + b"IDAT" + idat + struct.pack(">I", zlib.crc32(b"IDAT" + idat))
        + b"\x00\x00\x00\x00IEND\xaeB`\x82"
    )  # fmt: skip


def _never_decode(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    opened: list[str] = []

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        opened.append("opened")
        raise AssertionError("a photo was decoded")

    monkeypatch.setattr(photos.Image, "open", spy)
    return opened


def test_a_7000_square_16_bit_png_is_refused_from_its_header(monkeypatch: pytest.MonkeyPatch) -> None:
    opened = _never_decode(monkeypatch)
    with pytest.raises(ValidationError) as refused:
        photos.clean_photo(SimpleUploadedFile("bomb.png", _png_header_only(7000, 7000, bit_depth=16)))
    assert refused.value.code == "photo_too_many_pixels"
    assert opened == []


def test_a_16_bit_png_of_allowed_size_is_refused_for_its_depth(monkeypatch: pytest.MonkeyPatch) -> None:
    opened = _never_decode(monkeypatch)
    with pytest.raises(ValidationError) as refused:
        photos.clean_photo(SimpleUploadedFile("deep.png", _png_header_only(800, 600, bit_depth=16)))
    assert refused.value.code == "photo_bit_depth"
    assert opened == []


def test_too_many_and_too_large_are_refused_before_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    opened = _never_decode(monkeypatch)
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"\x00" * (photos.MAX_BYTES + 1))
    with pytest.raises(ValidationError):
        photos.clean_photo(big)
    four = [SimpleUploadedFile(f"{i}.png", b"x") for i in range(photos.MAX_PHOTOS + 1)]
    with pytest.raises(ValidationError):
        photos.clean_photos(four)
    assert opened == []


def _photo_post(**extra: str) -> dict[str, object]:
    image = io.BytesIO()
    Image.new("RGB", (40, 40), (1, 2, 3)).save(image, "PNG")
    upload = SimpleUploadedFile("p.png", image.getvalue(), content_type="image/png")
    return {"category": "delivery", "title": "外卖无法上楼", "is_public": "on", "photos": upload, **extra}


@pytest.mark.django_db
def test_the_honeypot_refuses_without_decoding(cast: factories.Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    opened = _never_decode(monkeypatch)
    response = Client().post("/b/shanghai-tower/submit/", _photo_post(website="http://spam.example"))
    assert response.status_code == 400
    assert opened == [] and not Demand.objects.exists()


@pytest.mark.django_db
def test_the_throttle_refuses_without_decoding(cast: factories.Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    from requests_tracker import views

    monkeypatch.setattr(views, "_allowed", lambda request, scope: False)
    opened = _never_decode(monkeypatch)
    response = Client().post("/b/shanghai-tower/submit/", _photo_post())
    assert response.status_code == 429
    assert opened == [] and not Demand.objects.exists()


MEASURE = r"""
import json, os, sys
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lousihui.settings")
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from buildings import photos

def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024

data = open(sys.argv[1], "rb").read()
photos.clean_photo(SimpleUploadedFile("warm.png", open(sys.argv[2], "rb").read()))  # imports, codecs
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # resets the peak (VmHWM) to the current RSS
before = status("VmRSS")
photo = photos.clean_photo(SimpleUploadedFile("worst.png", data))
peak = status("VmHWM")
print(json.dumps({"rss_before_mb": round(before, 1), "peak_mb": round(peak, 1),
                  "photo_mb": round(peak - before, 1), "stored": [photo.width, photo.height]}))
"""


def test_peak_memory_of_the_worst_allowed_photo(tmp_path: Path) -> None:
    """The worst allowed photo: a PNG of MAX_PIXELS_FULL_DECODE pixels, RGBA, 8 bits (noise, so it is
    also the largest to decode). Measured in a fresh process: its peak RSS, the whole worker included."""
    side_w, side_h = 4000, photos.MAX_PIXELS_FULL_DECODE // 4000
    worst = tmp_path / "worst.png"
    noise = Image.frombytes("RGBA", (side_w, side_h), bytes(range(256)) * (side_w * side_h * 4 // 256))
    noise.save(worst, "PNG", compress_level=1)
    del noise
    small = tmp_path / "small.png"
    Image.new("RGB", (64, 64)).save(small, "PNG")
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, str(worst), str(small)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    print("peak memory of the worst allowed photo:", figures, "bytes on disk:", worst.stat().st_size)
    assert figures["stored"][0] <= photos.MAX_SIDE
    # What decoding the photo adds to a worker, whatever the worker's own size (Django with every app).
    assert figures["photo_mb"] < 100, figures
    assert figures["peak_mb"] < 150, figures  # the whole worker, Django and all

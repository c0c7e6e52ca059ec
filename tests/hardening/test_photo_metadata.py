"""Issue #14 item 13: stored photos carry pixels only — no JPEG comment, EXIF, XMP, ICC or PNG text."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin

from buildings.photos import clean_photo

SCRIPT = b"<script>alert(document.cookie)</script>"


def _segments(jpeg: bytes) -> list[int]:
    """The markers of a JPEG's header segments, up to the start of scan."""
    assert jpeg[:2] == b"\xff\xd8"
    markers, i = [], 2
    while i < len(jpeg):
        assert jpeg[i] == 0xFF
        marker = jpeg[i + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            break
        length = int.from_bytes(jpeg[i + 2 : i + 4], "big")
        i += 2 + length
    return markers


def _stored(upload: bytes, name: str) -> bytes:
    return clean_photo(SimpleUploadedFile(name, upload)).content.read()


def _jpeg_with_everything() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "EvilPhone"  # Make
    exif[0x8825] = {1: "N"}  # GPS
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">' + SCRIPT + b"</x:xmpmeta>"
    out = io.BytesIO()
    image.save(out, "JPEG", comment=SCRIPT, exif=exif.tobytes(), xmp=xmp, icc_profile=b"\x00" * 128 + SCRIPT)
    return out.getvalue() + SCRIPT  # and bytes after the end of the image


def test_a_jpeg_keeps_no_comment_exif_xmp_icc_or_trailing_bytes() -> None:
    original = _jpeg_with_everything()
    assert original.count(SCRIPT) >= 3
    stored = _stored(original, "polyglot.jpg")
    assert SCRIPT not in stored and b"<script" not in stored
    assert b"Exif" not in stored and b"EvilPhone" not in stored and b"ICC_PROFILE" not in stored
    assert b"xmpmeta" not in stored and b"http://ns.adobe.com/xap" not in stored
    markers = _segments(stored)
    assert 0xFE not in markers  # no COM segment
    assert not [m for m in markers if 0xE1 <= m <= 0xEF]  # no APP1..APP15 (EXIF, XMP, ICC, Adobe...)
    assert stored.endswith(b"\xff\xd9")


def test_a_png_keeps_no_text_chunks() -> None:
    image = Image.new("RGB", (32, 32), (0, 120, 0))
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SCRIPT.decode())
    info.add_itxt("XML:com.adobe.xmp", SCRIPT.decode())
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info)
    stored = _stored(out.getvalue(), "x.png")
    assert SCRIPT not in stored
    assert 0xFE not in _segments(stored)

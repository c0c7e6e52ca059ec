"""Photos from residents: checked by content (not by extension), re-encoded, metadata stripped.

An upload is decoded with Pillow; anything that is not a JPEG, PNG, WebP or GIF image is refused.
What is stored is a fresh JPEG drawn from the decoded pixels: EXIF (GPS position, phone model),
comments and any bytes appended to the file are gone, and the file cannot be anything but an image.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PHOTOS = 3
MAX_BYTES = 8 * 1024 * 1024
#: Longest side of the stored image; a phone's 12-megapixel photo is shrunk to this.
MAX_SIDE = 1600
#: Decompression bombs: refuse images with more pixels than a 48-megapixel phone camera makes. A JPEG
#: is decoded at 1/2, 1/4 or 1/8 scale (draft), so even this costs a few megapixels of memory.
MAX_PIXELS = 50_000_000
#: PNG, WebP and GIF are decoded whole: 6 megapixels (e.g. 1290×4650, a long phone screenshot) at most,
#: 8 bits per channel — 24 MB decoded as RGBA. The worst allowed photo is measured in tests/hardening:
#: with every app loaded a worker starts at ~82 MB, and 8 MP took it to 160 MB, over the ~150 MB budget.
MAX_PIXELS_FULL_DECODE = 6_000_000
#: PNG colour types and bit depths decoded into 8 bits per channel or less.
_PNG_MAX_BIT_DEPTH = 8
ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF", "MPO"})


@dataclass(frozen=True)
class CleanPhoto:
    content: ContentFile
    width: int
    height: int


def clean_photo(upload: UploadedFile) -> CleanPhoto:
    """Returns the photo re-encoded as a metadata-free JPEG, or raises a ValidationError saying why."""
    if upload.size is not None and upload.size > MAX_BYTES:
        raise ValidationError(
            _("“%(name)s” is larger than %(mb)s MB."),
            code="photo_too_large",
            params={"name": upload.name, "mb": MAX_BYTES // (1024 * 1024)},
        )
    not_an_image = ValidationError(
        _("“%(name)s” is not a photo (JPEG, PNG, WebP or GIF)."), code="not_an_image", params={"name": upload.name}
    )
    try:
        upload.seek(0)
        # Decided from the header alone, before any pixel is decoded: format, dimensions, bit depth.
        check_header(upload)
        upload.seek(0)
        with Image.open(upload) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise not_an_image
            too_big(probe.format, probe.width, probe.height, upload.name)
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as opened:
            # JPEG can decode at 1/2, 1/4, 1/8 scale: a 12 MP photo is not fully decoded to be shrunk.
            if opened.format in ("JPEG", "MPO"):
                opened.draft("RGB", (MAX_SIDE, MAX_SIDE))
            opened.load()
            # Shrunk first, in its own mode, then converted: no second full-size copy of the pixels.
            opened.thumbnail((MAX_SIDE, MAX_SIDE))
            # Phones store "rotate me" in EXIF; apply it before the EXIF is dropped.
            image: Image.Image = ImageOps.exif_transpose(opened).convert("RGB")
            # Pillow copies the original's info (JPEG comment, XMP, ICC, DPI...) along with the pixels and
            # writes the comment back on save: a polyglot's <script> in a COM segment survived. Drop it all.
            image.info = {}
            out = io.BytesIO()
            # No exif=, no icc_profile=, no comment=: the new file carries pixels only.
            image.save(out, format="JPEG", quality=85, optimize=True, comment=b"")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise not_an_image from exc
    return CleanPhoto(content=ContentFile(out.getvalue(), name="photo.jpg"), width=image.width, height=image.height)


def check_header(upload: UploadedFile) -> None:
    """Refuses a PNG whose header declares more than 8 bits per channel (16-bit PNGs decode 2–4× larger),
    from the first 33 bytes, before Pillow decodes anything."""
    upload.seek(0)
    head = upload.read(33)
    if head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR":
        width, height = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
        too_big("PNG", width, height, upload.name)
        if head[24] > _PNG_MAX_BIT_DEPTH:
            raise ValidationError(
                _("“%(name)s” has %(bits)s bits per channel; send an ordinary photo (8 bits)."),
                code="photo_bit_depth",
                params={"name": upload.name, "bits": head[24]},
            )


def too_big(image_format: str | None, width: int, height: int, name: str | None) -> None:
    limit = MAX_PIXELS if image_format in ("JPEG", "MPO") else MAX_PIXELS_FULL_DECODE
    if width * height > limit:
        raise ValidationError(
            _("“%(name)s” is %(width)s×%(height)s pixels; at most %(mp)s megapixels."),
            code="photo_too_many_pixels",
            params={"name": name, "width": width, "height": height, "mp": limit // 1_000_000},
        )


def clean_photos(uploads: list[UploadedFile]) -> list[CleanPhoto]:
    if len(uploads) > MAX_PHOTOS:
        raise ValidationError(_("At most %(count)s photos."), code="too_many_photos", params={"count": MAX_PHOTOS})
    return [clean_photo(u) for u in uploads]

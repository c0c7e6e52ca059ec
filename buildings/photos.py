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
#: Decompression bombs: refuse images with more pixels than a 48-megapixel phone camera makes.
MAX_PIXELS = 50_000_000
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
        with Image.open(upload) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise not_an_image
            if probe.width * probe.height > MAX_PIXELS:
                raise not_an_image
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as opened:
            # JPEG can decode at 1/2, 1/4, 1/8 scale: a 12 MP photo is not fully decoded to be shrunk.
            if opened.format in ("JPEG", "MPO"):
                opened.draft("RGB", (MAX_SIDE, MAX_SIDE))
            opened.load()
            # Phones store "rotate me" in EXIF; apply it before the EXIF is dropped.
            image: Image.Image = ImageOps.exif_transpose(opened).convert("RGB")
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            # Pillow copies the original's info (JPEG comment, XMP, ICC, DPI...) along with the pixels and
            # writes the comment back on save: a polyglot's <script> in a COM segment survived. Drop it all.
            image.info = {}
            out = io.BytesIO()
            # No exif=, no icc_profile=, no comment=: the new file carries pixels only.
            image.save(out, format="JPEG", quality=85, optimize=True, comment=b"")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise not_an_image from exc
    return CleanPhoto(content=ContentFile(out.getvalue(), name="photo.jpg"), width=image.width, height=image.height)


def clean_photos(uploads: list[UploadedFile]) -> list[CleanPhoto]:
    if len(uploads) > MAX_PHOTOS:
        raise ValidationError(_("At most %(count)s photos."), code="too_many_photos", params={"count": MAX_PHOTOS})
    return [clean_photo(u) for u in uploads]

"""QR codes for the posters in lobbies and lift lobbies, drawn in Python (no external service)."""

from __future__ import annotations

import io
import re
from urllib.parse import urlencode

import qrcode
import qrcode.constants
import qrcode.image.svg
from django.conf import settings
from django.urls import reverse

from buildings.models import Building


def submit_url(building: Building, floor: int | None = None) -> str:
    """The absolute address a poster's QR code opens: the building's form, on `floor` if given."""
    url = settings.SITE_URL.rstrip("/") + reverse("demand-submit", args=[building.slug])
    if floor is not None:
        url += "?" + urlencode({"floor": floor})
    return url


def _qr(data: str) -> qrcode.QRCode:
    # M: survives a scuffed or partly covered poster; border 4 is the quiet zone scanners expect.
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=16, border=4)
    code.add_data(data)
    code.make(fit=True)
    return code


def qr_svg(data: str) -> str:
    """An inline SVG (scales to any print size), without fixed width/height so CSS sizes it."""
    svg = _qr(data).make_image(image_factory=qrcode.image.svg.SvgPathImage).to_string(encoding="unicode")
    return re.sub(r'\s(width|height)="[^"]*"', "", svg, count=2)


def qr_png(data: str) -> bytes:
    out = io.BytesIO()
    _qr(data).make_image().save(out)
    return out.getvalue()

"""QR codes for posters, screens, survey and election slips: drawn in Python (no external service)."""

from __future__ import annotations

import io
import re

import qrcode
import qrcode.constants
import qrcode.image.svg


def _qr(data: str, border: int) -> qrcode.QRCode:
    # M: survives a scuffed or partly covered poster; border 4 is the quiet zone scanners expect on paper
    # (a screen draws its code on a white card, so it can do with less).
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=16, border=border)
    code.add_data(data)
    code.make(fit=True)
    return code


def qr_svg(data: str, *, border: int = 4) -> str:
    """An inline SVG (scales to any print size), without fixed width/height so CSS sizes it."""
    svg = _qr(data, border).make_image(image_factory=qrcode.image.svg.SvgPathImage).to_string(encoding="unicode")
    return re.sub(r'\s(width|height)="[^"]*"', "", svg, count=2)


def qr_png(data: str, *, border: int = 4) -> bytes:
    out = io.BytesIO()
    _qr(data, border).make_image().save(out)
    return out.getvalue()

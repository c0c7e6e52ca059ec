"""Addresses printed or shown outside the site (posters, screens): absolute, from SITE_URL."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from buildings.models import Building


def site_url_missing() -> bool:
    """True when a printed address would be the development default: SITE_URL unset and DEBUG off."""
    return not settings.DEBUG and not getattr(settings, "SITE_URL_CONFIGURED", True)


def submit_url(building: Building | str, floor: int | None = None) -> str:
    """The absolute address a QR code opens: the building's form, on `floor` if given."""
    slug = building if isinstance(building, str) else building.slug
    url = settings.SITE_URL.rstrip("/") + reverse("demand-submit", args=[slug])
    if floor is not None:
        url += "?" + urlencode({"floor": floor})
    return url

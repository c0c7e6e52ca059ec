"""The Content-Security-Policy on every response: scripts only from this site, never inline.

Every script is a static file (static/js/…); data for a script travels in `<script type="application/json">`
blocks, which are not run. Styles may be inline (the admin, ECharts and the SVG QR codes use them).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

DEFAULT_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def with_media_origins(policy: str, origins: list[str]) -> str:
    """Images may also come from the object store's signed URLs (settings.MEDIA_ORIGINS, S3 media)."""
    if not origins:
        return policy
    return "; ".join(f"{d} {' '.join(origins)}" if d.split(" ", 1)[0] == "img-src" else d for d in policy.split("; "))


def content_security_policy(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    policy = with_media_origins(getattr(settings, "CONTENT_SECURITY_POLICY", DEFAULT_POLICY), settings.MEDIA_ORIGINS)

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.headers.setdefault("Content-Security-Policy", policy)
        return response

    return middleware

"""Login lockout (django-axes): the backend that counts failures and the answer a locked-out client gets."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import override


class LockoutBackend(AxesStandaloneBackend):
    """Axes' check on every login through a request (the admin's login form, the site's).

    A login without a request (a management command, the test client's `login()`) comes from code
    that already runs on the server, not from a guessing client: there is nothing to lock out.
    """

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:  # type: ignore[override]
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def locked_out(request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any) -> HttpResponse:
    """429 with the reason, in Chinese first (the admin's language), then in English."""
    minutes = round(float(settings.AXES_COOLOFF_TIME) * 60)
    with override("zh-hans"):
        chinese = _(
            "Too many failed logins: this account or this device is locked for %(minutes)s minutes. "
            "An administrator can unlock it now under “Login lockouts”."
        ) % {"minutes": minutes}
    with override("en"):
        english = _(
            "Too many failed logins: this account or this device is locked for %(minutes)s minutes. "
            "An administrator can unlock it now under “Login lockouts”."
        ) % {"minutes": minutes}
    body = (
        '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>登录已锁定</title>'
        f'<h1>登录已锁定</h1><p>{chinese}</p><p lang="en">{english}</p></html>'
    )
    return HttpResponse(body, status=429, content_type="text/html; charset=utf-8")

"""Issue #14 item 9: a Content-Security-Policy on every page with no inline script, and
X-Forwarded-Proto trusted only when a proxy is configured."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from tests import factories

ROOT = Path(__file__).resolve().parents[2]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


def _pages(cast: factories.Cast) -> list[tuple[str, object]]:
    demand = factories.make_demand(cast.tower_a, category=cast.category)
    return [
        ("/", None),
        ("/b/shanghai-tower/", None),
        ("/b/shanghai-tower/submit/", None),
        (f"/b/shanghai-tower/d/{demand.pk}/", None),
        ("/b/shanghai-tower/poster/", None),
        (f"/t/{demand.token}/", None),
        ("/screen/shanghai-tower/", None),
        ("/stats/", cast.district_staff),
        ("/stats/report/", cast.district_staff),
        ("/admin/login/", None),
        ("/admin/", cast.captain_a),
        ("/admin/requests_tracker/demand/", cast.captain_a),
        (f"/admin/requests_tracker/demand/{demand.pk}/change/", cast.captain_a),
        ("/api/v1/docs/", None),
        ("/api/v1/demands/", None),
        ("/no-such-page/", None),
    ]


@pytest.mark.django_db
def test_every_page_has_a_csp_without_inline_script(cast: factories.Cast) -> None:
    for path, user in _pages(cast):
        client = Client()
        if user is not None:
            client.force_login(user)  # type: ignore[arg-type]
        response = client.get(path)
        policy = response.get("Content-Security-Policy", "")
        assert policy, path
        directives = dict([*d.strip().split(" ", 1), ""][:2] for d in policy.split(";") if d.strip())
        assert "'unsafe-inline'" not in directives.get("script-src", "'self'"), path
        assert "'unsafe-eval'" not in directives.get("script-src", ""), path
        assert directives.get("object-src") == "'none'" and directives.get("frame-ancestors") == "'none'", path
        if "text/html" in response.get("Content-Type", ""):
            html = response.content.decode()
            assert not INLINE_SCRIPT.search(html), (path, INLINE_SCRIPT.search(html))
            assert not HANDLER.search(html), (path, HANDLER.search(html))


def _settings(env: dict[str, str]) -> dict[str, object]:
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'proxy': getattr(s, 'SECURE_PROXY_SSL_HEADER', None)}))"
    )
    base = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "lousihui.settings", "HOME": str(ROOT)}
    production = {"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "example.cn"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**base, **production, **env}, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_x_forwarded_proto_is_not_trusted_without_a_configured_proxy() -> None:
    assert _settings({})["proxy"] is None


def test_x_forwarded_proto_is_trusted_when_configured() -> None:
    assert _settings({"SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https"})["proxy"] == [
        "HTTP_X_FORWARDED_PROTO",
        "https",
    ]

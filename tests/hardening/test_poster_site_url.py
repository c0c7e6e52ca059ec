"""Issue #14 item 17: with SITE_URL unset and DEBUG off, posters are not printed with a dead address."""

from __future__ import annotations

import pytest
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def unset_site_url(settings):  # type: ignore[no-untyped-def]
    settings.DEBUG = False
    settings.SITE_URL = "http://127.0.0.1:8000"
    settings.SITE_URL_CONFIGURED = False


def test_the_poster_page_says_site_url_is_missing_and_shows_no_qr(unset_site_url, cast: factories.Cast) -> None:  # type: ignore[no-untyped-def]
    response = Client().get("/b/shanghai-tower/poster/")
    assert response.status_code == 503
    html = response.content.decode()
    assert "SITE_URL" in html and "未设置" in html
    assert "<svg" not in html and "127.0.0.1:8000" not in html


def test_the_qr_download_is_refused(unset_site_url, cast: factories.Cast) -> None:  # type: ignore[no-untyped-def]
    response = Client().get("/b/shanghai-tower/poster/qr.png")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/plain")


def test_with_site_url_set_the_poster_prints(settings, cast: factories.Cast) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = False
    settings.SITE_URL = "https://lousihui.example.cn"
    settings.SITE_URL_CONFIGURED = True
    response = Client().get("/b/shanghai-tower/poster/")
    assert response.status_code == 200
    assert "https://lousihui.example.cn/b/shanghai-tower/submit/" in response.content.decode()
    assert Client().get("/b/shanghai-tower/poster/qr.png")["Content-Type"] == "image/png"


def test_in_development_the_default_still_prints(settings, cast: factories.Cast) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = True
    settings.SITE_URL_CONFIGURED = False
    assert Client().get("/b/shanghai-tower/poster/").status_code == 200

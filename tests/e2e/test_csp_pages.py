"""Issue #14 item 9 in Chromium: under the Content-Security-Policy, the pages with scripts still work and
the browser reports no violation."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import pytest
from django.test import Client

from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_scripted_pages_run_under_the_policy(live_server: Any, browser: Any) -> None:
    cast = factories.build_cast()
    factories.make_demand(cast.tower_a, category=cast.category)
    client = Client()
    client.force_login(cast.district_staff)
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 900})
    host = urlparse(live_server.url).hostname
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "domain": host, "path": "/"}]
    )
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        response = page.goto(f"{live_server.url}/stats/")
        assert response is not None and "script-src 'self'" in response.headers["content-security-policy"]
        page.locator("#chart-outcome").scroll_into_view_if_needed()  # ECharts loads as the charts come near
        page.wait_for_selector("[_echarts_instance_] svg", timeout=15_000)  # ECharts drew its charts
        page.goto(f"{live_server.url}/screen/{cast.tower_a.slug}/")
        page.wait_for_function("document.getElementById('s-time').textContent.trim().length >= 4")
        page.goto(f"{live_server.url}/b/{cast.tower_a.slug}/poster/")
        page.goto(f"{live_server.url}/api/v1/docs/")
        page.wait_for_selector(".swagger-ui .info", timeout=15_000)
        assert violations == []
    finally:
        context.close()

"""Issue #14 item 16: the lobby screen's clock shows Shanghai time whatever the device's time zone."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests import factories
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_clock_shows_shanghai_time_on_a_screen_set_to_utc(live_server: Any, browser: Any) -> None:
    cast = factories.build_cast()
    context = browser.new_context(locale="zh-CN", timezone_id="UTC", viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/screen/{cast.tower_a.slug}/")
        page.wait_for_function("document.getElementById('s-time').textContent.trim().length >= 4")
        shown = page.locator("#s-time").text_content().strip()
        day = page.locator("#s-date").text_content().strip()
        screenshot(page, "hardening-screen-utc")
        now = datetime.now(ZoneInfo("Asia/Shanghai"))
        accepted = {(now + timedelta(minutes=m)).strftime("%H:%M") for m in (-1, 0, 1)}
        assert shown in accepted, (shown, accepted)
        assert f"{now.month}月{now.day}日" in day or f"{(now - timedelta(minutes=1)).day}日" in day
        assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == "UTC"
    finally:
        context.close()

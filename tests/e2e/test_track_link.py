"""Issue #14 item 15 in a phone's browser: after submitting, the tracking page says so, shows the floor,
and the "copy link" button copies the page's address; the CSP lets the page's scripts run."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from requests_tracker.models import Demand
from tests import factories
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_after_submitting_the_link_can_be_copied(live_server: Any, browser: Any) -> None:
    cast = factories.build_cast()
    from tests.e2e.conftest import PHONE

    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **PHONE)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        page.goto(f"{live_server.url}/b/{cast.tower_a.slug}/submit/")
        page.get_by_text(cast.category.name).click()
        page.fill("input[name=title]", "外卖无法上楼")
        page.fill("input[name=floor]", "52")
        page.get_by_role("button", name="提交").click()
        page.wait_for_url("**/t/**")
        demand = Demand.objects.get()
        assert "已提交" in page.content()
        assert "52 楼" in page.content()
        link = page.locator("#tracking-link")
        assert link.input_value() == f"{live_server.url}/t/{demand.token}/"
        button = page.locator("#copy-link")
        button.click()
        expect(button).to_have_text("链接已复制。")  # after the clipboard's promise resolves: waits for it
        assert page.evaluate("navigator.clipboard.readText()") == f"{live_server.url}/t/{demand.token}/"
        screenshot(page, "hardening-track-after-submit-phone")
        assert violations == []
    finally:
        context.close()

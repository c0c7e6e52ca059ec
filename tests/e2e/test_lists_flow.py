"""On a phone: a captain posts a project update and completes the project; the resident who raised a
demand it answers sees it on their tracking page, and the outbox has their e-mail."""

from __future__ import annotations

from typing import Any

import pytest

from requests_tracker.models import Notification
from requests_tracker.notifications import fanout
from requests_tracker.projects import actions
from tests import factories
from tests.e2e.conftest import screenshot
from tests.requests_tracker.demand_helpers import demand_at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_captain_moves_a_project_and_the_resident_sees_it_on_their_demand(live_server: Any, browser: Any) -> None:
    from tests.e2e.conftest import PHONE

    cast = factories.build_cast()
    base = live_server.url
    demand = demand_at(
        cast, "in_progress", title="外卖无法上楼，一楼大堂交接混乱", contact_email="zhang.min@example.com"
    )
    project = actions.project_create(
        actor=cast.captain_a, title="1F 2号门智能加热外卖柜", buildings=[cast.tower_a], description="物业提供点位。"
    )
    actions.project_link_demand(project=project, demand=demand, actor=cast.captain_a)

    captain_context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **PHONE)
    resident_context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **PHONE)
    try:
        captain = captain_context.new_page()
        captain.set_default_timeout(15_000)
        captain.goto(base + "/admin/login/")
        captain.fill("input[name=username]", "captain_a")
        captain.fill("input[name=password]", factories.PASSWORD)
        captain.locator("input[type=submit]").click()
        captain.wait_for_url(base + "/admin/")

        # The board shows the project; the captain opens it and posts an update with the progress.
        captain.goto(f"{base}/b/shanghai-tower/")
        captain.get_by_role("link", name="1F 2号门智能加热外卖柜").click()
        captain.wait_for_url(f"{base}/p/{project.pk}/")
        captain.get_by_role("button", name="改为：办理中").click()
        captain.wait_for_url(f"{base}/p/{project.pk}/")
        assert "状态已更新" in captain.locator(".messages").inner_text()
        captain.fill("textarea[name=text]", "外卖柜已到货，正在安装。")
        captain.fill("input[name=progress]", "60")
        captain.get_by_role("button", name="发布进展").click()
        captain.wait_for_url(f"{base}/p/{project.pk}/")
        assert "正在通知" in captain.locator(".messages").inner_text()
        assert "办理中" in captain.locator("h1 + p .status").inner_text()
        assert captain.locator("[role=progressbar]").first.get_attribute("aria-valuenow") == "60"
        screenshot(captain, "lists-project-page-captain")

        # Completing resolves the open linked demand with the closing note.
        captain.locator("summary", has_text="结项").click()
        captain.fill("textarea[name=note]", "外卖柜已在 1F 2 号门投入使用。")
        captain.get_by_role("button", name="标记为已完成").click()
        captain.wait_for_url(f"{base}/p/{project.pk}/")
        assert "1 条关联诉求已办结" in captain.locator(".messages").inner_text()

        resident = resident_context.new_page()
        resident.set_default_timeout(15_000)
        resident.goto(f"{base}/t/{demand.token}/")
        box = resident.locator(".project-box")
        assert "1F 2号门智能加热外卖柜" in box.inner_text()
        assert box.locator("[role=progressbar]").get_attribute("aria-valuenow") == "100"
        assert "外卖柜已在 1F 2 号门投入使用。" in resident.locator(".resolution").inner_text()
        timeline = resident.locator(".timeline").inner_text()
        assert "已纳入项目" in timeline and "1F 2号门智能加热外卖柜" in timeline
        screenshot(resident, "lists-tracking-page")
        box.get_by_role("link").click()
        resident.wait_for_url(f"{base}/p/{project.pk}/")
        assert "外卖柜已到货，正在安装。" in resident.locator(".timeline").inner_text()
        assert resident.locator(".council-tools").count() == 0
        # No horizontal scrolling on a 360px phone.
        assert resident.evaluate("document.documentElement.scrollWidth") <= 360
        resident.goto(f"{base}/b/shanghai-tower/lists/")
        assert resident.evaluate("document.documentElement.scrollWidth") <= 360
        screenshot(resident, "lists-three-lists")
    finally:
        captain_context.close()
        resident_context.close()

    fanout.sweep(grace_seconds=0)  # the worker's part: write the update's rows
    addresses = set(
        Notification.objects.filter(kind=Notification.Kind.PROJECT_UPDATE).values_list("address", flat=True)
    )
    assert addresses == {"zhang.min@example.com"}

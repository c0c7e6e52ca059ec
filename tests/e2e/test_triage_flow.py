"""A captain triages in the admin, the fire brigade starts and resolves, the resident follows each step."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from requests_tracker.models import Demand
from tests import factories
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"viewport": {"width": 1366, "height": 900}}


@pytest.fixture
def desktop(browser: Any) -> Iterator[Any]:
    """New browser contexts (separate cookies: one per person), desktop-sized, in Chinese."""
    contexts: list[Any] = []

    def new_page() -> Any:
        context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **DESKTOP)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield new_page
    for context in contexts:
        context.close()


def log_in(page: Any, base: str, username: str) -> None:
    page.goto(base + "/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", factories.PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_url(base + "/admin/")


def take(page: Any, base: str, demand: Demand, action: str, **fields: str) -> None:
    """Fills the transition form for `action` on the demand page and submits it."""
    form = page.locator(f"#transitions form:has(input[name=action][value={action}])")
    for name, value in fields.items():
        target = form.locator(f"[name={action}-{name}]")
        if target.evaluate("e => e.tagName") == "SELECT":
            target.select_option(value)
        else:
            target.fill(value)
    form.locator("input[type=submit]").click()
    page.wait_for_url(f"{base}/admin/requests_tracker/demand/{demand.pk}/change/")
    assert page.locator(".messagelist .success").count() == 1, page.locator(".messagelist").inner_text()


def tracking_step(page: Any, base: str, demand: Demand) -> str:
    page.goto(f"{base}/t/{demand.token}/")
    return page.locator("[aria-current=step] .label").inner_text()


def test_captain_assigns_fire_brigade_resolves_and_the_resident_sees_each_step(
    live_server: Any, desktop: Any, phone_page: Any
) -> None:
    cast = factories.build_cast()
    base = live_server.url
    factories.make_demand(cast.tower_a, cast.category, title="较早的诉求：电梯不联动")
    demand = factories.make_demand(
        cast.tower_a, cast.category, title="外卖无法上楼，一楼大堂交接混乱", description="中午1号门外卖员很多。"
    )
    factories.make_demand(cast.tower_b, cast.category, title="金茂的诉求")
    resident = phone_page
    assert tracking_step(resident, base, demand) == "已提交"

    # The captain finds the new demand in the queue of Shanghai Tower's open demands.
    captain = desktop()
    log_in(captain, base, "captain_a")
    captain.goto(base + "/admin/requests_tracker/demand/")
    rows = captain.locator("#result_list tbody tr")
    assert rows.count() == 2
    assert "金茂的诉求" not in captain.content()
    screenshot(captain, "triage-queue")
    captain.get_by_role("link", name="外卖无法上楼，一楼大堂交接混乱").click()
    captain.wait_for_url(f"**/demand/{demand.pk}/change/")
    screenshot(captain, "triage-demand-page")

    # Assign to the fire brigade (the category's usual department is preselected).
    take(captain, base, demand, "assign", assignee_department=str(cast.fire.pk), note="已转区消防救援支队核查。")
    assert tracking_step(resident, base, demand) == "已分派"
    assert "已转区消防救援支队核查。" in resident.content()

    # The fire brigade, in its own browser, finds it in its work queue and works on it.
    fire = desktop()
    log_in(fire, base, "dept_staff")
    fire.goto(base + "/admin/requests_tracker/demand/")
    assert fire.locator("#result_list tbody tr").count() == 1
    screenshot(fire, "department-queue")
    fire.get_by_role("link", name="外卖无法上楼，一楼大堂交接混乱").click()
    take(fire, base, demand, "start", note="明天上午到现场查看。")
    assert tracking_step(resident, base, demand) == "办理中"

    take(fire, base, demand, "resolve", outcome="solved", note="已在一楼2号门设置外卖柜，消防通道保持畅通。")
    screenshot(fire, "department-resolved")
    assert tracking_step(resident, base, demand) == "已办结"
    assert "已在一楼2号门设置外卖柜" in resident.content()
    screenshot(resident, "track-after-triage")

    demand.refresh_from_db()
    assert (demand.status, demand.outcome, demand.assignee_department) == ("resolved", "solved", cast.fire)

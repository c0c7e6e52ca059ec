"""The residents' side in a phone-sized zh-CN Chromium: look-alikes while typing, one demand per
double tap, +1 counted once, the public board, “Not solved?”, the poster, and no script from a title."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from requests_tracker import actions
from requests_tracker.models import Demand, DemandEvent
from requests_tracker.workflow import Status
from tests import factories
from tests.e2e.conftest import PHONE, screenshot
from tests.requests_tracker.demand_helpers import demand_at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def no_js_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", java_script_enabled=False, **PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_typing_a_title_shows_a_look_alike_and_plus_one_supports_it(live_server: Any, phone_page: Any) -> None:
    cast = factories.build_cast()
    existing = factories.make_demand(cast.tower_a, cast.category, title="外卖送不上楼，大堂很乱")
    page = phone_page
    page.goto(f"{live_server.url}/b/{cast.tower_a.slug}/submit/?floor=52")
    assert page.input_value("input[name=floor]") == "52"

    page.locator("input[name=title]").press_sequentially("外卖无法上楼", delay=30)
    suggestion = page.locator("#similar .similar li")
    suggestion.first.wait_for()
    assert "外卖送不上楼" in suggestion.first.inner_text()
    screenshot(page, "residents-similar-phone")

    page.get_by_role("button", name="附议 +1").click()
    page.wait_for_url(f"**/d/{existing.pk}/")
    assert "附议成功" in page.content()
    existing.refresh_from_db()
    assert existing.support_count == 1
    assert Demand.objects.count() == 1  # supported instead of a duplicate


@pytest.mark.parametrize("javascript", [True, False])
def test_a_double_tap_on_submit_makes_one_demand(live_server: Any, browser: Any, javascript: bool) -> None:
    # Without JavaScript nothing stops the second tap in the browser: the form's one-time key does.
    cast = factories.build_cast()
    context = browser.new_context(locale="zh-CN", java_script_enabled=javascript, **PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/b/{cast.tower_a.slug}/submit/")
    page.get_by_text(cast.category.name).click()
    page.fill("input[name=title]", "电梯不联动")
    page.get_by_role("button", name="提交").dblclick()
    page.wait_for_url("**/t/**")
    page.wait_for_load_state()
    demand = Demand.objects.get()
    assert page.url.endswith(f"/t/{demand.token}/")
    context.close()


def test_submit_works_without_javascript(live_server: Any, no_js_page: Any) -> None:
    cast = factories.build_cast()
    page = no_js_page
    page.goto(f"{live_server.url}/b/{cast.tower_a.slug}/submit/")
    page.get_by_text(cast.category.name).click()
    page.fill("input[name=title]", "会议室不够用")
    page.get_by_role("button", name="提交").click()
    page.wait_for_url("**/t/**")
    assert Demand.objects.get().title == "会议室不够用"


def test_a_support_counts_once(live_server: Any, phone_page: Any) -> None:
    cast = factories.build_cast()
    demand = factories.make_demand(cast.tower_a, cast.category, title="希望增设母婴室")
    page = phone_page
    page.goto(f"{live_server.url}/b/{cast.tower_a.slug}/d/{demand.pk}/")
    page.get_by_role("button", name="我也是（附议 +1）").click()
    page.wait_for_load_state()
    assert page.locator(".support-count strong").inner_text() == "1"
    assert page.get_by_role("button", name="我也是（附议 +1）").count() == 0
    # A replay of the same POST from the same browser changes nothing.
    page.request.post(
        f"{live_server.url}/b/{cast.tower_a.slug}/d/{demand.pk}/support/",
        headers={"Referer": page.url, "X-CSRFToken": _csrf(page)},
    )
    page.reload()
    assert page.locator(".support-count strong").inner_text() == "1"
    demand.refresh_from_db()
    assert demand.support_count == 1
    screenshot(page, "residents-demand-public-phone")


def _csrf(page: Any) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")


def test_board_lists_public_demands_with_figures_and_filters(live_server: Any, phone_page: Any) -> None:
    cast = factories.build_cast()
    demand_at(cast, Status.RESOLVED, title="外卖取餐柜已安装")
    demand_at(cast, Status.IN_PROGRESS, title="停车位太少")
    factories.make_demand(cast.tower_a, cast.category, title="私密的诉求", is_public=False)
    popular = factories.make_demand(cast.tower_a, cast.category, title="希望开设午间健康讲座")
    Demand.objects.filter(pk=popular.pk).update(support_count=12)
    page = phone_page
    page.goto(f"{live_server.url}/b/{cast.tower_a.slug}/")
    assert page.locator(".figures dd").all_inner_texts() == ["4", "1", "1"]
    assert "私密的诉求" not in page.content()
    screenshot(page, "residents-board-phone")

    page.select_option("select[name=status]", "resolved")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_load_state()
    assert page.locator(".board .title").all_inner_texts() == ["外卖取餐柜已安装"]

    page.goto(f"{live_server.url}/b/{cast.tower_a.slug}/?order=supported")
    assert page.locator(".board .title").first.inner_text() == "希望开设午间健康讲座"


def test_a_script_in_a_title_is_text_on_every_page(live_server: Any, phone_page: Any) -> None:
    cast = factories.build_cast()
    demand = factories.make_demand(cast.tower_a, cast.category, title=XSS)
    dialogs: list[str] = []
    page = phone_page
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for path in (f"/t/{demand.token}/", f"/b/{cast.tower_a.slug}/", f"/b/{cast.tower_a.slug}/d/{demand.pk}/"):
        page.goto(live_server.url + path)
        assert XSS in page.inner_text("main")
    page.goto(f"{live_server.url}/b/{cast.tower_a.slug}/submit/")
    page.locator("input[name=title]").press_sequentially(XSS, delay=10)
    page.locator("#similar .similar li").first.wait_for()
    assert XSS in page.inner_text("#similar")
    assert dialogs == []
    assert page.locator("#similar img").count() == 0


def test_submitter_says_not_solved_from_the_tracking_page(live_server: Any, phone_page: Any) -> None:
    cast = factories.build_cast()
    demand = demand_at(cast, Status.RESOLVED, title="一楼外卖交接混乱")
    page = phone_page
    page.goto(f"{live_server.url}/t/{demand.token}/")
    page.get_by_text("没解决？", exact=True).click()
    page.get_by_role("button", name="反馈给楼事会").click()
    assert "请说明还有哪些问题没有解决" in page.locator("#error-reason").inner_text()
    page.fill("textarea[name=reason]", "取餐柜只装了一个，中午还是排长队")
    page.get_by_role("button", name="反馈给楼事会").click()
    page.wait_for_url(f"**/t/{demand.token}/")
    assert "楼事会已收到" in page.content()
    assert demand.events.filter(kind=DemandEvent.Kind.NOT_SOLVED).count() == 1
    screenshot(page, "residents-track-not-solved-phone")


def test_poster_prints_on_a4(live_server: Any, browser: Any) -> None:
    cast = factories.build_cast()
    context = browser.new_context(locale="zh-CN", viewport={"width": 794, "height": 1123})
    page = context.new_page()
    page.goto(f"{live_server.url}/b/{cast.tower_a.slug}/poster/?floor=52")
    page.emulate_media(media="print")
    assert page.locator(".topbar").is_hidden()
    box = page.locator(".poster-qr svg").bounding_box()
    assert box is not None and box["width"] > 300
    screenshot(page, "residents-poster-print")
    context.close()


def test_tracking_page_shows_the_expected_date_and_public_timeline(live_server: Any, phone_page: Any) -> None:
    cast = factories.build_cast()
    demand = demand_at(cast, Status.IN_PROGRESS, title="52楼空调太冷")
    actions.demand_add_note(demand=demand, actor=cast.captain_a, note="已联系物业调整温度", is_public=True)
    page = phone_page
    page.goto(f"{live_server.url}/t/{demand.token}/")
    assert "预计" in page.inner_text(".expected")
    assert "已联系物业调整温度" in page.inner_text(".timeline")
    screenshot(page, "residents-track-phone")


def test_pages_fit_a_phone_without_sideways_scrolling_and_read_in_english(
    live_server: Any, phone_page: Any, browser: Any
) -> None:
    cast = factories.build_cast()
    demand = demand_at(cast, Status.RESOLVED, title="一楼外卖交接混乱，希望增设智能取餐柜，方便午间取餐" * 2)
    paths = [
        f"/b/{cast.tower_a.slug}/",
        f"/b/{cast.tower_a.slug}/submit/",
        f"/b/{cast.tower_a.slug}/d/{demand.pk}/",
        f"/t/{demand.token}/",
        f"/b/{cast.tower_a.slug}/poster/",
    ]
    for path in paths:
        phone_page.goto(live_server.url + path)
        assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360, path

    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/b/{cast.tower_a.slug}/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Received" in page.inner_text(".figures")
    screenshot(page, "residents-board-desktop-en")
    page.goto(f"{live_server.url}/b/{cast.tower_a.slug}/submit/")
    screenshot(page, "residents-submit-desktop-en")
    context.close()

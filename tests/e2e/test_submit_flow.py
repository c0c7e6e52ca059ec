"""A resident on a phone, in Chinese: pick the building, submit a demand, land on its tracking page."""

from typing import Any

import pytest

from requests_tracker.models import Demand
from tests import factories
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_resident_submits_from_a_phone_and_lands_on_the_tracking_page(live_server: Any, phone_page: Any) -> None:
    cast = factories.build_cast()
    page = phone_page
    page.goto(live_server.url + "/")
    assert "上海中心大厦" in page.content()
    screenshot(page, "home-phone")

    page.get_by_role("link", name="上海中心大厦").click()
    page.wait_for_url(f"**/b/{cast.tower_a.slug}/submit/")
    page.get_by_text(cast.category.name).click()
    page.fill("input[name=title]", "外卖无法上楼，一楼大堂交接混乱")
    page.fill("textarea[name=description]", "中午12点前后，1号门外卖员和快递员很多。")
    page.fill("input[name=floor]", "52")
    page.fill("input[name=contact_phone]", "13812345678")
    screenshot(page, "submit-phone")
    page.get_by_role("button", name="提交").click()

    page.wait_for_url("**/t/**")
    demand = Demand.objects.get()
    assert page.url.endswith(f"/t/{demand.token}/")
    assert demand.title == "外卖无法上楼，一楼大堂交接混乱"
    assert demand.floor == 52
    assert "外卖无法上楼" in page.locator("h1").inner_text()
    # The contact number is private: never on the tracking page.
    assert "13812345678" not in page.content()
    screenshot(page, "track-phone")


def test_field_errors_are_shown_in_chinese_and_keep_what_was_typed(live_server: Any, phone_page: Any) -> None:
    cast = factories.build_cast()
    page = phone_page
    page.goto(f"{live_server.url}/b/{cast.tower_a.slug}/submit/")
    page.fill("input[name=title]", "电梯不联动")
    page.fill("input[name=contact_phone]", "12345")
    page.get_by_role("button", name="提交").click()

    assert page.locator("#error-category").inner_text() == "请选择诉求类别。"
    assert "手机号" in page.locator("#error-contact_phone").inner_text()
    assert page.input_value("input[name=title]") == "电梯不联动"
    assert Demand.objects.count() == 0
    screenshot(page, "submit-errors-phone")


def test_script_in_a_title_shows_as_text(live_server: Any, phone_page: Any) -> None:
    cast = factories.build_cast()
    hostile = "<img src=x onerror=alert(1)>"
    demand = factories.make_demand(cast.tower_a, cast.category, title=hostile)
    dialogs: list[str] = []
    phone_page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    phone_page.goto(f"{live_server.url}/t/{demand.token}/")
    assert phone_page.locator("h1").inner_text() == hostile
    assert dialogs == []

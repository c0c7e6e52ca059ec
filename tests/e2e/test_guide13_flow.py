"""#13 on a phone, in Chinese: look up a case, ask a question and follow it to its answer, fill a hall form."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from requests_tracker.actions import Assignee, demand_transition
from requests_tracker.hall.models import HallRequest
from requests_tracker.management.commands.seed_demo import seed_demo
from requests_tracker.models import Demand
from tests import factories
from tests.e2e.conftest import screenshot
from tests.services.guide.conftest import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _resolved(world: Any, building: Any, title: str, note: str) -> Demand:
    demand = factories.make_demand(building, world.category, title=title)
    captain = world.captain_a if building == world.tower_a else world.captain_b
    demand = demand_transition(demand=demand, action="assign", actor=captain, assignee=Assignee(department=world.fire))
    return demand_transition(demand=demand, action="resolve", actor=captain, outcome="solved", note=note)


def test_looking_up_wai_mai_gui_finds_the_shanghai_tower_food_locker_case_first(
    live_server: Any, phone_page: Any
) -> None:
    seed_demo()  # the demo world: its cases, the guide's matters, answered questions
    case = Demand.objects.get(building__slug="shanghai-tower", title__contains="外卖快递无法上楼")
    page = phone_page
    page.goto(live_server.url + "/cases/")
    page.fill("#id_q", "外卖柜")
    page.get_by_role("button", name="查询").click()
    page.wait_for_url("**/cases/?q=*")
    first = page.locator("ol.results > li").first
    assert "外卖快递无法上楼" in first.inner_text() and "上海中心大厦" in first.inner_text()
    assert first.locator("mark").count() >= 1  # the words found are highlighted
    screenshot(page, "guide13-cases-phone")
    first.get_by_role("link").click()
    page.wait_for_url(f"**/d/{case.pk}/")
    assert "智能外卖柜" in page.content()


def test_a_question_is_followed_to_its_answer(live_server: Any, phone_page: Any) -> None:
    world = build_world(factories.build_cast())
    page = phone_page
    page.goto(f"{live_server.url}/ask/?matter={world.matter.pk}")
    page.select_option("select[name=building]", "shanghai-tower")
    page.select_option("select[name=category]", "delivery")
    page.fill("input[name=title]", "外卖柜在哪一层取餐？")
    screenshot(page, "guide13-ask-phone")
    page.get_by_role("button", name="提问", exact=True).click()
    page.wait_for_url("**/t/**")
    question = Demand.objects.get()
    assert question.kind == Demand.Kind.QUESTION and question.assignee_department == world.fire
    # The department answers; the asker's page shows the answer.
    demand_transition(
        demand=question, action="resolve", actor=world.dept_staff, outcome="solved", note="在1楼2号门取餐。"
    )
    page.reload()
    assert "在1楼2号门取餐。" in page.locator("section.resolution").inner_text()
    page.goto(f"{live_server.url}/ask/")
    page.locator(f"#q-{question.pk}").get_by_role("button", name="有用").click()
    page.wait_for_url("**/ask/**")
    assert "谢谢您的反馈。" in page.content()
    screenshot(page, "guide13-answered-phone")


def test_a_wrong_hall_answer_shows_in_chinese_then_the_fix_lands_on_tracking(live_server: Any, phone_page: Any) -> None:
    world = build_world(factories.build_cast())
    page = phone_page
    page.goto(f"{live_server.url}/hall/health-slot/")
    page.select_option("select[name=building]", "shanghai-tower")
    page.get_by_label("全科").check()
    page.fill("input[name=a-when]", "2026-12-03T12:00")
    page.fill("input[name=a-people]", "两个人")
    page.get_by_role("button", name="提交申请").click()
    assert page.locator("#error-people").inner_text() == "“就诊人数”必须是数字。"
    assert Demand.objects.count() == 0
    screenshot(page, "guide13-hall-error-phone")
    page.fill("input[name=a-people]", "2")
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url("**/t/**")
    demand = Demand.objects.get()
    assert demand.assignee_department == world.fire and "预约健康航站楼时段" in page.locator("h1").inner_text()
    screenshot(page, "guide13-hall-track-phone")
    # The department sees the structured answers in the admin.
    staff = Client()
    staff.force_login(world.dept_staff)
    admin_page = staff.get(f"/admin/hall/hallrequest/{HallRequest.objects.get().pk}/change/").content.decode()
    assert "全科" in admin_page and "就诊人数" in admin_page

"""A resident answers a survey on a phone in Chinese (every question kind), the results page draws its
bars, and the board and the screen feed show the open survey's QR code."""

from __future__ import annotations

from typing import Any

import pytest

from requests_tracker.surveys.models import Response, TextAnswer
from tests import factories
from tests.e2e.conftest import screenshot
from tests.requests_tracker.surveys.helpers import make_survey, opt, qs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_resident_answers_every_kind_fixes_an_error_and_a_double_tap_stores_one(
    live_server: Any, phone_page: Any
) -> None:
    cast = factories.build_cast()
    survey = make_survey(cast.tower_a, cast.captain_a, results="live")
    q = qs(survey)
    page = phone_page
    page.goto(f"{live_server.url}/s/{survey.key}/")
    conditional = page.locator(f"#question-{q['text'].pk}")
    assert conditional.is_hidden()  # shown only for 3+ orders a week
    page.locator(f"#question-{q['single'].pk}").get_by_text("3次以上").click()
    assert conditional.is_visible()
    multiple = page.locator(f"#question-{q['multiple'].pk}")
    multiple.get_by_text("加热").click()
    multiple.get_by_text("其他（请说明）").click()
    page.fill(f"input[name=q{q['multiple'].pk}_other]", "保温袋")
    for place, index in enumerate([1, 0, 2], start=1):
        page.select_option(f"select[name=q{q['ranking'].pk}_{opt(q['ranking'], index)}]", str(place))
    page.fill(f"textarea[name=q{q['text'].pk}]", "电梯太挤，骑手上不来")
    page.fill(f"textarea[name=q{q['text2'].pk}]", "希望在2号门装加热外卖柜")
    screenshot(page, "survey-answer-phone")
    page.get_by_role("button", name="提交答卷").click()  # the rating is missing

    page.wait_for_selector(".errors")
    rating = page.locator(f"#question-{q['rating'].pk}")
    assert "为必答题" in rating.locator(".error").inner_text()
    assert page.input_value(f"textarea[name=q{q['text2'].pk}]") == "希望在2号门装加热外卖柜"
    assert page.input_value(f"input[name=q{q['multiple'].pk}_other]") == "保温袋"
    assert page.is_checked(f"input[name=q{q['single'].pk}][value='{opt(q['single'], 2)}']")
    screenshot(page, "survey-error-phone")
    assert not Response.objects.exists()

    rating.get_by_text("4", exact=True).click()
    page.get_by_role("button", name="提交答卷").dblclick()
    page.wait_for_selector(".survey-done")
    assert "谢谢您" in page.content()
    screenshot(page, "survey-thanks-phone")
    assert Response.objects.count() == 1
    assert set(TextAnswer.objects.values_list("text", flat=True)) == {
        "保温袋",
        "电梯太挤，骑手上不来",
        "希望在2号门装加热外卖柜",
    }

    page.goto(f"{live_server.url}/s/{survey.key}/results/")
    page.wait_for_selector(".bars .bar-track")
    assert page.locator(".bars").count() == 4  # single, multiple, rating, ranking
    # a bar's length follows its figure (drawn by CSS, no script): nothing for a 0, the longest for the most
    bars = page.locator(".bar-row").evaluate_all(
        "rows => rows.map(r => [r.querySelector('.bar-value').textContent.trim(),"
        " r.querySelector('.bar-fill').getBoundingClientRect().width])"
    )
    assert all((w == 0) == (value == "0") for value, w in bars), bars
    assert max(w for _v, w in bars) > 50
    screenshot(page, "survey-results-phone")


def test_the_board_and_the_screen_show_the_open_survey_qr(live_server: Any, phone_page: Any) -> None:
    cast = factories.build_cast()
    survey = make_survey(cast.tower_a, cast.captain_a)
    page = phone_page
    page.goto(f"{live_server.url}/b/{cast.tower_a.slug}/")
    section = page.locator(".survey-board")
    assert section.locator("svg").count() == 1 and "外卖需求意见征集" in section.inner_text()
    screenshot(page, "survey-board-phone")
    feed = page.request.get(f"{live_server.url}/api/v1/screen/{cast.tower_a.slug}/").json()
    (panel,) = [p for p in feed["panels"] if p["kind"] == "survey"]
    assert panel["url"].endswith(f"/s/{survey.key}/")
    page.goto(live_server.url + panel["qr"])
    width = page.evaluate("() => document.images[0].naturalWidth")
    assert width > 100
    page.goto(f"{live_server.url}/s/{survey.key}/poster/")
    screenshot(page, "survey-poster-phone")

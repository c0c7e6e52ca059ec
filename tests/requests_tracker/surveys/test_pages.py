"""The answer page, the results page, the board and the screen, exports, and the council's admin tools."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from buildings import panels
from requests_tracker.models import Demand, DemandEvent
from requests_tracker.surveys import actions
from requests_tracker.surveys.models import InvitationCode, Response, Survey, TextAnswer
from tests import factories
from tests.requests_tracker.surveys.helpers import make_survey, opt, qs
from tests.requests_tracker.surveys.test_results import answer

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(cast: factories.Cast) -> Survey:
    return make_survey(cast.tower_a, cast.captain_a, results="live")


def form_data(survey: Survey, **override: Any) -> dict[str, Any]:
    q = qs(survey)
    data: dict[str, Any] = {
        f"q{q['single'].pk}": str(opt(q["single"], 2)),
        f"q{q['multiple'].pk}": [str(opt(q["multiple"], 0)), str(opt(q["multiple"], 3))],
        f"q{q['multiple'].pk}_other": "保温袋",
        f"q{q['rating'].pk}": "4",
        **{f"q{q['ranking'].pk}_{opt(q['ranking'], i)}": str(i + 1) for i in range(3)},
        f"q{q['text'].pk}": "电梯太挤",
        f"q{q['text2'].pk}": "希望装加热外卖柜",
    }
    data.update(override)
    return data


def test_the_answer_page_shows_every_kind_in_chinese(client: Client, survey: Survey) -> None:
    page = client.get(f"/s/{survey.key}/").content.decode()
    assert "外卖需求意见征集" in page and "提交答卷" in page and "匿名" in page
    assert 'type="radio"' in page and 'type="checkbox"' in page and "<select" in page and "<textarea" in page
    assert "lh_survey_browser" in client.cookies


def test_a_refused_form_keeps_what_was_typed_and_says_why_in_chinese(client: Client, survey: Survey) -> None:
    q = qs(survey)
    client.get(f"/s/{survey.key}/")
    data = form_data(survey, **{f"q{q['rating'].pk}": ""})
    data[f"q{q['ranking'].pk}_{opt(q['ranking'], 1)}"] = "1"  # place 1 twice
    response = client.post(f"/s/{survey.key}/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "为必答题" in page and "每个名次只用一次" in page
    assert "希望装加热外卖柜</textarea>" in page and 'value="保温袋"' in page
    assert f'value="{opt(q["single"], 2)}" checked' in page
    assert not Response.objects.exists()


def test_a_sent_form_thanks_and_a_second_tap_stores_nothing_more(client: Client, survey: Survey) -> None:
    client.get(f"/s/{survey.key}/")
    first = client.post(f"/s/{survey.key}/", form_data(survey))
    assert first.status_code == 302 and first["Location"].endswith("?thanks=1")
    again = client.post(f"/s/{survey.key}/", form_data(survey))
    assert again.status_code == 200 and "谢谢您" in again.content.decode()
    assert Response.objects.count() == 1
    assert "谢谢您" in client.get(f"/s/{survey.key}/").content.decode()  # the browser answered


def test_a_code_from_the_qr_sheet_link_is_filled_in(client: Client, cast: factories.Cast) -> None:
    survey = make_survey(cast.tower_a, cast.captain_a, audience="code")
    company = factories.CompanyFactory(building=cast.tower_a)
    _b, codes = actions.codes_generate(survey=survey, company=company, count=1, actor=cast.captain_a)
    page = client.get(f"/s/{survey.key}/?code={codes[0]}").content.decode()
    assert f'value="{codes[0]}"' in page
    assert client.post(f"/s/{survey.key}/", {**form_data(survey), "code": codes[0]}).status_code == 302
    refused = client.post(f"/s/{survey.key}/", {**form_data(survey), "code": "ZZZZ-ZZZZ-ZZZZ"})
    assert refused.status_code == 403 and "邀请码" in refused.content.decode()


def test_a_closed_survey_says_so_and_links_its_results(client: Client, survey: Survey, cast: factories.Cast) -> None:
    actions.survey_move(survey=survey, move="close", actor=cast.captain_a)
    page = client.get(f"/s/{survey.key}/").content.decode()
    assert "此问卷已结束" in page and f"/s/{survey.key}/results/" in page
    assert client.post(f"/s/{survey.key}/", form_data(survey)).status_code == 409


def test_the_results_page_has_bars_and_figures(client: Client, survey: Survey) -> None:
    actions.survey_respond(
        survey=survey, answers=answer(survey, single=0, picks=[0], rating=4, ranking=[0, 1, 2]), browser_key="x"
    )
    page = client.get(f"/s/{survey.key}/results/").content.decode()
    # Bars drawn in HTML and CSS, no chart library to load on a phone (#15: 167 KB and 570 ms of script).
    assert "echarts" not in page and page.count('class="bar-row"') >= 3
    assert 'style="width:100.0%"' in page  # the chosen option, the longest bar
    assert "n=1" in page and "博达得分" in page and "4.0" in page


def test_results_show_only_shown_texts_to_the_public(client: Client, survey: Survey, cast: factories.Cast) -> None:
    for i, text in enumerate(["好建议", "广告 13800000000"]):
        actions.survey_respond(
            survey=survey,
            answers=answer(survey, single=0, picks=[], rating=3, ranking=[0, 1, 2], text=text),
            browser_key=f"b{i}",
        )
    good, spam = TextAnswer.objects.order_by("id")
    actions.text_moderate(text=good, show=True, actor=cast.captain_a)
    actions.text_moderate(text=spam, show=False, reason="含联系方式", actor=cast.captain_a)
    page = client.get(f"/s/{survey.key}/results/").content.decode()
    assert "好建议" in page and "13800000000" not in page
    spam.refresh_from_db()
    assert spam.text == "广告 13800000000" and spam.hidden_reason == "含联系方式"  # the original is kept


def test_export_is_one_row_per_response_with_bom_and_only_moderated_text(
    client: Client, survey: Survey, cast: factories.Cast
) -> None:
    actions.survey_respond(
        survey=survey,
        answers=answer(survey, single=1, picks=[0, 1], rating=5, ranking=[2, 0, 1], text="=HYPERLINK(1)"),
        browser_key="a",
    )
    actions.survey_respond(
        survey=survey,
        answers=answer(survey, single=0, picks=[], rating=1, ranking=[0, 1, 2], text="待审"),
        browser_key="b",
    )
    shown = TextAnswer.objects.get(text="=HYPERLINK(1)")
    actions.text_moderate(text=shown, show=True, actor=cast.captain_a)
    client.force_login(cast.captain_a)
    response = client.get(f"/s/{survey.key}/results/responses.csv")
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    lines = body.strip().splitlines()
    assert len(lines) == 3
    assert "'=HYPERLINK(1)" in body and "待审" not in body and "未审核或已隐藏" in body
    assert "2号门 > 1号门 > B1" in body or "B1 > 1号门 > 2号门" in body
    assert client.get(f"/s/{survey.key}/results/responses.xlsx").status_code == 200


def test_the_board_and_the_screen_show_the_open_survey_with_its_qr(
    client: Client, survey: Survey, cast: factories.Cast
) -> None:
    board = client.get(reverse("board", args=[cast.tower_a.slug])).content.decode()
    assert "外卖需求意见征集" in board and "<svg" in board and f"/s/{survey.key}/" in board
    found = [p for p in panels.screen_panels(cast.tower_a.pk) if p["kind"] == "survey"]
    assert found[0]["qr"] == f"/s/{survey.key}/qr.png" and found[0]["url"].endswith(f"/s/{survey.key}/")
    assert client.get(found[0]["qr"])["Content-Type"] == "image/png"
    assert panels.screen_panels(cast.tower_b.pk) == []


def test_the_screen_shows_published_results(survey: Survey, cast: factories.Cast) -> None:
    for i in range(3):
        actions.survey_respond(
            survey=survey, answers=answer(survey, single=i, picks=[0], rating=4, ranking=[0, 1, 2]), browser_key=f"s{i}"
        )
    actions.survey_move(survey=survey, move="close", actor=cast.captain_a)
    actions.survey_move(survey=survey, move="publish", actor=cast.captain_a)
    (panel,) = panels.screen_panels(cast.tower_a.pk)
    assert panel["qr"] == "" and "3" in panel["subtitle"]
    assert any(row["value"].endswith("%") for row in panel["rows"])


def test_survey_moves_are_compare_and_set(survey: Survey, cast: factories.Cast) -> None:
    stale = Survey.objects.get(pk=survey.pk)
    actions.survey_move(survey=survey, move="close", actor=cast.captain_a)
    with pytest.raises(actions.SurveyError) as refused:
        actions.survey_move(survey=stale, move="close", actor=cast.captain_a)
    assert refused.value.code == "state"


def test_admin_codes_page_gives_a_printable_sheet_once(client: Client, cast: factories.Cast) -> None:
    survey = make_survey(cast.tower_a, cast.captain_a, audience="code")
    company = factories.CompanyFactory(building=cast.tower_a, name="摩根大通")
    client.force_login(cast.captain_a)
    url = reverse("admin:surveys_survey_codes", args=[survey.pk])
    sheet = client.post(url, {"company": company.pk, "count": 6, "format": "sheet"})
    page = sheet.content.decode()
    assert sheet.status_code == 200 and page.count("<svg") == 6 and "摩根大通" in page
    xlsx = client.post(url, {"company": company.pk, "count": 3, "format": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert InvitationCode.objects.filter(survey=survey).count() == 9
    codes = set(re.findall(r"\b[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}\b", page))
    assert len(codes) == 6
    listing = client.get(url).content.decode()
    # The codes were shown once, on the sheet; the page lists the batches, never a code again. (It used to
    # look for "ZZ", which a CSRF token holds now and then.)
    assert "摩根大通" in listing and not any(code in listing for code in codes)


def test_make_it_a_demand_links_both_ways(client: Client, survey: Survey, cast: factories.Cast) -> None:
    actions.survey_respond(
        survey=survey,
        answers=answer(survey, single=0, picks=[], rating=3, ranking=[0, 1, 2], text="希望2号门装加热外卖柜"),
        browser_key="d",
    )
    text = TextAnswer.objects.get()
    client.force_login(cast.captain_a)
    url = reverse("admin:surveys_textanswer_demand", args=[text.pk])
    response = client.post(url, {"title": "2号门加热外卖柜", "category": cast.category.pk, "is_public": "on"})
    assert response.status_code == 302
    demand = Demand.objects.get(channel=Demand.Channel.SURVEY)
    assert demand.title == "2号门加热外卖柜" and demand.description == "希望2号门装加热外卖柜"
    event = DemandEvent.objects.get(demand=demand, kind=DemandEvent.Kind.SURVEY_LINKED)
    assert event.data["survey"] == survey.key
    text.refresh_from_db()
    assert text.demand == demand
    assert client.post(url, {"title": "again", "category": cast.category.pk}).status_code == 200  # refused: once
    assert Demand.objects.filter(channel=Demand.Channel.SURVEY).count() == 1


def test_a_survey_prompted_by_a_demand_says_so_on_its_timeline(cast: factories.Cast) -> None:
    demand = factories.make_demand(cast.tower_a, cast.category)
    survey = make_survey(cast.tower_a, cast.captain_a, demands=[demand])
    event = DemandEvent.objects.get(demand=demand, kind=DemandEvent.Kind.SURVEY_LINKED)
    assert survey.title in event.note and event.is_public


def test_another_buildings_captain_cannot_link_or_make_codes(cast: factories.Cast) -> None:
    survey = make_survey(cast.tower_a, cast.captain_a, audience="code")
    company = factories.CompanyFactory(building=cast.tower_a)
    with pytest.raises(actions.SurveyError):
        actions.codes_generate(survey=survey, company=company, count=1, actor=cast.captain_b)
    with pytest.raises(actions.SurveyError):
        actions.survey_move(survey=survey, move="close", actor=cast.captain_b)


def test_the_api_builds_a_survey_and_opens_it(client: Client, cast: factories.Cast) -> None:
    client.force_login(cast.captain_a)
    body = {
        "building": "shanghai-tower",
        "title": "午餐调查",
        "audience": "open",
        "results": "live",
        "questions": [
            {"kind": "heading", "text": "午餐"},
            {
                "kind": "single",
                "text": "在哪吃？",
                "required": True,
                "options": [{"text": "食堂"}, {"text": "外卖"}],
                "other": True,
            },
            {
                "kind": "multiple",
                "text": "关心什么？",
                "max_choices": 2,
                "options": [{"text": "价格"}, {"text": "口味"}, {"text": "健康"}],
            },
            {"kind": "rating", "text": "满意度"},
            {"kind": "ranking", "text": "排序", "options": [{"text": "A"}, {"text": "B"}]},
            {"kind": "text", "text": "建议", "long": True, "show_if": [1, 1]},
        ],
    }
    created = client.post("/api/v1/surveys/", body, content_type="application/json")
    assert created.status_code == 201, created.json()
    key = created.json()["key"]
    detail = client.get(f"/api/v1/surveys/{key}/").json()
    assert [q["kind"] for q in detail["questions"]] == ["heading", "single", "multiple", "rating", "ranking", "text"]
    assert detail["questions"][1]["options"][-1]["other"] is True
    assert detail["questions"][2]["max_choices"] == 2
    assert detail["questions"][5]["show_if"] == detail["questions"][1]["options"][1]["id"]
    assert client.post(f"/api/v1/surveys/{key}/open/").json()["status"] == "open"
    assert client.post(f"/api/v1/surveys/{key}/publish/").status_code == 409  # not closed yet
    listed = client.get("/api/v1/surveys/?building=shanghai-tower").json()
    assert key in [s["key"] for s in listed]
    bad = client.post(
        "/api/v1/surveys/",
        {**body, "questions": [{"kind": "single", "text": "x", "options": [{"text": "a"}]}]},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "两个选项" in bad.json()["detail"]
    assert Survey.objects.count() == 1


def test_a_captain_builds_a_survey_in_the_admin_with_options_one_per_line(client: Client, cast: factories.Cast) -> None:
    client.force_login(cast.captain_a)
    prefix = "questions"
    data = {
        "building": cast.tower_a.pk,
        "title": "电梯意见征集",
        "audience": "open",
        "results_visibility": "after_close",
        f"{prefix}-TOTAL_FORMS": "2",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
        f"{prefix}-0-position": "0",
        f"{prefix}-0-kind": "single",
        f"{prefix}-0-text": "哪部电梯最挤？",
        f"{prefix}-0-required": "on",
        f"{prefix}-0-options_text": "A区\nB区\n\nC区",
        f"{prefix}-0-other": "on",
        f"{prefix}-1-position": "1",
        f"{prefix}-1-kind": "rating",
        f"{prefix}-1-text": "满意度",
    }
    response = client.post(reverse("admin:surveys_survey_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    survey = Survey.objects.get(title="电梯意见征集")
    assert survey.district_id == cast.tower_a.subdistrict.district_id and survey.created_by == cast.captain_a
    single = survey.questions.get(kind="single")
    assert [o.text for o in single.options.order_by("position")] == ["A区", "B区", "C区", "其他（请说明）"]
    # Another building's survey cannot be made from captain_a's account.
    other = client.post(reverse("admin:surveys_survey_add"), {**data, "building": cast.tower_b.pk})
    assert other.status_code == 200 and Survey.objects.count() == 1

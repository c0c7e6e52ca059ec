"""#13: the guide, the hall, ask-and-answer and the case look-up, as a resident and a department see them."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from requests_tracker.actions import demand_transition
from requests_tracker.actions.routing import SYSTEM_USERNAME
from requests_tracker.ask import actions as ask_actions
from requests_tracker.hall.models import HallRequest
from requests_tracker.models import Demand
from requests_tracker.search import engine
from requests_tracker.search.models import SearchDocument
from requests_tracker.workflow import Status
from services.guide import actions as guide_actions
from services.guide.definitions import AnswersError, validate_answers
from services.guide.models import Matter, MatterRevision, ServiceField

from .conftest import VALID

pytestmark = pytest.mark.django_db


def _post(client: Any, code: str, body: dict[str, Any]) -> Any:
    return client.post(f"/api/v1/services/{code}/requests/", body, content_type="application/json")


# --- the hall ------------------------------------------------------------------------------------


def test_hall_request_is_assigned_straight_to_the_department_with_its_answers_private(client: Any, world: Any) -> None:
    response = _post(
        client, "health-slot", {"building": "shanghai-tower", "answers": VALID, "contact_phone": "13812345678"}
    )
    assert response.status_code == 201, response.json()
    demand = Demand.objects.get(token=response.json()["token"])
    assert demand.status == Status.ASSIGNED and demand.assignee_department == world.fire
    assert demand.channel == Demand.Channel.HALL and demand.is_public is False
    assert HallRequest.objects.get(demand=demand).answers == {
        "doctor": "gp",
        "when": "2026-12-03T12:00+08:00",
        "people": 2,
    }
    assign = demand.events.get(kind="assigned")
    assert assign.actor.username == SYSTEM_USERNAME and not assign.actor.has_usable_password()
    assert not assign.actor.is_superuser
    # The answers are on no public page.
    assert "全科" not in client.get(response.json()["tracking_url"]).content.decode()


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"when": "2026-12-03T12:00", "people": 1}, "doctor"),  # required missing
        ({**VALID, "people": "两个"}, "people"),  # wrong type
        ({**VALID, "doctor": "dentist"}, "doctor"),  # not in the list
        ({**VALID, "when": "明天中午"}, "when"),
        ({**VALID, "weeks": ["w9"]}, "weeks"),
        ({**VALID, "colour": "red"}, "colour"),  # no such field
    ],
)
def test_bad_answers_are_a_400_naming_the_field_and_store_nothing(
    client: Any, world: Any, answers: dict[str, Any], field: str
) -> None:
    response = _post(client, "health-slot", {"building": "shanghai-tower", "answers": answers})
    assert response.status_code == 400
    assert field in response.json()["answers"]
    assert Demand.objects.count() == 0 and HallRequest.objects.count() == 0


def test_hall_form_in_chinese_shows_the_error_then_lands_on_tracking(client: Any, world: Any) -> None:
    page = client.post(
        "/hall/health-slot/",
        {"building": "shanghai-tower", "a-doctor": "gp", "a-when": "2026-12-03T12:00", "a-people": "很多"},
    )
    assert page.status_code == 400
    assert "“就诊人数”必须是" in page.content.decode()
    assert Demand.objects.count() == 0
    ok = client.post(
        "/hall/health-slot/",
        {"building": "shanghai-tower", "a-doctor": "gp", "a-when": "2026-12-03T12:00", "a-people": "2"},
    )
    assert ok.status_code == 302 and ok["Location"].startswith("/t/")


def test_service_definition_api_serves_open311_fields(client: Any, world: Any, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(2):
        data = client.get("/api/v1/services/health-slot/").json()
    assert [f["code"] for f in data["fields"]] == ["doctor", "when", "people", "weeks", "note"]
    assert {f["datatype"] for f in data["fields"]} <= set(ServiceField.Datatype.values)
    assert data["fields"][0]["options"] == [{"key": "gp", "name": "全科"}, {"key": "tcm", "name": "中医"}]
    assert client.get("/api/v1/services/nope/").status_code == 404


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(
    people=st.one_of(
        st.integers(-(10**6), 10**6), st.text(max_size=8), st.booleans(), st.none(), st.lists(st.integers(), max_size=2)
    )
)
def test_answers_are_accepted_exactly_when_they_fit_the_definition(world: Any, people: Any) -> None:
    fields = list(world.service.fields.all())
    answers = {**VALID, "people": people}
    fits = (isinstance(people, int) and not isinstance(people, bool)) or (
        isinstance(people, str) and _is_number(people.strip())
    )
    try:
        cleaned = validate_answers(fields, answers)
    except AnswersError as exc:
        assert not fits and "people" in exc.message_dict
    else:
        assert fits and isinstance(cleaned["people"], int | float) and set(cleaned) <= {f.code for f in fields}


def _is_number(text: str) -> bool:
    from decimal import Decimal, InvalidOperation

    try:
        value = Decimal(text)
    except InvalidOperation:
        return False
    return value.is_finite() and abs(value) <= Decimal("1e12")


# --- the guide ------------------------------------------------------------------------------------


def test_matter_edits_keep_their_history_and_refuse_a_stale_version(world: Any, dept_staff: Any) -> None:
    matter = world.matter
    edited = guide_actions.matter_update(matter=matter, actor=dept_staff, expected_version=1, fees="免费")
    assert edited.version == 2 and edited.reviewed_by == dept_staff
    revision = MatterRevision.objects.get(matter=matter)
    assert revision.snapshot["fees"] == "" and revision.changed == ["fees"]
    with pytest.raises(guide_actions.MatterError):
        guide_actions.matter_update(matter=matter, actor=dept_staff, expected_version=1, fees="100元")


def test_guide_pages_show_matters_with_their_review(client: Any, world: Any, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(4):
        index = client.get("/guide/")
    assert "区消防救援支队" in index.content.decode()
    page = client.get("/guide/fire/").content.decode()
    assert "智能外卖柜设置指引" in page and "最近审核" in page
    assert client.get("/guide/nope/").status_code == 404
    data = client.get("/api/v1/guide/").json()
    assert data[0]["code"] == "fire" and data[0]["matters"][0]["title"] == "智能外卖柜设置指引"


# --- ask and answer -------------------------------------------------------------------------------


def test_question_goes_to_the_matters_department_and_its_answer_is_public_and_rated_once(
    client: Any, world: Any, dept_staff: Any
) -> None:
    response = _ask(client, world)
    assert response.status_code == 302
    question = Demand.objects.get()
    assert question.kind == Demand.Kind.QUESTION and question.assignee_department == world.fire
    demand_transition(demand=question, action="resolve", actor=dept_staff, outcome="solved", note="在1楼2号门。")
    page = client.get("/ask/").content.decode()
    assert "在1楼2号门。" in page
    assert client.post(f"/ask/{question.pk}/vote/", {"helpful": "yes"}, HTTP_ACCEPT="application/json").json()["added"]
    again = client.post(f"/ask/{question.pk}/vote/", {"helpful": "no"}, HTTP_ACCEPT="application/json").json()
    assert again["added"] is False and again["helpful_count"] == 1 and again["unhelpful_count"] == 0
    # The department files the good answer in the guide, once.
    question.refresh_from_db()
    matter = ask_actions.answer_promote(demand=question, actor=dept_staff)
    assert matter.department == world.fire and matter.steps == "在1楼2号门。"
    with pytest.raises(ValidationError):
        ask_actions.answer_promote(demand=question, actor=dept_staff)


# --- case look-up ---------------------------------------------------------------------------------


def _resolved(world: Any, title: str, note: str, *, public: bool = True) -> Demand:
    from tests.factories import make_demand

    demand = make_demand(world.tower_a, world.category, title=title, is_public=public)
    demand = demand_transition(demand=demand, action="assign", actor=world.captain_a, assignee=_dept(world))
    return demand_transition(demand=demand, action="resolve", actor=world.captain_a, outcome="solved", note=note)


def _dept(world: Any) -> Any:
    from requests_tracker.actions import Assignee

    return Assignee(department=world.fire)


def test_search_finds_resolved_public_cases_through_synonyms_and_forgets_reopened_ones(client: Any, world: Any) -> None:
    case = _resolved(world, "外卖快递无法上楼，一楼交接太混乱", "在1楼2号门安装了带加热功能的智能外卖柜")
    _resolved(world, "外卖太慢", "私下的", public=False)
    assert SearchDocument.objects.filter(kind="demand").count() == 1
    data = client.get("/api/v1/search/", {"q": "送餐"}).json()
    assert data["results"][0]["kind"] == "demand" and data["results"][0]["id"] == case.pk
    assert set(data["results"][0]) == {"kind", "id", "title", "snippet", "url"}
    kinds = {
        r["kind"] for r in client.get("/api/v1/search/", {"q": "外卖柜", "category": "delivery"}).json()["results"]
    }
    assert kinds == {"demand", "matter"}
    case = demand_transition(demand=case, action="reopen", actor=world.captain_a, note="又坏了")
    assert not SearchDocument.objects.filter(demand=case).exists()


def test_empty_and_overlong_queries_get_a_clear_answer(client: Any, world: Any) -> None:
    assert "q" in client.get("/api/v1/search/", {"q": ""}).json()
    assert client.get("/api/v1/search/", {"q": "外" * 1000}).status_code == 400
    assert client.get("/api/v1/search/", {"q": "外卖", "building": "no\x00pe"}).status_code == 400
    page = client.get("/cases/", {"q": "外" * 1000})
    assert page.status_code == 400 and "最多" in page.content.decode()
    assert client.get("/cases/").status_code == 200


def test_highlight_escapes_and_marks() -> None:
    assert engine.highlight("<b>外卖柜</b>", ["外卖柜"]) == "&lt;b&gt;<mark>外卖柜</mark>&lt;/b&gt;"


def test_matter_in_the_guide_is_searchable_until_unpublished(world: Any) -> None:
    assert engine.search("外卖柜")[1][0].kind == "matter"
    guide_actions.matter_update(matter=world.matter, actor=None, expected_version=1, is_published=False)
    assert not SearchDocument.objects.filter(matter=world.matter).exists()
    assert Matter.objects.count() == 1


# --- fixed query counts -----------------------------------------------------------------------------


def test_pages_and_apis_run_a_fixed_number_of_queries(
    client: Any, world: Any, dept_staff: Any, django_assert_num_queries: Any
) -> None:
    for i in range(3):
        _resolved(world, f"外卖柜第{i}次坏了", "已修好外卖柜")
    question = ask_actions.question_ask(
        building=world.tower_a, category=world.category, title="外卖柜在哪？", matter=world.matter
    )
    demand_transition(demand=question, action="resolve", actor=dept_staff, outcome="solved", note="1楼。")
    client.get("/ask/")  # jieba and the templates warm
    # the page's count, the questions with their vote counts, this browser's votes (it holds a key since
    # the first view); buildings, categories
    with django_assert_num_queries(5):
        client.get("/ask/")
    # one statement: the candidates (capped), their ranking, the page and how many there were
    with django_assert_num_queries(1):
        data = client.get("/api/v1/search/", {"q": "外卖柜"}).json()
    assert data["count"] == 5
    with django_assert_num_queries(2):  # + the category filter's lookup
        client.get("/api/v1/search/", {"q": "外卖柜", "category": "delivery"})
    with django_assert_num_queries(6):  # + the filters' choices: categories, districts (3), buildings
        client.get("/cases/", {"q": "外卖柜"})
    with django_assert_num_queries(2):  # the services, their fields
        client.get("/api/v1/services/")


def test_a_department_edits_its_matter_in_the_admin_and_a_stale_form_is_refused(
    client: Any, world: Any, dept_staff: Any
) -> None:
    client.force_login(dept_staff)
    url = f"/admin/guide/matter/{world.matter.pk}/change/"
    form = {
        "title": "智能外卖柜设置指引",
        "steps": "新的步骤",
        "is_published": "on",
        "expected_version": "1",
        "revisions-TOTAL_FORMS": "0",
        "revisions-INITIAL_FORMS": "0",
    }
    assert client.post(url, form).status_code == 302
    matter = Matter.objects.get(pk=world.matter.pk)
    assert matter.steps == "新的步骤" and matter.version == 2 and matter.reviewed_by == dept_staff
    assert MatterRevision.objects.get(matter=matter).snapshot["steps"] == "问卷征集需求，1楼2号门安装外卖柜"
    stale = client.post(url, {**form, "steps": "又一次"})
    assert stale.status_code == 200 and "已被他人修改" in stale.content.decode()
    assert Matter.objects.get(pk=matter.pk).steps == "新的步骤"


def _ask(client: Any, world: Any) -> Any:
    """A resident asks, from the phone form, about the food locker (the world's matter)."""
    return client.post(
        "/ask/",
        {
            "building": "shanghai-tower",
            "category": "delivery",
            "title": "外卖柜在哪一层？",
            "matter": world.matter.pk,
            "is_public": "on",
        },
    )


def _answered_question(world: Any, dept_staff: Any) -> Demand:
    from django.test import Client

    _ask(Client(), world)
    question = Demand.objects.get(kind=Demand.Kind.QUESTION)
    return demand_transition(demand=question, action="resolve", actor=dept_staff, outcome="solved", note="在1楼2号门。")


def test_an_answer_vote_counts_only_with_a_key_this_server_signed(world: Any, dept_staff: Any) -> None:
    """Once per browser: the key is the +1s' signed browser key, issued by the page and throttled per
    address. A vote without one, or with a made-up one, counts nothing and says why (in Chinese)."""
    from django.test import Client

    from requests_tracker.intake import browser_keys

    question = _answered_question(world, dept_staff)
    url = f"/ask/{question.pk}/vote/"
    bare = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    refused = bare.post(url, {"helpful": "yes"}, HTTP_ACCEPT="application/json")
    assert refused.status_code == 403
    assert refused.json()["added"] is False and "刷新页面" in refused.json()["detail"]
    forged = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    forged.cookies[browser_keys.COOKIE] = "A" * 32  # unsigned
    assert forged.post(url, {"helpful": "yes"}, HTTP_ACCEPT="application/json").status_code == 403
    # The old unsigned vote cookie gives nothing either.
    forged.cookies["lsh_ask"] = "B" * 32
    assert forged.post(url, {"helpful": "yes"}, HTTP_ACCEPT="application/json").status_code == 403
    assert not question.question_votes.exists()
    browser = Client()
    browser.get("/ask/")  # the page issues the key
    assert browser.post(url, {"helpful": "yes"}, HTTP_ACCEPT="application/json").json()["added"] is True
    assert browser.post(url, {"helpful": "yes"}, HTTP_ACCEPT="application/json").json()["added"] is False
    page = browser.get("/ask/").content.decode()
    assert 'aria-pressed="true"' in page  # the page knows this browser's vote


def test_a_script_that_drops_its_cookie_gets_few_votes(
    world: Any, dept_staff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.test import Client
    from rest_framework.throttling import ScopedRateThrottle

    from requests_tracker.intake import browser_keys

    question = _answered_question(world, dept_staff)
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {browser_keys.THROTTLE_SCOPE: "3/min"})
    for _ in range(6):
        script = Client()  # a new browser each time, from the same address
        script.get("/ask/")
        script.post(f"/ask/{question.pk}/vote/", {"helpful": "yes"}, HTTP_ACCEPT="application/json")
    assert question.question_votes.filter(helpful=True).count() == 3

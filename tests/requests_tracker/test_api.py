"""The REST API as its clients see it: submitting, reading, filtering, moving demands, tracking them."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.staticfiles import finders
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from buildings.models import Building, CouncilMember, User
from requests_tracker import actions
from requests_tracker.actions import Assignee
from requests_tracker.api import PRIVATE_FIELDS
from requests_tracker.models import Demand, DemandEvent
from requests_tracker.workflow import Status
from tests import factories
from tests.requests_tracker import demand_helpers

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEMANDS = "/api/v1/demands/"
CONTACT = {"contact_name": "张三", "contact_phone": "13812345678", "contact_email": "zhang.san@example.com"}
DemandAt = Callable[..., Demand]


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def demand_at(cast: factories.Cast) -> DemandAt:
    return partial(demand_helpers.demand_at, cast)


def client_for(user: User | None, **headers: str) -> APIClient:
    client = APIClient(headers=headers or None)
    if user is not None:
        client.force_login(user)
    return client


def detail_url(demand: Demand) -> str:
    return f"{DEMANDS}{demand.pk}/"


def transitions_url(demand: Demand) -> str:
    return f"{DEMANDS}{demand.pk}/transitions/"


def ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


class Board:
    """A public and a private demand in each of the two towers, all with contact details."""

    def __init__(self, cast: factories.Cast) -> None:
        make = partial(factories.make_demand, category=cast.category, **CONTACT)
        self.a_public = make(cast.tower_a, title="外卖无法上楼")
        self.a_private = make(cast.tower_a, title="租金补贴咨询", is_public=False)
        self.b_public = make(cast.tower_b, title="电梯不联动")
        self.b_private = make(cast.tower_b, title="扩租需求", is_public=False)


@pytest.fixture
def board(cast: factories.Cast) -> Board:
    return Board(cast)


def submission(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "building": "shanghai-tower",
        "category": "delivery",
        "title": "外卖无法上楼",
        "description": "午餐时间一楼大堂很乱",
        "floor": 52,
        "contact_phone": "138-1234-5678",
        "is_public": True,
    }
    data.update(overrides)
    return data


# --- submitting --------------------------------------------------------------------------------


def test_anonymous_submits_a_demand_and_gets_its_tracking_link(cast: factories.Cast, api: APIClient) -> None:
    response = api.post(DEMANDS, submission(), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    demand = Demand.objects.get(pk=body["id"])
    assert body["token"] == demand.token
    assert body["tracking_url"] == f"http://testserver/t/{demand.token}/"
    assert (body["status"], body["building"], body["category"]) == ("submitted", "shanghai-tower", "delivery")
    assert (demand.channel, demand.submitted_by, demand.contact_phone) == ("api", None, "13812345678")
    assert list(demand.events.values_list("kind", flat=True)) == ["submitted"]
    assert not set(PRIVATE_FIELDS) & set(body)


def test_signed_in_resident_is_recorded_as_submitter(cast: factories.Cast) -> None:
    response = client_for(cast.resident).post(DEMANDS, submission(), format="json")
    assert response.status_code == 201
    assert Demand.objects.get(pk=response.json()["id"]).submitted_by == cast.resident


def test_submission_errors_are_in_chinese_by_default(cast: factories.Cast, api: APIClient) -> None:
    response = api.post(DEMANDS, submission(title="", contact_phone="12345"), format="json")

    assert response.status_code == 400
    errors = response.json()
    assert errors["title"] == ["该字段不能为空。"]
    assert errors["contact_phone"] == ["请输入以 1 开头的 11 位大陆手机号，例如 13812345678。"]
    assert not Demand.objects.exists()


def test_submission_errors_are_in_english_when_asked(cast: factories.Cast) -> None:
    response = client_for(None, accept_language="en").post(
        DEMANDS, submission(title="", contact_phone="12345"), format="json"
    )

    assert response.status_code == 400
    errors = response.json()
    assert errors["title"] == ["This field may not be blank."]
    assert errors["contact_phone"] == ["Enter a mainland mobile number of 11 digits starting with 1, e.g. 13812345678."]
    assert not Demand.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("building", "no-such-tower"),
        ("building", "retired-tower"),
        ("building", "shanghai\x00tower"),
        ("building", 42),
        ("building", ["shanghai-tower"]),
        ("category", "no-such-category"),
        ("category", "retired"),
        ("category", {"code": "delivery"}),
    ],
)
def test_unknown_building_or_category_is_a_field_error(
    field: str, value: Any, cast: factories.Cast, api: APIClient
) -> None:
    factories.BuildingFactory(slug="retired-tower", is_active=False)
    factories.CategoryFactory(code="retired", is_active=False)

    response = api.post(DEMANDS, submission(**{field: value}), format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not Demand.objects.exists()


@pytest.mark.parametrize(
    ("floor", "message"),
    [
        (128, "上海中心大厦的楼层范围为 -3 至 127 层。"),
        (-4, "上海中心大厦的楼层范围为 -3 至 127 层。"),
        (0, "没有 0 层：地面层为 1 层，地下一层为 -1 层。"),
    ],
)
def test_floor_outside_the_building_is_refused_with_its_range(
    floor: int, message: str, cast: factories.Cast, api: APIClient
) -> None:
    response = api.post(DEMANDS, submission(floor=floor), format="json")

    assert response.status_code == 400
    assert response.json() == {"floor": [message]}
    assert not Demand.objects.exists()
    assert not DemandEvent.objects.exists()


@pytest.mark.parametrize("floor", [127, 1, -1, -3, None])
def test_floors_of_the_building_are_accepted(floor: int | None, cast: factories.Cast, api: APIClient) -> None:
    response = api.post(DEMANDS, submission(floor=floor), format="json")
    assert response.status_code == 201, response.content
    assert Demand.objects.get().floor == floor


def test_title_with_html_is_stored_and_shown_as_text(cast: factories.Cast, api: APIClient) -> None:
    title = '<script>alert("楼")</script><b>外卖</b>'

    response = api.post(DEMANDS, submission(title=title), format="json")

    assert response.status_code == 201
    demand = Demand.objects.get()
    assert demand.title == title
    assert api.get(detail_url(demand)).json()["title"] == title
    page = api.get(f"/t/{demand.token}/").content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in page


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        pytest.param(b'{"building": "shanghai-tower", "title": ', "application/json", 400, id="truncated-json"),
        pytest.param(b"[1, 2, 3]", "application/json", 400, id="json-list"),
        pytest.param('"外卖"'.encode(), "application/json", 400, id="json-string"),
        pytest.param(b"null", "application/json", 400, id="json-null"),
        pytest.param(b"\xff\xfe garbage", "application/json", 400, id="not-utf8"),
        pytest.param(b"title=<>&&&building", "text/plain", 415, id="unsupported-media-type"),
    ],
)
def test_garbage_bodies_are_refused_without_a_crash(
    body: bytes, content_type: str, status: int, cast: factories.Cast, api: APIClient
) -> None:
    response = api.generic("POST", DEMANDS, body, content_type=content_type)
    assert response.status_code == status
    assert "detail" in response.json() or "non_field_errors" in response.json()
    assert not Demand.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", {"zh": "外卖"}),
        ("title", None),
        ("title", "楼" * 121),
        ("title", "   "),
        ("floor", "三楼"),
        ("floor", 10**30),
        ("floor", 3.5),
        ("is_public", "maybe"),
        ("contact_email", "not-an-email"),
        ("contact_phone", ["13812345678"]),
        ("description", "\x00"),
    ],
)
def test_wrong_types_are_field_errors(field: str, value: Any, cast: factories.Cast, api: APIClient) -> None:
    response = api.post(DEMANDS, submission(**{field: value}), format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not Demand.objects.exists()


@pytest.fixture
def submit_rate_3_per_minute(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # DRF reads the rates into a class attribute at import: overriding settings would not reach it.
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"demand_submit": "3/min"})
    throttle = ScopedRateThrottle()
    key = throttle.cache_format % {"scope": "demand_submit", "ident": "127.0.0.1"}
    throttle.cache.delete(key)
    yield
    throttle.cache.delete(key)


def test_anonymous_submission_is_throttled(
    cast: factories.Cast, api: APIClient, submit_rate_3_per_minute: None
) -> None:
    statuses = [api.post(DEMANDS, submission(), format="json").status_code for _ in range(4)]

    assert statuses == [201, 201, 201, 429]
    assert Demand.objects.count() == 3
    assert api.get(DEMANDS).status_code == 200  # reading is not throttled


# --- reading: who sees what ----------------------------------------------------------------------


def test_anonymous_sees_only_public_demands_without_contact_fields(board: Board, api: APIClient) -> None:
    response = api.get(DEMANDS)

    assert ids(response) == {board.a_public.pk, board.b_public.pk}
    for row in response.json()["results"]:
        assert not set(PRIVATE_FIELDS) & set(row)
        assert row["allowed_actions"] == []
    assert CONTACT["contact_phone"] not in response.content.decode()


def test_resident_sees_the_public_board(board: Board, cast: factories.Cast) -> None:
    response = client_for(cast.resident).get(DEMANDS)
    assert ids(response) == {board.a_public.pk, board.b_public.pk}
    assert CONTACT["contact_phone"] not in response.content.decode()


def test_captain_sees_contacts_of_own_building_only(board: Board, cast: factories.Cast) -> None:
    response = client_for(cast.captain_a).get(DEMANDS)

    assert ids(response) == {board.a_public.pk, board.a_private.pk, board.b_public.pk}
    rows = {row["id"]: row for row in response.json()["results"]}
    for pk in (board.a_public.pk, board.a_private.pk):
        assert {k: rows[pk][k] for k in CONTACT} == CONTACT
        assert rows[pk]["channel"] == "web"
        assert rows[pk]["allowed_actions"] == ["assign"]
    assert not set(PRIVATE_FIELDS) & set(rows[board.b_public.pk])
    assert rows[board.b_public.pk]["allowed_actions"] == []


def test_captain_cannot_reach_a_private_demand_of_another_building(board: Board, cast: factories.Cast) -> None:
    captain = client_for(cast.captain_a)

    assert captain.get(detail_url(board.b_private)).status_code == 404
    response = captain.post(
        transitions_url(board.b_private), {"action": "assign", "assignee_department": "fire"}, format="json"
    )
    assert response.status_code == 404
    assert Demand.objects.get(pk=board.b_private.pk).version == 1
    assert board.b_private.events.count() == 1


def test_department_staff_see_contacts_of_what_is_assigned_to_them(
    board: Board, cast: factories.Cast, demand_at: DemandAt
) -> None:
    assigned = demand_at(Status.ASSIGNED, building=cast.tower_b, is_public=False, **CONTACT)

    response = client_for(cast.dept_staff).get(DEMANDS)

    assert ids(response) == {board.a_public.pk, board.b_public.pk, assigned.pk}
    rows = {row["id"]: row for row in response.json()["results"]}
    assert rows[assigned.pk]["contact_phone"] == CONTACT["contact_phone"]
    assert rows[assigned.pk]["allowed_actions"] == ["start", "resolve", "hand_back"]
    assert "contact_phone" not in rows[board.a_public.pk]


def test_district_staff_see_every_demand_of_their_district(board: Board, cast: factories.Cast) -> None:
    elsewhere = factories.BuildingFactory(
        slug="pinggao", subdistrict=factories.SubdistrictFactory(slug="changshou", district__slug="putuo")
    )
    putuo_private = factories.make_demand(elsewhere, cast.category, is_public=False)

    response = client_for(cast.district_staff).get(DEMANDS)

    assert ids(response) == {board.a_public.pk, board.a_private.pk, board.b_public.pk, board.b_private.pk}
    assert putuo_private.pk not in ids(response)
    for row in response.json()["results"]:
        assert row["contact_phone"] == CONTACT["contact_phone"]
        assert row["allowed_actions"] == []


def test_internal_notes_are_shown_only_to_those_handling_the_demand(board: Board, cast: factories.Cast) -> None:
    actions.demand_add_note(demand=board.a_public, actor=cast.captain_a, note="已电话联系物业经理", is_public=False)

    def notes(user: User | None) -> list[str]:
        response = client_for(user).get(detail_url(board.a_public))
        assert response.status_code == 200
        return [e["note"] for e in response.json()["events"]]

    assert "已电话联系物业经理" in notes(cast.captain_a)
    assert "已电话联系物业经理" not in notes(None)
    assert "已电话联系物业经理" not in notes(cast.captain_b)


def test_non_public_council_member_is_not_named_to_the_public(cast: factories.Cast, demand_at: DemandAt) -> None:
    CouncilMember.objects.filter(pk=cast.plain_member_a.pk).update(is_public=False)
    member = CouncilMember.objects.get(pk=cast.plain_member_a.pk)
    demand = demand_at(Status.ASSIGNED, assignee=Assignee(member=member))

    public = client_for(None).get(detail_url(demand)).content.decode()
    track = client_for(None).get(f"/api/v1/track/{demand.token}/").content.decode()
    handler = client_for(cast.captain_a).get(detail_url(demand)).json()

    assert "陈委员" not in public
    assert "陈委员" not in track
    assert handler["assignee"]["name"] == "陈委员"


# --- filters ---------------------------------------------------------------------------------


def test_list_filters_by_building_category_and_status(cast: factories.Cast, demand_at: DemandAt) -> None:
    parking = factories.CategoryFactory(code="parking", name="停车")
    a_new = demand_at(Status.SUBMITTED)
    a_assigned = demand_at(Status.ASSIGNED)
    a_resolved = demand_at(Status.RESOLVED)
    a_parking = factories.make_demand(cast.tower_a, parking)
    b_new = demand_at(Status.SUBMITTED, building=cast.tower_b)
    api = client_for(None)

    assert ids(api.get(DEMANDS, {"building": "jin-mao-tower"})) == {b_new.pk}
    assert ids(api.get(DEMANDS, {"category": "parking"})) == {a_parking.pk}
    assert ids(api.get(DEMANDS, {"status": ["assigned", "resolved"]})) == {a_assigned.pk, a_resolved.pk}
    assert ids(api.get(DEMANDS, {"building": "shanghai-tower", "status": "submitted", "category": "delivery"})) == {
        a_new.pk
    }
    assert ids(api.get(DEMANDS, {"building": "nowhere"})) == set()


def test_since_and_until_are_shanghai_calendar_days(cast: factories.Cast) -> None:
    # Both are on 1 March in UTC; in Shanghai one is late on the 1st, the other early on the 2nd.
    late_first = factories.make_demand(cast.tower_a, cast.category, at=datetime(2026, 3, 1, 23, 30, tzinfo=SHANGHAI))
    early_second = factories.make_demand(cast.tower_a, cast.category, at=datetime(2026, 3, 2, 0, 30, tzinfo=SHANGHAI))
    api = client_for(None)

    assert ids(api.get(DEMANDS, {"since": "2026-03-02"})) == {early_second.pk}
    assert ids(api.get(DEMANDS, {"until": "2026-03-01"})) == {late_first.pk}
    assert ids(api.get(DEMANDS, {"since": "2026-03-01", "until": "2026-03-01"})) == {late_first.pk}
    assert ids(api.get(DEMANDS, {"since": "2026-03-02", "until": "2026-03-02"})) == {early_second.pk}
    assert ids(api.get(DEMANDS, {"since": "2026-03-03"})) == set()


@pytest.mark.parametrize(
    "params",
    [
        {"status": "closed"},
        {"since": "2026-02-30"},
        {"until": "yesterday"},
        {"building": "shanghai\x00tower"},
    ],
)
def test_bad_filter_values_are_400(params: dict[str, str], cast: factories.Cast) -> None:
    response = client_for(None).get(DEMANDS, params)
    assert response.status_code == 400
    assert list(response.json()) == list(params)


# --- transitions ---------------------------------------------------------------------------------


def test_captain_assigns_through_the_api(board: Board, cast: factories.Cast) -> None:
    response = client_for(cast.captain_a).post(
        transitions_url(board.a_public), {"action": "assign", "assignee_department": "fire", "version": 1}, "json"
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["version"]) == ("assigned", 2)
    assert body["assignee"] == {"kind": "department", "code": "fire", "name": "区消防救援支队"}
    assert body["allowed_actions"] == ["assign", "start", "resolve"]
    assert [e["kind"] for e in body["events"]] == ["submitted", "assigned"]
    assert body["contact_phone"] == CONTACT["contact_phone"]


def test_captain_assigns_to_a_council_member_by_id(board: Board, cast: factories.Cast) -> None:
    response = client_for(cast.captain_a).post(
        transitions_url(board.a_public), {"action": "assign", "assignee_member": cast.plain_member_a.pk}, "json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["assignee"]["name"] == "陈委员"


def test_action_not_possible_from_the_status_is_409(board: Board, cast: factories.Cast) -> None:
    response = client_for(cast.captain_a).post(transitions_url(board.a_public), {"action": "start"}, "json")

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "invalid_state"
    assert "已提交" in body["detail"]
    assert Demand.objects.get(pk=board.a_public.pk).version == 1


@pytest.mark.parametrize(
    ("language", "detail"),
    [
        ("zh-hans", "该诉求当前状态为“已提交”；只有在“已分派、办理中”状态下才能执行“办结”。"),
        ("en", "This demand is submitted; “resolve” is possible only when it is assigned or in progress."),
    ],
)
def test_conflict_says_when_the_action_is_possible(
    language: str, detail: str, board: Board, cast: factories.Cast
) -> None:
    response = client_for(cast.captain_a, accept_language=language).post(
        transitions_url(board.a_public), {"action": "resolve", "outcome": "solved", "note": "已处理"}, "json"
    )

    assert response.status_code == 409
    assert response.json() == {"detail": detail, "code": "invalid_state"}


def test_stale_version_is_409_and_changes_nothing(cast: factories.Cast, demand_at: DemandAt) -> None:
    demand = demand_at(Status.ASSIGNED)  # version 2
    captain = client_for(cast.captain_a)

    response = captain.post(transitions_url(demand), {"action": "start", "version": 1}, "json")

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "stale"
    assert body["detail"]
    assert Demand.objects.get(pk=demand.pk).status == Status.ASSIGNED
    assert demand.events.count() == 2


@pytest.mark.parametrize("who", ["resident", "captain_b", "district_staff", "anonymous"])
def test_visible_but_not_permitted_is_403(who: str, board: Board, cast: factories.Cast) -> None:
    user = None if who == "anonymous" else getattr(cast, who)

    response = client_for(user).post(
        transitions_url(board.a_public), {"action": "assign", "assignee_department": "fire"}, "json"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert Demand.objects.get(pk=board.a_public.pk).version == 1


@pytest.mark.parametrize(
    ("action", "payload", "field"),
    [
        ("resolve", {"note": "已处理"}, "outcome"),
        ("resolve", {"outcome": "solved"}, "note"),
        ("resolve", {"outcome": "solved", "note": "   "}, "note"),
        ("reopen", {}, "note"),
    ],
)
def test_missing_outcome_or_note_is_400(
    action: str, payload: dict[str, str], field: str, cast: factories.Cast, demand_at: DemandAt
) -> None:
    demand = demand_at(Status.RESOLVED if action == "reopen" else Status.IN_PROGRESS)

    response = client_for(cast.captain_a).post(transitions_url(demand), {"action": action, **payload}, "json")

    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["field"]) == ("invalid", field)
    assert body["detail"]
    assert Demand.objects.get(pk=demand.pk).version == demand.version


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param({"action": "close"}, id="unknown-action"),
        pytest.param({}, id="no-action"),
        pytest.param({"action": "resolve", "outcome": "fixed", "note": "x"}, id="unknown-outcome"),
        pytest.param({"action": "assign", "assignee_member": "陈委员"}, id="member-not-an-id"),
        pytest.param({"action": "assign", "assignee_member": 10**30}, id="member-id-out-of-range"),
        pytest.param({"action": "assign", "assignee_department": "fire\x00"}, id="department-with-nul"),
        pytest.param({"action": "assign", "assignee_department": "no-such-dept"}, id="unknown-department"),
        pytest.param({"action": "start", "version": "latest"}, id="version-not-a-number"),
    ],
)
def test_malformed_transition_requests_are_400(payload: dict[str, Any], board: Board, cast: factories.Cast) -> None:
    response = client_for(cast.captain_a).post(transitions_url(board.a_public), payload, "json")
    assert response.status_code == 400
    assert Demand.objects.get(pk=board.a_public.pk).version == 1


@pytest.mark.parametrize(
    "assignee",
    [
        pytest.param({}, id="neither"),
        pytest.param({"assignee_department": "fire", "assignee_member": "member"}, id="both"),
        pytest.param({"assignee_member": "jin-mao-member"}, id="member-of-another-building"),
    ],
)
def test_assign_needs_one_assignee_of_this_building(
    assignee: dict[str, str], board: Board, cast: factories.Cast
) -> None:
    jin_mao_member = factories.CouncilMemberFactory(council=cast.tower_b.council)
    member_ids = {"member": cast.plain_member_a.pk, "jin-mao-member": jin_mao_member.pk}
    payload: dict[str, Any] = {"action": "assign"}
    payload.update({k: member_ids.get(v, v) for k, v in assignee.items()})

    response = client_for(cast.captain_a).post(transitions_url(board.a_public), payload, "json")

    assert response.status_code == 400
    assert response.json()["field"] == "assignee"
    assert Demand.objects.get(pk=board.a_public.pk).version == 1


def test_token_authentication_works_for_transitions(board: Board, cast: factories.Cast) -> None:
    token = Token.objects.create(user=cast.captain_a)
    client = APIClient(headers={"authorization": f"Token {token.key}"})

    response = client.post(transitions_url(board.a_public), {"action": "assign", "assignee_department": "fire"}, "json")

    assert response.status_code == 200, response.content
    assert DemandEvent.objects.filter(demand=board.a_public, kind="assigned").get().actor == cast.captain_a
    assert ids(client.get(DEMANDS)) == {board.a_public.pk, board.a_private.pk, board.b_public.pk}


def test_wrong_token_is_refused_not_treated_as_anonymous(board: Board) -> None:
    client = APIClient(headers={"authorization": "Token not-a-real-token", "accept-language": "en"})

    response = client.get(DEMANDS)

    # 403 rather than 401 because SessionAuthentication comes first in the settings (it sends no challenge).
    assert response.status_code == 403
    assert response.json() == {"detail": "Invalid token."}


def test_session_login_works_for_transitions(board: Board, cast: factories.Cast) -> None:
    client = APIClient()
    assert client.login(username="captain_a", password=factories.PASSWORD)

    response = client.post(transitions_url(board.a_public), {"action": "assign", "assignee_department": "fire"}, "json")

    assert response.status_code == 200, response.content


# --- tracking --------------------------------------------------------------------------------


def test_tracking_shows_public_timeline_and_steps_without_contact(
    cast: factories.Cast, demand_at: DemandAt, api: APIClient
) -> None:
    demand = demand_at(Status.IN_PROGRESS, **CONTACT)
    actions.demand_add_note(demand=demand, actor=cast.captain_a, note="内部：业主方不同意", is_public=False)

    response = api.get(f"/api/v1/track/{demand.token}/")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "in_progress"
    assert [e["kind"] for e in body["events"]] == ["submitted", "assigned", "started"]
    assert [(s["status"], s["done"], s["current"]) for s in body["steps"]] == [
        ("submitted", True, False),
        ("assigned", True, False),
        ("in_progress", True, True),
        ("resolved", False, False),
    ]
    assert body["steps"][3]["at"] is None
    text = response.content.decode()
    for private in (*PRIVATE_FIELDS, *CONTACT.values(), "内部：业主方不同意", "token"):
        assert private not in text


@pytest.mark.parametrize("token", ["not-the-token", "a" * 200, "abc%00def", "..%2F..%2Fetc"])
def test_wrong_tracking_token_is_404(token: str, cast: factories.Cast, demand_at: DemandAt, api: APIClient) -> None:
    demand_at(Status.SUBMITTED)
    assert api.get(f"/api/v1/track/{token}/").status_code == 404


# --- buildings, categories, schema -------------------------------------------------------------


def test_buildings_list_names_their_council(cast: factories.Cast, api: APIClient) -> None:
    Building.objects.filter(pk=factories.BuildingFactory(slug="demolished").pk).update(is_active=False)

    response = api.get("/api/v1/buildings/")

    assert response.status_code == 200
    rows = {row["slug"]: row for row in response.json()["results"]}
    assert set(rows) == {"shanghai-tower", "jin-mao-tower"}
    assert rows["shanghai-tower"]["council_name"] == "上海中心大厦楼事会"
    assert rows["shanghai-tower"]["district"] == "pudong"


def test_categories_list_shows_active_ones_with_their_department(cast: factories.Cast, api: APIClient) -> None:
    factories.CategoryFactory(code="retired", is_active=False)

    response = api.get("/api/v1/categories/")

    assert response.status_code == 200
    assert [(c["code"], c["default_department"]) for c in response.json()] == [("delivery", "fire")]
    assert client_for(None, accept_language="en").get("/api/v1/categories/delivery/").json()["name_en"] == "Deliveries"


def test_lookups_with_control_characters_are_not_found(cast: factories.Cast, api: APIClient) -> None:
    assert api.get("/api/v1/categories/no%00such/").status_code == 404
    assert api.get("/api/v1/demands/1%00/").status_code == 404


@pytest.mark.postgres  # SQLite stores a NUL byte; PostgreSQL refuses it with a DataError
def test_values_the_database_refuses_are_a_400_not_a_crash(cast: factories.Cast, api: APIClient) -> None:
    response = api.get(DEMANDS, {"building": "no\x00such"})
    assert response.status_code == 400
    assert "building" in response.json()
    # Whatever still reaches the database and is refused there becomes a 400 with a reason.
    from django.db import DataError

    from lousihui.api import exception_handler

    handled = exception_handler(DataError("invalid byte sequence"), {})
    assert handled is not None and handled.status_code == 400
    assert handled.data == {"detail": "请求中含有无法保存或查询的值。"}
    # A lookup restricted to slug characters never gets that far: a plain 404.
    assert api.get("/api/v1/buildings/no%00such/").status_code == 404


def test_schema_is_served(api: APIClient) -> None:
    response = api.get("/api/v1/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = json.loads(response.content)
    assert "/api/v1/demands/{id}/transitions/" in schema["paths"]
    assert "/api/v1/track/{token}/" in schema["paths"]


def test_docs_page_loads_assets_from_this_site_only(api: APIClient) -> None:
    response = api.get("/api/v1/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"cdn|jsdelivr|unpkg|googleapis", html, re.IGNORECASE)
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assets = re.findall(r"""(?:src|href)=["']/static/([^"']+)["']""", html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    for asset in assets:
        assert finders.find(asset), f"{asset} is not vendored"


# --- query counts ------------------------------------------------------------------------------


def _populate(cast: factories.Cast, n: int) -> None:
    """n demands across both towers, unassigned, assigned to a member and to a department."""
    jin_mao_member = factories.CouncilMemberFactory(council=cast.tower_b.council)
    for i in range(n):
        building = cast.tower_a if i % 2 == 0 else cast.tower_b
        demand = factories.make_demand(building, cast.category, is_public=i % 5 != 0, **CONTACT)
        if i % 3 == 1:
            assignee = Assignee(member=cast.plain_member_a if building == cast.tower_a else jin_mao_member)
            actions.demand_transition(demand=demand, action="assign", actor=cast.superuser, assignee=assignee)
        elif i % 3 == 2:
            assignee = Assignee(department=cast.fire)
            actions.demand_transition(demand=demand, action="assign", actor=cast.superuser, assignee=assignee)


#: Anonymous: count + page + the page's buildings, categories and assignees (one UNION). Signed in:
#: + session + user + the actor scope (seats, departments, districts).
LIST_QUERIES = {"anonymous": 3, "captain_a": 8, "dept_staff": 8, "district_staff": 8}


@pytest.mark.parametrize("n", [3, 20])
@pytest.mark.parametrize("who", list(LIST_QUERIES))
def test_demand_list_query_count_does_not_grow_with_the_demands(
    who: str, n: int, cast: factories.Cast, django_assert_num_queries: Any
) -> None:
    _populate(cast, n)
    client = client_for(None if who == "anonymous" else getattr(cast, who))

    with django_assert_num_queries(LIST_QUERIES[who]):
        response = client.get(DEMANDS)

    assert response.status_code == 200
    assert response.json()["count"] > 0


@pytest.mark.parametrize(("who", "queries"), [("anonymous", 2), ("captain_a", 7)])
def test_demand_detail_query_count(
    who: str, queries: int, cast: factories.Cast, demand_at: DemandAt, django_assert_num_queries: Any
) -> None:
    demand = demand_at(Status.RESOLVED)
    client = client_for(None if who == "anonymous" else cast.captain_a)

    with django_assert_num_queries(queries):  # (session, user, scope ×3,) demand, its timeline
        response = client.get(detail_url(demand))

    assert len(response.json()["events"]) == 4


def test_buildings_list_query_count(cast: factories.Cast, api: APIClient, django_assert_num_queries: Any) -> None:
    for i in range(10):
        factories.CouncilFactory(building=factories.BuildingFactory(slug=f"tower-{i}"), name="")

    with django_assert_num_queries(2):  # count + page, sub-district, district and council joined
        response = api.get("/api/v1/buildings/")

    assert response.json()["count"] == 12


def test_categories_list_query_count(cast: factories.Cast, api: APIClient, django_assert_num_queries: Any) -> None:
    for i in range(10):
        factories.CategoryFactory(code=f"cat-{i}", default_department=cast.fire)

    with django_assert_num_queries(1):
        response = api.get("/api/v1/categories/")

    assert len(response.json()) == 11


def test_track_query_count(
    cast: factories.Cast, demand_at: DemandAt, api: APIClient, django_assert_num_queries: Any
) -> None:
    demand = demand_at(Status.RESOLVED, assignee=Assignee(member=cast.plain_member_a))

    with django_assert_num_queries(2):  # the demand with its relations, its public timeline
        response = api.get(f"/api/v1/track/{demand.token}/")

    assert response.status_code == 200

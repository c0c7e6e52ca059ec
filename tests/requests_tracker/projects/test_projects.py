"""The project list: linking demands, updates, completion, the API contract and its errors."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from buildings.models import User
from requests_tracker import actions as demand_actions
from requests_tracker.models import Channel, ChannelOptOut, DemandEvent, DemandTally, Notification, SubmitterPreference
from requests_tracker.notifications import fanout
from requests_tracker.projects import actions
from requests_tracker.projects.models import Milestone, Project, ProjectDemand, ProjectUpdate
from requests_tracker.workflow import Outcome, Status
from tests import factories
from tests.requests_tracker.demand_helpers import demand_at

from .helpers import make_project

pytestmark = pytest.mark.django_db


def client_for(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


# --- linking -------------------------------------------------------------------------------------


def test_linking_a_demand_writes_taken_up_by_the_project_on_its_public_timeline(cast: factories.Cast) -> None:
    project = make_project(cast)
    demand = demand_at(cast)

    assert actions.project_link_demand(project=project, demand=demand, actor=cast.captain_a) is True

    event = demand.events.get(kind=DemandEvent.Kind.PROJECT_LINKED)
    assert event.is_public
    assert event.note == "1F 2号门智能加热外卖柜"
    assert event.data["url"] == f"/p/{project.pk}/"
    assert event.actor_label == "上海中心大厦楼事会"


def test_linking_the_same_demand_twice_is_a_no_op(cast: factories.Cast) -> None:
    project = make_project(cast)
    demand = demand_at(cast)
    api = client_for(cast.captain_a)

    first = api.post(f"/api/v1/projects/{project.pk}/demands/", {"demand": demand.pk}, format="json")
    second = api.post(f"/api/v1/projects/{project.pk}/demands/", {"demand": demand.pk}, format="json")

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["demands"] == [demand.pk] == second.json()["demands"]
    assert ProjectDemand.objects.filter(project=project).count() == 1
    assert demand.events.filter(kind=DemandEvent.Kind.PROJECT_LINKED).count() == 1


def test_a_demand_of_a_building_the_project_does_not_serve_is_refused_with_400(cast: factories.Cast) -> None:
    project = make_project(cast)
    elsewhere = demand_at(cast, building=cast.tower_b)

    response = client_for(cast.captain_a).post(
        f"/api/v1/projects/{project.pk}/demands/", {"demand": elsewhere.pk}, format="json"
    )

    assert response.status_code == 400
    assert "楼宇" in str(response.json())
    assert not ProjectDemand.objects.exists()
    assert not elsewhere.events.filter(kind=DemandEvent.Kind.PROJECT_LINKED).exists()


def test_a_sub_district_project_links_demands_of_every_building_in_it(cast: factories.Cast) -> None:
    project = actions.project_create(
        actor=cast.superuser, title="白领午餐点", subdistrict=cast.tower_a.subdistrict, buildings=[]
    )
    for building in (cast.tower_a, cast.tower_b):
        assert actions.project_link_demand(project=project, demand=demand_at(cast, building=building), actor=None)


def test_unlinking_writes_no_longer_part_of_the_project_and_unlinking_again_changes_nothing(
    cast: factories.Cast,
) -> None:
    project = make_project(cast)
    demand = demand_at(cast)
    actions.project_link_demand(project=project, demand=demand, actor=cast.captain_a)
    api = client_for(cast.captain_a)

    first = api.delete(f"/api/v1/projects/{project.pk}/demands/", {"demand": demand.pk}, format="json")
    second = api.delete(f"/api/v1/projects/{project.pk}/demands/?demand={demand.pk}")

    assert (first.status_code, second.status_code) == (204, 204)
    assert not ProjectDemand.objects.exists()
    assert demand.events.filter(kind=DemandEvent.Kind.PROJECT_UNLINKED).count() == 1


def test_no_such_demand_is_a_400_with_a_reason(cast: factories.Cast) -> None:
    project = make_project(cast)
    api = client_for(cast.captain_a)
    for value in (999999, "abc", None, -3):
        response = api.post(f"/api/v1/projects/{project.pk}/demands/", {"demand": value}, format="json")
        assert response.status_code == 400, value


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "demands/", {"demand": 0}),
        ("delete", "demands/", {"demand": 0}),
        ("post", "updates/", {"text": "x", "progress": 10}),
        ("post", "complete/", {"note": "x"}),
        ("post", "status/", {"status": "in_progress"}),
    ],
)
def test_a_council_of_another_building_gets_404(cast: factories.Cast, method: str, path: str, body: Any) -> None:
    project = make_project(cast)
    demand = demand_at(cast)
    if "demand" in body:
        body = {"demand": demand.pk}

    response = getattr(client_for(cast.captain_b), method)(f"/api/v1/projects/{project.pk}/{path}", body, format="json")

    assert response.status_code == 404
    assert not ProjectDemand.objects.exists()
    assert not ProjectUpdate.objects.exists()
    assert Project.objects.get().status == Project.Status.PLANNED


def test_anonymous_writes_are_refused(cast: factories.Cast) -> None:
    project = make_project(cast)
    response = client_for(None).post(f"/api/v1/projects/{project.pk}/updates/", {"text": "x"}, format="json")
    assert response.status_code in (401, 403)
    assert client_for(None).post("/api/v1/projects/", {"building": "shanghai-tower", "title": "x"}).status_code in (
        401,
        403,
    )


# --- creating --------------------------------------------------------------------------------------


def test_a_captain_creates_a_project_for_their_building(cast: factories.Cast) -> None:
    response = client_for(cast.captain_a).post(
        "/api/v1/projects/",
        {"building": "shanghai-tower", "title": "健康航站楼", "description": "医生轮值", "target_date": "2027-03-01"},
        format="json",
    )

    assert response.status_code == 201
    project = Project.objects.get(pk=response.json()["id"])
    assert (project.title, str(project.target_date), project.status) == ("健康航站楼", "2027-03-01", "planned")
    assert list(project.buildings.values_list("slug", flat=True)) == ["shanghai-tower"]


def test_a_captain_cannot_create_a_project_for_another_building(cast: factories.Cast) -> None:
    response = client_for(cast.captain_a).post(
        "/api/v1/projects/", {"buildings": ["shanghai-tower", "jin-mao-tower"], "title": "x"}, format="json"
    )
    assert response.status_code == 403
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"title": "x"},
        {"building": "no-such", "title": "x"},
        {"building": "bad slug\x00", "title": "x"},
        {"building": "shanghai-tower", "title": ""},
        {"building": "shanghai-tower", "title": "x", "target_date": "tomorrow"},
    ],
)
def test_bad_project_input_is_a_400(cast: factories.Cast, body: dict[str, Any]) -> None:
    assert client_for(cast.captain_a).post("/api/v1/projects/", body, format="json").status_code == 400
    assert not Project.objects.exists()


# --- updates and progress ---------------------------------------------------------------------


@pytest.mark.parametrize("progress", [101, -1, "sixty", 1e10])
def test_progress_outside_0_to_100_is_a_400(cast: factories.Cast, progress: Any) -> None:
    project = make_project(cast)
    response = client_for(cast.captain_a).post(
        f"/api/v1/projects/{project.pk}/updates/", {"text": "进展", "progress": progress}, format="json"
    )
    assert response.status_code == 400
    assert "progress" in response.json()
    assert not ProjectUpdate.objects.exists()
    project.refresh_from_db()
    assert project.progress == 0


def test_progress_outside_0_to_100_is_refused_by_the_action_too(cast: factories.Cast) -> None:
    from django.core.exceptions import ValidationError

    project = make_project(cast)
    with pytest.raises(ValidationError):
        actions.project_post_update(project=project, actor=cast.captain_a, text="x", progress=150)


def test_an_update_moves_the_progress_and_shows_on_the_project(cast: factories.Cast) -> None:
    project = make_project(cast)
    response = client_for(cast.captain_a).post(
        f"/api/v1/projects/{project.pk}/updates/",
        {"text": "点位已确定", "is_public": True, "progress": 60},
        format="json",
    )
    assert response.status_code == 201
    detail = client_for(None).get(f"/api/v1/projects/{project.pk}/").json()
    assert detail["progress"] == 60
    assert [u["text"] for u in detail["updates"]] == ["点位已确定"]


def test_internal_updates_stay_internal(cast: factories.Cast) -> None:
    project = make_project(cast)
    demand = demand_at(cast, contact_email="zhang.min@example.com")
    actions.project_link_demand(project=project, demand=demand, actor=cast.captain_a)

    actions.project_post_update(project=project, actor=cast.captain_a, text="内部：供应商报价偏高", is_public=False)

    assert client_for(None).get(f"/api/v1/projects/{project.pk}/").json()["updates"] == []
    assert not Notification.objects.filter(kind=Notification.Kind.PROJECT_UPDATE).exists()
    assert "供应商报价" not in client_for(None).get(f"/p/{project.pk}/").content.decode()


def test_milestones_give_the_progress_when_the_project_counts_them(cast: factories.Cast) -> None:
    project = make_project(cast)
    Project.objects.filter(pk=project.pk).update(progress_mode=Project.ProgressMode.MILESTONES)
    for i, done in enumerate([True, True, False, False]):
        Milestone.objects.create(project=project, title=f"m{i}", order=i, done_date="2026-01-01" if done else None)

    assert actions.project_recount_progress(project=project).progress == 50


# --- closing the loop --------------------------------------------------------------------------


def _rows() -> list[Notification]:
    """The project news rows, once a worker has written them (here, in-process: the worker's part)."""
    fanout.sweep(grace_seconds=0)
    return list(Notification.objects.filter(kind=Notification.Kind.PROJECT_UPDATE).order_by("address"))


def test_a_public_update_tells_submitters_and_supporters_once_each(cast: factories.Cast) -> None:
    project = make_project(cast)
    first = demand_at(cast, contact_email="zhang.min@example.com")
    second = demand_at(cast, contact_email="")
    both = factories.UserFactory(username="both", email="both@example.com", language="en")
    quiet = factories.UserFactory(username="quiet", email="quiet@example.com")
    no_mail = factories.UserFactory(username="nomail", email="")
    ChannelOptOut.objects.create(user=quiet, channel=Channel.EMAIL)
    for demand in (first, second):
        demand_actions.demand_support(demand=demand, user=both)
        demand_actions.demand_support(demand=demand, user=quiet)
        demand_actions.demand_support(demand=demand, user=no_mail)
        demand_actions.demand_support(demand=demand, client_key="anonymous-browser")
    for demand in (first, second):
        actions.project_link_demand(project=project, demand=demand, actor=cast.captain_a)

    update = actions.project_post_update(project=project, actor=cast.captain_a, text="外卖柜已到货", progress=70)

    assert update.notified == 0  # promised in the request; a worker tells them
    rows = _rows()
    assert [(n.address, n.language) for n in rows] == [("both@example.com", "en"), ("zhang.min@example.com", "zh-hans")]
    update.refresh_from_db()
    assert update.notified == 2
    english, chinese = rows
    assert "News from the project" in english.subject and "外卖柜已到货" in english.body_text
    assert "项目" in chinese.subject and "外卖柜已到货" in chinese.body_text
    assert f"/p/{project.pk}/" in chinese.body_text
    assert f"/t/{first.token}/notifications/" in chinese.body_text  # the submitter's own switch
    assert "/notifications/" in english.body_text
    assert english.recipient == both and chinese.recipient is None
    assert len({n.dedupe_key for n in rows}) == 2


def test_a_submitter_who_turned_e_mail_off_is_not_told(cast: factories.Cast) -> None:
    project = make_project(cast)
    demand = demand_at(cast, contact_email="zhang.min@example.com")
    SubmitterPreference.objects.update_or_create(demand=demand, defaults={"email_opted_out": True})
    actions.project_link_demand(project=project, demand=demand, actor=cast.captain_a)

    actions.project_post_update(project=project, actor=cast.captain_a, text="进展")

    assert _rows() == []


def test_a_status_change_is_announced_too(cast: factories.Cast) -> None:
    project = make_project(cast)
    demand = demand_at(cast, contact_email="zhang.min@example.com")
    actions.project_link_demand(project=project, demand=demand, actor=cast.captain_a)

    response = client_for(cast.captain_a).post(
        f"/api/v1/projects/{project.pk}/status/", {"status": "paused", "reason": "等待业主审批"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "paused"
    assert [n.subject for n in _rows()] == ["项目“1F 2号门智能加热外卖柜”：已暂停"]
    assert "等待业主审批" in _rows()[0].body_text


def test_pausing_needs_a_reason_and_a_done_project_cannot_be_paused(cast: factories.Cast) -> None:
    project = make_project(cast)
    api = client_for(cast.captain_a)
    assert api.post(f"/api/v1/projects/{project.pk}/status/", {"status": "paused"}, format="json").status_code == 400
    assert api.post(f"/api/v1/projects/{project.pk}/complete/", {"note": "完成"}, format="json").status_code == 200
    response = api.post(f"/api/v1/projects/{project.pk}/status/", {"status": "paused", "reason": "x"}, format="json")
    assert response.status_code == 409
    assert "已完成" in response.json()["detail"]


def test_completing_resolves_the_open_linked_demands_through_the_workflow(cast: factories.Cast) -> None:
    project = make_project(cast, lead_department=cast.fire)
    demands = {status: demand_at(cast, status) for status in (Status.SUBMITTED, Status.ASSIGNED, Status.IN_PROGRESS)}
    already = demand_at(cast, Status.RESOLVED)
    for demand in [*demands.values(), already]:
        actions.project_link_demand(project=project, demand=demand, actor=cast.captain_a)
    resolved_before = sum(DemandTally.objects.filter(status=Status.RESOLVED).values_list("n", flat=True))

    response = client_for(cast.captain_a).post(
        f"/api/v1/projects/{project.pk}/complete/",
        {"note": "外卖柜已在 1F 2 号门投入使用。", "resolve_demands": True},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert sorted(body["resolved"]) == sorted(d.pk for d in demands.values())
    assert body["project"]["status"] == "done" and body["project"]["progress"] == 100
    for demand in demands.values():
        demand.refresh_from_db()
        assert (demand.status, demand.outcome) == (Status.RESOLVED, Outcome.SOLVED)
        assert demand.resolution_note == "外卖柜已在 1F 2 号门投入使用。"
        assert demand.events.filter(kind=DemandEvent.Kind.RESOLVED).count() == 1
    resolved_after = sum(DemandTally.objects.filter(status=Status.RESOLVED).values_list("n", flat=True))
    assert resolved_after == resolved_before + 3  # the tallies followed, as for any resolve
    already.refresh_from_db()
    assert already.events.filter(kind=DemandEvent.Kind.RESOLVED).count() == 1

    # Residents can still answer "not solved".
    demand = demands[Status.IN_PROGRESS]
    demand.refresh_from_db()
    demand_actions.demand_report_not_solved(demand=demand, reason="格口还是不加热")
    assert demand.events.filter(kind=DemandEvent.Kind.NOT_SOLVED).exists()


def test_completing_without_resolving_leaves_the_demands_open(cast: factories.Cast) -> None:
    project = make_project(cast)
    demand = demand_at(cast, Status.IN_PROGRESS)
    actions.project_link_demand(project=project, demand=demand, actor=cast.captain_a)

    done = actions.project_complete(project=project, actor=cast.captain_a, note="完成")

    demand.refresh_from_db()
    assert demand.status == Status.IN_PROGRESS
    assert done.resolved == []


def test_a_submitted_demand_without_a_project_lead_is_skipped_with_a_reason(cast: factories.Cast) -> None:
    project = make_project(cast)
    demand = demand_at(cast, Status.SUBMITTED)
    actions.project_link_demand(project=project, demand=demand, actor=cast.captain_a)

    done = actions.project_complete(project=project, actor=cast.captain_a, note="完成", resolve_demands=True)

    assert list(done.skipped) == [demand.pk]
    demand.refresh_from_db()
    assert demand.status == Status.SUBMITTED


def test_completing_twice_is_a_409(cast: factories.Cast) -> None:
    project = make_project(cast)
    api = client_for(cast.captain_a)
    assert api.post(f"/api/v1/projects/{project.pk}/complete/", {"note": "完成"}, format="json").status_code == 200
    assert api.post(f"/api/v1/projects/{project.pk}/complete/", {"note": "完成"}, format="json").status_code == 409
    assert ProjectUpdate.objects.filter(kind=ProjectUpdate.Kind.STATUS).count() == 1


# --- the public API --------------------------------------------------------------------------------


def test_the_api_lists_projects_by_building_and_status(cast: factories.Cast) -> None:
    a = make_project(cast, title="A")
    b = make_project(cast, building=cast.tower_b, by=cast.captain_b, title="B")
    actions.project_set_status(project=b, status=Project.Status.IN_PROGRESS, actor=cast.captain_b)
    api = client_for(None)

    def titles(query: str) -> list[str]:
        return [p["title"] for p in api.get(f"/api/v1/projects/?{query}").json()["results"]]

    assert titles("building=shanghai-tower") == ["A"]
    assert titles("building=jin-mao-tower&status=in_progress") == ["B"]
    assert titles("status=planned") == ["A"]
    assert titles("building=nowhere") == []
    # An unknown status is a 400 with the reason (#14: the schema's enum), no longer an empty list.
    assert api.get("/api/v1/projects/?status=bogus").status_code == 400
    assert a.pk


def test_the_api_detail_has_the_contract_fields_and_only_public_demand_ids(cast: factories.Cast) -> None:
    project = make_project(cast)
    public = demand_at(cast)
    private = demand_at(cast, is_public=False)
    for demand in (public, private):
        actions.project_link_demand(project=project, demand=demand, actor=cast.captain_a)
    Milestone.objects.create(project=project, title="安装调试", due_date="2026-06-01")

    anonymous = client_for(None).get(f"/api/v1/projects/{project.pk}/").json()
    captain = client_for(cast.captain_a).get(f"/api/v1/projects/{project.pk}/").json()

    assert {"status", "progress", "milestones", "updates", "demands", "resources"} <= set(anonymous)
    assert anonymous["milestones"] == [{"title": "安装调试", "due_date": "2026-06-01", "done_date": None}]
    assert anonymous["demands"] == [public.pk]
    assert captain["demands"] == [public.pk, private.pk]


def test_an_internal_project_is_a_404_to_the_public(cast: factories.Cast) -> None:
    project = make_project(cast, is_public=False)
    assert client_for(None).get(f"/api/v1/projects/{project.pk}/").status_code == 404
    assert client_for(None).get(f"/p/{project.pk}/").status_code == 404
    assert client_for(cast.captain_b).get(f"/api/v1/projects/{project.pk}/").status_code == 404
    assert client_for(cast.captain_a).get(f"/api/v1/projects/{project.pk}/").status_code == 200
    assert client_for(cast.district_staff).get(f"/api/v1/projects/{project.pk}/").status_code == 200

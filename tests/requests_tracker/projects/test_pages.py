"""The pages of the three lists, the board and demand pages' project boxes, the screen panel,
the project figures — with their query counts pinned."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from buildings import panels
from buildings.models import Building
from requests_tracker import actions as demand_actions
from requests_tracker.projects import actions
from requests_tracker.projects.models import Milestone, Project
from requests_tracker.projects.selectors import DEFINITIONS, project_figures
from services.resources.models import Resource
from tests import factories
from tests.requests_tracker.demand_helpers import demand_at

from .helpers import make_project

pytestmark = pytest.mark.django_db


def _resource(cast: factories.Cast, title: str = "1F 2号门外卖柜点位", **kwargs: Any) -> Resource:
    from services.resources.actions import resource_create

    params: dict[str, Any] = {
        "kind": Resource.Kind.SPACE,
        "provider_kind": Resource.Provider.PROPERTY,
        "provider_name": "上海中心大厦物业",
        "building": cast.tower_a,
        "contact": "物业前台 021-0000-0001",
    }
    params.update(kwargs)
    return resource_create(actor=cast.captain_a, title=title, **params)


def _world(cast: factories.Cast, projects: int) -> list[Project]:
    made = []
    for i in range(projects):
        project = make_project(cast, title=f"项目{i}")
        for _ in range(2):
            demand = demand_at(cast, title=f"诉求{i}")
            actions.project_link_demand(project=project, demand=demand, actor=cast.captain_a)
        actions.project_use_resource(project=project, resource=_resource(cast, title=f"资源{i}"))
        Milestone.objects.create(project=project, title="安装调试")
        actions.project_post_update(project=project, actor=cast.captain_a, text=f"进展{i}", progress=10 * i)
        made.append(project)
    return made


@pytest.mark.parametrize("projects", [1, 6])
def test_the_lists_page_runs_a_fixed_number_of_queries(
    client: Client, cast: factories.Cast, django_assert_num_queries: Any, projects: int
) -> None:
    _world(cast, projects)

    # building, projects, resources, demands, demand links, resource links, demand total
    with django_assert_num_queries(7):
        response = client.get("/b/shanghai-tower/lists/")

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('id="project-') == projects
    assert page.count('id="resource-') == projects
    assert "三张清单" in page
    assert "021-0000-0001" not in page  # a resource's contact is private


@pytest.mark.parametrize("links", [1, 8])
def test_the_project_page_runs_a_fixed_number_of_queries(
    client: Client, cast: factories.Cast, django_assert_num_queries: Any, links: int
) -> None:
    project = make_project(cast)
    for i in range(links):
        demand = demand_at(cast, title=f"诉求{i}")
        demand_actions.demand_support(demand=demand, client_key=f"browser-{i}")
        actions.project_link_demand(project=project, demand=demand, actor=cast.captain_a)
        Milestone.objects.create(project=project, title=f"里程碑{i}", done_date="2026-01-01" if i % 2 else None)
        actions.project_post_update(project=project, actor=cast.captain_a, text=f"进展{i}", progress=i)
    actions.project_use_resource(project=project, resource=_resource(cast))

    # the project (with lead and sub-district), buildings, milestones, public updates, demands, resources
    with django_assert_num_queries(6):
        response = client.get(f"/p/{project.pk}/")

    page = response.content.decode()
    assert page.count('class="board-item"') == links
    assert f'aria-valuenow="{links - 1}"' in page
    assert f"<dd>{links}</dd>" in page  # supporters of the linked demands
    assert "021-0000-0001" not in page
    assert "楼事会操作" not in page  # the council's form is for those who run it


def test_the_projects_page_filters_by_status(client: Client, cast: factories.Cast) -> None:
    done, planned = _world(cast, 2)
    actions.project_complete(project=done, actor=cast.captain_a, note="完成")

    page = client.get("/b/shanghai-tower/projects/?status=done").content.decode()

    assert done.title in page and planned.title not in page


@pytest.mark.parametrize("projects", [1, 6])
def test_the_projects_api_runs_a_fixed_number_of_queries(
    client: Client, cast: factories.Cast, django_assert_num_queries: Any, projects: int
) -> None:
    made = _world(cast, projects)

    # building, count, projects, buildings, demand links, resource links
    with django_assert_num_queries(6):
        listing = client.get("/api/v1/projects/?building=shanghai-tower")
    # the project, buildings, demand links, resource links, milestones, public updates
    with django_assert_num_queries(6):
        detail = client.get(f"/api/v1/projects/{made[-1].pk}/")

    assert listing.json()["count"] == projects
    assert len(detail.json()["demands"]) == 2 and len(detail.json()["resources"]) == 1


def test_the_board_shows_the_buildings_projects_with_their_progress(client: Client, cast: factories.Cast) -> None:
    project = make_project(cast)
    actions.project_post_update(project=project, actor=cast.captain_a, text="进展", progress=45)
    done = make_project(cast, title="电子书借阅柜")
    actions.project_complete(project=done, actor=cast.captain_a, note="完成")

    page = client.get("/b/shanghai-tower/").content.decode()

    assert 'id="projects-heading"' in page
    assert page.index(f'href="/p/{project.pk}/"') < page.index(f'href="/p/{done.pk}/"')  # open first, done too
    assert 'aria-valuenow="45"' in page
    assert 'id="projects-heading"' not in client.get("/b/jin-mao-tower/").content.decode()


def test_the_tracking_and_public_pages_of_a_linked_demand_show_the_project(
    client: Client, cast: factories.Cast
) -> None:
    project = make_project(cast)
    demand = demand_at(cast)
    actions.project_link_demand(project=project, demand=demand, actor=cast.captain_a)
    actions.project_post_update(project=project, actor=cast.captain_a, text="进展", progress=30)

    for url in (f"/t/{demand.token}/", f"/b/shanghai-tower/d/{demand.pk}/"):
        page = client.get(url).content.decode()
        assert "已纳入项目" in page, url
        assert f'href="/p/{project.pk}/"' in page
        assert 'aria-valuenow="30"' in page
        assert "1F 2号门智能加热外卖柜" in page  # the timeline event names the project


def test_the_screen_shows_projects_in_progress_with_progress_bars(cast: factories.Cast) -> None:
    running = make_project(cast, title="健康航站楼")
    actions.project_set_status(project=running, status=Project.Status.IN_PROGRESS, actor=cast.captain_a)
    actions.project_post_update(project=running, actor=cast.captain_a, text="药柜上线", progress=80)
    make_project(cast, title="还在计划")

    [panel] = [p for p in panels.screen_panels(cast.tower_a.pk) if p["kind"] == "project"]
    assert panel["rows"] == [{"label": "健康航站楼", "value": "80%", "progress": 80, "url": f"/p/{running.pk}/"}]
    [area] = [p for p in panels.area_panels("district", cast.tower_a.subdistrict.district_id) if p["kind"] == "project"]
    assert [r["label"] for r in area["rows"]] == ["健康航站楼"]
    assert not [p for p in panels.screen_panels(cast.tower_b.pk) if p["kind"] == "project"]


def test_the_project_figures_count_by_status_answered_demands_and_the_median_days(cast: factories.Cast) -> None:
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    early = demand_at(cast)
    late = demand_at(cast)
    from requests_tracker.models import Demand

    Demand.objects.filter(pk=early.pk).update(submitted_at=now - timedelta(days=30))
    Demand.objects.filter(pk=late.pk).update(submitted_at=now - timedelta(days=10))
    done = make_project(cast, title="外卖柜")
    open_project = make_project(cast, title="健康航站楼")
    for demand in (early, late):
        actions.project_link_demand(project=done, demand=demand, actor=cast.captain_a)
    actions.project_link_demand(project=open_project, demand=early, actor=cast.captain_a)
    actions.project_complete(project=done, actor=cast.captain_a, note="完成")

    figures = project_figures(Building.objects.filter(subdistrict__district_id=cast.tower_a.subdistrict.district_id))

    assert figures["projects_by_status"] == {"planned": 1, "in_progress": 0, "paused": 0, "done": 1}
    assert figures["demands_answered"] == 2
    assert figures["median_days_to_completion"] == 20.0
    assert {d.key for d in DEFINITIONS} == set(figures)
    assert project_figures(Building.objects.filter(pk=cast.tower_b.pk))["demands_answered"] == 0


def test_projects_by_status_per_building_counts_each_project_once_per_building(cast: factories.Cast) -> None:
    from requests_tracker.projects.selectors import projects_by_status_per_building

    make_project(cast, title="A1")
    make_project(cast, title="A2")
    area = actions.project_create(
        actor=cast.superuser, title="午餐点", subdistrict=cast.tower_a.subdistrict, buildings=[cast.tower_a]
    )
    actions.project_set_status(project=area, status=Project.Status.IN_PROGRESS, actor=cast.superuser)

    counts = projects_by_status_per_building(Building.objects.filter(pk__in=[cast.tower_a.pk, cast.tower_b.pk]))

    assert counts[cast.tower_a.pk] == {"planned": 2, "in_progress": 1, "paused": 0, "done": 0}
    assert counts[cast.tower_b.pk] == {"planned": 0, "in_progress": 1, "paused": 0, "done": 0}

"""Projects and resources in the admin: a captain adds a project and links demands through the inline,
which goes through the actions (timeline event, resource marked taken up)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from requests_tracker.models import DemandEvent
from requests_tracker.projects.models import Project, ProjectDemand
from services.resources.models import Resource
from tests import factories
from tests.requests_tracker.demand_helpers import demand_at

from .helpers import make_project

pytestmark = pytest.mark.django_db


def _inlines(**forms: list[dict[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for prefix in ("milestones", "demand_links", "resource_links", "updates"):
        rows = forms.get(prefix, [])
        data.update({f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": 0, f"{prefix}-MIN_NUM_FORMS": 0})
        data[f"{prefix}-MAX_NUM_FORMS"] = 1000
        for i, row in enumerate(rows):
            data.update({f"{prefix}-{i}-{k}": v for k, v in row.items()})
    return data


def test_a_captain_adds_a_project_with_a_demand_and_a_resource_in_the_admin(cast: factories.Cast) -> None:
    demand = demand_at(cast)
    resource = Resource.objects.create(
        title="1F 2号门外卖柜点位",
        kind="space",
        provider_kind="property",
        provider_name="物业",
        building=cast.tower_a,
        subdistrict=cast.tower_a.subdistrict,
        created_at=factories.now(),
        updated_at=factories.now(),
    )
    client = Client()
    client.force_login(cast.captain_a)

    response = client.post(
        "/admin/projects/project/add/",
        {
            "title": "1F 2号门智能加热外卖柜",
            "description": "",
            "buildings": [cast.tower_a.pk],
            "progress_mode": "milestones",
            "is_public": "on",
            **_inlines(
                milestones=[
                    {"order": 0, "title": "问卷调查", "done_date": "2026-01-01"},
                    {"order": 1, "title": "安装"},
                ],
                demand_links=[{"demand": demand.pk}],
                resource_links=[{"resource": resource.pk, "note": "点位"}],
            ),
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    project = Project.objects.get()
    assert project.progress == 50  # from the milestones
    assert ProjectDemand.objects.filter(project=project, demand=demand).exists()
    assert demand.events.filter(kind=DemandEvent.Kind.PROJECT_LINKED).count() == 1
    resource.refresh_from_db()
    assert resource.status == Resource.Status.TAKEN_UP


def test_a_captain_cannot_add_a_project_for_another_building_in_the_admin(cast: factories.Cast) -> None:
    client = Client()
    client.force_login(cast.captain_a)
    response = client.post(
        "/admin/projects/project/add/",
        {"title": "金茂项目", "buildings": [cast.tower_b.pk], "progress_mode": "manual", **_inlines()},
    )
    assert response.status_code == 200  # the form refuses a building outside the choices
    assert not Project.objects.exists()


def test_another_buildings_demand_is_refused_by_the_inline(cast: factories.Cast) -> None:
    project = make_project(cast)
    elsewhere = demand_at(cast, building=cast.tower_b)
    client = Client()
    client.force_login(cast.captain_a)
    response = client.post(
        f"/admin/projects/project/{project.pk}/change/",
        {
            "title": project.title,
            "progress_mode": "manual",
            "is_public": "on",
            **_inlines(demand_links=[{"demand": elsewhere.pk, "project": project.pk}]),
        },
    )
    assert response.status_code == 200
    assert "不属于项目服务的楼宇" in response.content.decode()
    assert not ProjectDemand.objects.exists()

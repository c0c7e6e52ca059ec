"""The resource list: public lists per building and sub-district, filters, a private contact, adding one."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from services.resources.models import Resource
from tests import factories

pytestmark = pytest.mark.django_db


def _resource(cast: factories.Cast, title: str, *, building: Any = "a", **kwargs: Any) -> Resource:
    place = {"a": cast.tower_a, "b": cast.tower_b, None: None}[building]
    params: dict[str, Any] = {
        "kind": Resource.Kind.SPACE,
        "provider_kind": Resource.Provider.OWNER,
        "provider_name": "业主",
        "contact": "李经理 139-0000-0000",
        "created_at": factories.now(),
        "updated_at": factories.now(),
    }
    params.update(kwargs)
    return Resource.objects.create(title=title, building=place, subdistrict=cast.tower_a.subdistrict, **params)


def test_a_buildings_list_has_its_own_and_its_sub_districts_resources(cast: factories.Cast) -> None:
    _resource(cast, "22F 活动室")
    _resource(cast, "青年志愿者服务队", building=None, kind=Resource.Kind.VOLUNTEERS)
    _resource(cast, "金茂会议室", building="b")
    _resource(cast, "已撤回", status=Resource.Status.WITHDRAWN)
    _resource(cast, "不公开", is_public=False)

    titles = [r["title"] for r in APIClient().get("/api/v1/resources/?building=shanghai-tower").json()["results"]]
    volunteers = APIClient().get("/api/v1/resources/?building=shanghai-tower&kind=volunteers").json()["results"]
    area = APIClient().get("/api/v1/resources/?subdistrict=lujiazui").json()["results"]

    assert sorted(titles) == ["22F 活动室", "青年志愿者服务队"]
    assert [r["title"] for r in volunteers] == ["青年志愿者服务队"]
    assert len(area) == 3


def test_the_contact_is_never_public(cast: factories.Cast, client: Client) -> None:
    _resource(cast, "22F 活动室")
    for url in ("/api/v1/resources/", "/b/shanghai-tower/resources/", "/area/lujiazui/resources/"):
        body = client.get(url).content.decode()
        assert "22F 活动室" in body and "139-0000-0000" not in body, url


@pytest.mark.parametrize("query", ["building=nowhere", "building=%00", "subdistrict=x%20y"])
def test_bad_filters_give_an_empty_list_not_an_error(cast: factories.Cast, query: str) -> None:
    _resource(cast, "22F 活动室")
    response = APIClient().get(f"/api/v1/resources/?{query}")
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_a_kind_outside_the_schemas_enum_is_a_400_with_the_reason(cast: factories.Cast) -> None:
    response = APIClient().get("/api/v1/resources/?kind=bogus")  # an empty list before #14
    assert response.status_code == 400
    assert "bogus" in response.json()["kind"][0]


def test_the_resources_page_filters_by_kind_with_counts(cast: factories.Cast, client: Client) -> None:
    _resource(cast, "22F 活动室")
    _resource(cast, "健康航站楼医生轮值表", kind=Resource.Kind.SERVICE)

    page = client.get("/b/shanghai-tower/resources/?kind=service").content.decode()

    assert "健康航站楼医生轮值表" in page and "22F 活动室" not in page
    assert "场地" in page  # kinds in Chinese


@pytest.mark.parametrize("resources", [1, 7])
def test_the_resources_api_runs_a_fixed_number_of_queries(
    cast: factories.Cast, django_assert_num_queries: Any, resources: int
) -> None:
    for i in range(resources):
        _resource(cast, f"资源{i}")
    with django_assert_num_queries(3):  # the building, the count, the page
        response = APIClient().get("/api/v1/resources/?building=shanghai-tower")
    assert response.json()["count"] == resources


def test_a_captain_adds_a_resource_to_their_building(cast: factories.Cast) -> None:
    api = APIClient()
    api.force_login(cast.captain_a)
    body = {
        "building": "shanghai-tower",
        "title": "1F 2号门外卖柜点位",
        "kind": "space",
        "provider_kind": "property",
        "provider_name": "物业",
        "floor": "1F",
        "contact": "物业前台",
    }

    response = api.post("/api/v1/resources/", body, format="json")

    assert response.status_code == 201
    resource = Resource.objects.get(pk=response.json()["id"])
    assert (resource.subdistrict, resource.contact, resource.created_by) == (
        cast.tower_a.subdistrict,
        "物业前台",
        cast.captain_a,
    )
    assert "contact" not in response.json()


@pytest.mark.parametrize(
    "body",
    [
        {"title": "x", "kind": "space", "provider_kind": "owner", "provider_name": "x"},
        {"building": "shanghai-tower", "title": "x", "kind": "castle", "provider_kind": "owner", "provider_name": "x"},
        {"building": "shanghai-tower", "title": "", "kind": "space", "provider_kind": "owner", "provider_name": "x"},
        {"building": "bad\x00", "title": "x", "kind": "space", "provider_kind": "owner", "provider_name": "x"},
    ],
)
def test_bad_resources_are_refused_with_a_reason(cast: factories.Cast, body: dict[str, Any]) -> None:
    api = APIClient()
    api.force_login(cast.captain_a)
    response = api.post("/api/v1/resources/", body, format="json")
    assert response.status_code == 400
    assert response.json()
    assert not Resource.objects.exists()


def test_using_a_resource_marks_it_taken_up_until_no_project_uses_it(cast: factories.Cast) -> None:
    from requests_tracker.projects import actions
    from tests.requests_tracker.projects.helpers import make_project

    resource = _resource(cast, "暑期托管班场地")
    first, second = make_project(cast, title="托管班"), make_project(cast, title="读书会")
    actions.project_use_resource(project=first, resource=resource)
    actions.project_use_resource(project=second, resource=resource)
    resource.refresh_from_db()
    assert resource.status == Resource.Status.TAKEN_UP

    actions.project_release_resource(project=first, resource=resource)
    resource.refresh_from_db()
    assert resource.status == Resource.Status.TAKEN_UP
    actions.project_release_resource(project=second, resource=resource)
    resource.refresh_from_db()
    assert resource.status == Resource.Status.AVAILABLE

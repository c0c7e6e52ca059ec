"""Issue #14 item 8: inputs that used to answer 500 answer a 4xx (or a page) instead."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests import factories

pytestmark = pytest.mark.django_db

NESTED = "[" * 4096


def test_deeply_nested_json_on_submit_is_400(cast: factories.Cast) -> None:
    response = APIClient().post("/api/v1/demands/", NESTED, content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()


def test_deeply_nested_json_object_on_submit_is_400(cast: factories.Cast) -> None:
    body = '{"a":' * 3000 + "1" + "}" * 3000
    response = APIClient().post("/api/v1/demands/", body, content_type="application/json")
    assert response.status_code == 400


def test_deeply_nested_json_on_transitions_is_400(cast: factories.Cast) -> None:
    demand = factories.make_demand(cast.tower_a, category=cast.category)
    client = APIClient()
    client.force_login(cast.captain_a)
    response = client.post(f"/api/v1/demands/{demand.pk}/transitions/", NESTED, content_type="application/json")
    assert response.status_code == 400


def test_moderately_nested_json_still_parses(cast: factories.Cast) -> None:
    body = '{"building": "shanghai-tower", "category": "delivery", "title": "外卖无法上楼", "extra": [[[[1]]]]}'
    response = APIClient().post("/api/v1/demands/", body, content_type="application/json")
    assert response.status_code in (201, 400)
    assert response.status_code != 500


@pytest.mark.parametrize(
    "path",
    [
        "/stats/?until=9999-12-31",
        "/stats/?since=9999-12-31",
        "/stats/?since=0001-01-01&until=9999-12-31",
        "/stats/export.csv?until=9999-12-31",
        "/stats/export.xlsx?until=9999-12-31",
        "/stats/export.csv?since=9999-12-31",
        "/stats/report/?month=9999-12",
        "/stats/report/?month=0001-01",
    ],
)
def test_far_dates_on_stats_pages_are_not_500(path: str, cast: factories.Cast) -> None:
    client = Client()
    client.force_login(cast.district_staff)
    response = client.get(path)
    assert response.status_code in (200, 400), response.status_code


@pytest.mark.parametrize("query", ["until=9999-12-31", "since=9999-12-31", "since=0001-01-01&until=9999-12-31"])
def test_far_dates_on_stats_api_are_not_500(query: str, cast: factories.Cast) -> None:
    client = APIClient()
    client.force_login(cast.district_staff)
    response = client.get(f"/api/v1/stats/?{query}")
    assert response.status_code in (200, 400), response.status_code


@pytest.mark.parametrize(
    "query",
    [
        "submitted_at__year=9999",
        "submitted_at__year=0",
        "submitted_at__year=99999999999",
        "status=%00",
        "status=x%00y",
        "q=%00",
        "building__id__exact=%00",
    ],
)
def test_admin_demand_list_with_odd_filters_is_not_500(query: str, cast: factories.Cast) -> None:
    factories.make_demand(cast.tower_a, category=cast.category)
    admin = factories.UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    response = client.get(f"/admin/requests_tracker/demand/?{query}")
    assert response.status_code in (200, 302, 400), response.status_code

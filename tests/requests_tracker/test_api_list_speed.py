"""The demand list API (#15): plain rows from the demand table alone, the rows they refer to in one
round trip, and one building's anonymous list from the cache — always exactly DRF's answer."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from requests_tracker import actions, selectors
from requests_tracker.api import DemandSerializer
from requests_tracker.api.serializers import RowLabels
from requests_tracker.models import Demand
from tests import factories
from tests.requests_tracker.test_api import CONTACT, DEMANDS, _populate, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


@pytest.mark.parametrize("who", ["anonymous", "captain_a", "dept_staff", "district_staff", "superuser"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_plain_rows_equal_drf_rows(who: str, language: str, cast: factories.Cast) -> None:
    _populate(cast, 9)
    factories.make_demand(cast.tower_a, cast.category, company_name="联系 13812345678", show_company=True, **CONTACT)
    hidden_member = factories.CouncilMemberFactory(council=cast.tower_a.council, is_public=False)
    demand = factories.make_demand(cast.tower_a, cast.category, **CONTACT)
    actions.demand_transition(
        demand=demand, action="assign", actor=cast.superuser, assignee=actions.Assignee(member=hidden_member)
    )
    user = None if who == "anonymous" else getattr(cast, who)
    scope = selectors.actor_scope(user) if user else selectors.ANONYMOUS_SCOPE
    serializer = DemandSerializer(context={"scope": scope})
    with translation.override(language):
        rows = list(selectors.demand_list_values(scope).order_by("id"))
        assert len(rows) >= 5
        related = selectors.list_related(rows)
        labels = RowLabels()
        instances = {d.pk: d for d in selectors.demand_list(scope)}
        for row in rows:
            instance = instances[row["id"]]
            assert serializer.list_row(row, related, labels) == serializer.drf_representation(instance)
            assert serializer.to_representation(instance) == serializer.drf_representation(instance)


def test_list_reads_the_demand_table_alone(cast: factories.Cast, django_assert_num_queries: Any) -> None:
    _populate(cast, 6)
    with django_assert_num_queries(5):  # the first reader: + the slug's id and the stamp, for the cache key
        response = client_for(None).get(DEMANDS, {"building": cast.tower_a.slug, "page_size": 50})
    assert response.status_code == 200 and response.json()["count"] > 0
    with django_assert_num_queries(3):  # count, the page, its buildings/categories/assignees in one UNION
        client_for(None).get(DEMANDS, {"building": cast.tower_a.slug, "page_size": 20})
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        client_for(None).get(DEMANDS, {"building": cast.tower_a.slug, "category": cast.category.code})
    page = ctx.captured_queries[-2]["sql"]
    assert "JOIN" not in page  # the slug and the code are sub-selects, not joins
    for column in ('"token"', '"submission_key"', '"description" FROM "requests_tracker_category"'):
        assert column not in page


def test_unknown_building_or_category_is_an_empty_list(cast: factories.Cast) -> None:
    _populate(cast, 4)
    for params in ({"building": "no-such-tower"}, {"category": "no-such-category"}):
        response = client_for(None).get(DEMANDS, params)
        assert response.status_code == 200 and response.json() == {
            "count": 0,
            "next": None,
            "previous": None,
            "results": [],
        }


# --- one building's list, read anonymously, from the cache ----------------------------------------


def _building_list(client: Any, cast: factories.Cast, **extra: Any) -> Any:
    return client.get(DEMANDS, {"building": cast.tower_a.slug, **extra})


def test_anonymous_building_list_comes_from_the_cache(cast: factories.Cast, django_assert_num_queries: Any) -> None:
    _populate(cast, 6)
    first = _building_list(client_for(None), cast)
    with django_assert_num_queries(0):  # the slug, the building's stamp and the answer: all in the cache
        again = _building_list(client_for(None), cast)
    assert again.status_code == 200 and again["Content-Type"] == "application/json"
    assert again.content == first.content and again.json()["count"] == first.json()["count"]


def test_a_change_in_the_building_is_in_the_next_answer(
    cast: factories.Cast, django_capture_on_commit_callbacks: Any
) -> None:
    _populate(cast, 4)
    before = _building_list(client_for(None), cast).json()
    with django_capture_on_commit_callbacks(execute=True):
        factories.make_demand(cast.tower_a, cast.category, title="电梯厅的灯坏了")
    after = _building_list(client_for(None), cast).json()
    assert after["count"] == before["count"] + 1
    assert after["results"][0]["title"] == "电梯厅的灯坏了"


def test_readers_with_credentials_or_odd_parameters_are_never_served_from_the_cache(
    cast: factories.Cast, django_assert_num_queries: Any
) -> None:
    _populate(cast, 6)
    _building_list(client_for(None), cast)  # cached for anonymous readers
    captain = _building_list(client_for(cast.captain_a), cast).json()
    assert any("contact_name" in row for row in captain["results"])  # their own, uncached answer
    token = Token.objects.create(user=cast.captain_a).key
    with_token = _building_list(APIClient(headers={"Authorization": f"Token {token}"}), cast).json()
    assert any("contact_name" in row for row in with_token["results"])
    with django_assert_num_queries(3):  # an unknown parameter: answered from the database
        _building_list(client_for(None), cast, utm_source="poster")
    with django_assert_num_queries(3):  # another host: its links differ, so does its entry
        client_for(None).get(DEMANDS, {"building": cast.tower_a.slug}, HTTP_HOST="localhost")


def test_languages_are_cached_apart(cast: factories.Cast) -> None:
    _populate(cast, 4)
    zh = _building_list(client_for(None, **{"Accept-Language": "zh-hans"}), cast).json()
    en = _building_list(client_for(None, **{"Accept-Language": "en"}), cast).json()
    assert zh["results"][0]["status_label"] != en["results"][0]["status_label"]


def test_hidden_demands_never_reach_the_cached_list(
    cast: factories.Cast, django_capture_on_commit_callbacks: Any
) -> None:
    _populate(cast, 4)
    shown = _building_list(client_for(None), cast).json()
    target = Demand.objects.get(pk=shown["results"][0]["id"])
    with django_capture_on_commit_callbacks(execute=True):
        actions.demand_moderate(demand=target, actor=cast.superuser, reason="广告", is_hidden=True)
    ids = [row["id"] for row in _building_list(client_for(None), cast).json()["results"]]
    assert target.pk not in ids


# --- keyset pages ---------------------------------------------------------------------------------


def _ids(client: Any, url: str, params: dict[str, Any] | None = None) -> tuple[list[int], list[Any]]:
    ids, counts = [], []
    while url:
        body = client.get(url, params).json()
        ids += [row["id"] for row in body["results"]]
        counts.append(body["count"])
        url, params = body["next"], None
    return ids, counts


@pytest.mark.parametrize("who", ["anonymous", "district_staff"])
def test_cursor_pages_walk_the_same_list_as_page_numbers(who: str, cast: factories.Cast) -> None:
    _populate(cast, 13)
    same_second = factories.make_demand(cast.tower_a, cast.category)  # ties on submitted_at are kept apart
    Demand.objects.filter(pk=same_second.pk - 1).update(submitted_at=same_second.submitted_at)
    client = client_for(None if who == "anonymous" else cast.district_staff)
    by_page, _ = _ids(client, DEMANDS, {"page_size": 4})
    by_cursor, counts = _ids(client, DEMANDS, {"page_size": 4, "cursor": ""})
    assert by_cursor == by_page and len(by_page) == len(set(by_page)) > 8
    assert set(counts) == {None}  # nothing counted


def test_a_cursor_page_counts_nothing(cast: factories.Cast, django_assert_num_queries: Any) -> None:
    _populate(cast, 6)
    with django_assert_num_queries(2):  # the page (one more row than asked, to know of a next) + related
        body = client_for(None).get(DEMANDS, {"cursor": "", "page_size": 3}).json()
    assert body["count"] is None and body["previous"] is None and "cursor=" in body["next"]


@pytest.mark.parametrize(
    "position",
    [b"p=abc", b"p=2099-01-01", b"p=2026-01-01 10:00:00", b"p=\x00", b"o=-1", b"r=1&p=" + b"9" * 400],
)
def test_a_damaged_cursor_is_a_400(position: bytes, cast: factories.Cast) -> None:
    _populate(cast, 2)
    for cursor in ("%%%", "对", base64.b64encode(position).decode()):
        response = client_for(None).get(DEMANDS, {"cursor": cursor})
        assert response.status_code == 400, (cursor, response.content)
        assert "cursor" in response.json()


def test_a_cursor_far_away_is_an_empty_page(cast: factories.Cast) -> None:
    _populate(cast, 2)
    cursor = base64.b64encode(urlencode({"p": "1990-01-01 00:00:00+00:00"}).encode()).decode()
    body = client_for(None).get(DEMANDS, {"cursor": cursor}).json()
    assert body["results"] == [] and body["next"] is None


def test_page_size_is_bounded(cast: factories.Cast) -> None:
    _populate(cast, 6)
    assert len(client_for(None).get(DEMANDS, {"page_size": 2}).json()["results"]) == 2
    everything = client_for(None).get(DEMANDS, {"page_size": 100000}).json()  # capped at 100
    assert len(everything["results"]) == everything["count"] > 2
    for wrong in ("null", "0", "-3", "2.5", "٣"):
        for extra in ({}, {"cursor": ""}):
            response = client_for(None).get(DEMANDS, {"page_size": wrong, **extra})
            assert response.status_code == 400 and "page_size" in response.json()

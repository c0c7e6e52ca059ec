"""The building board for anonymous readers comes from the cache (#15): no query, a fresh CSRF token
for each reader, and never a change hidden — a demand or a panel that moves shows on the next view."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from requests_tracker import actions
from requests_tracker.screen import board
from requests_tracker.workflow import Status
from tests import factories
from tests.requests_tracker.demand_helpers import drive
from tests.requests_tracker.surveys.helpers import make_survey

pytestmark = pytest.mark.django_db


def _url(cast: factories.Cast) -> str:
    return reverse("board", args=[cast.tower_a.slug])


def _warm(client: Client, url: str, **params: str) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def test_second_anonymous_view_is_one_query_and_the_same_page(
    cast: factories.Cast, django_assert_num_queries: Any
) -> None:
    factories.make_demand(cast.tower_a, cast.category, title="外卖送不上楼")
    url = _url(cast)
    first = _warm(Client(), url)
    with django_assert_num_queries(0):  # the building's id comes from the cache, with its stamp
        again = Client().get(url)
    assert again.status_code == 200
    assert board.TOKEN.sub(b"", again.content) == board.TOKEN.sub(b"", first.encode())
    assert "外卖送不上楼" in again.content.decode()


def test_a_building_deactivated_is_a_404_at_once(cast: factories.Cast, django_capture_on_commit_callbacks: Any) -> None:
    url = _url(cast)
    _warm(Client(), url)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():  # as the admin saves
        cast.tower_a.is_active = False
        cast.tower_a.save()
    assert Client().get(url).status_code == 404


def test_each_reader_gets_a_working_csrf_token_of_their_own(cast: factories.Cast) -> None:
    url = _url(cast)
    _warm(Client(), url)
    reader = Client(enforce_csrf_checks=True)
    page = reader.get(url)
    token = board.TOKEN.search(page.content)
    assert token is not None and board.PLACEHOLDER not in page.content
    assert "csrftoken" in page.cookies  # the cached page still hands out the cookie its token needs
    switched = reader.post(
        reverse("set_language"), {"language": "en", "next": url, "csrfmiddlewaretoken": token[2].decode()}
    )
    assert switched.status_code == 302


def test_a_change_to_a_demand_shows_at_once(cast: factories.Cast, django_capture_on_commit_callbacks: Any) -> None:
    demand = factories.make_demand(cast.tower_a, cast.category, title="电梯太挤")
    url = _url(cast)
    _warm(Client(), url)
    with django_capture_on_commit_callbacks(execute=True):
        actions.demand_submit(
            building=cast.tower_a, category=cast.category, title="停车位不够", description="地下车库满了"
        )
        drive(demand, Status.IN_PROGRESS, by=cast.captain_a, assignee=actions.Assignee(member=cast.member_a))
    html = Client().get(url).content.decode()
    assert "停车位不够" in html
    assert "<dt>办理中</dt><dd>1</dd>" in html


def test_a_panel_that_moves_shows_at_once(cast: factories.Cast, django_capture_on_commit_callbacks: Any) -> None:
    url = _url(cast)
    assert "外卖需求意见征集" not in _warm(Client(), url)
    with django_capture_on_commit_callbacks(execute=True):
        make_survey(cast.tower_a, cast.captain_a)
    assert "外卖需求意见征集" in Client().get(url).content.decode()


def test_filters_are_cached_apart(cast: factories.Cast) -> None:
    other = factories.CategoryFactory(code="parking", name="停车", name_en="Parking")
    factories.make_demand(cast.tower_a, cast.category, title="外卖送不上楼")
    factories.make_demand(cast.tower_a, other, title="停车位太少")
    url = _url(cast)
    _warm(Client(), url)
    only_parking = Client().get(url, {"category": "parking"}).content.decode()
    assert "停车位太少" in only_parking and "外卖送不上楼" not in only_parking
    assert "外卖送不上楼" in Client().get(url).content.decode()


@pytest.mark.parametrize(
    "setup",
    ["signed-in", "messages", "unknown-parameter", "post"],
)
def test_readers_who_may_see_something_of_their_own_are_rendered(cast: factories.Cast, setup: str) -> None:
    url = _url(cast)
    client = Client()
    if setup == "signed-in":
        client.force_login(cast.captain_a)
    elif setup == "messages":
        client.cookies["messages"] = "x"
    request_url = url + ("?utm_source=poster" if setup == "unknown-parameter" else "")
    request = factories_request(request_url, client, post=setup == "post")
    assert board.key_for(request, cast.tower_a.pk) is None


def factories_request(url: str, client: Client, *, post: bool) -> Any:
    from django.test import RequestFactory

    rf = RequestFactory()
    request = rf.post(url) if post else rf.get(url)
    request.COOKIES.update({k: v.value for k, v in client.cookies.items()})
    return request


def test_a_cache_that_fails_costs_the_cache_not_the_page(cast: factories.Cast) -> None:
    """The board's own entries and the stamps fail (the rest of the cache is #14's outage tests)."""
    from django.core.cache import cache

    real_get, real_set = cache.get, cache.set

    def failing(real: Any) -> Any:
        def call(key: str, *args: Any, **kwargs: Any) -> Any:
            if key.startswith(("board:", "screen:")):
                raise ConnectionError("down")
            return real(key, *args, **kwargs)

        return call

    factories.make_demand(cast.tower_a, cast.category, title="外卖送不上楼")
    with mock.patch.object(cache, "get", failing(real_get)), mock.patch.object(cache, "set", failing(real_set)):
        first = Client().get(_url(cast))
        second = Client().get(_url(cast))
    for response in (first, second):
        assert response.status_code == 200
        assert "外卖送不上楼" in response.content.decode()


def test_a_roster_edited_in_the_admin_shows_at_once(
    cast: factories.Cast, django_capture_on_commit_callbacks: Any
) -> None:
    from django.contrib import admin
    from django.test import RequestFactory

    from buildings.models import CouncilMember

    url = _url(cast)
    assert "王楼长" in _warm(Client(), url)
    member = CouncilMember.objects.get(pk=cast.member_a.pk)
    member.display_name = "王大楼长"
    request = RequestFactory().post("/admin/")
    request.user = cast.superuser
    with django_capture_on_commit_callbacks(execute=True):
        admin.site._registry[CouncilMember].save_model(request, member, None, True)
    assert "王大楼长" in Client().get(url).content.decode()

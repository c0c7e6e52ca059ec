"""The screen feeds' early path (#15): a poll is answered before sessions, locale, CSRF, auth and
messages run, from one cache read and no query; a change is never hidden by it."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory, override_settings

from requests_tracker import actions
from requests_tracker.screen import fastpath
from tests import factories

pytestmark = pytest.mark.django_db


def _early(path: str, **headers: str) -> HttpResponse:
    """The early middleware alone: reaching the rest of the stack (the view) fails the test."""

    def rest_of_the_stack(request: HttpRequest) -> HttpResponse:
        raise AssertionError("the poll went past the early path")

    request = RequestFactory().get(path, headers=headers)
    return fastpath.screen_feed_early(rest_of_the_stack)(request)


def test_early_path_sits_before_sessions_locale_csrf_auth_and_messages() -> None:
    stack = settings.MIDDLEWARE
    early = stack.index("requests_tracker.screen.fastpath.screen_feed_early")
    for later in ("sessions", "locale", "csrf", "auth.middleware", "messages"):
        assert early < next(i for i, m in enumerate(stack) if later in m), later


def test_unchanged_poll_is_a_304_before_the_stack_without_a_query(
    cast: factories.Cast, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    factories.make_demand(cast.tower_a, cast.category)
    path = f"/api/v1/screen/{cast.tower_a.slug}/"
    etag = Client().get(path)["ETag"]
    with django_assert_num_queries(0):
        response = _early(path, if_none_match=etag)
    assert response.status_code == 304
    assert response["ETag"] == etag and response["Cache-Control"] == "no-cache"
    assert response["Content-Language"] == "zh-hans"
    # English is its own entry: a zh-hans ETag never answers an English screen.
    with pytest.raises(AssertionError, match="past the early path"):
        _early(path, if_none_match=etag, accept_language="en")


def test_a_screen_behind_gets_the_cached_body_before_the_stack(
    cast: factories.Cast, django_capture_on_commit_callbacks, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    demand = factories.make_demand(cast.tower_a, cast.category)
    path = f"/api/v1/screen/{cast.tower_a.slug}/"
    old = Client().get(path)["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        actions.demand_transition(
            demand=demand, action="assign", actor=cast.captain_a, assignee=actions.Assignee(department=cast.fire)
        )
    # The change dropped the entry: the first screen to poll goes through the view...
    with pytest.raises(AssertionError, match="past the early path"):
        _early(path, if_none_match=old)
    fresh = Client().get(path, headers={"if_none_match": old})
    assert fresh.status_code == 200 and fresh.json()["demands"][0]["status"] == "assigned"
    # ...and every other screen still on the old ETag gets the same bytes from the cache.
    with django_assert_num_queries(0):
        response = _early(path, if_none_match=old)
    assert response.status_code == 200
    assert response.content == fresh.content and response["ETag"] == fresh["ETag"] != old


def test_any_change_retires_the_area_entry(cast: factories.Cast, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    factories.make_demand(cast.tower_a, cast.category)
    path = "/api/v1/screen/area/lujiazui/"
    etag = Client().get(path)["ETag"]
    assert _early(path, if_none_match=etag).status_code == 304
    with django_capture_on_commit_callbacks(execute=True):
        factories.make_demand(cast.tower_b, cast.category)
    with pytest.raises(AssertionError, match="past the early path"):
        _early(path, if_none_match=etag)
    response = Client().get(path, headers={"if_none_match": etag})
    assert response.status_code == 200 and response.json()["figures"]["received"] == 2


def test_other_urls_and_methods_go_through(cast: factories.Cast) -> None:
    path = f"/api/v1/screen/{cast.tower_a.slug}/"
    Client().get(path)
    for request in (RequestFactory().post(path), RequestFactory().get("/api/v1/demands/")):
        assert fastpath.answer(request) is None


def test_a_failing_cache_falls_through_to_the_view(cast: factories.Cast) -> None:
    """Redis that does not answer (nothing listens on port 9): no exception, the normal stack answers."""
    dead = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    with override_settings(CACHES=dead):
        request = RequestFactory().get(f"/api/v1/screen/{cast.tower_a.slug}/", headers={"if_none_match": '"x"'})
        assert fastpath.answer(request) is None

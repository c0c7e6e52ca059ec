"""The screen feeds' early path (#15): a poll is answered before sessions, locale, CSRF, auth and
messages run, from one cache read and no query; a change is never hidden by it."""

from __future__ import annotations

import email
import io
from typing import Any
from unittest import mock
from wsgiref.handlers import SimpleHandler
from wsgiref.validate import validator

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
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


# --- before Django: the unchanged poll at the WSGI layer (wsgi_early) ------------------------------


class _Django:
    """Stands behind the early WSGI path: records whether a request reached it."""

    def __init__(self) -> None:
        self.called = 0

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        self.called += 1
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"django"]


def _serve(app: Any, path: str, *, method: str = "GET", secure: bool = False, **headers: str) -> tuple[str, Any, bytes]:
    """One request through a real WSGI server's handler (wsgiref, under the spec's validator): the status
    line, the headers as sent (the server's Date included) and the body."""
    environ = RequestFactory().generic(method, path, secure=secure, headers=headers).environ
    environ["HTTPS"] = "on" if secure else "off"  # what wsgiref reads the scheme from
    out = io.BytesIO()
    handler = SimpleHandler(io.BytesIO(), out, io.StringIO(), environ, multithread=False)
    handler.run(validator(app))
    head, _, body = out.getvalue().partition(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    return status, email.message_from_string("\r\n".join(lines)), body


def _feed_etag(path: str) -> str:
    return str(_feed(path)["ETag"])


def _feed(path: str) -> HttpResponse:
    response = Client().get(path)
    assert response.status_code == 200
    return response


def _vary(response: Any) -> set[str]:
    return {v.strip() for v in response["Vary"].split(",")}


@pytest.mark.parametrize("kind", ["building", "area"])
def test_an_unchanged_poll_is_a_304_before_django_with_what_a_304_carries(
    cast: factories.Cast, kind: str, django_assert_num_queries: Any
) -> None:
    factories.make_demand(cast.tower_a, cast.category)
    path = f"/api/v1/screen/{cast.tower_a.slug}/" if kind == "building" else "/api/v1/screen/area/lujiazui/"
    built = _feed(path)  # through the view (and GZipMiddleware, which varies it on Accept-Encoding)
    etag = built["ETag"]
    django = _Django()
    with django_assert_num_queries(0):
        status, headers, body = _serve(fastpath.wsgi_early(django), path, if_none_match=f'W/{etag}, "other"')
    assert django.called == 0
    assert status == "HTTP/1.0 304 Not Modified" and body == b""
    assert headers["ETag"] == etag and headers["Cache-Control"] == "no-cache"
    assert headers["Content-Language"] == "zh-hans" and headers["Date"]
    assert _vary(headers) == _vary(built) == {"Accept-Language", "Cookie", "Accept-Encoding"}  # the 200's


def _fall_through_cases(slug: str) -> dict[str, dict[str, Any]]:
    path = f"/api/v1/screen/{slug}/"
    return {
        "no If-None-Match": {"path": path},
        "HEAD": {"path": path, "method": "HEAD", "if_none_match": "ETAG"},
        "POST": {"path": path, "method": "POST", "if_none_match": "ETAG"},
        "a screen behind": {"path": path, "if_none_match": '"older"'},
        "English (an entry of its own)": {"path": path, "if_none_match": "ETAG", "accept_language": "en"},
        "a language prefix": {"path": "/en" + path, "if_none_match": "ETAG"},
        "another URL": {"path": path + "x/", "if_none_match": "ETAG"},
        "not a feed": {"path": "/api/v1/demands/", "if_none_match": "ETAG"},
    }


@pytest.mark.parametrize("case", list(_fall_through_cases("s")))
def test_anything_but_an_unchanged_poll_goes_to_django_as_it_came(cast: factories.Cast, case: str) -> None:
    path = f"/api/v1/screen/{cast.tower_a.slug}/"
    etag = _feed_etag(path)
    request = dict(_fall_through_cases(cast.tower_a.slug)[case])
    if request.get("if_none_match") == "ETAG":
        request["if_none_match"] = etag
    django = _Django()
    status, _headers, body = _serve(fastpath.wsgi_early(django), request.pop("path"), **request)
    assert django.called == 1 and status == "HTTP/1.0 200 OK" and body == b"django"


def test_plain_http_goes_to_django_where_the_site_redirects_it(cast: factories.Cast) -> None:
    path = f"/api/v1/screen/{cast.tower_a.slug}/"
    etag = _feed_etag(path)
    django = _Django()
    with override_settings(SECURE_SSL_REDIRECT=True):
        _serve(fastpath.wsgi_early(django), path, if_none_match=etag)
        assert django.called == 1  # SecurityMiddleware's redirect, as before
        status = _serve(fastpath.wsgi_early(django), path, secure=True, if_none_match=etag)[0]
        assert status.endswith("304 Not Modified")
    assert django.called == 1


def test_a_change_reaches_the_screen_through_the_wsgi_path(
    cast: factories.Cast, django_capture_on_commit_callbacks: Any
) -> None:  # type: ignore[no-untyped-def]
    path = f"/api/v1/screen/{cast.tower_a.slug}/"
    etag = _feed_etag(path)
    with django_capture_on_commit_callbacks(execute=True):
        factories.make_demand(cast.tower_b, cast.category)  # another building: the entry stays
    assert _serve(fastpath.wsgi_early(_Django()), path, if_none_match=etag)[0].endswith("304 Not Modified")
    with django_capture_on_commit_callbacks(execute=True):
        factories.make_demand(cast.tower_a, cast.category)
    django = _Django()
    _serve(fastpath.wsgi_early(django), path, if_none_match=etag)
    assert django.called == 1


def test_a_poll_the_wsgi_path_does_not_answer_reads_the_cache_once(cast: factories.Cast) -> None:
    """A screen behind: the entry read before Django is the middleware's too, then the cached body."""
    path = f"/api/v1/screen/{cast.tower_a.slug}/"
    fresh = Client().get(path)
    with mock.patch.object(fastpath, "_read", wraps=fastpath._read) as read:
        status, headers, body = _serve(fastpath.wsgi_early(WSGIHandler()), path, if_none_match='"older"')
    assert status == "HTTP/1.0 200 OK" and body == fresh.content and headers["ETag"] == fresh["ETag"]
    assert read.call_count == 1


def test_a_failing_cache_sends_the_poll_to_django(cast: factories.Cast) -> None:
    dead = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    django = _Django()
    with override_settings(CACHES=dead):
        status, _headers, _body = _serve(
            fastpath.wsgi_early(django), f"/api/v1/screen/{cast.tower_a.slug}/", if_none_match='"x"'
        )
    assert django.called == 1 and status == "HTTP/1.0 200 OK"


def test_the_deployed_application_answers_the_poll_before_django(cast: factories.Cast) -> None:
    from lousihui.wsgi import application

    path = f"/api/v1/screen/{cast.tower_a.slug}/"
    etag = _feed_etag(path)
    with mock.patch("django.core.handlers.wsgi.WSGIHandler.__call__", side_effect=AssertionError("reached Django")):
        assert _serve(application, path, if_none_match=etag)[0].endswith("304 Not Modified")

"""Issue #14 item 6: supports (+1) cannot be inflated. A browser's key is issued by the server, signed, on a
page view; a support counts only with a key issued on an earlier page view; the issuing of new keys is
limited per client address, the supports are not (an office behind one NAT address supports freely)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from rest_framework.throttling import ScopedRateThrottle

from requests_tracker.intake import browser_keys
from requests_tracker.models import Demand, Support
from tests import factories

pytestmark = pytest.mark.django_db

COOKIE = browser_keys.COOKIE


def public_url(demand: Demand) -> str:
    return reverse("demand-public", args=[demand.building.slug, demand.pk])


def support_url(demand: Demand) -> str:
    return reverse("demand-support", args=[demand.building.slug, demand.pk])


@pytest.fixture
def demand(cast: factories.Cast) -> Demand:
    return factories.make_demand(cast.tower_a, cast.category, title="希望增设母婴室")


@pytest.fixture
def key_rate(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    """Three new keys a minute per client, behind one proxy (as behind the compose file's nginx)."""
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {browser_keys.THROTTLE_SCOPE: "3/min"})
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}


def _from(ip: str) -> dict[str, str]:
    # The client may write anything into X-Forwarded-For (9.9.9.9); the one proxy appends what it saw.
    return {"HTTP_X_FORWARDED_FOR": f"9.9.9.9, {ip}"}


def _count(demand: Demand) -> int:
    demand.refresh_from_db()
    assert demand.support_count == Support.objects.filter(demand=demand).count()
    return demand.support_count


def test_a_support_without_a_key_or_with_a_made_up_one_counts_nothing(demand: Demand) -> None:
    forged = signing.TimestampSigner(salt="someone-else").sign("A" * 32)
    for cookie in ("", "made-up-cookie-value-0123456789", "A" * 32, forged, "x:y:z"):
        client = Client()
        if cookie:
            client.cookies[COOKIE] = cookie
        response = client.post(support_url(demand), headers={"Accept": "application/json"})
        assert response.status_code == 403, cookie
        # The support request itself never mints a key: only a page view does.
        assert COOKIE not in response.cookies
    assert _count(demand) == 0


def test_two_hundred_scripted_supports_without_page_views_add_nothing(demand: Demand) -> None:
    statuses = {Client().post(support_url(demand)).status_code for _ in range(200)}
    assert statuses == {302}  # sent back to the page with a message, never counted
    assert _count(demand) == 0


def test_a_script_that_views_the_page_each_time_gets_only_a_few_keys(demand: Demand, key_rate: None) -> None:
    for _ in range(200):
        client = Client()  # throws its cookie away every time
        client.get(public_url(demand), **_from("1.1.1.1"))
        client.post(support_url(demand), **_from("1.1.1.1"))
    assert _count(demand) == 3


def test_an_office_behind_one_address_supports_freely(cast: factories.Cast, key_rate: None) -> None:
    demands = [factories.make_demand(cast.tower_a, cast.category, title=f"诉求{i}") for i in range(3)]
    # Forty colleagues whose browsers got their keys earlier (at home, on their phones' networks)...
    browsers = []
    for i in range(40):
        client = Client()
        client.get(public_url(demands[0]), **_from(f"10.1.{i}.1"))
        assert browser_keys.issued_key(_request_with(client.cookies[COOKIE].value))
        browsers.append(client)
    # ...now all behind the office's one NAT address, which has already used up its new keys.
    for _ in range(5):
        Client().get(public_url(demands[0]), **_from("2.2.2.2"))
    for client in browsers:
        for d in demands:
            assert client.post(support_url(d), **_from("2.2.2.2")).status_code == 302
    assert [_count(d) for d in demands] == [40, 40, 40]


def test_new_keys_are_limited_per_client_address(demand: Demand, key_rate: None) -> None:
    def issued(ip: str) -> bool:
        return COOKIE in Client().get(public_url(demand), **_from(ip)).cookies

    assert [issued("3.3.3.3") for _ in range(4)] == [True, True, True, False]
    assert issued("4.4.4.4")  # another client is not held back
    # The page itself is served all the same, with the +1 button.
    response = Client().get(public_url(demand), **_from("3.3.3.3"))
    assert response.status_code == 200 and support_url(demand) in response.content.decode()


@pytest.mark.parametrize("page", ["board", "public", "submit", "track"])
def test_pages_with_a_plus_one_issue_a_signed_key(demand: Demand, page: str) -> None:
    url = {
        "board": reverse("board", args=[demand.building.slug]),
        "public": public_url(demand),
        "submit": reverse("demand-submit", args=[demand.building.slug]),
        "track": reverse("track", args=[demand.token]),
    }[page]
    client = Client()
    cookie = client.get(url).cookies[COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert browser_keys.issued_key(_request_with(cookie.value))
    # Held keys are not issued again.
    assert COOKIE not in client.get(url).cookies


def test_signed_in_users_need_no_key(cast: factories.Cast, demand: Demand) -> None:
    client = Client()
    client.force_login(cast.resident)
    assert COOKIE not in client.get(public_url(demand)).cookies
    client.post(support_url(demand))
    assert _count(demand) == 1


def test_a_cookie_from_before_keys_were_signed_keeps_its_supports(demand: Demand) -> None:
    raw = "L" * 32
    Support.objects.create(demand=demand, client_key=browser_keys.client_key(raw))
    Demand.objects.filter(pk=demand.pk).update(support_count=1)
    client = Client()
    client.cookies[COOKIE] = raw
    page = client.get(public_url(demand))
    assert "您已附议" not in page.content.decode()  # an unsigned cookie is not trusted...
    assert client.cookies[COOKIE].value != raw
    again = client.post(support_url(demand), follow=True)  # ...but once signed it is the same browser
    assert "您已附议过这条诉求" in again.content.decode()
    assert _count(demand) == 1


def _request_with(cookie: str) -> Any:
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.COOKIES[COOKIE] = cookie
    return request


def test_a_page_is_served_without_a_key_when_the_cache_is_down(demand: Demand, settings: Any) -> None:
    # Nothing listens on port 9: the throttle cannot count, so no key is issued, and the page still works.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    response = Client().get(public_url(demand))
    assert response.status_code == 200
    assert COOKIE not in response.cookies

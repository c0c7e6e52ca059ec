"""buildings.cache_ops and buildings.throttling: fewer cache round trips, the same meaning (#15)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from rest_framework.test import APIRequestFactory

from buildings import cache_ops
from buildings.throttling import ScopedRateThrottle

pytestmark = pytest.mark.django_db


def test_every_invalidation_of_a_transaction_is_applied_once_after_commit(
    django_capture_on_commit_callbacks: Any,
) -> None:
    cache.set("gone-1", "x")
    cache.set("gone-2", "x")
    cache.set("gen", 5, None)
    cache.set("path", "/feed/")
    seen: list[Any] = []
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        cache_ops.on_commit(delete=["gone-1"], incr=["gen"], read={"path": seen.append})
        cache_ops.on_commit(delete=["gone-2"], incr=["gen", "new-gen"], read={"missing": seen.append})
        cache_ops.on_commit(replace={"token": "fresh"})
        assert cache.get("gone-1") == "x"  # nothing before the commit
    assert cache.get("gone-1") is None and cache.get("gone-2") is None
    assert cache.get("gen") == 6  # named twice in one transaction: moved once
    assert cache.get("new-gen") == 1  # a counter nobody created yet starts at 1
    assert seen == ["/feed/", None]
    assert cache.get("token") == "fresh"
    assert len(callbacks) == 1  # one for the transaction
    with django_capture_on_commit_callbacks(execute=True):
        cache_ops.on_commit(incr=["gen"])  # a later transaction gets a batch of its own
    assert cache.get("gen") == 7


def test_a_transaction_that_rolls_back_invalidates_nothing(django_capture_on_commit_callbacks: Any) -> None:
    cache.set("kept", "x")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        cache_ops.on_commit(delete=["kept"])
        raise RuntimeError
    assert cache.get("kept") == "x"


def test_a_failing_cache_is_logged_not_raised(
    monkeypatch: pytest.MonkeyPatch, caplog: Any, django_capture_on_commit_callbacks: Any
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("down")

    monkeypatch.setattr(cache_ops, "invalidate", broken)
    with django_capture_on_commit_callbacks(execute=True):
        cache_ops.on_commit(delete=["x"])  # the commit happened: the request must not fail now
    assert "cannot apply the after-commit invalidations" in caplog.text


class _View:
    throttle_scope = "test_scope"


@pytest.fixture
def three_a_minute(monkeypatch: pytest.MonkeyPatch) -> dict[str, float]:
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"test_scope": "3/min"})
    clock = {"now": 600.0}  # the start of a window
    monkeypatch.setattr(ScopedRateThrottle, "timer", lambda self: clock["now"])
    return clock


def _ask(at: float, clock: dict[str, float]) -> tuple[bool, float | None]:
    clock["now"] = at
    throttle = ScopedRateThrottle()
    request = APIRequestFactory().post("/", REMOTE_ADDR="10.0.0.7")
    from rest_framework.request import Request

    allowed = throttle.allow_request(Request(request), _View())
    return allowed, None if allowed else throttle.wait()


def test_the_throttle_slides_over_the_window_boundary(three_a_minute: dict[str, float]) -> None:
    clock = three_a_minute
    assert [_ask(600 + t, clock)[0] for t in (0, 20, 50)] == [True, True, True]
    assert _ask(655, clock)[0] is False  # the rate is spent in this window
    # Ten seconds into the next window the previous one still weighs 5/6 of its four requests.
    allowed, retry = _ask(670, clock)
    assert allowed is False
    # It counted too: 4 × (1 − t/60) + 1 + 1 ≤ 3 once t ≥ 45 s, i.e. 35 s from now.
    assert retry == pytest.approx(35)
    assert _ask(670 + 35, clock)[0] is True  # 4 × (1 − 45/60) + 2 = 3


def test_another_client_is_counted_apart(three_a_minute: dict[str, float]) -> None:
    clock = three_a_minute
    for t in (0, 1, 2, 3):
        _ask(600 + t, clock)
    clock["now"] = 604
    request = APIRequestFactory().post("/", REMOTE_ADDR="10.0.0.8")
    from rest_framework.request import Request

    assert ScopedRateThrottle().allow_request(Request(request), _View()) is True

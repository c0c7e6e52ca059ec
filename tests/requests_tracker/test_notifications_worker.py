"""Never lost, never twice: the outbox against real Redis, a real `celery worker` process and PostgreSQL.

Each test starts its own worker subprocess pointed at pytest-django's test database (rows are
committed: transactional_db), delivering to a file-based mail drop and a local webhook receiver.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client

from requests_tracker.models import DeliveryAttempt, Demand, Notification, WebhookEndpoint
from requests_tracker.notifications import outbox
from requests_tracker.tasks import app, sweep_notifications
from tests import factories
from tests.requests_tracker.notification_helpers import (
    Receiver,
    broker_at,
    celery_worker,
    delivered_mail,
    wait_until,
    worker_env,
)

pytestmark = [pytest.mark.celery, pytest.mark.redis, pytest.mark.postgres]


@pytest.fixture
def live_cast(transactional_db: None) -> Iterator[factories.Cast]:
    """The cast, committed (a worker in another process must see it); no stale messages on our broker,
    before or after (the burst leaves its duplicate messages behind, for a later worker to skip)."""
    app.control.purge()
    cast = factories.build_cast()
    cast.captain_a.email = "wang.captain@example.com"
    cast.captain_a.save(update_fields=["email"])
    yield cast
    app.control.purge()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def _robot(cast: factories.Cast, receiver: Receiver) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(name="上海中心楼事会工作群", url=receiver.url, council=cast.tower_a.council)


def _status(pk: int) -> str:
    return Notification.objects.values_list("status", flat=True).get(pk=pk)


def test_demand_submitted_while_the_broker_is_down_succeeds_and_reaches_the_captain_once_it_is_back(
    live_cast: factories.Cast, tmp_path: Path
) -> None:
    client = Client()
    form = {"category": live_cast.category.code, "title": "外卖无法上楼", "floor": "52", "is_public": "on"}

    with broker_at("redis://127.0.0.1:1/5"):  # nothing listens on port 1
        started = time.monotonic()
        response = client.post(f"/b/{live_cast.tower_a.slug}/submit/", form)
        elapsed = time.monotonic() - started

    demand = Demand.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/t/{demand.token}/"
    assert elapsed < 3.0, f"a dead broker held the request for {elapsed:.2f} s"
    message = Notification.objects.get(demand=demand)
    assert (message.address, message.status, message.attempts) == ("wang.captain@example.com", "pending", 0)

    env = worker_env(tmp_path)
    with celery_worker(env, "broker-back"):
        sweep_notifications.delay()  # what beat sends every minute; the worker runs the sweep
        wait_until(lambda: _status(message.pk) == "sent", timeout=30)

    assert delivered_mail(tmp_path / "mail") == {message.pk: 1}
    print(
        f"\n[scenario 1] submit with broker down: HTTP {response.status_code} in {elapsed:.3f} s; "
        "delivered once after the sweep"
    )


def test_a_worker_killed_mid_delivery_leaves_the_message_to_be_delivered_exactly_once(
    live_cast: factories.Cast, tmp_path: Path
) -> None:
    receiver = Receiver(hold_first=True)
    try:
        _robot(live_cast, receiver)
        live_cast.captain_a.email = ""
        live_cast.captain_a.save(update_fields=["email"])
        env = worker_env(tmp_path)

        # (A solo worker busy with a delivery cannot answer pings: it is started and pinged first.)
        with celery_worker(env, "victim") as victim:
            demand = factories.make_demand(live_cast.tower_a, live_cast.category)  # commits; delivery is enqueued
            message = Notification.objects.get(demand=demand)
            assert receiver.held.wait(30), victim.output()
            assert _status(message.pk) == "sending"
            victim.kill()
        receiver.release()  # the dead worker's request is dropped: the robot never took the message
        assert _status(message.pk) == "sending"  # claimed by a dead worker: not lost, not yet re-sent

        started = time.monotonic()
        with celery_worker(env, "rescuer", beat=True):  # beat sweeps every second; the claim lease is 3 s
            wait_until(lambda: _status(message.pk) == "sent", timeout=40)
        recovered = time.monotonic() - started

        assert receiver.accepted() == {f"lousihui-{message.pk}": 1}
        attempts = list(DeliveryAttempt.objects.filter(notification=message).values_list("number", "ok", "finished_at"))
        assert [(n, ok, finished is not None) for n, ok, finished in attempts] == [(1, False, False), (2, True, True)]
        print(
            f"\n[scenario 2] worker killed mid-delivery: delivered 1 time, 2 attempts, recovered in {recovered:.1f} s"
        )
    finally:
        receiver.close()


def test_a_webhook_answering_500_twice_then_200_is_delivered_once_after_three_attempts(
    live_cast: factories.Cast, tmp_path: Path, receiver: Receiver
) -> None:
    receiver.script = [500, 500, 200]
    _robot(live_cast, receiver)
    live_cast.captain_a.email = ""
    live_cast.captain_a.save(update_fields=["email"])

    with celery_worker(worker_env(tmp_path), "flaky-robot"):
        demand = factories.make_demand(live_cast.tower_a, live_cast.category)
        message = Notification.objects.get(demand=demand)
        wait_until(lambda: _status(message.pk) == "sent", timeout=30)

    assert [h.status for h in receiver.hits] == [500, 500, 200]
    assert receiver.accepted() == {f"lousihui-{message.pk}": 1}
    assert (
        receiver.hits[-1].body["msgtype"] == "markdown"
        and "外卖无法上楼" in receiver.hits[-1].body["markdown"]["content"]
    )
    attempts = list(DeliveryAttempt.objects.filter(notification=message).values_list("number", "ok", "error"))
    assert attempts == [
        (1, False, "DeliveryError: HTTP 500 from the group robot"),
        (2, False, "DeliveryError: HTTP 500 from the group robot"),
        (3, True, ""),
    ]
    gaps = [b.at - a.at for a, b in zip(receiver.hits, receiver.hits[1:], strict=False)]
    assert gaps[0] >= 0.3 * 0.9 and gaps[1] >= 0.6 * 0.9, gaps  # exponential backoff: base, then twice that
    print(
        f"\n[scenario 3] webhook 500, 500, 200: delivered 1 time, 3 attempts, gaps {gaps[0]:.2f} s and {gaps[1]:.2f} s"
    )


BURST = int(os.environ.get("NOTIFICATION_BURST", "1000"))


def test_a_burst_of_a_thousand_events_is_delivered_completely_and_never_twice(
    live_cast: factories.Cast, tmp_path: Path, receiver: Receiver
) -> None:
    _robot(live_cast, receiver)  # each submission: one e-mail to the captain, one group-robot message
    started = time.monotonic()
    for i in range(BURST):
        factories.make_demand(live_cast.tower_a, live_cast.category, title=f"诉求 {i}")
    submitted = time.monotonic() - started
    ids = list(Notification.objects.values_list("pk", flat=True))
    # Every row handed out a second time, as a sweep racing the after-commit publish would:
    # two worker processes get both copies, and the claims must keep it to one send.
    outbox.enqueue(ids)

    env = worker_env(tmp_path)
    with (
        celery_worker(env, "burst-1", pool="threads", concurrency=4),
        celery_worker(env, "burst-2", pool="threads", concurrency=4),
    ):
        started = time.monotonic()
        wait_until(lambda: not Notification.objects.exclude(status="sent").exists(), timeout=240, interval=0.5)
        drained = time.monotonic() - started

    mail = delivered_mail(tmp_path / "mail")
    robot = receiver.accepted()
    assert len(ids) == 2 * BURST
    assert len(mail) == BURST and set(mail.values()) == {1}
    assert len(robot) == BURST and set(robot.values()) == {1}
    assert DeliveryAttempt.objects.count() == 2 * BURST
    workers = set(DeliveryAttempt.objects.values_list("worker", flat=True))
    print(
        f"\n[scenario 4] {BURST} events -> {len(ids)} notifications, each enqueued twice ({2 * len(ids)} messages): "
        f"{len(mail)} e-mails + {len(robot)} robot messages, none twice; events written in {submitted:.1f} s, "
        f"drained by 2 workers x 4 threads in {drained:.1f} s (attempts by {len(workers)} workers)"
    )

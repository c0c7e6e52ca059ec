"""#14 item 19: with two beat processes running, each periodic task still runs once per period.

Each task in the beat schedule claims its period in PostgreSQL first (buildings/periodic.py). The live
test runs two `celery beat` processes and a worker (threads, so runs overlap) on a schedule of a few
seconds (tests/hardening/beat_app.py) and counts the work done per task and period.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from celery.schedules import crontab
from django.conf import settings

from buildings import periodic
from buildings.models import PeriodicRun
from lousihui.celery import app
from tests.hardening import beat_app
from tests.hardening.outage_helpers import RedisServer, app_env, celery, wait_for

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _worker_run(name: str, schedule: dict[str, Any] | None = None) -> Any:
    """What a task bound to a worker's request looks like to `claim`."""
    request = SimpleNamespace(called_directly=False, is_eager=False, hostname="celery@test")
    conf = SimpleNamespace(beat_schedule=settings.CELERY_BEAT_SCHEDULE if schedule is None else schedule)
    return SimpleNamespace(name=name, request=request, app=SimpleNamespace(conf=conf))


@pytest.mark.django_db
def test_every_task_in_the_beat_schedule_claims_its_period_before_working() -> None:
    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        task = app.tasks[entry["task"]]
        with mock.patch.object(periodic, "claim", return_value=False) as claim:
            result = task.apply().get()
        assert claim.call_count == 1, f"{task.name} does not claim its period"
        assert claim.call_args.args[0].name == task.name
        assert not result, f"{task.name} worked although another run had claimed the period"


def test_the_live_test_counts_the_work_of_every_scheduled_task() -> None:
    assert {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()} == set(beat_app.WORK)


@pytest.mark.django_db
def test_a_period_is_claimed_once_and_the_next_period_again() -> None:
    name = "requests_tracker.tasks.sweep_notifications"
    schedule = {"sweep": {"task": name, "schedule": 60.0}}
    task = _worker_run(name, schedule)
    start = datetime(2026, 12, 7, 10, 0, 5, tzinfo=SHANGHAI)
    assert periodic.claim(task, now=start) is True
    assert periodic.claim(task, now=start + timedelta(seconds=50)) is False  # the second beat's message
    assert periodic.claim(task, now=start + timedelta(seconds=56)) is True  # 10:01:01, the next minute
    assert PeriodicRun.objects.filter(task=name).count() == 2


def test_a_task_called_directly_or_eagerly_always_runs() -> None:
    task = _worker_run("requests_tracker.tasks.sweep_notifications")
    task.request.called_directly = True
    assert periodic.claim(task) is True  # no database needed: nothing is claimed
    task.request.called_directly, task.request.is_eager = False, True
    assert periodic.claim(task) is True


def test_a_crontab_period_starts_at_its_latest_firing() -> None:
    daily = {"d": {"task": "daily", "schedule": crontab(hour=8, minute=30)}}
    weekly = {"w": {"task": "weekly", "schedule": crontab(hour=9, minute=0, day_of_week="mon")}}
    quarter = {"q": {"task": "quarter", "schedule": crontab(minute="*/15")}}
    monday_0845 = datetime(2026, 12, 7, 8, 45, 30, tzinfo=SHANGHAI)  # a Monday
    assert periodic.period_start("daily", monday_0845, daily) == datetime(2026, 12, 7, 8, 30, tzinfo=SHANGHAI)
    assert periodic.period_start("daily", monday_0845.replace(hour=8, minute=10), daily) == datetime(
        2026, 12, 6, 8, 30, tzinfo=SHANGHAI
    )
    assert periodic.period_start("weekly", monday_0845, weekly) == datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI)
    assert periodic.period_start("weekly", monday_0845.replace(hour=9, minute=1), weekly) == datetime(
        2026, 12, 7, 9, 0, tzinfo=SHANGHAI
    )
    assert periodic.period_start("quarter", monday_0845, quarter) == datetime(2026, 12, 7, 8, 45, tzinfo=SHANGHAI)
    # In UTC too: the same instant, the same period.
    assert periodic.period_start("daily", monday_0845.astimezone(ZoneInfo("UTC")), daily) == datetime(
        2026, 12, 7, 8, 30, tzinfo=SHANGHAI
    )


# --- live: two beats, one worker ----------------------------------------------------------------

EVERY = 3.0
RUN_FOR = 16.0


@pytest.mark.postgres
@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_two_beat_processes_run_each_periodic_task_once_per_period(tmp_path: Path) -> None:
    redis = RedisServer(tmp_path)
    redis.start()
    work_log = tmp_path / "work.log"
    env = app_env(REDIS_URL=redis.url, BEAT_TEST_EVERY=str(EVERY), BEAT_TEST_LOG=str(work_log))
    app_module = "tests.hardening.beat_app"
    worker = celery(
        "worker", env, tmp_path / "worker.log", "-P", "threads", "-c", "4", "-n", "beat-once@%h", app=app_module
    )
    beats = []
    try:
        wait_for(lambda: "ready." in worker.tail(), 60, "the worker to be ready")
        beats = [
            celery(
                "beat", env, tmp_path / f"beat-{n}.log", "--schedule", str(tmp_path / f"schedule-{n}"), app=app_module
            )
            for n in (1, 2)
        ]
        wait_for(lambda: all("Sending due task" in beat.tail() for beat in beats), 60, "both beats to send")
        time.sleep(RUN_FOR)
        for beat in beats:
            beat.stop()
        time.sleep(2)  # the worker finishes what is queued
    finally:
        for process in [*beats, worker]:
            process.stop()
        redis.kill()

    runs: dict[str, list[float]] = defaultdict(list)
    for line in work_log.read_text().splitlines():
        name, at = line.split()
        runs[name].append(float(at))
    sent = sum(beat.tail(200_000).count("Sending due task") for beat in beats)
    assert set(runs) == set(beat_app.WORK), f"tasks that never ran: {set(beat_app.WORK) - set(runs)}"
    for name, times in runs.items():
        periods = math.floor(max(times) / EVERY) - math.floor(min(times) / EVERY) + 1
        assert len(times) >= 3, (name, times)
        # Once per period; one more for a run logged just after the period its claim fell in.
        assert len(times) <= periods + 1, f"{name} ran {len(times)} times in {periods} periods"
        assert PeriodicRun.objects.filter(task=name).count() == len(times)
    assert sent >= 2 * len(beat_app.WORK) * 3, "both beats sent every task, several times"
    print(f"\n[beat once] {sent} messages sent by two beats; runs per task: { ({k: len(v) for k, v in runs.items()}) }")

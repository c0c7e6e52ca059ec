"""The project's Celery app with every beat entry on a short interval, for tests/hardening/test_beat_once.py.

Started as `celery -A tests.hardening.beat_app beat|worker`. Each scheduled task's work function is wrapped
so that every run that gets past the task's claim appends a line to BEAT_TEST_LOG ("task epoch"): the test
counts the work done, whatever the tasks return.
"""

from __future__ import annotations

import functools
import importlib
import os
import time
from collections.abc import Callable
from typing import Any

from celery.signals import worker_init

from lousihui.celery import app

EVERY = float(os.environ.get("BEAT_TEST_EVERY", "3"))
LOG = os.environ.get("BEAT_TEST_LOG", "")

#: Task name -> (module, function) doing its work: what runs once a run has claimed its period.
WORK = {
    "requests_tracker.tasks.sweep_notifications": ("requests_tracker.notifications.delivery", "sweep"),
    "requests_tracker.tasks.escalate_overdue": ("requests_tracker.notifications.escalation", "escalate_overdue"),
    "requests_tracker.tasks.send_daily_digests": ("requests_tracker.notifications.digests", "send_daily_digests"),
    "requests_tracker.tasks.send_weekly_figures": ("requests_tracker.notifications.digests", "send_weekly_figures"),
    "requests_tracker.tasks.erase_expired_contacts": ("requests_tracker.selectors", "contacts_due_for_erasure"),
    "buildings.elections.tasks.close_due_elections": ("buildings.elections.actions", "close_due_elections"),
}


def _short_schedule() -> dict[str, Any]:
    from django.conf import settings

    return {name: {**entry, "schedule": EVERY} for name, entry in settings.CELERY_BEAT_SCHEDULE.items()}


def _counted(task_name: str, work: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(work)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        fd = os.open(LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, f"{task_name} {time.time():.6f}\n".encode())
        finally:
            os.close(fd)
        return work(*args, **kwargs)

    return wrapper


app.conf.beat_schedule = _short_schedule()


@worker_init.connect
def _install(**kwargs: Any) -> None:
    import django

    django.setup()  # done already by Celery's Django fix-up; the models must be ready to import the work
    if LOG:
        for task_name, (module_name, function) in WORK.items():
            module = importlib.import_module(module_name)
            setattr(module, function, _counted(task_name, getattr(module, function)))


__all__ = ["WORK", "app"]

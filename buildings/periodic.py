"""Beat runs once (#14 item 19): a periodic task claims its period in PostgreSQL before doing anything.

Two `celery beat` processes (a second one started by mistake, or on purpose for availability) each send
every scheduled task. Each task starts with `if not periodic.claim(self): return`: the claim inserts a
`PeriodicRun(task, period_start)` row under a unique constraint, so of the messages for one period the
first one run claims it and the others find the row and return.

The period is read from the app's beat schedule (CELERY_BEAT_SCHEDULE): an interval schedule cuts time
into buckets of its length (counted from the epoch), so however two beats are offset, each bucket is
claimed once; a crontab's period starts at its latest firing time at or before now (Shanghai wall-clock,
as beat reads it).

A task called directly (a test, the shell) or eagerly (the embedded default, which has no beat) is not
a beat run and always runs. One sent to a worker by hand runs only if its period is not yet claimed.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from celery.schedules import crontab, schedule
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import PeriodicRun

logger = logging.getLogger(__name__)

#: Runs are kept this long (to see what ran when); only the current period's row is needed for the claim.
KEEP = timedelta(days=7)


def schedule_for(task_name: str, beat_schedule: dict[str, Any] | None = None) -> Any | None:
    """The beat schedule of a task (seconds, timedelta, celery schedule or crontab), or None if unscheduled;
    from `beat_schedule` (the Celery app's, when a task claims), CELERY_BEAT_SCHEDULE by default."""
    entries = settings.CELERY_BEAT_SCHEDULE if beat_schedule is None else beat_schedule
    for entry in entries.values():
        if entry["task"] == task_name:
            return entry["schedule"]
    return None


def _previous_firing(cron: crontab, now: datetime) -> datetime:
    """The latest minute at or before `now` at which `cron` fires, in the beat's time zone."""
    zone = ZoneInfo(settings.CELERY_TIMEZONE)
    local = now.astimezone(zone).replace(second=0, microsecond=0, tzinfo=None)  # Shanghai has no DST
    for _step in range(100_000):  # days, then hours, then minutes: a yearly crontab is a few hundred steps
        if (
            local.month not in cron.month_of_year
            or local.day not in cron.day_of_month
            or local.isoweekday() % 7 not in cron.day_of_week  # crontab: 0 is Sunday
        ):
            local = local.replace(hour=23, minute=59) - timedelta(days=1)
        elif local.hour not in cron.hour:
            local = local.replace(minute=59) - timedelta(hours=1)
        elif local.minute not in cron.minute:
            local -= timedelta(minutes=1)
        else:
            return local.replace(tzinfo=zone)
    raise ValueError(f"{cron!r} never fires")


def period_start(task_name: str, now: datetime | None = None, beat_schedule: dict[str, Any] | None = None) -> datetime:
    """The start of the period `now` falls in, for the task's schedule."""
    now = now or timezone.now()
    every = schedule_for(task_name, beat_schedule)
    if isinstance(every, crontab):
        return _previous_firing(every, now)
    if isinstance(every, schedule):
        every = every.run_every
    seconds = every.total_seconds() if isinstance(every, timedelta) else float(every or 0)
    if seconds <= 0:
        raise ValueError(f"{task_name} is not in CELERY_BEAT_SCHEDULE")
    epoch = now.timestamp()
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=now.tzinfo or timezone.get_current_timezone())


def claim(task: Any, now: datetime | None = None) -> bool:
    """True when this run of `task` (a bound Celery task) is the one for its period; False when another ran."""
    request = getattr(task, "request", None)
    if request is None or request.called_directly or request.is_eager:
        return True
    name = task.name
    beat_schedule = task.app.conf.beat_schedule or {}  # the schedule beat sends from (CELERY_BEAT_SCHEDULE)
    if schedule_for(name, beat_schedule) is None:
        return True  # not periodic: nothing to claim
    now = now or timezone.now()
    start = period_start(name, now, beat_schedule)
    try:
        with transaction.atomic():
            PeriodicRun.objects.create(task=name, period_start=start, claimed_at=now, worker=request.hostname or "")
    except IntegrityError:
        logger.info("periodic: %s for the period from %s already ran; skipped", name, start.isoformat())
        return False
    PeriodicRun.objects.filter(task=name, period_start__lt=now - KEEP).delete()
    return True

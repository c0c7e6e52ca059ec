"""News told later: the request promises it (one row), a worker writes the outbox rows.

`changes.tell_followers_later(kind, ref)` lands in `promise`: one INSERT … ON CONFLICT DO NOTHING of a
NewsFanout row in the caller's transaction, and after commit one task message. The task (`run`) takes
the row under a lock, builds the news from the feature's source, writes one outbox row per person
through `outbox.on_news` (a fixed number of queries however many people) and marks the row done — all
in one transaction, so a crash leaves either everything or nothing, and a second run finds it done.
A promise whose task never ran (the broker was down when it was published) is picked up by `sweep`,
which the notification sweeper calls on every beat tick.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lousihui.celery import app

from .. import changes
from ..models import NewsFanout
from . import outbox

FAN_OUT_TASK = "requests_tracker.tasks.fan_out_news"

logger = logging.getLogger(__name__)


def promise(kind: str, ref: str) -> None:
    """Records the news (kind, ref) once, and publishes its task after commit."""
    NewsFanout.objects.bulk_create([NewsFanout(kind=kind, ref=ref, created_at=timezone.now())], ignore_conflicts=True)
    transaction.on_commit(lambda: publish(kind, ref))


def publish(kind: str, ref: str) -> bool:
    """Hands a promise to a worker. A broker that is down is logged, not raised: the sweeper runs it later."""
    try:
        app.tasks[FAN_OUT_TASK].apply_async((kind, ref))
    except Exception:
        logger.warning("Could not publish the news %s:%s; the sweeper will run it", kind, ref, exc_info=True)
        return False
    return True


@transaction.atomic
def run(kind: str, ref: str) -> int:
    """Writes the outbox rows of one promised news; returns how many people it told (0 if already done)."""
    row = NewsFanout.objects.select_for_update(skip_locked=True).filter(kind=kind, ref=ref, done_at=None).first()
    if row is None:
        return 0  # done already, being done by another worker, or never promised
    news = changes.build_news(kind, ref)
    told = outbox.on_news(news) if news is not None and news.demand_ids else 0
    NewsFanout.objects.filter(pk=row.pk).update(done_at=timezone.now(), told=told)
    changes.news_told(kind, ref, told)
    return told


def sweep(*, now: datetime | None = None, grace_seconds: float | None = None, limit: int = 100) -> int:
    """Runs the promises nobody ran within the grace period; returns how many it ran."""
    now = now or timezone.now()
    grace = settings.NOTIFICATION_SWEEP_GRACE_SECONDS if grace_seconds is None else grace_seconds
    overdue = NewsFanout.objects.filter(done_at=None, created_at__lte=now - timedelta(seconds=grace))
    pending = list(overdue.order_by("created_at").values_list("kind", "ref")[:limit])
    for kind, ref in pending:
        run(kind, ref)
    return len(pending)

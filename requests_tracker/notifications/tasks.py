"""The notifications' Celery tasks. They take ids, are idempotent, and leave their state in the database, not in Celery.

Why these options:
- deliver_notification: acks_late, because it is idempotent (the row is claimed by a conditional
  UPDATE), so a message replayed after a crash costs one skipped claim, never a second send.
  Its hard time limit (45 s) is below NOTIFICATION_CLAIM_LEASE_SECONDS (120 s), so a live worker never
  outlives its claim; the HTTP and SMTP timeouts (10 s) are below the soft limit.
- The periodic tasks are idempotent too (dedupe keys, unique ladder steps): late acks are safe.
- sweep_notifications acks early: a lost sweep is simply the next beat tick's job.
- Every task in the beat schedule claims its period first (buildings/periodic.py): with two beat
  processes running, each still runs once per period.
"""

from __future__ import annotations

import socket

from celery import Task, shared_task

from buildings import periodic

from . import delivery, digests, escalation, fanout, outbox

# The names stay those of requests_tracker.tasks, where the tasks used to live: the beat schedule and
# any message already queued name them.
DELIVER = "requests_tracker.tasks.deliver_notification"

_WORKER = socket.gethostname()


@shared_task(name=DELIVER, bind=True, acks_late=True, ignore_result=True, soft_time_limit=30, time_limit=45)
def deliver_notification(self: Task, notification_id: int) -> str:
    # The worker's node name (e.g. celery@host) goes into the attempt log.
    return delivery.deliver(notification_id, worker=self.request.hostname or _WORKER)


@shared_task(name="requests_tracker.tasks.enqueue_notifications", ignore_result=True, soft_time_limit=50, time_limit=60)
def enqueue_notifications(notification_ids: list[int]) -> int:
    """Fans a burst of outbox rows (a project's followers) out to deliver_notification, from a worker."""
    return outbox.enqueue(notification_ids)


@shared_task(
    name="requests_tracker.tasks.sweep_notifications", bind=True, ignore_result=True, soft_time_limit=50, time_limit=60
)
def sweep_notifications(self: Task) -> int:
    if not periodic.claim(self):
        return 0
    fanout.sweep()  # promised news nobody ran first: it writes rows the delivery sweep then sends
    return delivery.sweep()


@shared_task(name=fanout.FAN_OUT_TASK, acks_late=True, ignore_result=True, soft_time_limit=50, time_limit=60)
def fan_out_news(kind: str, ref: str) -> int:
    """Writes the outbox rows of promised news (a project update's supporters); idempotent."""
    return fanout.run(kind, ref)


@shared_task(name="requests_tracker.tasks.escalate_overdue", bind=True, acks_late=True, ignore_result=True)
def escalate_overdue(self: Task) -> int:
    if not periodic.claim(self):
        return 0
    return len(escalation.escalate_overdue())


@shared_task(name="requests_tracker.tasks.send_daily_digests", bind=True, acks_late=True, ignore_result=True)
def send_daily_digests(self: Task) -> int:
    if not periodic.claim(self):
        return 0
    return len(digests.send_daily_digests())


@shared_task(name="requests_tracker.tasks.send_weekly_figures", bind=True, acks_late=True, ignore_result=True)
def send_weekly_figures(self: Task) -> int:
    if not periodic.claim(self):
        return 0
    return len(digests.send_weekly_figures())

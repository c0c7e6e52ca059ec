"""The app's Celery tasks, found here by `app.autodiscover_tasks()`; each feature keeps its own."""

from lousihui.celery import app

from .notifications.tasks import (
    deliver_notification,
    enqueue_notifications,
    escalate_overdue,
    send_daily_digests,
    send_weekly_figures,
    sweep_notifications,
)

__all__ = [
    "app",
    "deliver_notification",
    "enqueue_notifications",
    "escalate_overdue",
    "send_daily_digests",
    "send_weekly_figures",
    "sweep_notifications",
]

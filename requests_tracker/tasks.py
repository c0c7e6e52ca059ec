"""The app's Celery tasks, found here by `app.autodiscover_tasks()`; each feature keeps its own."""

from celery import Task, shared_task
from django.conf import settings
from django.utils import timezone

from buildings import periodic
from lousihui.celery import app

from . import actions, selectors
from .models import Demand
from .notifications.tasks import (
    deliver_notification,
    enqueue_notifications,
    escalate_overdue,
    send_daily_digests,
    send_weekly_figures,
    sweep_notifications,
)


@shared_task(name="requests_tracker.tasks.erase_expired_contacts", bind=True, ignore_result=True, time_limit=1800)
def erase_expired_contacts(self: Task, limit: int = 5000) -> int:
    """The retention period: contact details erased CONTACT_RETENTION_DAYS after resolution, one demand per
    action (its own transaction and timeline note). Idempotent: what is erased is not found again; a run
    cut short leaves the rest for the next day's run."""
    if not periodic.claim(self):
        return 0
    due = selectors.contacts_due_for_erasure(timezone.now(), settings.CONTACT_RETENTION_DAYS)
    ids = list(due.values_list("pk", flat=True)[:limit])
    erased = 0
    for demand in Demand.objects.filter(pk__in=ids).order_by("pk"):
        if actions.demand_erase_contact(demand=demand, by=actions.ERASED_BY_RETENTION) is not None:
            erased += 1
    return erased


__all__ = [
    "app",
    "deliver_notification",
    "enqueue_notifications",
    "erase_expired_contacts",
    "escalate_overdue",
    "send_daily_digests",
    "send_weekly_figures",
    "sweep_notifications",
]

"""Notifications that are never lost: an outbox written with the event, delivered by Celery.

Actions call `on_event(event)` once per DemandEvent, inside their transaction. The rows it writes
commit (or roll back) with the event; the delivery tasks are enqueued only after commit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..changes import DemandChange, FollowerNews
    from ..models import DemandEvent
    from .models import Notification


def on_event(event: DemandEvent) -> list[Notification]:
    # Imported here: the models module imports this package to register the outbox models.
    from .outbox import on_event as _on_event

    return _on_event(event)


def on_change(change: DemandChange) -> None:
    """After-change subscriber: the outbox rows for each timeline event the action wrote."""
    for event in change.events:
        on_event(event)


def on_news(news: FollowerNews) -> int:
    """News listener (changes.on_news): one e-mail per person behind the news's demands, opt-outs respected."""
    from .outbox import on_news as _on_news

    return _on_news(news)

"""Notifications that are never lost: an outbox written with the event, delivered by Celery.

The after-change path (requests_tracker.changes) hands every timeline event an action wrote to
`on_change`, inside the action's transaction. The rows it writes (models.outbox) commit or roll back
with the event; the delivery tasks (tasks.py) are enqueued only after commit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .fanout import promise as on_news_later
from .outbox import on_event, on_news

if TYPE_CHECKING:
    from ..changes import DemandChange

__all__ = ["on_change", "on_event", "on_news", "on_news_later"]


def on_change(change: DemandChange) -> None:
    """After-change subscriber: the outbox rows for each timeline event the action wrote."""
    for event in change.events:
        on_event(event)

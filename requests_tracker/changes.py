"""The one after-change path: where every side effect of a demand write starts.

Every action that writes a demand ends in one `after_change(...)` call, inside its transaction.
What follows a change — the tallies, the screens' stamps, the notification outbox, and whatever a
feature package needs (search index, project progress, survey links) — is a subscriber registered
here explicitly, by name, from an AppConfig.ready(). No action calls a side effect by hand, so a new
action cannot forget one, and a new feature cannot be skipped by an old action.

Subscribers run in the caller's transaction, in registration order. Anything that leaves the
process (a cache bump, a Celery task) must be deferred with `transaction.on_commit`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import DemandEvent

#: (status, outcome) of a demand: the key its building's tallies count it under.
Key = tuple[str, str]


@dataclass(frozen=True)
class DemandChange:
    """What one action did to one demand.

    `before`/`after` are the (status, outcome) keys: `before` is None for a new demand, `after` is
    None when neither changed. `moved_from` is the old building when the demand changed building.
    `fields` names what changed ("status", "text", "visibility", "building", "supports", "contact",
    "link", "note", ...), for subscribers that care about only some changes.
    """

    demand_id: int
    building_id: int
    before: Key | None = None
    after: Key | None = None
    events: tuple[DemandEvent, ...] = ()
    moved_from: int | None = None
    fields: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_new(self) -> bool:
        return self.before is None and self.after is not None

    @property
    def building_ids(self) -> frozenset[int]:
        """Every building whose figures or screens the change touches (both, on a move)."""
        ids = {self.building_id}
        if self.moved_from is not None:
            ids.add(self.moved_from)
        return frozenset(ids)


Subscriber = Callable[[DemandChange], None]

_subscribers: dict[str, Subscriber] = {}


def subscribe(name: str, subscriber: Subscriber) -> None:
    """Registers `subscriber` under `name` (registering the same name again replaces it)."""
    _subscribers[name] = subscriber


def subscribers() -> list[str]:
    """The registered names, in the order they run (for tests and the README)."""
    return list(_subscribers)


def after_change(*changes: DemandChange) -> None:
    """Fans the changes of one action out to every subscriber (inside the action's transaction)."""
    for change in changes:
        for subscriber in _subscribers.values():
            subscriber(change)

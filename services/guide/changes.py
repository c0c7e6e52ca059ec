"""Who hears that a matter changed (the search index, above this layer), registered from AppConfig.ready()."""

from __future__ import annotations

from collections.abc import Callable

_listeners: dict[str, Callable[[int], None]] = {}


def subscribe(name: str, listener: Callable[[int], None]) -> None:
    """`listener(matter_id)` runs inside the writing action's transaction."""
    _listeners[name] = listener


def matter_changed(matter_id: int) -> None:
    for listener in _listeners.values():
        listener(matter_id)

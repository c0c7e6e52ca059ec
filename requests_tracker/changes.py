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
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import Demand, DemandEvent

#: (status, outcome) of a demand: the key its building's tallies count it under.
Key = tuple[str, str]


@dataclass(frozen=True)
class DemandFacts:
    """What of one demand the statistics' maintained rollups count (its building, category, status and
    outcome, and the three times the figures measure), as it was before or is after a change."""

    building_id: int
    category_id: int
    status: str
    outcome: str
    submitted_at: datetime
    assigned_at: datetime | None
    resolved_at: datetime | None

    @classmethod
    def of(cls, demand: Demand) -> DemandFacts:
        return cls(
            building_id=demand.building_id,
            category_id=demand.category_id,
            status=demand.status,
            outcome=demand.outcome,
            submitted_at=demand.submitted_at,
            assigned_at=demand.assigned_at,
            resolved_at=demand.resolved_at,
        )


@dataclass(frozen=True)
class DemandChange:
    """What one action did to one demand.

    `before`/`after` are the (status, outcome) keys: `before` is None for a new demand, `after` is
    None when neither changed. `moved_from` is the old building when the demand changed building.
    `fields` names what changed ("status", "text", "visibility", "building", "supports", "contact",
    "link", "note", ...), for subscribers that care about only some changes. `facts_before` and
    `facts_after` are the demand's `DemandFacts` around a change that moves a figure (status, building,
    category): the rollups move by their difference without reading the demand again.
    """

    demand_id: int
    building_id: int
    before: Key | None = None
    after: Key | None = None
    events: tuple[DemandEvent, ...] = ()
    moved_from: int | None = None
    fields: frozenset[str] = field(default_factory=frozenset)
    facts_before: DemandFacts | None = None
    facts_after: DemandFacts | None = None

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


# --- News for the people behind demands ----------------------------------------------------------
# Some news concerns demands without changing them: a project that answers them posted a public update
# or changed status. Whoever raised or supported those demands wants to hear it, once. The feature that
# has the news (projects) calls `tell_followers(...)`; whoever delivers news (the notification outbox)
# registers with `on_news` from the core's AppConfig.ready(). Neither imports the other.


@dataclass(frozen=True)
class FollowerNews:
    """What to tell the submitters (with an e-mail) and signed-in supporters of `demand_ids`.

    `key` names this piece of news once ("project-update:17"): a listener tells each person at most
    once per key, however many of the demands they are behind, and respects their opt-outs.
    `subject`, `paragraphs` and `facts` may be lazy strings: they are rendered in each recipient's
    language. `path` is the site path the message links to.
    """

    kind: str
    key: str
    demand_ids: tuple[int, ...]
    subject: Any
    paragraphs: tuple[Any, ...] = ()
    facts: tuple[tuple[Any, Any], ...] = ()
    path: str = ""
    link_label: Any = ""


NewsListener = Callable[[FollowerNews], int]

_news_listeners: dict[str, NewsListener] = {}


def on_news(name: str, listener: NewsListener) -> None:
    """Registers a deliverer of follower news under `name` (it returns how many messages it wrote)."""
    _news_listeners[name] = listener


def tell_followers(news: FollowerNews) -> int:
    """Hands `news` to every registered listener, in the caller's transaction; returns the messages written."""
    if not news.demand_ids:
        return 0
    return sum(listener(news) for listener in _news_listeners.values())


# --- News told later, by a worker ---------------------------------------------------------------
# A project linked to 50 demands with 2,000 supporters means 2,000 messages: too many to write in the
# captain's request. The feature registers a *source* for its kind of news (how to build it again from
# a reference, and what to do with the number of people told); its action calls
# `tell_followers_later(kind, ref)`, which costs the request one row; a worker builds the news with the
# source and hands it to the listeners above. Nothing is lost if the worker is late: the promise is a
# row in the caller's transaction.

NewsBuilder = Callable[[str], "FollowerNews | None"]
NewsTold = Callable[[str, int], None]
LaterListener = Callable[[str, str], None]


@dataclass(frozen=True)
class NewsSource:
    build: NewsBuilder  # ref → the news (None: there is nothing to tell any more)
    told: NewsTold | None = None  # called in the worker's transaction with how many people were told


_news_sources: dict[str, NewsSource] = {}
_later_listeners: dict[str, LaterListener] = {}


def news_source(kind: str, build: NewsBuilder, told: NewsTold | None = None) -> None:
    """Registers how to build news of `kind` from a reference (from the feature's AppConfig.ready())."""
    _news_sources[kind] = NewsSource(build=build, told=told)


def on_news_later(name: str, listener: LaterListener) -> None:
    """Registers whoever records promised news (the outbox) under `name`."""
    _later_listeners[name] = listener


def tell_followers_later(kind: str, ref: str) -> None:
    """Promises the news (kind, ref) in the caller's transaction; a worker builds and tells it once."""
    if kind not in _news_sources:
        raise LookupError(f"no news source registered for {kind!r}")
    for listener in _later_listeners.values():
        listener(kind, ref)


def build_news(kind: str, ref: str) -> FollowerNews | None:
    """The promised news, built now by its source (None when the source is gone or has nothing to tell)."""
    source = _news_sources.get(kind)
    return source.build(ref) if source is not None else None


def news_told(kind: str, ref: str, count: int) -> None:
    """Lets the source record how many people its news reached."""
    source = _news_sources.get(kind)
    if source is not None and source.told is not None:
        source.told(ref, count)

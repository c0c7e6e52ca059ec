"""The headline figures, defined once: what each counts, as a database filter, with its definition.

The board, the lobby screen, the district statistics (live and from the maintained tallies), the
digests and the exports all count through this table, so "resolved" means the same everywhere and
the definition printed next to a figure is the one the code used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from .workflow import OPEN_STATUSES, Status

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise


@dataclass(frozen=True)
class Figure:
    key: str
    definition: _StrPromise
    #: The demands it counts, at time `now` (only overdue depends on it).
    where: Callable[[datetime], Q]
    #: The statuses it sums from the maintained tallies; None when time decides (overdue).
    statuses: frozenset[str] | None


FIGURES: dict[str, Figure] = {
    f.key: f
    for f in (
        Figure(
            "received",
            _("Demands submitted in the period, public or not."),
            lambda now: Q(),
            frozenset(Status.values),
        ),
        Figure(
            "resolved",
            _("Of those, demands now resolved, whatever the outcome."),
            lambda now: Q(status=Status.RESOLVED),
            frozenset({Status.RESOLVED}),
        ),
        Figure(
            "in_progress",
            _("Of those, demands assigned to someone or being worked on."),
            lambda now: Q(status__in=[Status.ASSIGNED, Status.IN_PROGRESS]),
            frozenset({Status.ASSIGNED, Status.IN_PROGRESS}),
        ),
        Figure(
            "waiting",
            _("Of those, demands submitted and not yet assigned."),
            lambda now: Q(status=Status.SUBMITTED),
            frozenset({Status.SUBMITTED}),
        ),
        Figure(
            "open",
            _("Demands not yet resolved."),
            lambda now: Q(status__in=OPEN_STATUSES),
            OPEN_STATUSES,
        ),
        Figure(
            "overdue",
            _("Open demands past their due date (submission plus the category's target days)."),
            # Written as the partial index demand_open_due's condition, so counting it reads that index.
            lambda now: Q(due_at__lt=now) & ~Q(status=Status.RESOLVED),
            None,
        ),
    )
}

RESOLUTION_RATE_DEFINITION = _("Resolved divided by received.")


def count(key: str, now: datetime) -> Count:
    """The aggregate that counts one figure: `.annotate(resolved=figures.count("resolved", now))`."""
    return Count("id", filter=FIGURES[key].where(now))


def counts(now: datetime, keys: Iterable[str] = ("received", "resolved", "in_progress", "waiting")) -> dict[str, Count]:
    """Aggregates for `.aggregate(**counts(now))` or `.annotate(**counts(now))`: one pass over the rows."""
    return {key: count(key, now) for key in keys}


def from_tallies(tallies: Mapping[tuple[str, str], int], keys: Iterable[str]) -> dict[str, int]:
    """The same figures summed from (status, outcome) tallies (no time-dependent figure)."""
    out = {}
    for key in keys:
        statuses = FIGURES[key].statuses
        assert statuses is not None, f"{key} cannot be read from the tallies"
        out[key] = sum(n for (status, _outcome), n in tallies.items() if status in statuses)
    return out


def resolution_rate(received: int, resolved: int) -> float | None:
    return resolved / received if received else None


def definitions(keys: Iterable[str]) -> dict[str, _StrPromise]:
    out: dict[str, _StrPromise] = {}
    for key in keys:
        out[key] = RESOLUTION_RATE_DEFINITION if key == "resolution_rate" else FIGURES[key].definition
    return out


# --- Figures of feature packages on the statistics page ------------------------------------------
# A feature with figures of its own (projects: by status, demands answered, days to completion)
# registers a provider; the statistics page, its API and exports show each section with its
# definitions, without the statistics package importing the feature.

#: provider(buildings) -> a section: {"key", "title", "items": [{"label", "value", "definition"}]}
AreaFigures = Callable[[Any], dict[str, Any]]

_area_figures: dict[str, AreaFigures] = {}
#: For each provider, the `DemandChange.fields` that can move its figures (None: any demand change).
_area_fields: dict[str, frozenset[str] | None] = {}


def register_area_figures(name: str, provider: AreaFigures, *, demand_fields: frozenset[str] | None = None) -> None:
    """`demand_fields`: the kinds of demand change (`DemandChange.fields`: "building", "link",
    "deleted", …) the provider's figures read; a change of none of them (a status change) leaves them
    cached. None: every demand change may move them."""
    _area_figures[name] = provider
    _area_fields[name] = demand_fields


def area_figures_moved_by(fields: frozenset[str]) -> bool:
    """Whether a demand change of `fields` may move some feature's figures (a change that names no
    field: yes)."""
    return not fields or any(wanted is None or wanted & fields for wanted in _area_fields.values())


_area_listeners: dict[str, Callable[[], None]] = {}


def on_area_figures_changed(name: str, listener: Callable[[], None]) -> None:
    """A page that keeps the features' figures (the statistics page's cache) hears when they move."""
    _area_listeners[name] = listener


def area_figures_changed() -> None:
    """Called by a feature whose registered figures just moved (a project created, paused, done)."""
    for listener in _area_listeners.values():
        listener()


def area_figures(buildings: Any) -> list[dict[str, Any]]:
    """Every registered feature's figures for a queryset of buildings, in registration order."""
    return [provider(buildings) for provider in _area_figures.values()]

"""The statistics page's figures, cached per filter set (#15).

A district's page computes every figure over every demand of the district: at 1M demands that is a few
hundred milliseconds of PostgreSQL for each reader. The result depends only on which demands the
filters choose (a literal list of buildings, a category, a date range), on the language and on the
time; so it is cached under exactly that, plus a generation that every demand change moves (after
commit, through the after-change path) — a change is in the next page, never hidden by the cache. The
page shows the time its figures were computed ("as of"): overdue counts age with the clock, and at
most `MAX_AGE` seconds pass before they are computed again even when nothing changed.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language

from buildings import cache_ops

from ..access import StatsReach
from ..changes import DemandChange
from ..selectors import ActorScope
from .filters import StatsFilterForm
from .served import compute_for

log = logging.getLogger(__name__)

GEN_KEY = "stats:gen"
#: The oldest figures a reader is shown when nothing changed (seconds): the "as of" time says how old.
MAX_AGE = 300


def _bump() -> None:
    try:
        cache.incr(GEN_KEY)
    except ValueError:
        cache.add(GEN_KEY, 1, None)
    except Exception:  # a cache that fails: the figures are recomputed once it answers again
        log.warning("stats: cannot move the cache generation", exc_info=True)


def on_change(change: DemandChange) -> None:
    """After-change subscriber: after commit, every cached statistics page is out of date."""
    if change.fields == {"contact"}:
        return  # contact details are in no figure
    cache_ops.on_commit(incr=[GEN_KEY])  # with the screens' bumps, in one round trip


def on_area_figures_changed() -> None:
    """`figures.area_figures_changed` listener: a feature's figures moved (a project created, paused,
    done): after commit, every cached statistics page is out of date, its feature sections included."""
    transaction.on_commit(_bump)


def _key(form: StatsFilterForm, scope: ActorScope | None, top: int) -> str:
    data = form.cleaned_data
    ids = form.building_ids(scope)
    category = data.get("category_obj")
    raw = "|".join(
        [
            "all" if ids is None else ",".join(map(str, sorted(ids))),
            str(category.pk if category else ""),
            str(data.get("since") or ""),
            str(data.get("until") or ""),
            get_language() or "",
            str(top),
        ]
    )
    return hashlib.blake2s(raw.encode(), digest_size=16).hexdigest()


def _cached(kind: str, form: StatsFilterForm, scope: ActorScope | None, top: int, build: Callable[[], Any]) -> Any:
    """`build()` for a validated form, from the cache while the generation has not moved (at most
    MAX_AGE seconds); a cache that fails only costs the computation."""
    try:
        gen = cache.get(GEN_KEY) or 0
        key = f"stats:{kind}:{gen}:{_key(form, scope, top)}"
        value = cache.get(key)
    except Exception:
        log.warning("stats: cache read failed, computing", exc_info=True)
        key, value = "", None
    if value is not None:
        return value
    value = build()
    if key:
        try:
            cache.set(key, value, MAX_AGE)
        except Exception:
            log.warning("stats: cannot cache the %s", kind, exc_info=True)
    return value


def figures_for(
    form: StatsFilterForm, scope: ActorScope | None, *, now: datetime | None = None, top: int = 20
) -> dict[str, Any]:
    """`compute` for a validated form, from the cache when nothing changed since; `generated_at` is
    the time the figures were computed (the page's "as of")."""

    def build() -> dict[str, Any]:
        return compute_for(form, scope, now=now or timezone.now(), top=top)

    return _cached("page", form, scope, top, build)  # type: ignore[no-any-return]


def _plain(value: Any) -> Any:
    """Lazy translations as text (the key holds the language), so that a section pickles as data."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def sections_for(
    form: StatsFilterForm, scope: ActorScope | None, build: Callable[[], list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    """The feature packages' sections (`figures.area_figures`: projects) for a validated form, cached
    beside its figures under the same generation, which demand changes and `figures.area_figures_changed` move."""
    return _cached("sections", form, scope, 0, lambda: _plain(build()))  # type: ignore[no-any-return]


# --- The API's answer as bytes (#15) ---------------------------------------------------------------
# A warm `/api/v1/stats/` is read a thousand times for each change: its JSON is kept as bytes, keyed by
# the reader's reach (the buildings the filters choose among those the user may read, one query:
# `access.stats_reach`), the other filters, `only`, and the language, and stored with the generation it
# was computed under. One cache round trip reads the generation and the answer together; an answer
# of an older generation is never served. A reader whose reach changed (a staff member removed from a
# district) has another key, so access stays as strict as the full path's.


def answer_key(reach: StatsReach, params: dict[str, str], only: str) -> str:
    raw = "|".join(
        [
            "all" if reach.building_ids is None else ",".join(map(str, reach.building_ids)),
            *(params.get(name, "") for name in ("category", "since", "until")),
            only,
            get_language() or "",
        ]
    )
    return "stats:answer:" + hashlib.blake2s(raw.encode(), digest_size=16).hexdigest()


def current_generation() -> int | None:
    """The generation to store an answer under: read BEFORE computing it (None: the cache fails)."""
    try:
        return int(cache.get(GEN_KEY) or 0)
    except Exception:
        log.warning("stats: cache read failed, computing", exc_info=True)
        return None


def read_answer(key: str) -> bytes | None:
    """The answer's bytes, if they were computed under the current generation (one round trip)."""
    try:
        found = cache.get_many([GEN_KEY, key])
    except Exception:
        log.warning("stats: cache read failed, computing", exc_info=True)
        return None
    kept = found.get(key)
    if kept is None or kept[0] != (found.get(GEN_KEY) or 0):
        return None
    return kept[1]  # type: ignore[no-any-return]


def keep_answer(key: str, generation: int | None, body: bytes) -> None:
    if generation is None:
        return
    try:
        cache.set(key, (generation, body), MAX_AGE)
    except Exception:
        log.warning("stats: cannot cache the answer", exc_info=True)

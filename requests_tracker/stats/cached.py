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
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language

from buildings import cache_ops
from buildings.models import Building

from .. import figures
from ..access import StatsReach
from ..changes import DemandChange
from ..selectors import ActorScope
from . import generations
from .filters import StatsFilterForm
from .served import compute_for, compute_for_buildings

log = logging.getLogger(__name__)

GEN_KEY = "stats:gen"
#: The oldest figures a reader is shown when nothing changed (seconds): the "as of" time says how old.
MAX_AGE = 300


def figures_moved() -> None:
    """After commit, every cached statistics page is out of date (a change of the places: names, moves)."""
    cache_ops.on_commit(incr=[GEN_KEY])


def on_change(change: DemandChange) -> None:
    """After-change subscriber: after commit, every cached statistics page is out of date; the feature
    sections (projects) too when the change is one a feature reads (a move, a link, a deletion), not
    when a demand only changed status."""
    if change.fields == {"contact"}:
        return  # contact details are in no figure
    cache_ops.on_commit(incr=[GEN_KEY])  # with the screens' bumps, in one round trip
    if figures.area_figures_moved_by(change.fields):
        generations.area_moved()


def on_area_figures_changed() -> None:
    """`figures.area_figures_changed` listener: a feature's figures moved (a project created, paused,
    done): after commit, every cached statistics page is out of date, its feature sections included.

    Whatever moves the sections' generation also moves the figures' (here, `on_change`, the places in
    `generations`): a whole answer, which holds both, is kept under the figures' generation alone."""
    cache_ops.on_commit(incr=[GEN_KEY])
    generations.area_moved()


def _ids_key(ids: set[int] | None, category: int | None, since: Any, until: Any, top: int) -> str:
    raw = "|".join(
        [
            "all" if ids is None else ",".join(map(str, sorted(ids))),
            str(category or ""),
            str(since or ""),
            str(until or ""),
            get_language() or "",
            str(top),
        ]
    )
    return hashlib.blake2s(raw.encode(), digest_size=16).hexdigest()


def _key(form: StatsFilterForm, scope: ActorScope | None, top: int) -> str:
    data = form.cleaned_data
    category = data.get("category_obj")
    ids = form.building_ids(scope)
    return _ids_key(ids, category.pk if category else None, data.get("since"), data.get("until"), top)


def _cached(kind: str, key: str, build: Callable[[], Any], *, area: bool = False) -> Any:
    """`build()` from the cache while its generation has not moved (at most MAX_AGE seconds): the
    figures' generation, or the feature sections' (`area`); a cache that fails only costs the computation."""
    try:
        gen = generations.current(generations.AREA_KEY)[generations.AREA_KEY] if area else cache.get(GEN_KEY) or 0
        full_key = f"stats:{kind}:{gen}:{key}"
        value = cache.get(full_key)
    except Exception:
        log.warning("stats: cache read failed, computing", exc_info=True)
        full_key, value = "", None
    if value is not None:
        return value
    value = build()
    if full_key:
        try:
            cache.set(full_key, value, MAX_AGE)
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

    return _cached("page", _key(form, scope, top), build)  # type: ignore[no-any-return]


def figures_for_buildings(ids: set[int] | None, *, now: datetime | None = None, top: int = 20) -> dict[str, Any]:
    """`figures_for` of a form that only chooses these buildings (the same cache entry)."""

    def build() -> dict[str, Any]:
        return compute_for_buildings(ids, now=now or timezone.now(), top=top)

    return _cached("page", _ids_key(ids, None, None, None, top), build)  # type: ignore[no-any-return]


def _plain(value: Any) -> Any:
    """Lazy translations as text (the key holds the language), so that a section pickles as data."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _buildings(ids: set[int] | None) -> QuerySet[Building]:
    """These buildings as a queryset a provider may use as a sub-select (several times): on PostgreSQL
    with the ids as ONE array parameter, not a few hundred (see `compute.of_buildings`)."""
    if ids is None:
        return Building.objects.all()
    if connection.vendor != "postgresql":
        return Building.objects.filter(pk__in=sorted(ids))
    return Building.objects.filter(pk__in=RawSQL("SELECT unnest(%s::bigint[])", [sorted(ids)]))


def sections_for(ids: set[int] | None) -> list[dict[str, Any]]:
    """The feature packages' sections (`figures.area_figures`: projects) for these buildings (None:
    all), cached under their own generation (`generations.AREA_KEY`): a demand's change of status
    leaves them be."""

    def build() -> list[dict[str, Any]]:
        return _plain(figures.area_figures(_buildings(ids)))  # type: ignore[no-any-return]

    return _cached("sections", _ids_key(ids, None, None, None, 0), build, area=True)  # type: ignore[no-any-return]


# --- The API's answer as bytes (#15) ---------------------------------------------------------------
# A warm `/api/v1/stats/` is read a thousand times for each change: its JSON is kept as bytes, keyed by
# the reader's reach (the buildings the filters choose among those the user may read:
# `access.stats_reach`), the other filters, `only`, and the language, and stored with the generation it
# was computed under and its expiry (MAX_AGE after its "as of"), so that readers with the same reach
# share it. One cache round trip reads the generation and the answer together; an answer of an older
# generation is never served. A reader whose reach changed (a staff member removed from a district)
# has another key, so access stays as strict as the full path's. Each reader's own copy, with their
# reach, is `warm.py`'s.


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


def read_answer(key: str) -> tuple[int, bytes, float] | None:
    """The answer (the generation it is current under, its bytes, when it expires) if it was computed
    under the current generation and is younger than MAX_AGE: one round trip."""
    try:
        found = cache.get_many([GEN_KEY, key])
    except Exception:
        log.warning("stats: cache read failed, computing", exc_info=True)
        return None
    kept = found.get(key)
    generation = int(found.get(GEN_KEY) or 0)
    # An entry of another shape (kept by an older release) is no answer.
    if not isinstance(kept, tuple) or len(kept) != 3 or kept[0] != generation or kept[2] <= time.time():
        return None
    return kept


def expiry(data: dict[str, Any]) -> float:
    """When an answer stops being served: MAX_AGE after its figures were computed (its "as of")."""
    return float(data["generated_at"].timestamp()) + MAX_AGE


def keep_answer(key: str, generation: int | None, body: bytes, expires: float) -> tuple[int, bytes, float] | None:
    if generation is None:
        return None
    answer = (generation, body, expires)
    try:
        cache.set(key, answer, max(1, round(expires - time.time())))
    except Exception:
        log.warning("stats: cannot cache the answer", exc_info=True)
    return answer

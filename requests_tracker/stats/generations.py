"""The generations the statistics' caches are kept under besides the figures' own (`cached.GEN_KEY`) (#15).

- **Reach** (`REACH_KEY`): who may read which buildings' figures (`access.stats_reach`) depends on users
  (active, superuser), API tokens, district staff, council seats and the places (districts,
  sub-districts, buildings, councils). A warm answer reuses a reader's reach from the cache instead of
  asking PostgreSQL on every request, so every write to those moves this generation — at once (the
  writer's own next request, and a test inside one transaction, see it) and again after commit (a
  reader that cached the old reach in between does not keep it). Seats' terms start and end with the
  calendar: the reader's key holds the day.
- **Area figures** (`AREA_KEY`): the feature packages' sections (projects) read projects, their links
  and the demands' buildings, not the demands' status; a status change, the common change, leaves them
  cached. Moved by `figures.area_figures_changed`, by a demand change whose fields a feature registered
  (`figures.area_figures_moved_by`: a move, a link, a deletion) and by a change of the places.

Written through Django's model signals: the admin, the elections' actions, the seeds and DRF's token
views all write these rows, and a cache that missed one of them would let a revoked right read on.
(A queryset `.update()` of these models sends no signal: call `reach_moved()` after one.)
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.cache import cache

from buildings import cache_ops

REACH_KEY = "stats:reach-gen"
AREA_KEY = "stats:area-gen"


def current(*keys: str) -> dict[str, str]:
    """The generations `keys` (created when missing): what an entry is kept under, read BEFORE
    computing it. Raises if the cache fails (the caller computes without it)."""
    found = cache.get_many(list(keys))
    for key in keys:
        if key not in found:
            cache.add(key, uuid.uuid4().hex, None)
            found[key] = cache.get(key)  # another process may have added its own first
    return found


def reach_moved() -> None:
    """Every cached reach is out of date: now, and again after commit."""
    cache_ops.replace_now([REACH_KEY])
    cache_ops.on_commit(replace=cache_ops.fresh_tokens([REACH_KEY]))


def area_moved() -> None:
    """Every cached feature section is out of date, after commit."""
    cache_ops.on_commit(replace=cache_ops.fresh_tokens([AREA_KEY]))


def _people_changed(sender: Any, instance: Any = None, update_fields: Any = None, **kwargs: Any) -> None:
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # signing in moves no right
    reach_moved()


def _staff_changed(sender: Any, action: str = "", **kwargs: Any) -> None:
    if action.startswith("post_"):
        reach_moved()


def _places_changed(sender: Any, **kwargs: Any) -> None:
    # A building that moves sub-district moves reach, the projects serving it and the figures' names.
    from .cached import figures_moved

    reach_moved()
    area_moved()
    figures_moved()


def connect() -> None:
    """Listens to the writes the reach and the places depend on (from the app's ready())."""
    from django.db.models import Model
    from django.db.models.signals import m2m_changed, post_delete, post_save
    from rest_framework.authtoken.models import Token

    from buildings.models import Building, Council, CouncilMember, District, Subdistrict, User

    people: tuple[type[Model], ...] = (User, Token, CouncilMember)
    places: tuple[type[Model], ...] = (District, Subdistrict, Building, Council)
    for model in people:
        post_save.connect(_people_changed, sender=model, dispatch_uid=f"stats-reach-{model.__name__}-save")
        post_delete.connect(_people_changed, sender=model, dispatch_uid=f"stats-reach-{model.__name__}-delete")
    m2m_changed.connect(_staff_changed, sender=District.staff.through, dispatch_uid="stats-reach-district-staff")
    for model in places:
        post_save.connect(_places_changed, sender=model, dispatch_uid=f"stats-places-{model.__name__}-save")
        post_delete.connect(_places_changed, sender=model, dispatch_uid=f"stats-places-{model.__name__}-delete")

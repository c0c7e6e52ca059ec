"""The lobby screen (a feature package): the feed and its version stamps (feed.py), the pages and the
feed endpoint (views.py). Depends on the core only; the core reaches it through the after-change path
(`on_change`) and `buildings.panels.touch` (`panels_touched`), both registered in apps.py. The
building board's page cache (board.py) is keyed by the same stamps."""

from ..privacy import mask_personal
from . import board  # the building board for anonymous readers, from the cache (keyed by the same stamps)
from .feed import (
    REFRESH_EVERY,
    area_feed,
    area_for_slug,
    area_stamp,
    building_feed,
    building_id_for_slug,
    building_stamp,
    demand_changed,
    etag_for,
    on_change,
    panels_touched,
)

__all__ = [
    "REFRESH_EVERY",
    "area_feed",
    "area_for_slug",
    "area_stamp",
    "board",
    "building_feed",
    "building_id_for_slug",
    "building_stamp",
    "demand_changed",
    "etag_for",
    "mask_personal",
    "on_change",
    "panels_touched",
]

"""Reads of the intake: demands that look like the one being typed."""

from __future__ import annotations

from ..models import Demand
from ..selectors import public_demands
from ..workflow import OPEN_STATUSES
from .similarity import most_similar

#: How many recent open demands the look-alike search compares a title with.
SIMILAR_CANDIDATES = 300


def similar_open_demands(building_id: int, title: str, *, limit: int = 3) -> list[Demand]:
    """Open public demands of the building whose titles look like `title` (one query)."""
    candidates = list(
        public_demands()
        .filter(building_id=building_id, status__in=OPEN_STATUSES)
        .select_related("category")
        .order_by("-submitted_at", "-id")[:SIMILAR_CANDIDATES]
    )
    return most_similar(title, ((d, d.title) for d in candidates), limit=limit)

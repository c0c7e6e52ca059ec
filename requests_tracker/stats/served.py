"""Every figure of the statistics page from the maintained tallies and rollups (#15), when the filters
choose whole buildings only (`StatsFilterForm.by_building_only`): sums over the rows kept per building
(at 1M demands a district of 63,000 has ~30,000, mostly histogram buckets) instead of its demands,
kept in the cache by chunks of buildings (`partials`).
Other filters (a category, a date range) keep the live `compute()`.

The same answer as `compute()` — exactly, except the percentiles, which come from the duration
histograms and are within 2.5 % of the exact ones (see `histograms`; the definitions say so).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from django.db.models import Count, Min, Q, QuerySet

from buildings.models import Building
from services.models import Department

from .. import figures
from ..models import Category, Demand, DemandDurationBucket
from ..selectors import ActorScope
from ..workflow import Status
from . import histograms, partials
from .compute import DEFINITIONS, Durations, compute, headline_for, headline_from_tallies, of_buildings, ranking_row
from .filters import StatsFilterForm
from .tallies import rollups_kept


def monthly(summed: partials.Sums) -> list[dict[str, Any]]:
    return [
        {"month": month.strftime("%Y-%m"), "received": received, "resolved": resolved}
        for month, (received, resolved) in sorted(summed.months.items())
        if received > 0 or resolved > 0
    ]


def by_category(summed: partials.Sums) -> list[dict[str, Any]]:
    """Received and resolved per category, most received first, then by code (ordered in the
    database, as the live figure): the categories' codes and names in one query (none without a demand)."""
    received = [pk for pk, (n, _) in summed.categories.items() if n > 0]
    names = Category.objects.filter(pk__in=received).order_by("code").values_list("pk", "code", "name")
    rows = sorted(names, key=lambda row: -summed.categories[row[0]][0]) if received else []
    return [
        {
            "category": code,
            "name": name,
            "received": summed.categories[pk][0],
            "resolved": summed.categories[pk][1],
            "open": summed.categories[pk][0] - summed.categories[pk][1],
        }
        for pk, code, name in rows
    ]


def ranking(summed: partials.Sums, top: int) -> list[dict[str, Any]]:
    """The buildings ranked by received, then slug (ordered in the database, as the live ranking):
    the names of the buildings that may make the cut in one query (none without a demand)."""
    per_building = summed.per_building
    ranked = sorted(((sums[0], pk) for pk, sums in per_building.items() if sums[0] > 0), reverse=True)
    # Every building that may make the cut: the top ones, and those tied with the last (the slug decides).
    cut = ranked[top - 1][0] if len(ranked) >= top > 0 else 0
    candidates = [pk for n, pk in ranked if n >= cut] if top > 0 else []
    names = Building.objects.filter(pk__in=candidates).order_by("slug").values_list("pk", "slug", "name")
    # Python's sort is stable: by received, then in the database's order of the slugs.
    chosen = sorted(names, key=lambda row: -per_building[row[0]][0])[:top] if candidates else []
    return [
        ranking_row(
            {"building__slug": slug, "building__name": name, **dict(zip(_RANKED, per_building[pk], strict=True))}
        )
        for pk, slug, name in chosen
    ]


_RANKED = ("received", "resolved", "in_progress")


def durations(summed: partials.Sums) -> dict[str, Durations]:
    """Median and 90th percentile from the merged histograms (within 2.5 %), in hours."""

    def hours(v: float | None) -> float | None:
        return None if v is None else round(v / 3600, 1)

    out = {}
    for kind in DemandDurationBucket.Kind.values:
        histogram = summed.durations.get(kind, {})
        median, p90 = histograms.percentiles(histogram)
        out[kind] = Durations(hours(median), hours(p90), sum(n for n in histogram.values() if n > 0))
    return out


#: The "open" figure written as the partial index demand_open_due's condition, so PostgreSQL reads that
#: index (it cannot prove `status IN (…open…)` implies it).
_OPEN = ~Q(status=Status.RESOLVED)
assert figures.FIGURES["open"].statuses == frozenset(Status.values) - {Status.RESOLVED}


def open_demands(demands: QuerySet[Demand], now: datetime) -> tuple[list[dict[str, Any]], int]:
    """The departments figure (as `compute.departments`) and the overdue count, from ONE index-only scan
    of the open demands (demand_open_due includes the department, the submission time and the status)
    grouped by department id, then the departments' names: 2 queries."""
    rows = list(
        demands.order_by()
        .filter(_OPEN)
        .values("assignee_department")
        .annotate(
            # COUNT(building_id), not COUNT(id): the index has the building, not the id.
            open=Count("building"),
            overdue=Count("building", filter=figures.FIGURES["overdue"].where(now)),
            oldest=Min("submitted_at"),
        )
    )
    # Every department (a few dozen rows): one query whatever the rows, even none.
    names = {d["pk"]: d for d in Department.objects.values("pk", "code", "name").order_by()}
    out = [
        {
            "department": names[r["assignee_department"]]["code"],
            "name": names[r["assignee_department"]]["name"],
            "open": r["open"],
            "overdue": r["overdue"],
            "oldest_days": round((now - r["oldest"]).total_seconds() / 86400, 1) if r["oldest"] else None,
        }
        for r in rows
        if r["assignee_department"] is not None  # not assigned to a department: overdue all the same
    ]
    out.sort(key=lambda d: (-d["open"], d["department"]))
    return out, sum(r["overdue"] for r in rows)


def compute_served(
    building_ids: set[int] | None,
    *,
    now: datetime,
    top: int = 20,
) -> dict[str, Any]:
    """`compute()`'s answer for whole buildings, from the tallies and rollups (and, for the departments
    and overdue, the open demands from the partial index demand_open_due): at most 8 queries — the
    open demands and the departments, the rollups of the buildings whose chunk the cache does not hold
    (`partials`: 4, none when it holds them all), the ranked buildings' names, the categories'."""
    departments, overdue = open_demands(of_buildings(Demand.objects.all(), building_ids), now)
    summed = partials.sums(building_ids, tuple(figures.FIGURES[k].statuses or frozenset() for k in _RANKED))
    head = headline_from_tallies(building_ids, now=now, overdue=overdue, counts=summed.counts)
    times = durations(summed)
    return {
        "figures": head["figures"],
        "by_outcome": head["by_outcome"],
        "first_response": asdict(times[DemandDurationBucket.Kind.FIRST_RESPONSE]),
        "resolution_time": asdict(times[DemandDurationBucket.Kind.RESOLUTION]),
        "monthly": monthly(summed),
        "by_category": by_category(summed),
        "buildings": ranking(summed, top),
        "departments": departments,
        "definitions": {k: str(v) for k, v in DEFINITIONS.items()},
        "generated_at": now,
    }


def compute_for_buildings(building_ids: set[int] | None, *, now: datetime, top: int = 20) -> dict[str, Any]:
    """Every figure of whole buildings (None: all): from the rollups on PostgreSQL, which keeps them,
    else live (`compute`)."""
    if rollups_kept():
        return compute_served(building_ids, now=now, top=top)
    demands = of_buildings(Demand.objects.all(), building_ids)
    return compute(demands, now=now, head=headline_from_tallies(building_ids, now=now), top=top)


def compute_for(form: StatsFilterForm, scope: ActorScope | None, *, now: datetime, top: int = 20) -> dict[str, Any]:
    """Every figure of a validated filter form: `compute_for_buildings` when it only chooses whole
    buildings, else live (`compute`)."""
    if form.by_building_only:
        return compute_for_buildings(form.building_ids(scope), now=now, top=top)
    return compute(form.demands(scope), now=now, head=headline_for(form, scope, now=now), top=top)

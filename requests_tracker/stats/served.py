"""Every figure of the statistics page from the maintained tallies and rollups (#15), when the filters
choose whole buildings only (`StatsFilterForm.by_building_only`): sums over the rows kept per building
(at 1M demands a district of 63,000 has ~30,000, mostly histogram buckets) instead of its demands.
Other filters (a category, a date range) keep the live `compute()`.

The same answer as `compute()` — exactly, except the percentiles, which come from the duration
histograms and are within 2.5 % of the exact ones (see `histograms`; the definitions say so).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from django.db.models import Count, Min, Q, QuerySet, Sum

from buildings.models import Building
from services.models import Department

from .. import figures
from ..models import Demand, DemandCategoryTally, DemandDurationBucket, DemandMonthTally, DemandTally
from ..selectors import ActorScope
from ..workflow import Status
from . import histograms
from .compute import DEFINITIONS, Durations, compute, headline_for, headline_from_tallies, of_buildings, ranking_row
from .filters import StatsFilterForm
from .tallies import rollups_kept


def monthly(building_ids: set[int] | None) -> list[dict[str, Any]]:
    rows = (
        of_buildings(DemandMonthTally.objects.all(), building_ids)
        .values("month")
        .annotate(received=Sum("received"), resolved=Sum("resolved"))
        .filter(Q(received__gt=0) | Q(resolved__gt=0))
        .order_by("month")
    )
    return [{"month": r["month"].strftime("%Y-%m"), "received": r["received"], "resolved": r["resolved"]} for r in rows]


def by_category(building_ids: set[int] | None) -> list[dict[str, Any]]:
    rows = (
        of_buildings(DemandCategoryTally.objects.all(), building_ids)
        .values("category__code", "category__name")
        .annotate(received=Sum("received"), resolved=Sum("resolved"))
        .filter(received__gt=0)
        .order_by("-received", "category__code")
    )
    return [
        {
            "category": r["category__code"],
            "name": r["category__name"],
            "received": r["received"],
            "resolved": r["resolved"],
            "open": r["received"] - r["resolved"],
        }
        for r in rows
    ]


def tallies_and_ranking(
    building_ids: set[int] | None, top: int
) -> tuple[dict[tuple[str, str], int], list[dict[str, Any]]]:
    """The (status, outcome) counts the headline sums and the buildings' ranking (received, then slug;
    resolved and in progress), from ONE read of the tally rows (a few per building) plus the names of
    the ranking's candidates (skipped when there are none): at most 2 queries."""
    received, resolved, in_progress = (figures.FIGURES[k].statuses or frozenset() for k in _RANKED)
    counts: dict[tuple[str, str], int] = {}
    per_building: dict[int, list[int]] = {}
    rows = of_buildings(DemandTally.objects.all(), building_ids).values_list("building_id", "status", "outcome", "n")
    for building_id, status, outcome, n in rows.order_by():
        counts[(status, outcome)] = counts.get((status, outcome), 0) + n
        sums = per_building.setdefault(building_id, [0, 0, 0])
        for i, statuses in enumerate((received, resolved, in_progress)):
            if status in statuses:
                sums[i] += n
    ranked = sorted(((sums[0], pk) for pk, sums in per_building.items() if sums[0] > 0), reverse=True)
    # Every building that may make the cut: the top ones, and those tied with the last (the slug decides).
    cut = ranked[top - 1][0] if len(ranked) >= top > 0 else 0
    candidates = [pk for n, pk in ranked if n >= cut] if top > 0 else []
    # Ordered by slug in the database (its collation, as the live ranking's ORDER BY), then by received:
    # Python's sort is stable.
    names = (
        {
            pk: (slug, name)
            for pk, slug, name in Building.objects.filter(pk__in=candidates)
            .order_by("slug")
            .values_list("pk", "slug", "name")
        }
        if candidates
        else {}
    )
    chosen = sorted(names, key=lambda pk: -per_building[pk][0])[:top]
    ranking = [
        ranking_row(
            {
                "building__slug": names[pk][0],
                "building__name": names[pk][1],
                **dict(zip(_RANKED, per_building[pk], strict=True)),
            }
        )
        for pk in chosen
    ]
    return counts, ranking


_RANKED = ("received", "resolved", "in_progress")


def durations(building_ids: set[int] | None) -> dict[str, Durations]:
    """Median and 90th percentile from the merged histograms (within 2.5 %), in hours: one query."""
    merged: dict[str, dict[int, int]] = {kind: {} for kind in DemandDurationBucket.Kind.values}
    for r in (
        of_buildings(DemandDurationBucket.objects.all(), building_ids)
        .values("kind", "bucket")
        .annotate(total=Sum("n"))
        .order_by()
    ):
        merged[r["kind"]][r["bucket"]] = r["total"]

    def hours(v: float | None) -> float | None:
        return None if v is None else round(v / 3600, 1)

    out = {}
    for kind, histogram in merged.items():
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
    and overdue, the open demands from the partial index demand_open_due): 7 queries."""
    departments, overdue = open_demands(of_buildings(Demand.objects.all(), building_ids), now)
    counts, buildings = tallies_and_ranking(building_ids, top)
    head = headline_from_tallies(building_ids, now=now, overdue=overdue, counts=counts)
    times = durations(building_ids)
    return {
        "figures": head["figures"],
        "by_outcome": head["by_outcome"],
        "first_response": asdict(times[DemandDurationBucket.Kind.FIRST_RESPONSE]),
        "resolution_time": asdict(times[DemandDurationBucket.Kind.RESOLUTION]),
        "monthly": monthly(building_ids),
        "by_category": by_category(building_ids),
        "buildings": buildings,
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

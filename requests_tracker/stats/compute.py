"""The district statistics: every figure an indexed aggregate over `Demand` (or the tallies), computed
in a fixed number of queries whatever the number of rows, each with its definition.

The headline figures are counted as `requests_tracker.figures` defines them, the one definition shared
by the board, the screen, the statistics, the digests and the exports.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import BooleanField, Count, Min, Q, QuerySet, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import figures, selectors
from ..models import Demand, DemandTally
from ..selectors import ActorScope
from ..workflow import OPEN_STATUSES, Outcome, Status
from .filters import StatsFilterForm

#: Each figure and what it means: shown next to it on the page, in the API and in the exports.
DEFINITIONS: dict[str, Any] = {
    **figures.definitions(("received", "resolved", "in_progress", "waiting", "overdue", "resolution_rate")),
    # Whole buildings are served from duration histograms (stats/histograms.py): the text says how exact.
    "first_response": _(
        "Time from submission to the first assignment, over demands that were assigned: median and 90th percentile."
        " Without a category or date filter, from duration histograms: within 2.5 per cent of the exact value."
    ),
    "resolution_time": _(
        "Time from submission to resolution, over resolved demands: median and 90th percentile."
        " Without a category or date filter, from duration histograms: within 2.5 per cent of the exact value."
    ),
    "by_outcome": _("Resolved demands by outcome: solved, way forward proposed, duplicate, not applicable."),
    "monthly": _("Per calendar month (Shanghai time): demands submitted, and demands resolved in that month."),
    "by_category": _("Received and resolved per category."),
    "buildings": _("Buildings ranked by demands received, with their resolution rate."),
    "departments": _(
        "Open demands assigned to each department, how many are overdue, and how long the oldest has waited."
    ),
}


def of_buildings(qs: QuerySet[Any], building_ids: set[int] | None) -> QuerySet[Any]:
    """`qs` narrowed to rows of these buildings (None: all) as `building_id = ANY(%s)`: one array
    parameter the planner sees as a literal list, as `building_id IN (…)`, but a short statement —
    psycopg re-parses a statement with a few hundred parameters on every execution (~1 ms each)."""
    if building_ids is None:
        return qs
    if connection.vendor != "postgresql":
        return qs.filter(building_id__in=sorted(building_ids))
    column = f'"{qs.model._meta.db_table}"."building_id"'
    # The column comes from the model's _meta; the ids travel as one parameter.
    return qs.filter(RawSQL(f"{column} = ANY(%s)", [sorted(building_ids)], output_field=BooleanField()))  # noqa: S611


@dataclass(frozen=True)
class Durations:
    median_hours: float | None
    p90_hours: float | None
    count: int


def _percentiles(values: list[float]) -> tuple[float | None, float | None]:
    """Linear interpolation, as PostgreSQL's percentile_cont: the same answer on both databases."""
    if not values:
        return None, None
    values = sorted(values)

    def cont(fraction: float) -> float:
        pos = fraction * (len(values) - 1)
        low = int(pos)
        high = min(low + 1, len(values) - 1)
        return values[low] + (values[high] - values[low]) * (pos - low)

    return cont(0.5), cont(0.9)


_PERCENTILE_SQL = """
SELECT
  percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY extract(epoch FROM s.assigned_at - s.submitted_at))
    FILTER (WHERE s.assigned_at IS NOT NULL),
  count(s.assigned_at),
  percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY extract(epoch FROM s.resolved_at - s.submitted_at))
    FILTER (WHERE s.resolved_at IS NOT NULL),
  count(s.resolved_at)
FROM ({subquery}) s
"""


def durations(qs: QuerySet[Demand]) -> dict[str, Durations]:
    """Median and 90th percentile of time to first response and to resolution, in hours: one query."""
    base = qs.order_by().values("submitted_at", "assigned_at", "resolved_at")
    try:
        sql, params = base.query.sql_with_params()
    except EmptyResultSet:  # nothing in reach (e.g. a captain filtering on another building)
        return {k: Durations(None, None, 0) for k in ("first_response", "resolution_time")}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # `sql` is Django's own compiled query (values travel in `params`): nothing user-typed in it.
            cursor.execute(
                _PERCENTILE_SQL.format(subquery=sql),
                params,
            )
            first, n_first, resolution, n_resolution = cursor.fetchone()
        first = first or [None, None]
        resolution = resolution or [None, None]
    else:
        rows = list(base)
        f = [(r["assigned_at"] - r["submitted_at"]).total_seconds() for r in rows if r["assigned_at"]]
        s = [(r["resolved_at"] - r["submitted_at"]).total_seconds() for r in rows if r["resolved_at"]]
        first, n_first = list(_percentiles(f)), len(f)
        resolution, n_resolution = list(_percentiles(s)), len(s)

    def hours(v: Any) -> float | None:
        return None if v is None else round(float(v) / 3600, 1)

    return {
        "first_response": Durations(hours(first[0]), hours(first[1]), n_first),
        "resolution_time": Durations(hours(resolution[0]), hours(resolution[1]), n_resolution),
    }


def headline(qs: QuerySet[Demand], *, now: datetime | None = None) -> dict[str, Any]:
    """The headline figures, overdue and resolved-by-outcome in ONE aggregate (an index-only scan),
    each counted as `figures.FIGURES` defines it."""
    now = now or timezone.now()
    row = qs.order_by().aggregate(
        received=figures.count("received", now),
        resolved=figures.count("resolved", now),
        in_progress=figures.count("in_progress", now),
        waiting=figures.count("waiting", now),
        overdue=figures.count("overdue", now),
        **{f"outcome_{o}": Count("id", filter=Q(status=Status.RESOLVED, outcome=o)) for o in Outcome.values},
    )
    counted = selectors.Figures(
        received=row["received"], resolved=row["resolved"], in_progress=row["in_progress"], waiting=row["waiting"]
    )
    return {
        "figures": {**asdict(counted), "overdue": row["overdue"], "resolution_rate": counted.resolution_rate},
        "by_outcome": [
            {"outcome": value, "label": str(label), "count": row[f"outcome_{value}"]}
            for value, label in Outcome.choices
        ],
        "definitions": {k: str(DEFINITIONS[k]) for k in (*_HEADLINE, "by_outcome")},
        "generated_at": now,
    }


def headline_from_tallies(
    building_ids: set[int] | None,
    *,
    now: datetime | None = None,
    overdue: int | None = None,
    counts: Mapping[tuple[str, str], int] | None = None,
) -> dict[str, Any]:
    """The same answer as `headline` for whole buildings, from the maintained tallies (2 queries):
    a sum over a few rows per building, plus overdue from the partial index demand_open_due (unless
    the caller counted it, `overdue`, or summed the tallies' (status, outcome) `counts`: one fewer each)."""
    now = now or timezone.now()
    demands = of_buildings(Demand.objects.all(), building_ids)
    if counts is None:
        tallies = of_buildings(DemandTally.objects.all(), building_ids)
        counts = {
            (row["status"], row["outcome"]): row["total"] or 0
            for row in tallies.values("status", "outcome").annotate(total=Sum("n")).order_by()
        }

    summed = selectors.Figures(**figures.from_tallies(counts, ("received", "resolved", "in_progress", "waiting")))
    if overdue is None:
        overdue = demands.filter(figures.FIGURES["overdue"].where(now)).count()
    return {
        "figures": {**asdict(summed), "overdue": overdue, "resolution_rate": summed.resolution_rate},
        "by_outcome": [
            {"outcome": value, "label": str(label), "count": counts.get((Status.RESOLVED, value), 0)}
            for value, label in Outcome.choices
        ],
        "definitions": {k: str(DEFINITIONS[k]) for k in (*_HEADLINE, "by_outcome")},
        "generated_at": now,
    }


def headline_for(
    form: StatsFilterForm, scope: ActorScope | None = None, *, now: datetime | None = None
) -> dict[str, Any]:
    """The headline of a validated filter form: from the tallies when it only chooses buildings."""
    if form.by_building_only:
        return headline_from_tallies(form.building_ids(scope), now=now)
    return headline(form.demands(scope), now=now)


def ranking_row(r: Mapping[str, Any]) -> dict[str, Any]:
    """One building of the ranking, from its slug, name and received / resolved / in-progress counts."""
    return {
        "building": r["building__slug"],
        "name": r["building__name"],
        "received": r["received"],
        "resolved": r["resolved"],
        "in_progress": r["in_progress"],
        "waiting": r["received"] - r["resolved"] - r["in_progress"],
        "resolution_rate": figures.resolution_rate(r["received"], r["resolved"]),
    }


_HEADLINE = ("received", "resolved", "in_progress", "waiting", "overdue", "resolution_rate")


def departments(qs: QuerySet[Demand], now: datetime) -> list[dict[str, Any]]:
    """Open demands per assigned department, how many overdue, the oldest's age in days: one query."""
    return [
        {
            "department": r["assignee_department__code"],
            "name": r["assignee_department__name"],
            "open": r["open"],
            "overdue": r["overdue"],
            "oldest_days": round((now - r["oldest"]).total_seconds() / 86400, 1) if r["oldest"] else None,
        }
        for r in qs.order_by()
        .filter(status__in=OPEN_STATUSES, assignee_department__isnull=False)
        .values("assignee_department__code", "assignee_department__name")
        .annotate(open=Count("id"), overdue=Count("id", filter=Q(due_at__lt=now)), oldest=Min("submitted_at"))
        .order_by("-open", "assignee_department__code")
    ]


def compute(
    qs: QuerySet[Demand], *, now: datetime | None = None, top: int = 20, head: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Every figure of the stats page for the demands in `qs`, in 7 queries whatever their number
    (6 plus `head`'s when the headline comes precomputed, e.g. from `headline_for`)."""
    now = now or timezone.now()
    qs = qs.order_by()
    head = head or headline(qs, now=now)
    tz = timezone.get_current_timezone()
    received_by_month = {
        r["m"]: r["n"]
        for r in qs.annotate(m=TruncMonth("submitted_at", tzinfo=tz)).values("m").annotate(n=Count("id")).order_by()
    }
    resolved_by_month = {
        r["m"]: r["n"]
        for r in qs.filter(resolved_at__isnull=False)
        .annotate(m=TruncMonth("resolved_at", tzinfo=tz))
        .values("m")
        .annotate(n=Count("id"))
        .order_by()
    }
    months = sorted(set(received_by_month) | set(resolved_by_month))
    monthly = [
        {
            "month": timezone.localtime(m).strftime("%Y-%m") if timezone.is_aware(m) else m.strftime("%Y-%m"),
            "received": received_by_month.get(m, 0),
            "resolved": resolved_by_month.get(m, 0),
        }
        for m in months
    ]
    by_category = [
        {
            "category": r["category__code"],
            "name": r["category__name"],
            "received": r["received"],
            "resolved": r["resolved"],
            "open": r["received"] - r["resolved"],
        }
        for r in qs.values("category__code", "category__name")
        .annotate(received=figures.count("received", now), resolved=figures.count("resolved", now))
        .order_by("-received", "category__code")
    ]
    buildings = [
        ranking_row(r)
        for r in qs.values("building__slug", "building__name")
        .annotate(
            received=figures.count("received", now),
            resolved=figures.count("resolved", now),
            in_progress=figures.count("in_progress", now),
        )
        .order_by("-received", "building__slug")[:top]
    ]
    times = durations(qs)
    return {
        "figures": head["figures"],
        "by_outcome": head["by_outcome"],
        "first_response": asdict(times["first_response"]),
        "resolution_time": asdict(times["resolution_time"]),
        "monthly": monthly,
        "by_category": by_category,
        "buildings": buildings,
        "departments": departments(qs, now),
        "definitions": {k: str(v) for k, v in DEFINITIONS.items()},
        "generated_at": now,
    }

"""The maintained tallies and rollups behind the district statistics (#15).

Per building: how many demands are in each (status, outcome) (`DemandTally`, the headline and the
ranking), received and resolved per Shanghai calendar month (`DemandMonthTally`) and per category
(`DemandCategoryTally`), and the duration histograms of first response and resolution
(`DemandDurationBucket`, see `histograms`). Moved by the after-change path (`on_change`) in the same
transaction as the change, by the difference between the demand's `DemandFacts` before and after it,
in ONE statement; a property test proves the figures read from them equal the live ones, and
`rebuild_tallies()` recomputes them all (the migration, bulk loads, a repair by hand).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection

from buildings.sql import prepared_cursor

from .. import figures
from ..changes import DemandChange, DemandFacts
from ..models import Demand, DemandCategoryTally, DemandDurationBucket, DemandEvent, DemandMonthTally, DemandTally
from . import histograms, partials

#: The statuses the "resolved" figure counts (figures.py is where that is defined).
_RESOLVED = figures.FIGURES["resolved"].statuses or frozenset()
_FACT_FIELDS = ("building_id", "category_id", "status", "outcome", "submitted_at", "assigned_at", "resolved_at")


def month_of(moment: datetime) -> date:
    """The first day of the Shanghai calendar month `moment` falls in (as `compute`'s TruncMonth)."""
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).date().replace(day=1)


def rollups_kept() -> bool:
    """Whether the rollups are kept (and served): on PostgreSQL. The embedded SQLite database keeps
    the tallies only (one statement per change, as before) and computes every other figure live."""
    return connection.vendor == "postgresql"


class _Deltas:
    """How each maintained row moves, summed over the facts a change removes (-1) and adds (+1)."""

    def __init__(self, *, rollups: bool = True) -> None:
        self.rollups = rollups
        self.tally: dict[tuple[int, str, str], int] = defaultdict(int)
        self.month: dict[tuple[int, date], list[int]] = defaultdict(lambda: [0, 0])
        self.category: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
        self.duration: dict[tuple[int, str, int], int] = defaultdict(int)

    def add(self, facts: DemandFacts, sign: int) -> None:
        b = facts.building_id
        self.tally[(b, facts.status, facts.outcome)] += sign
        if not self.rollups:
            return
        self.month[(b, month_of(facts.submitted_at))][0] += sign
        self.category[(b, facts.category_id)][0] += sign
        if facts.status in _RESOLVED:
            self.category[(b, facts.category_id)][1] += sign
        if facts.assigned_at is not None:
            seconds = (facts.assigned_at - facts.submitted_at).total_seconds()
            self.duration[(b, DemandDurationBucket.Kind.FIRST_RESPONSE.value, histograms.bucket(seconds))] += sign
        if facts.resolved_at is not None:
            self.month[(b, month_of(facts.resolved_at))][1] += sign
            seconds = (facts.resolved_at - facts.submitted_at).total_seconds()
            self.duration[(b, DemandDurationBucket.Kind.RESOLUTION.value, histograms.bucket(seconds))] += sign

    def upserts(self) -> list[_Upsert]:
        """One upsert per table that moves, keys sorted: every transaction locks the rows it moves in
        the same order (tables in this order, keys sorted), so two cannot deadlock."""
        out = []
        for model, keys, counters, rows in (
            (DemandTally, ("building_id", "status", "outcome"), ("n",), [(k, [d]) for k, d in self.tally.items()]),
            (DemandMonthTally, ("building_id", "month"), ("received", "resolved"), list(self.month.items())),
            (
                DemandCategoryTally,
                ("building_id", "category_id"),
                ("received", "resolved"),
                list(self.category.items()),
            ),
            (
                DemandDurationBucket,
                ("building_id", "kind", "bucket"),
                ("n",),
                [(k, [d]) for k, d in self.duration.items()],
            ),
        ):
            moving = sorted((key, deltas) for key, deltas in rows if any(deltas))
            if moving:
                params: list[Any] = []
                for key, deltas in moving:
                    params += [*key, *deltas]
                out.append(_Upsert(model._meta.db_table, keys, counters, len(moving), params))
        return out


@dataclass(frozen=True)
class _Upsert:
    """`INSERT INTO table (keys, counters) VALUES … ON CONFLICT (keys) DO UPDATE` adding the counters."""

    table: str
    keys: tuple[str, ...]
    counters: tuple[str, ...]
    rows: int
    params: list[Any]

    def sql(self, after: str = "") -> str:
        """The statement; with `after` (a CTE's name), its rows wait until that CTE has run."""
        columns = ", ".join((*self.keys, *self.counters))
        one = "(" + ", ".join(["%s"] * (len(self.keys) + len(self.counters))) + ")"
        values = f"VALUES {', '.join([one] * self.rows)}"
        if after:
            # A one-time filter reading the CTE before: PostgreSQL runs that one first.
            values = f"SELECT * FROM ({values}) AS v({columns}) WHERE (SELECT count(*) FROM {after}) >= 0"  # noqa: S608
        sets = ", ".join(f"{c} = {self.table}.{c} + EXCLUDED.{c}" for c in self.counters)
        return (
            f"INSERT INTO {self.table} ({columns}) {values} ON CONFLICT ({', '.join(self.keys)}) DO UPDATE SET {sets}"
        )


def _facts(change: DemandChange) -> tuple[DemandFacts | None, DemandFacts | None] | None:
    """The demand's facts before and after the change, or None when the change moves no figure."""
    if change.facts_before is not None or change.facts_after is not None:
        return change.facts_before, change.facts_after
    if change.is_new:
        # A submission says what it created through its event, which holds the new demand.
        for event in change.events:
            if DemandEvent.demand.is_cached(event) and event.demand_id == change.demand_id:
                return None, DemandFacts.of(event.demand)
        row = Demand.objects.filter(pk=change.demand_id).values(*_FACT_FIELDS).first()
        return (None, DemandFacts(**row)) if row else None
    return None


def on_change(change: DemandChange) -> None:
    """After-change subscriber: moves the demand between tallies and rollups, inside the action's
    transaction, in one statement.

    A change that moves a figure without saying what the demand was (`facts_before`) — no action does
    this — has its buildings recounted instead, so the figures stay right at a cost.
    """
    facts = _facts(change)
    if facts is None:
        if change.before is not None or change.moved_from is not None or "category" in change.fields:
            rebuild_tallies(building_ids=sorted(change.building_ids))
        return
    deltas = _Deltas(rollups=rollups_kept())
    before, after = facts
    if before is not None:
        deltas.add(before, -1)
    if after is not None:
        deltas.add(after, +1)
    upserts = deltas.upserts()
    _execute(upserts)
    if upserts:
        partials.buildings_changed(change.building_ids)  # their chunks of the cached sums


def _execute(upserts: list[_Upsert]) -> None:
    if not upserts:
        return
    with prepared_cursor() as cursor:
        if not rollups_kept():  # the tallies alone
            for upsert in upserts:
                cursor.execute(upsert.sql(), upsert.params)
            return
        # One round trip: the upserts as a chain of data-modifying CTEs, each made to wait for the one
        # before it, so the tables are locked in the order of `_Deltas.upserts`.
        chain = [f"s{i} AS ({u.sql(f's{i - 1}' if i else '')} RETURNING 1)" for i, u in enumerate(upserts[:-1])]
        last = upserts[-1].sql(f"s{len(upserts) - 2}" if chain else "")
        cursor.execute(
            f"WITH {', '.join(chain)} {last}" if chain else last,
            [p for u in upserts for p in u.params],
        )


def rebuild_tallies(building_ids: list[int] | None = None) -> None:
    """Recomputes every tally and rollup (of `building_ids`, or all) from the demands: after a bulk
    load, in the migration that created them, or to repair by hand."""
    demands = Demand._meta.db_table
    where, params = ("", []) if building_ids is None else (" WHERE building_id = ANY(%s)", [list(building_ids)])
    models = (DemandTally, DemandMonthTally, DemandCategoryTally, DemandDurationBucket)
    if building_ids is None:
        partials.all_changed()
    else:
        partials.buildings_changed(building_ids)
    if not rollups_kept():
        _rebuild_in_python(building_ids)
        return
    tz = settings.TIME_ZONE
    first = "extract(epoch FROM (assigned_at - submitted_at))::float8"
    resolution = "extract(epoch FROM (resolved_at - submitted_at))::float8"
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"DELETE FROM {model._meta.db_table}{where}", params)  # noqa: S608
        cursor.execute(
            f"INSERT INTO {DemandTally._meta.db_table} (building_id, status, outcome, n) "  # noqa: S608
            f"SELECT building_id, status, outcome, count(*) FROM {demands}{where} GROUP BY 1, 2, 3",
            params,
        )
        cursor.execute(
            f"INSERT INTO {DemandCategoryTally._meta.db_table} (building_id, category_id, received, resolved) "  # noqa: S608
            f"SELECT building_id, category_id, count(*), count(*) FILTER (WHERE status = ANY(%s)) FROM {demands}"
            f"{where} GROUP BY 1, 2",
            [sorted(_RESOLVED), *params],
        )
        cursor.execute(
            f"INSERT INTO {DemandMonthTally._meta.db_table} (building_id, month, received, resolved) "  # noqa: S608
            "SELECT building_id, month, sum(received), sum(resolved) FROM ("
            f" SELECT building_id, date_trunc('month', submitted_at AT TIME ZONE %s)::date AS month,"
            f" 1 AS received, 0 AS resolved FROM {demands}{where}"
            " UNION ALL"
            f" SELECT building_id, date_trunc('month', resolved_at AT TIME ZONE %s)::date, 0, 1 FROM {demands}"
            f"{where or ' WHERE true'} AND resolved_at IS NOT NULL"
            ") m GROUP BY 1, 2",
            [tz, *params, tz, *params],
        )
        cursor.execute(
            f"INSERT INTO {DemandDurationBucket._meta.db_table} (building_id, kind, bucket, n) "  # noqa: S608
            "SELECT building_id, kind, bucket, count(*) FROM ("
            f" SELECT building_id, %s AS kind, {histograms.BUCKET_SQL.format(s=first)} AS bucket FROM {demands}"
            f"{where or ' WHERE true'} AND assigned_at IS NOT NULL"
            " UNION ALL"
            f" SELECT building_id, %s, {histograms.BUCKET_SQL.format(s=resolution)} FROM {demands}"
            f"{where or ' WHERE true'} AND resolved_at IS NOT NULL"
            ") h GROUP BY 1, 2, 3",
            [
                DemandDurationBucket.Kind.FIRST_RESPONSE.value,
                *params,
                DemandDurationBucket.Kind.RESOLUTION.value,
                *params,
            ],
        )


def _rebuild_in_python(building_ids: list[int] | None) -> None:
    """The embedded SQLite database's rebuild: its tallies (it keeps no rollups), summed in Python."""
    demands = Demand.objects.all() if building_ids is None else Demand.objects.filter(building_id__in=building_ids)
    rows = DemandTally.objects.all()
    (rows if building_ids is None else rows.filter(building_id__in=building_ids)).delete()
    deltas = _Deltas(rollups=False)
    for row in demands.values(*_FACT_FIELDS).iterator():
        deltas.add(DemandFacts(**row), +1)
    _execute(deltas.upserts())

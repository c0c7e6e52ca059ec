"""The maintained tallies: how many demands of a building are in each (status, outcome).

Moved by the after-change path (`on_change`) in the same transaction as the change, so a district's
headline sums a few hundred rows instead of counting its demands; a property test proves they always
equal a recount, and `rebuild_tallies()` recomputes them (migration, bulk loads).
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from ..changes import DemandChange, Key
from ..models import Demand, DemandTally


def on_change(change: DemandChange) -> None:
    """After-change subscriber: moves the demand between tallies, inside the action's transaction.

    A status/outcome change moves it from one (status, outcome) key to another; a building move
    takes it off the old building's tallies and onto the new one's.
    """
    before, after = change.before, change.after
    if change.moved_from is not None and before is not None:
        key = after or before
        _move_tallies([(change.moved_from, before, -1), (change.building_id, key, +1)])
    elif after is not None and before != after:
        rows = [(change.building_id, after, +1)]
        if before is not None:
            rows.append((change.building_id, before, -1))
        _move_tallies(rows)


def _move_tallies(moves: list[tuple[int, Key, int]]) -> None:
    deltas: dict[tuple[int, str, str], int] = {}
    for building_id, (status, outcome), delta in moves:
        key = (building_id, status, outcome)
        deltas[key] = deltas.get(key, 0) + delta
    rows = sorted((k, d) for k, d in deltas.items() if d)
    if not rows:
        return
    table = DemandTally._meta.db_table
    # One statement, keys in a fixed order: two transactions moving demands of the same building
    # in opposite directions lock the tally rows in the same order, so they cannot deadlock.
    values = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
    params: list[Any] = []
    for (building_id, status, outcome), delta in rows:
        params += [building_id, status, outcome, delta]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (building_id, status, outcome, n) VALUES {values} "  # noqa: S608
            f"ON CONFLICT (building_id, status, outcome) DO UPDATE SET n = {table}.n + EXCLUDED.n",
            params,
        )


def rebuild_tallies() -> None:
    """Recomputes every tally from the demands (after a bulk load, or to repair by hand)."""
    table = DemandTally._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608
        cursor.execute(
            f"INSERT INTO {table} (building_id, status, outcome, n) "  # noqa: S608
            f"SELECT building_id, status, outcome, count(*) FROM {Demand._meta.db_table} "
            "GROUP BY building_id, status, outcome"
        )

"""Bulk demand data for the benchmarks: buildings over districts and demands in every status, by COPY.

`bench` (the table at 5,000 and 1,000,000 demands) and `bench.stats` load with it: at a million rows the
ORM's bulk_create takes many minutes, COPY about one. Demands are spread over the last two years, in every
status with the timestamps and assignees the workflow would have given them (the check constraints hold),
each with its "submitted" event; the tallies and rollups the statistics read are recounted afterwards, as after any
bulk load, and the planner's statistics refreshed.
"""

from __future__ import annotations

import io
import random
from datetime import datetime, timedelta

N_DISTRICTS = 16


def add_buildings(n_buildings: int) -> list[int]:
    """`n_buildings` benchmark buildings (bench-b00000 …) over 16 districts × 4 sub-districts; their ids."""
    from buildings.models import Building, District, Subdistrict

    if not District.objects.filter(slug="bench-d01").exists():
        districts = District.objects.bulk_create(
            [District(slug=f"bench-d{i:02}", name=f"压测区{i}") for i in range(1, N_DISTRICTS + 1)]
        )
        subs = Subdistrict.objects.bulk_create(
            [
                Subdistrict(slug=f"{d.slug}-s{j}", name=f"{d.name}街道{j}", district=d)
                for d in districts
                for j in range(4)
            ]
        )
        Building.objects.bulk_create(
            [
                Building(slug=f"bench-b{k:05}", name=f"压测大厦{k}", subdistrict=subs[k % len(subs)], floors=40)
                for k in range(n_buildings)
            ]
        )
    return list(Building.objects.filter(slug__startswith="bench-b").values_list("id", flat=True))


def _ts(x: datetime | None) -> str:
    return x.isoformat() if x else "\\N"


def copy_demands(n: int, building_ids: list[int], *, start: int = 0, events: bool = True) -> None:
    """COPY `n` demands (titles numbered from `start`) over `building_ids`, then their events and tallies."""
    from django.db import connection
    from django.utils import timezone

    from requests_tracker.models import Category, Demand, DemandEvent
    from requests_tracker.stats.tallies import rebuild_tallies
    from services.models import Department

    categories = list(Category.objects.values_list("id", "target_days"))
    departments = list(Department.objects.values_list("id", flat=True))
    rng = random.Random(7 + start)
    now = timezone.now()
    buffer = io.StringIO()
    statuses = ["submitted"] * 8 + ["assigned"] * 10 + ["in_progress"] * 12 + ["resolved"] * 70
    outcomes = ["solved"] * 7 + ["proposal"] * 2 + ["duplicate", "not_applicable"]
    for i in range(start, start + n):
        submitted = now - timedelta(minutes=rng.randint(60, 2 * 525_600))
        category, days = rng.choice(categories)
        status = rng.choice(statuses)
        assigned = started = resolved = None
        department: object = "\\N"
        outcome = ""
        if status != "submitted":
            assigned = submitted + timedelta(minutes=rng.randint(5, 3 * 1440))
            department = rng.choice(departments)
        if status in ("in_progress", "resolved") and assigned:
            started = assigned + timedelta(minutes=rng.randint(5, 2 * 1440))
        if status == "resolved" and started:
            resolved = min(started + timedelta(minutes=rng.randint(30, 20 * 1440)), now)
            outcome = rng.choice(outcomes)
        updated = min(max(x for x in (submitted, assigned, started, resolved) if x), now)
        row = (
            *(rng.choice(building_ids), category, f"压测诉求 {i}", "bench", "", "web", "", "", ""),
            *("t" if rng.random() < 0.8 else "f", "f", "f", 0, status, 1, department, outcome, ""),
            *(f"bench{i}", _ts(submitted), _ts(submitted + timedelta(days=days)), _ts(assigned)),
            *(_ts(started), _ts(resolved), _ts(updated), "demand"),
        )
        buffer.write("\t".join(str(v) for v in row) + "\n")
    columns = (
        "building_id, category_id, title, description, company_name, channel, contact_name, contact_phone,"
        " contact_email, is_public, show_company, is_hidden, support_count, status, version,"
        " assignee_department_id, outcome, resolution_note, token, submitted_at, due_at, assigned_at,"
        " started_at, resolved_at, updated_at, kind"
    )
    buffer.seek(0)
    demands, events_table = Demand._meta.db_table, DemandEvent._meta.db_table
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY {demands} ({columns}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            while chunk := buffer.read(1 << 20):
                copy.write(chunk)
        if events:
            # Each loaded demand's "submitted" event, as the intake would have written it.
            cursor.execute(
                f"INSERT INTO {events_table} (demand_id, kind, from_status, to_status, actor_label, note,"  # noqa: S608
                " is_public, data, created_at)"
                f" SELECT id, 'submitted', '', 'submitted', '', '', true, '{{}}', submitted_at FROM {demands}"
                " WHERE token LIKE 'bench%' AND NOT EXISTS"
                f" (SELECT 1 FROM {events_table} e WHERE e.demand_id = {demands}.id)"
            )
    # COPY bypasses the actions, which keep the tallies and the statistics' rollups: recount them once,
    # as after any bulk load.
    rebuild_tallies()
    with connection.cursor() as cursor:
        # As autovacuum would after a bulk load: statistics, and the visibility map index-only scans need.
        cursor.execute("VACUUM ANALYZE")

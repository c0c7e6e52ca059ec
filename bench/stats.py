"""The district statistics and the screen feed at scale: 1,000,000 demands over 3,000 buildings.

    python -m bench.stats                        # PostgreSQL at BENCH_DATABASE_URL (default lousihui_bench_stats)
    python -m bench.stats --demands 200000 --requests 200

Seeds its own database with COPY (16 districts × 4 sub-districts, 3,000 buildings, demands in every
status spread over two years; no timeline rows, which the figures do not read), recounts the tallies,
starts gunicorn on 127.0.0.1 with bench.wsgi and measures, in the same run: a bare Django view; one
district's headline figures (`only=figures`: received, resolved by outcome, in progress, waiting,
overdue, from the maintained tallies and the partial index demand_open_due); the same district with
every figure (percentiles, monthly, categories, ranking, departments); one building; the district
again as the first reader after a change sees it (the generation moved before each request, so nothing
cached answers); the screen feed (200) and the screen feed answering 304. Ratio: requests per second
÷ the bare view's.
Only loopback traffic; stops by itself.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import timedelta

from bench.harness import ROOT, bench_env, hammer, wait_for_port

N_BUILDINGS = 3000
N_DISTRICTS = 16


def seed(n_demands: int) -> tuple[str, str, str]:
    """Returns (district slug, building slug, API token of that district's staff)."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from buildings.models import Building, District, Subdistrict, User
    from requests_tracker.models import Category, Demand
    from services.models import Department

    call_command("migrate", verbosity=0)  # includes the covering index demand_stats_cover
    district_slug, building_slug = "bench-d01", "bench-b00000"
    if not District.objects.filter(slug=district_slug).exists():
        # A throwaway benchmark database. Once: over a million demands the demo's search indexing would
        # take many minutes on every later run.
        call_command("seed_demo", verbosity=0, force=True)
    user, _ = User.objects.get_or_create(username="bench-district")
    if not District.objects.filter(slug=district_slug).exists():
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
                for k in range(N_BUILDINGS)
            ]
        )
    District.objects.get(slug=district_slug).staff.add(user)
    token = Token.objects.get_or_create(user=user)[0].key

    have = Demand.objects.filter(building__slug__startswith="bench-b").count()
    if have < n_demands:
        building_ids = list(Building.objects.filter(slug__startswith="bench-b").values_list("id", flat=True))
        categories = list(Category.objects.values_list("id", "target_days"))
        departments = list(Department.objects.values_list("id", flat=True))
        rng = random.Random(7)
        now = timezone.now()
        buffer = io.StringIO()
        statuses = ["submitted"] * 8 + ["assigned"] * 10 + ["in_progress"] * 12 + ["resolved"] * 70
        outcomes = ["solved"] * 7 + ["proposal"] * 2 + ["duplicate", "not_applicable"]
        for i in range(have, n_demands):
            submitted = now - timedelta(minutes=rng.randint(60, 2 * 525_600))
            cat, days = rng.choice(categories)
            status = rng.choice(statuses)
            assigned = started = resolved = None
            dept: object = "\\N"
            outcome = ""
            if status != "submitted":
                assigned = submitted + timedelta(minutes=rng.randint(5, 3 * 1440))
                dept = rng.choice(departments)
            if status in ("in_progress", "resolved"):
                started = assigned + timedelta(minutes=rng.randint(5, 2 * 1440))  # type: ignore[operator]
            if status == "resolved":
                resolved = started + timedelta(minutes=rng.randint(30, 20 * 1440))  # type: ignore[operator]
                outcome = rng.choice(outcomes)
            stamps = [x for x in (submitted, assigned, started, resolved) if x]
            updated = min(max(stamps), now)

            def ts(x):  # type: ignore[no-untyped-def]
                return x.isoformat() if x else "\\N"

            buffer.write(
                "\t".join(
                    str(v)
                    for v in (
                        rng.choice(building_ids),
                        cat,
                        f"压测诉求 {i}",
                        "",
                        "",
                        "web",
                        "",
                        "",
                        "",
                        "t" if rng.random() < 0.8 else "f",
                        "f",
                        "f",
                        0,
                        status,
                        1,
                        dept,
                        outcome,
                        "",
                        f"bench{i}",
                        ts(submitted),
                        ts(submitted + timedelta(days=days)),
                        ts(assigned),
                        ts(started),
                        ts(min(resolved, now) if resolved else None),
                        ts(updated),
                        "demand",
                    )
                )
                + "\n"
            )
        columns = (
            "building_id, category_id, title, description, company_name, channel, contact_name, contact_phone,"
            " contact_email, is_public, show_company, is_hidden, support_count, status, version,"
            " assignee_department_id, outcome, resolution_note, token, submitted_at, due_at, assigned_at,"
            " started_at, resolved_at, updated_at, kind"
        )
        buffer.seek(0)
        copy_sql = f"COPY {Demand._meta.db_table} ({columns}) FROM STDIN"
        with connection.cursor() as cursor, cursor.copy(copy_sql) as copy:  # type: ignore[attr-defined]
            while chunk := buffer.read(1 << 20):
                copy.write(chunk)
        # COPY bypasses the actions, which keep the tallies: recount them once, as after any bulk load.
        from requests_tracker.stats.tallies import rebuild_tallies

        rebuild_tallies()
    with connection.cursor() as cursor:
        # As autovacuum would after a bulk load: statistics, and the visibility map index-only scans need.
        cursor.execute("VACUUM ANALYZE")
    return district_slug, building_slug, token


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--demands", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8766)
    args = parser.parse_args()

    db_url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lousihui_bench_stats")
    env = bench_env(db_url)
    dbname = db_url.rsplit("/", 1)[1]
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", dbname], capture_output=True, env=env)
    os.environ.update(env)
    started = time.perf_counter()
    print(f"seeding {args.demands} demands over {N_BUILDINGS} buildings into {db_url} …", flush=True)
    district, building, token = seed(args.demands)
    print(f"seeded in {time.perf_counter() - started:.0f} s", flush=True)

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM requests_tracker_demand d JOIN buildings_building b ON b.id = d.building_id"
            " JOIN buildings_subdistrict s ON s.id = b.subdistrict_id JOIN buildings_district t ON t.id = s.district_id"
            " WHERE t.slug = %s",
            [district],
        )
        in_district = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM requests_tracker_demand")
        total = cursor.fetchone()[0]
    connection.close()

    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "bench.wsgi:application", "--bind", f"127.0.0.1:{args.port}"),
            *("--workers", str(args.workers), "--log-level", "warning", "--timeout", "120"),
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_for_port(args.port)
        auth = {"Authorization": f"Token {token}"}
        conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=60)
        conn.request("GET", f"/api/v1/screen/{building}/")
        response = conn.getresponse()
        response.read()
        etag = response.getheader("ETag") or ""
        endpoints = [
            ("bare Django view", "/bench/bare/", {}, 200),
            ("district headline figures (only=figures)", f"/api/v1/stats/?district={district}&only=figures", auth, 200),
            (f"stats API, district, all ({in_district} dem.)", f"/api/v1/stats/?district={district}", auth, 200),
            ("stats API, one building", f"/api/v1/stats/?building={building}", auth, 200),
            # Every request moves the statistics generation first (bench/urls.py): nothing cached serves it.
            ("district, all, 1st request after a change", f"/bench/stats-after-change/?district={district}", auth, 200),
            ("screen feed (200)", f"/api/v1/screen/{building}/", {}, 200),
            ("screen feed (304, If-None-Match)", f"/api/v1/screen/{building}/", {"If-None-Match": etag}, 304),
        ]
        for _, path, headers, expect in endpoints:  # warm every worker
            hammer(args.port, path, args.threads * 3, args.threads, headers, expect)
        results = {}
        for name, path, headers, expect in endpoints:
            began = time.perf_counter()
            lat = sorted(hammer(args.port, path, args.requests, args.threads, headers, expect))
            elapsed = time.perf_counter() - began
            results[name] = {
                "rps": len(lat) / elapsed,
                "p50_ms": statistics.median(lat) * 1000,
                "p95_ms": lat[max(0, int(len(lat) * 0.95) - 1)] * 1000,
            }
        base = results["bare Django view"]["p50_ms"]
        base_rps = results["bare Django view"]["rps"]
        print(f"\n{total} demands in the database; {args.threads} client threads, {args.workers} gunicorn workers")
        # ratio: the endpoint's requests per second ÷ the bare view's (issue #15's measure)
        print(f"{'endpoint':44} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p50 × bare':>11} {'ratio':>7}")
        for name, r in results.items():
            r["ratio"] = r["rps"] / base_rps
            print(
                f"{name:44} {r['rps']:8.0f} {r['p50_ms']:8.2f} {r['p95_ms']:8.2f} {r['p50_ms'] / base:11.1f}"
                f" {r['ratio']:7.3f}"
            )
        print(json.dumps({"demands": total, "district_demands": in_district, "results": results}))
    finally:
        server.terminate()
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

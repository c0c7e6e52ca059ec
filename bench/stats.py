"""The district statistics and the screen feed at scale: 1,000,000 demands over 3,000 buildings.

    python -m bench.stats                        # PostgreSQL at BENCH_DATABASE_URL (default lousihui_bench_stats)
    python -m bench.stats --demands 200000 --requests 200

Seeds its own database with COPY (16 districts × 4 sub-districts, 3,000 buildings, demands in every
status spread over two years; no timeline rows, which the figures do not read), recounts the tallies
and rollups,
starts gunicorn on 127.0.0.1 with bench.wsgi and measures, in the same run: a bare Django view; one
district's headline figures (`only=figures`: received, resolved by outcome, in progress, waiting,
overdue, from the maintained tallies and the partial index demand_open_due); the same district with
every figure (percentiles, monthly, categories, ranking, departments); one building; the district
again as the first reader after a demand's status changed sees it (the figures' generation moved
before each request, so no figure is cached; the projects' section, which a status change does not
move, and the reader's reach are), and after a project changed (the projects' section computed too);
the screen feed (200) and the screen feed answering 304. Ratio: requests per second ÷ the bare view's.
Only loopback traffic; stops by itself.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import time

from bench.harness import ROOT, bench_env, hammer, wait_for_port

N_BUILDINGS = 3000


def seed(n_demands: int) -> tuple[str, str, str]:
    """Returns (district slug, building slug, API token of that district's staff)."""
    import django

    django.setup()
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from bench.seeding import add_buildings, copy_demands
    from buildings.models import District, User
    from requests_tracker.models import Demand

    call_command("migrate", verbosity=0)  # includes the covering index demand_stats_cover
    district_slug, building_slug = "bench-d01", "bench-b00000"
    if not District.objects.filter(slug=district_slug).exists():
        # A throwaway benchmark database. Once: over a million demands the demo's search indexing would
        # take many minutes on every later run.
        call_command("seed_demo", verbosity=0, force=True)
    building_ids = add_buildings(N_BUILDINGS)
    user, _ = User.objects.get_or_create(username="bench-district")
    District.objects.get(slug=district_slug).staff.add(user)
    token = Token.objects.get_or_create(user=user)[0].key
    have = Demand.objects.filter(building__slug__startswith="bench-b").count()
    if have < n_demands:
        # No timeline rows: the figures do not read them. Tallies and rollups recounted, VACUUM ANALYZE after.
        copy_demands(n_demands - have, building_ids, start=have, events=False)
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
            # …after a project moved: the projects' section too (a status change leaves it cached).
            (
                "district, all, 1st after a project change",
                f"/bench/stats-after-project-change/?district={district}",
                auth,
                200,
            ),
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

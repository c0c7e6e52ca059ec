"""Benchmarks the public API under gunicorn against a bare Django view in the same run.

    make bench                      # PostgreSQL at DATABASE_URL (default local), 5,000 demands
    make bench BENCH_ARGS="--demands 50000 --requests 2000"

Creates its own database (lousihui_bench), seeds it, starts gunicorn on 127.0.0.1 and sends a
bounded number of requests over keep-alive connections from a few threads. Prints requests per
second and latency percentiles per endpoint, and each endpoint's ratio to the bare view.
Only loopback traffic; stops by itself.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import timedelta

from bench.harness import ROOT, bench_env, hammer, wait_for_port


def seed(n_demands: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from requests_tracker.models import Category, Demand, DemandEvent

    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    call_command("seed_demo", verbosity=0, force=True)  # a throwaway benchmark database
    have = Demand.objects.count()
    if have >= n_demands:
        return
    from buildings.models import Building

    buildings = list(Building.objects.all())
    categories = list(Category.objects.all())
    rng = random.Random(7)
    now = timezone.now()
    batch: list[Demand] = []
    for i in range(have, n_demands):
        at = now - timedelta(minutes=rng.randint(1, 525_600))
        c = rng.choice(categories)
        batch.append(
            Demand(
                building=rng.choice(buildings),
                category=c,
                title=f"压测诉求 {i}",
                description="bench",
                submitted_at=at,
                updated_at=at,
                due_at=at + timedelta(days=c.target_days),
                is_public=rng.random() < 0.8,
            )
        )
    created = Demand.objects.bulk_create(batch, batch_size=5000)
    DemandEvent.objects.bulk_create(
        [DemandEvent(demand=d, kind="submitted", to_status="submitted", created_at=d.submitted_at) for d in created],
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--demands", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()

    db_url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lousihui_bench")
    env = bench_env(db_url)
    if db_url.startswith("postgres"):
        dbname = db_url.rsplit("/", 1)[1]
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", dbname], capture_output=True, env=env)
    os.environ.update(env)
    print(f"seeding {args.demands} demands into {db_url} …", flush=True)
    seed(args.demands)

    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "bench.wsgi:application",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_for_port(args.port)
        endpoints = {
            "bare Django view": "/bench/bare/",
            "demand list (API, 50/page)": "/api/v1/demands/",
            "demand list, one building": "/api/v1/demands/?building=shanghai-tower&status=submitted",
            "buildings (API)": "/api/v1/buildings/",
            "building picker (HTML)": "/",
        }
        for path in endpoints.values():  # warm up every worker and connection
            hammer(args.port, path, args.threads * 5, args.threads)
        results: dict[str, dict[str, float]] = {}
        for name, path in endpoints.items():
            start = time.perf_counter()
            lat = hammer(args.port, path, args.requests, args.threads)
            elapsed = time.perf_counter() - start
            lat.sort()
            results[name] = {
                "rps": len(lat) / elapsed,
                "p50_ms": statistics.median(lat) * 1000,
                "p95_ms": lat[int(len(lat) * 0.95) - 1] * 1000,
            }
        base = results["bare Django view"]
        print(f"\n{'endpoint':32} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p50 × bare':>11}")
        for name, r in results.items():
            print(
                f"{name:32} {r['rps']:8.0f} {r['p50_ms']:8.2f} {r['p95_ms']:8.2f} {r['p50_ms'] / base['p50_ms']:11.1f}"
            )
        print(
            json.dumps(
                {
                    "demands": args.demands,
                    "requests": args.requests,
                    "threads": args.threads,
                    "gunicorn_workers": args.workers,
                    "results": results,
                }
            )
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

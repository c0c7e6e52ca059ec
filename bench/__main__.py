"""Benchmarks the public surfaces under gunicorn with wrk, against a bare Django view in the same run.

    make bench                                  # 5,000 demands, 5 s per endpoint
    make bench BENCH_ARGS="--demands 5000,1000000"
    make bench BENCH_ARGS=--quick               # CI: small data, about a second per endpoint

Creates its own database (BENCH_DATABASE_URL, default lousihui_bench; a size past 50,000 demands gets
its own, suffixed _<size>, kept for the next run), seeds it (the demo, then demands over its buildings;
at scale by COPY over 3,000 added buildings in 16 districts), starts gunicorn
(3 sync workers) on 127.0.0.1 and runs `wrk -t2 -c8` against each endpoint: the bare view, the screen
feed answering 304 and answering a screen that is behind (200), the demand list of one building
(50 a page; anonymous, which the cache answers, and with a district staff member's token, which it never
does), a submission (POST) beside the issue's yardstick for it (DRF creating one plain row: bench.urls),
the building board and the statistics page. Prints one table:
requests per second, p50/p99 latency, the queries one request makes (counted in process) and the
ratio of the endpoint's requests per second to the bare view's. Uses Redis at BENCH_REDIS_URL (or
REDIS_URL) when set, as production does; otherwise each worker's local-memory cache.
Only loopback traffic; stops by itself. No timing is asserted: the table is for people.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import subprocess
import sys
from datetime import timedelta
from typing import Any

from bench.harness import ROOT, bench_env, wait_for_port, wrk

BARE = "bare Django view"
#: Stands for the feed's ETag of the moment in endpoints(): filled in just before its row (fresh_etag).
CURRENT_ETAG = "<current>"


def seed(n_demands: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from requests_tracker.models import Category, Demand, DemandEvent
    from requests_tracker.stats.tallies import rebuild_tallies

    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    if not Demand.objects.exists():  # once: at a million demands the demo's re-seeding would take minutes
        call_command("seed_demo", verbosity=0, force=True)  # a throwaway benchmark database
    have = Demand.objects.count()
    if have >= n_demands:
        if have <= 50_000:  # a database an earlier harness filled without recounting: cheap to repair
            rebuild_tallies()
        return
    if n_demands - have > 50_000:
        # At scale, as a district would run it: 3,000 buildings over 16 districts (bench.seeding, by COPY).
        from bench.seeding import add_buildings, copy_demands

        copy_demands(n_demands - have, add_buildings(3000), start=have)
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
    rebuild_tallies()  # bulk_create bypasses the actions that keep the tallies: recount, as after any bulk load
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def targets() -> dict[str, Any]:
    """What the endpoints need from the seeded data: a building with demands, a category, a stats area."""
    from buildings.models import Building
    from requests_tracker.models import Category, Demand

    building_id = Demand.objects.values_list("building_id", flat=True).order_by("-id").first()
    building = Building.objects.get(pk=building_id)
    category = Category.objects.filter(is_active=True).order_by("id").first()
    assert category is not None
    # The statistics page is for district staff: a signed-in session of the building's district.
    from django.test import Client

    from buildings.models import District, User

    staff, _ = User.objects.get_or_create(username="bench-staff")
    District.objects.get(subdistricts__buildings=building).staff.add(staff)
    client = Client()
    client.force_login(staff)
    session = client.cookies["sessionid"].value
    from rest_framework.authtoken.models import Token

    token = Token.objects.get_or_create(user=staff)[0].key
    # A demo building whose council has a serving captain with an e-mail: a submission there composes
    # and enqueues the captain's message in the request, as most real ones do.
    from buildings.models import CouncilMember

    captain = (
        CouncilMember.objects.filter(role=CouncilMember.Role.CAPTAIN, user__is_active=True)
        .exclude(user__email="")
        .select_related("council__building")
        .order_by("council__building__slug")
        .first()
    )
    captained = captain.council.building.slug if captain else building.slug
    return {
        "building": building.slug,
        "captained": captained,
        "category": category.code,
        "session": session,
        "token": token,
    }


def endpoints(t: dict[str, Any]) -> list[tuple[str, str, dict[str, str], str | None]]:
    """(name, path, headers, POST body) — the screen's ETag is filled in just before its row runs."""
    submit = json.dumps(
        {"building": t["building"], "category": t["category"], "title": "压测提交", "description": "bench"},
        ensure_ascii=False,
    )
    captained = json.dumps(
        {"building": t["captained"], "category": t["category"], "title": "压测提交", "description": "bench"},
        ensure_ascii=False,
    )
    plain = json.dumps({"category": t["category"], "title": "压测", "body": "bench"}, ensure_ascii=False)
    return [
        (BARE, "/bench/bare/", {}, None),
        ("screen feed, unchanged (304)", f"/api/v1/screen/{t['building']}/", {"If-None-Match": CURRENT_ETAG}, None),
        ("screen feed, changed (200)", f"/api/v1/screen/{t['building']}/", {"If-None-Match": '"older"'}, None),
        ("demand list, one building (50/page)", f"/api/v1/demands/?building={t['building']}&page_size=50", {}, None),
        # Every public demand, newest first: page numbers count them all; a cursor counts nothing.
        ("demand list, all buildings, page 1", "/api/v1/demands/?page_size=50", {}, None),
        ("demand list, all buildings, ?cursor=", "/api/v1/demands/?page_size=50&cursor=", {}, None),
        # The same list for a reader with credentials: never from the cache, so the database's own cost.
        (
            "demand list, district staff (uncached)",
            f"/api/v1/demands/?building={t['building']}&page_size=50",
            {"Authorization": f"Token {t['token']}"},
            None,
        ),
        ("submit (POST /api/v1/demands/)", "/api/v1/demands/", {}, submit),
        # The same where the council has a serving captain: one e-mail composed and enqueued per submission.
        ("submit, building with a captain", "/api/v1/demands/", {}, captained),
        # The yardstick for the row above: DRF creating one plain row (bench.urls).
        ("  reference: plain DRF create", "/bench/plain-create/", {}, plain),
        ("building board /b/<slug>/", f"/b/{t['building']}/", {}, None),
        ("statistics page /stats/ (district staff)", "/stats/", {"Cookie": f"sessionid={t['session']}"}, None),
    ]


def settle(port: int, tries: int = 12) -> None:
    """Waits for every worker to be serving: the port opens when the master binds, while the workers may
    still be loading Django and jieba for seconds — a first row measured then ran at a few req/s."""
    previous = 0.0
    for _ in range(tries):
        rps = wrk(port, "/bench/bare/", seconds=1)["rps"]
        if previous and abs(rps - previous) < 0.2 * previous:
            return
        previous = rps


def paired(port: int, path: str, *, seconds: float, headers: dict[str, str], body: str | None) -> dict[str, float]:
    """The endpoint and the bare view in turns of a second each: on shared cores the load moves within a
    run, and a ratio of two rows measured apart swung with it. The row's bare figure is its own turns'."""
    turns = [
        (wrk(port, "/bench/bare/", seconds=1), wrk(port, path, seconds=1, headers=headers, body=body))
        for _ in range(max(1, round(seconds)))
    ]
    mine = [t[1] for t in turns]
    return {
        "rps": sum(t["rps"] for t in mine) / len(mine),
        "bare_rps": sum(t[0]["rps"] for t in turns) / len(turns),
        "p50_ms": sorted(t["p50_ms"] for t in mine)[len(mine) // 2],
        "p99_ms": max(t["p99_ms"] for t in mine),
        "bad": sum(t["bad"] for t in mine),
        "socket_errors": sum(t["socket_errors"] for t in mine),
    }


def fresh_etag(port: int, path: str, seconds: float) -> str:
    """The feed's ETag, taken when its minute (feed.REFRESH_EVERY) has `seconds` and the warm-up left: the
    ETag turns over with the minute, and a 304 row that crossed it measured the 200s that followed."""
    import time

    from buildings.models import Building
    from requests_tracker.screen import feed

    # The feed's minute turns at its building's own second (feed.phase_of).
    phase = feed.building_phase(Building.objects.get(slug=path.rstrip("/").rsplit("/", 1)[1]).pk)
    if feed.seconds_left_in_bucket(phase) < seconds + 2:
        time.sleep(feed.seconds_left_in_bucket(phase) + 0.5)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.getheader("ETag") or ""


def count_queries(path: str, headers: dict[str, str], body: str | None) -> int:
    """The queries one warm request makes, counted in this process (a second request after a warm-up)."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.ROOT_URLCONF = "bench.urls"
    client = Client(HTTP_HOST="127.0.0.1", headers=headers)

    def send() -> int:
        if body is None:
            return client.get(path).status_code
        return client.post(path, body, content_type="application/json").status_code

    send()
    with CaptureQueriesContext(connection) as ctx:
        send()
    return len(ctx.captured_queries)


def database_for(n_demands: int, db_url: str) -> str:
    """Each size past 50,000 demands has a database of its own (kept for the next run, like the first)."""
    return db_url if n_demands <= 50_000 or not db_url.startswith("postgres") else f"{db_url}_{n_demands}"


def use_database(db_url: str, env: dict[str, str]) -> None:
    """Points this process (seeding, query counts) and the gunicorn to come at `db_url`, and gives the
    cache a prefix of its own: ids and stamps of one database must not answer for another."""
    env["DATABASE_URL"] = os.environ["DATABASE_URL"] = db_url
    if db_url.startswith("postgres"):
        dbname = db_url.rsplit("/", 1)[1]
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", dbname], capture_output=True, env=env)
        env["CACHE_KEY_PREFIX"] = os.environ["CACHE_KEY_PREFIX"] = f"bench-{dbname}"
        from django.conf import settings

        if settings.configured:
            from django.core.cache import caches
            from django.db import connections

            connections["default"].close()
            connections["default"].settings_dict["NAME"] = dbname
            settings.DATABASES["default"]["NAME"] = dbname
            for name in settings.CACHES:
                settings.CACHES[name]["KEY_PREFIX"] = env["CACHE_KEY_PREFIX"]
                caches[name].key_prefix = env["CACHE_KEY_PREFIX"]


def run(n_demands: int, args: argparse.Namespace, env: dict[str, str]) -> list[dict[str, Any]]:
    use_database(database_for(n_demands, args.db_url), env)
    print(f"seeding {n_demands} demands into {env['DATABASE_URL']} …", flush=True)
    seed(n_demands)
    from requests_tracker.models import Demand

    n_demands = Demand.objects.count()  # what the database holds (a reused one may hold more)
    t = targets()
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "bench.wsgi:application", "--bind", f"127.0.0.1:{args.port}"),
            *("--workers", str(args.workers), "--log-level", "warning", "--timeout", "120"),
        ],
        cwd=ROOT,
        env=env,
    )
    rows = []
    try:
        wait_for_port(args.port)
        settle(args.port)
        for name, path, headers, body in endpoints(t):
            if args.only and name != BARE and not any(word in name for word in args.only):
                continue
            if headers.get("If-None-Match") == CURRENT_ETAG:
                span = args.seconds * (2 if args.paired and name != BARE else 1) + 1
                headers = {**headers, "If-None-Match": fresh_etag(args.port, path, span)}
            wrk(args.port, path, seconds=1, headers=headers, body=body)  # warm every worker
            if args.paired and name != BARE:
                result = paired(args.port, path, seconds=args.seconds, headers=headers, body=body)
            else:
                result = wrk(args.port, path, seconds=args.seconds, headers=headers, body=body)
            if result["bad"] and "304" not in name:  # a 304 run sees a 200 when the minute's ETag turns
                raise SystemExit(f"{name}: {result['bad']:.0f} answers were not 2xx/3xx")
            result["queries"] = count_queries(path, headers, body)
            rows.append({"endpoint": name, "demands": n_demands, **result})
    finally:
        server.terminate()
        server.wait(timeout=30)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--demands", default="5000", help="comma-separated sizes, e.g. 5000,1000000")
    parser.add_argument("--seconds", type=float, default=5, help="wrk duration per endpoint")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--only", action="append", default=[], help="run only the endpoints whose name holds this (repeatable)"
    )
    parser.add_argument(
        "--paired",
        action="store_true",
        help="measure each row in 1 s turns with the bare view, its ratio against those turns (shared cores)",
    )
    parser.add_argument("--quick", action="store_true", help="small data, about a second per endpoint (CI)")
    args = parser.parse_args()
    if args.quick:
        args.demands, args.seconds = "300", 1

    db_url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lousihui_bench")
    env = bench_env(db_url)
    redis_url = os.environ.get("BENCH_REDIS_URL") or os.environ.get("REDIS_URL", "")
    if redis_url:
        env["REDIS_URL"] = redis_url
    # Submissions are the measured load here, not abuse: the per-client throttle would answer 429.
    env["THROTTLE_DEMAND_SUBMIT"] = "100000000/hour"
    # Without Redis, Celery runs eagerly: the outbox's e-mails would otherwise be printed by the thousand.
    env["EMAIL_URL"] = "dummymail://"
    args.db_url = db_url
    os.environ.update(env)

    rows: list[dict[str, Any]] = []
    for n in sorted(int(x) for x in str(args.demands).split(",")):
        rows += run(n, args, env)
    bare = {r["demands"]: r["rps"] for r in rows if r["endpoint"] == BARE}
    print(f"\ngunicorn {args.workers} sync workers, wrk -t2 -c8 for {args.seconds:g} s per endpoint")
    print(f"{'endpoint':38} {'demands':>8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'queries':>8} {'× bare':>7}")
    for r in rows:
        r["ratio"] = r["rps"] / (r.get("bare_rps") or bare[r["demands"]])
        print(
            f"{r['endpoint']:38} {r['demands']:8} {r['rps']:8.0f} {r['p50_ms']:8.2f} {r['p99_ms']:8.2f}"
            f" {r['queries']:8} {r['ratio']:7.2f}"
        )
    print(json.dumps({"workers": args.workers, "seconds": args.seconds, "results": rows}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

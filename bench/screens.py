"""A thousand lobby screens polling their feeds: what they cost gunicorn's workers (#15).

    python -m bench.screens                           # 1,000 screens every 2.5 s for 30 s, 3 sync workers
    python -m bench.screens --screens 2000 --seconds 60 --demands 1000000
    python -m bench.screens --quick                   # CI: 100 screens for 6 s, so it never rots

The issue asked whether 1,000 screens should keep polling (400 requests a second) or hold long polls or
server-sent events, and to measure what polling costs the workers before choosing. This is that
measurement. Seeds like `make bench` (BENCH_DATABASE_URL, default lousihui_bench; past 50,000 demands
the database of that size), starts gunicorn with 3 sync workers, and runs N simulated screens in one
asyncio process. Each screen shows one building of the database, polls its feed as `static/js/screen.js`
does — every 2.5 s after the previous answer, with the ETag it last saw, over a connection of its own
(sync workers close it after each answer) — from a random phase. Meanwhile a resident submits a demand
to one of the screens' buildings every `--change-every` seconds, so those screens get a 200 with the new
feed and the rest keep getting 304s. Uses Redis at BENCH_REDIS_URL or REDIS_URL when set, as production
does (the early answer needs a cache the workers share).

Prints the polls answered per second against those asked, 304s and 200s, latency p50/p99/max, the
oldest change a screen had not yet shown when it next polled, and the CPU each side used, in cores:
the gunicorn workers, PostgreSQL, Redis and this client. No timing is asserted; only loopback traffic.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.harness import ROOT, bench_env, wait_for_port

POLL_S = 2.5  # static/js/screen.js POLL_MS


def _cpu(pids: list[int]) -> dict[int, float]:
    """User + system CPU seconds of each of `pids` that still runs."""
    ticks = os.sysconf("SC_CLK_TCK")
    found = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return found


def _used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds used between two readings by the processes present at both (a connection that closed
    in between takes its count with it)."""
    return sum(after[pid] - before[pid] for pid in before.keys() & after.keys())


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _pids(pattern: str) -> list[int]:
    found = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True).stdout.split()
    return [int(pid) for pid in found]


def _children(pid: int) -> list[int]:
    return [int(p) for p in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()]


async def _get(port: int, path: str, etag: str) -> tuple[int, str, float]:
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Language: zh-hans\r\n"
    if etag:
        head += f"If-None-Match: {etag}\r\n"
    writer.write((head + "Connection: close\r\n\r\n").encode())
    status_line = await reader.readline()
    status = int(status_line.split()[1])
    new_etag = etag
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        if name.lower() == "etag":
            new_etag = value.strip()
    await reader.read()  # the body, to the close
    writer.close()
    return status, new_etag, time.perf_counter() - started


async def _post(port: int, path: str, body: bytes) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode()
        + body
    )
    status = int((await reader.readline()).split()[1])
    await reader.read()
    writer.close()
    return status


def _sample(workers: list[int], postgres: list[int], redis: list[int]) -> tuple[Any, ...]:
    return (_cpu(workers), _cpu(postgres), _cpu(redis), time.process_time(), time.perf_counter())


async def _simulate(
    args: argparse.Namespace, slugs: list[str], category: str, sample: Callable[[], tuple[Any, ...]]
) -> dict[str, Any]:
    # Two phases. The herd: every screen starts within one poll interval with no ETag (a morning's
    # switch-on, a cache emptied), so each building's feed is built once. Then the steady state, counted
    # from one interval after the last screen had its first answer, for `args.seconds`.
    started = time.perf_counter()
    window: dict[str, float] = {}
    ready = asyncio.Event()
    first_answers = 0
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    changed_at: dict[str, float] = {}  # building → when its last change was committed
    seen_at: dict[int, float] = {}  # screen → when it last polled
    behind: list[float] = []  # for each change a screen showed: how long after the change it had it

    def counting(at: float) -> bool:
        return ready.is_set() and window["begin"] <= at < window["deadline"]

    async def screen(i: int, slug: str) -> None:
        nonlocal errors, first_answers
        etag = ""
        path = f"/api/v1/screen/{slug}/"
        await asyncio.sleep(random.uniform(0, POLL_S))
        while not ready.is_set() or time.perf_counter() < window["deadline"]:
            asked = time.perf_counter()
            try:
                status, etag, took = await _get(args.port, path, etag)
            except OSError:
                errors += 1
                await asyncio.sleep(POLL_S)
                continue
            if i not in seen_at:
                first_answers += 1
                if first_answers == args.screens:
                    window["herd"] = time.perf_counter() - started
                    window["begin"] = time.perf_counter() + POLL_S
                    window["deadline"] = window["begin"] + args.seconds
                    ready.set()
            seen = seen_at.get(i, 0.0)
            seen_at[i] = asked
            if counting(asked):
                latencies.append(took)
                statuses[status] = statuses.get(status, 0) + 1
                change = changed_at.get(slug)
                if status == 200 and change is not None and seen < change:
                    behind.append(asked + took - change)
            await asyncio.sleep(POLL_S)

    async def resident() -> int:
        sent = 0
        await ready.wait()
        await asyncio.sleep(max(0.0, window["begin"] - time.perf_counter()))
        while time.perf_counter() < window["deadline"] - POLL_S:
            await asyncio.sleep(args.change_every)
            slug = random.choice(slugs)
            body = json.dumps(
                {"building": slug, "category": category, "title": "大屏压测", "description": "bench"},
                ensure_ascii=False,
            ).encode()
            if await _post(args.port, "/api/v1/demands/", body) == 201:
                changed_at[slug] = time.perf_counter()
                sent += 1
        return sent

    async def meter() -> list[tuple[Any, ...]]:
        # The CPU each side used over the counted window only.
        await ready.wait()
        await asyncio.sleep(max(0.0, window["begin"] - time.perf_counter()))
        first = sample()
        await asyncio.sleep(max(0.0, window["deadline"] - time.perf_counter()))
        return [first, sample()]

    tasks = [asyncio.create_task(screen(i, slugs[i % len(slugs)])) for i in range(args.screens)]
    metered = asyncio.create_task(meter())
    changes = await resident()
    await asyncio.gather(*tasks)
    cpu = await metered
    return {
        "herd": window["herd"],
        "window": window["deadline"] - window["begin"],
        "latencies": latencies,
        "statuses": statuses,
        "errors": errors,
        "changes": changes,
        "behind": behind,
        "cpu": cpu,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--screens", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--change-every", type=float, default=2.0, help="a submission every this many seconds")
    parser.add_argument("--demands", type=int, default=5000, help="the make bench database of this size")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--port", type=int, default=8767)
    parser.add_argument("--quick", action="store_true", help="100 screens for 6 s on small data (CI)")
    args = parser.parse_args()
    if args.quick:
        args.screens, args.seconds, args.demands, args.change_every = 100, 6, 300, 1.0

    from bench.__main__ import database_for, seed, settle, use_database

    db_url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lousihui_bench")
    env = bench_env(db_url)
    redis_url = os.environ.get("BENCH_REDIS_URL") or os.environ.get("REDIS_URL", "")
    if redis_url:
        env["REDIS_URL"] = redis_url
    else:
        print("no REDIS_URL: each worker keeps its own cache, as no production site does", flush=True)
    env["THROTTLE_DEMAND_SUBMIT"] = "100000000/hour"
    env["EMAIL_URL"] = "dummymail://"
    os.environ.update(env)
    use_database(database_for(args.demands, db_url), env)
    print(f"seeding {args.demands} demands into {env['DATABASE_URL']} …", flush=True)
    seed(args.demands)

    from buildings.models import Building
    from requests_tracker.models import Category

    slugs = list(Building.objects.filter(is_active=True).order_by("id").values_list("slug", flat=True)[: args.screens])
    category = Category.objects.filter(is_active=True).order_by("id").values_list("code", flat=True).first()
    assert slugs and category

    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "bench.wsgi:application", "--bind", f"127.0.0.1:{args.port}"),
            *("--workers", str(args.workers), "--log-level", "warning", "--backlog", "4096"),
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_for_port(args.port)
        settle(args.port)  # the workers load Django and jieba after the port opens
        workers = _children(server.pid)
        # The workers' database connections open with their first query: found when the counting starts.
        found: dict[str, list[int]] = {}

        def sample() -> tuple[Any, ...]:
            if not found:
                found["postgres"] = _pids("postgres:.*" + env["DATABASE_URL"].rsplit("/", 1)[1])
                found["redis"] = _pids("redis-server")
            return _sample(workers, found["postgres"], found["redis"])

        result = asyncio.run(_simulate(args, slugs, category, sample))
        before, after = result["cpu"]
        rss = [_rss_mb(pid) for pid in workers]
    finally:
        server.terminate()
        server.wait(timeout=30)

    wall = result["window"]
    lat = sorted(result["latencies"])
    answered = len(lat)
    asked = args.screens / POLL_S
    cores = [_used(before[i], after[i]) / wall for i in range(3)] + [(after[3] - before[3]) / wall]
    behind = sorted(result["behind"])
    print(f"\n{args.screens} screens over {len(slugs)} buildings, polling every {POLL_S} s for {wall:.0f} s;")
    print(f"a submission every {args.change_every} s ({result['changes']} sent); gunicorn {args.workers} sync workers")
    print(f"switch-on           every screen had its first feed after {result['herd']:.1f} s (none had an ETag)")
    print(f"polls answered      {answered / wall:8.0f} /s   (asked: about {asked:.0f} /s)")
    print(f"answers             {dict(sorted(result['statuses'].items()))}, connection errors {result['errors']}")
    if lat:
        print(
            f"latency             p50 {statistics.median(lat) * 1000:.1f} ms   "
            f"p99 {lat[int(0.99 * (answered - 1))] * 1000:.1f} ms   max {lat[-1] * 1000:.1f} ms"
        )
    if behind:
        print(
            f"change to screen    p50 {statistics.median(behind):.1f} s   max {behind[-1]:.1f} s "
            f"(from the submission's answer to a screen of that building polling the new feed)"
        )
    print(
        f"CPU, cores          gunicorn workers {cores[0]:.2f} of {args.workers}   PostgreSQL {cores[1]:.2f}   "
        f"Redis {cores[2]:.2f}   this client {cores[3]:.2f}"
    )
    print(f"per answered poll   {cores[0] * wall / max(answered, 1) * 1000:.2f} ms of a worker's CPU")
    # A long poll or an event stream holds its worker (sync) or a thread (gthread) for as long as the screen
    # is connected: with sync workers that is one worker of this size per screen.
    print(f"worker memory       {statistics.mean(rss):.0f} MB resident each (of {args.workers})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

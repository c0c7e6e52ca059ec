"""What every benchmark shares: a free gunicorn port to wait for and a bounded keep-alive load loop."""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not start on port {port}")


def hammer(
    port: int, path: str, total: int, threads: int, headers: dict[str, str] | None = None, expect: int = 200
) -> list[float]:
    """Sends `total` GETs of `path` over `threads` keep-alive connections; returns each latency in seconds.

    Loopback only, bounded in count. `expect=304` replays the ETag as a polling screen does.
    """
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        mine_headers = {"Accept": "application/json", **(headers or {})}
        for _ in range(total // threads):
            start = time.perf_counter()
            conn.request("GET", path, headers=mine_headers)
            response = conn.getresponse()
            response.read()
            if response.status == 200 and expect == 304:
                # The ETag also turns over once a minute (screen.REFRESH_EVERY): take the new one, as a screen does.
                mine_headers["If-None-Match"] = response.getheader("ETag") or ""
            elif response.status != expect:
                errors.append(f"{path} answered {response.status}")
                return
            mine.append(time.perf_counter() - start)
        conn.close()
        with lock:
            latencies.extend(mine)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    if errors:
        raise SystemExit(errors[0])
    return latencies


def bench_env(db_url: str) -> dict[str, str]:
    """The production-like environment gunicorn and the seeding run with: DEBUG off, one database.

    No REDIS_URL: the local-memory cache per worker, so the cached paths measure a cache read either way.
    """
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + "x" * 60,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "DJANGO_SETTINGS_MODULE": "lousihui.settings",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    return env


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"wrk latency {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def wrk(
    port: int,
    path: str,
    *,
    seconds: float,
    threads: int = 2,
    connections: int = 8,
    headers: dict[str, str] | None = None,
    body: str | None = None,
) -> dict[str, float]:
    """Runs `wrk -t2 -c8 --latency` against one URL (a POST when `body` is given).

    Returns requests per second, p50 and p99 in milliseconds, and the count of answers that were not
    2xx/3xx (a benchmark of errors is no benchmark: the caller refuses it).
    """
    args = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency"]
    for name, value in (headers or {}).items():
        args += ["-H", f"{name}: {value}"]
    script = None
    if body is not None:
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
            # A Lua long string holds the UTF-8 body as it is: json.dumps would write \uXXXX escapes, which
            # Lua refuses, and wrk then ran without the script — GETs, not the POST this row names.
            level = "=" * next(n for n in range(1, 10) if f"]{'=' * n}]" not in body)
            lua.write(f'wrk.method = "POST"\nwrk.body = [{level}[{body}]{level}]\n')
            lua.write('wrk.headers["Content-Type"] = "application/json"\n')
        script = lua.name
        args += ["-s", script]
    try:
        done = subprocess.run([*args, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True)
        if done.stderr.strip():  # a script wrk could not load: it would measure something else, silently
            raise SystemExit(f"wrk {path}: {done.stderr.strip()}")
        out = done.stdout
    finally:
        if script is not None:
            os.unlink(script)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": rps,
        "p50_ms": p50,
        "p99_ms": p99,
        "bad": float(bad.group(1)) if bad else 0.0,
        "socket_errors": float(sum(int(g) for g in errors.groups())) if errors else 0.0,
    }

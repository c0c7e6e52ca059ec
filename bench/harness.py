"""What every benchmark shares: a free gunicorn port to wait for and a bounded keep-alive load loop."""

from __future__ import annotations

import http.client
import os
import socket
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

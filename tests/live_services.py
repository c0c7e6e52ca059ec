"""Finds the real services for `make test` and prints shell `export` lines for them.

`make test` runs `eval "$(python -m tests.live_services)"` before pytest. For each service it
probes the default address (or the one already in the environment); when it answers, the
suite uses it; when it does not, the tests that need it skip with a visible reason (or
fail, with REQUIRE_SERVICES=1). A summary goes to stderr so it shows in the test log.
"""

from __future__ import annotations

import os
import shlex
import shutil
import socket
import sys
from urllib.parse import urlparse

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/lousihui"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
CHROMIUM = "/usr/bin/chromium"


def reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=1):
            return True
    except OSError:
        return False


def main() -> int:
    exports: dict[str, str] = {}
    summary: list[str] = []

    unset: list[str] = []
    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    is_postgres = database_url.startswith(("postgres://", "postgresql://"))
    if is_postgres and reachable(database_url, 5432):
        exports["DATABASE_URL"] = database_url
        summary.append(f"PostgreSQL: yes ({urlparse(database_url).hostname})")
    else:
        if is_postgres:
            unset.append("DATABASE_URL")  # an unreachable server: fall back to SQLite, as the summary says
        summary.append("PostgreSQL: NO - running on SQLite; PostgreSQL tests will skip")

    redis_url = os.environ.get("REDIS_URL", DEFAULT_REDIS_URL)
    if reachable(redis_url, 6379):
        exports["REDIS_URL"] = redis_url
        # Keys of the test run stay apart from anything else in that Redis database.
        exports["CACHE_KEY_PREFIX"] = f"lousihui-test-{os.getpid()}"
        summary.append("Redis: yes")
    else:
        unset.append("REDIS_URL")  # without it the settings use the local-memory cache and eager Celery
        summary.append("Redis: NO - Redis and Celery-worker tests will skip")

    chromium = os.environ.get("CHROMIUM", CHROMIUM)
    summary.append("Chromium: yes" if shutil.which(chromium) else "Chromium: NO - browser tests will skip")

    for key in unset:
        print(f"unset {key}")
    for key, value in exports.items():
        print(f"export {key}={shlex.quote(value)}")
    print("services: " + "; ".join(summary), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

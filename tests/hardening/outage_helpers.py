"""What the outage tests own: a Redis server, a TCP proxy in front of PostgreSQL, gunicorn and Celery processes.

Each is a real process (or socket server) the test starts on a free port, breaks and brings back, so an
outage is the real thing: a killed `redis-server`, a cut TCP connection to PostgreSQL.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tests.hardening.s3_server import free_port
from tests.requests_tracker.notification_helpers import wait_until

ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = "/usr/bin/redis-server"


def require_redis_server() -> str:
    path = REDIS_SERVER if os.path.exists(REDIS_SERVER) else shutil.which("redis-server")
    if not path:
        reason = "needs the redis-server binary (apt-get install redis-server)"
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"REQUIRE_SERVICES=1 but this test {reason}", pytrace=False)
        pytest.skip(reason)
    return path


def wait_for(predicate: Callable[[], Any], timeout: float, what: str, every: float = 0.2) -> Any:
    try:
        return wait_until(predicate, timeout, every)
    except AssertionError:
        raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}") from None


def database_url(host: str | None = None, port: int | None = None) -> str:
    """The test database's URL, for the processes the test starts (optionally through a proxy)."""
    db = settings.DATABASES["default"]
    password = db["PASSWORD"] or ""
    host = host or db["HOST"] or "127.0.0.1"
    port = port or int(db["PORT"] or 5432)
    return f"postgres://{db['USER']}:{password}@{host}:{port}/{db['NAME']}"


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class RedisServer:
    """A throwaway redis-server on a free port, no persistence: a restart comes back empty, as after a crash."""

    def __init__(self, workdir: Path) -> None:
        self.binary = require_redis_server()
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.workdir,
            stdout=(self.workdir / "redis.log").open("ab"),
            stderr=subprocess.STDOUT,
        )
        wait_for(lambda: _accepts(self.port), 20, "redis-server to listen")

    def kill(self) -> None:
        """A crash: SIGKILL, nothing flushed, every client's connection reset."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None
        wait_for(lambda: not _accepts(self.port), 10, "redis-server to go away")


class TcpProxy:
    """A TCP proxy the test owns, between the app and PostgreSQL: `cut()` resets every connection and
    refuses new ones (a server restarting), `restore()` lets them through again."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._open = threading.Event()
        self._open.set()
        self._stopped = False
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", self.port))
        self._listener.listen(64)
        self._listener.settimeout(0.2)
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stopped:
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if not self._open.is_set():
                self._reset(client)  # the database is "down": connection refused, at once
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                self._reset(client)
                continue
            upstream.settimeout(None)
            with self._lock:
                self._sockets.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                self._close(s)

    @staticmethod
    def _reset(s: socket.socket) -> None:
        with contextlib.suppress(OSError):
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.close()

    def _close(self, s: socket.socket) -> None:
        with self._lock:
            self._sockets.discard(s)
        with contextlib.suppress(OSError):
            s.shutdown(socket.SHUT_RDWR)
        s.close()

    def cut(self) -> None:
        self._open.clear()
        with self._lock:
            sockets = list(self._sockets)
            self._sockets.clear()
        for s in sockets:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            self._reset(s)

    def restore(self) -> None:
        self._open.set()

    def close(self) -> None:
        self._stopped = True
        self.cut()
        self._listener.close()
        self._thread.join(timeout=5)


class Process:
    """A subprocess of the app (gunicorn, a Celery worker or beat) with its log in a file."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log: Path) -> None:
        self.name = name
        self.log = log
        self.process = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
        )

    def tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:]

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def app_env(**extra: str) -> dict[str, str]:
    """The environment of the app processes: the test database, the test's key prefix, DEBUG (the test tree
    has no collected static files; nothing under test depends on it)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lousihui.settings",
        "DEBUG": "1",
        "DATABASE_URL": database_url(),
        "CACHE_KEY_PREFIX": str(settings.CACHES["default"].get("KEY_PREFIX", "lousihui")),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "PYTHONUNBUFFERED": "1",
    }
    env.update(extra)
    return env


def gunicorn(env: dict[str, str], log: Path, *, workers: int = 1) -> tuple[Process, str]:
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "lousihui.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--timeout",
        "60",
        "--access-logfile",
        "-",
    ]
    return Process("gunicorn", argv, env, log), f"http://127.0.0.1:{port}"


def wait_ready(process: Process, url: str, timeout: float = 90) -> None:
    import requests

    def answers() -> bool:
        if not process.alive():
            raise RuntimeError(f"{process.name} exited:\n{process.tail()}")
        try:
            return requests.get(url + "/healthz/", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    wait_for(answers, timeout, f"{process.name} to answer")


def celery(kind: str, env: dict[str, str], log: Path, *extra: str, app: str = "lousihui") -> Process:
    argv = [sys.executable, "-m", "celery", "-A", app, kind, "--loglevel", "info", *extra]
    return Process(f"celery {kind}", argv, env, log)

"""Real parts for the notification tests: a Celery worker subprocess, a webhook receiver, a mail drop."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from django.db import connection

from lousihui.celery import app

ROOT = Path(__file__).resolve().parents[2]


def wait_until(predicate: Callable[[], Any], timeout: float = 30.0, interval: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"not true within {timeout} s: {predicate}")


def test_database_url() -> str:
    """The URL of pytest-django's test database (test_<name>), for a worker in another process."""
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def worker_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    maildir = tmp_path / "mail"
    maildir.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "EMAIL_URL": f"filemail:///{maildir}",
        # Short enough for a test to see a dead worker's claim expire and a backoff play out.
        "NOTIFICATION_CLAIM_LEASE_SECONDS": "3",
        "NOTIFICATION_RETRY_BASE_SECONDS": "0.3",
        "NOTIFICATION_SWEEP_GRACE_SECONDS": "0",
        "NOTIFICATION_SWEEP_EVERY_SECONDS": "1",
        "CONN_MAX_AGE": "0",
        "LOG_LEVEL": "WARNING",
    }
    env.update(extra)
    return env


@dataclass
class Worker:
    process: subprocess.Popen
    log: Path

    def kill(self) -> None:
        """kill -9 the whole worker (main process and pool children) mid-whatever it is doing."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@contextmanager
def celery_worker(
    env: dict[str, str], name: str, *, pool: str = "solo", concurrency: int = 1, beat: bool = False
) -> Iterator[Worker]:
    """A real `celery worker` on our Redis, pointed at the test database; answers a ping before yielding."""
    log = Path(env["EMAIL_URL"].removeprefix("filemail:///")).parent / f"{name}.log"
    args = [sys.executable, "-m", "celery", "-A", "lousihui", "worker", "-n", f"{name}@%h", "-l", "warning"]
    args += ["--pool", pool, "--concurrency", str(concurrency), "--without-gossip", "--without-mingle"]
    if beat:
        args += ["--beat", "--schedule", str(log.with_suffix(".beat"))]
    with log.open("w") as out:
        process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    worker = Worker(process, log)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, f"worker exited:\n{worker.output()}"
            replies = app.control.ping(timeout=0.5) or []
            if any(node.startswith(f"{name}@") for reply in replies for node in reply):
                break
            assert time.monotonic() < deadline, f"worker did not answer:\n{worker.output()}"
        yield worker
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


@contextmanager
def broker_at(url: str) -> Iterator[None]:
    """Points this process's Celery app at another broker (e.g. a closed port) and back."""
    old = app.conf.broker_url

    def reset() -> None:
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.broker_url = url
    reset()
    try:
        yield
    finally:
        app.conf.broker_url = old
        reset()


def delivered_mail(maildir: Path) -> Counter[int]:
    """How many times each notification id arrived in the file-based mail drop."""
    counts: Counter[int] = Counter()
    for path in maildir.glob("*.log"):
        for match in re.finditer(r"^X-Lousihui-Notification: (\d+)$", path.read_text(), re.MULTILINE):
            counts[int(match.group(1))] += 1
    return counts


@dataclass
class Hit:
    key: str
    status: int
    body: dict[str, Any]
    at: float


@dataclass
class Receiver:
    """A group-robot stand-in on 127.0.0.1: answers from `script` (then 200), records every request.

    With hold_first, the first request is held unanswered until release(), then dropped unaccepted:
    the sender died before the robot took the message.
    """

    script: list[int] = field(default_factory=list)
    hold_first: bool = False
    hits: list[Hit] = field(default_factory=list)
    held: threading.Event = field(default_factory=threading.Event)
    _release: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                with receiver._lock:
                    hold = receiver.hold_first and not receiver.held.is_set()
                    if hold:
                        receiver.held.set()
                if hold:
                    receiver._release.wait(60)
                    self.close_connection = True
                    return
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with receiver._lock:
                    status = receiver.script.pop(0) if receiver.script else 200
                    receiver.hits.append(Hit(self.headers.get("Idempotency-Key", ""), status, body, time.monotonic()))
                reply = {"errcode": 0, "errmsg": "ok"} if status == 200 else {"errcode": -1, "errmsg": "busy"}
                data = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/cgi-bin/webhook/send?key=test"

    def release(self) -> None:
        self._release.set()

    def accepted(self) -> Counter[str]:
        with self._lock:
            return Counter(h.key for h in self.hits if h.status == 200)

    def close(self) -> None:
        self._release.set()
        self.server.shutdown()
        self.server.server_close()

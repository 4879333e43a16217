"""Helpers for tests that drive the real server from outside: raw HTTP posts to /callback, a LINE API that
fails for a while, `yorisoi serve` as a subprocess, and counting what reached LINE. Built on
tests/fake_line.py; the `serve` fixture in tests/conftest.py starts `ServeProcess`es."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fake_line import REPLY_PATH, FakeLine, Fault, sign

YORISOI = str(Path(sys.executable).parent / "yorisoi")


@dataclass
class Answer:
    status: int
    text: str


def post_raw(url: str, body: bytes, headers: dict[str, str], timeout: float = 30.0) -> Answer:
    """POST exactly these bytes to `url`/callback (no client-side encoding or validation)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request("POST", "/callback", body=body, headers=headers)
        response = connection.getresponse()
        return Answer(response.status, response.read().decode("utf-8", "replace"))
    finally:
        connection.close()


def signed_headers(channel_secret: str, body: bytes) -> dict[str, str]:
    return {"Content-Type": "application/json", "X-Line-Signature": sign(channel_secret, body)}


class FlakyLine(FakeLine):
    """The fake LINE API, plus outages by time: every call to a path fails for a while.

    `fail_next` in fake_line.py counts calls; a real outage lasts a while however often we call. The window
    opens at the first call to the path after `outage`/`slow`, so a slow machine cannot let it pass unused.
    """

    def __init__(self, access_token: str | None = None) -> None:
        super().__init__(access_token)
        self._windows: list[list[Any]] = []  # [path, seconds, fault, opened_at or None]

    def outage(self, path: str, seconds: float, status: int = 500, retry_after: int | None = None) -> None:
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
        self._windows.append([path, seconds, Fault(path, 1, status=status, headers=headers), None])

    def slow(self, path: str, seconds: float, delay: float) -> None:
        """For `seconds`, calls are carried out but answered only after `delay` (past the timeout)."""
        self._windows.append([path, seconds, Fault(path, 1, status=0, delay=delay), None])

    def _take_fault(self, path: str) -> Fault | None:
        now = time.monotonic()
        with self._changed:
            for window in self._windows:
                if window[0] != path:
                    continue
                if window[3] is None:
                    window[3] = now
                if now < window[3] + window[1]:
                    return window[2]
        return super()._take_fault(path)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServeProcess:
    """One `yorisoi serve` on a free loopback port: granian's master, its web process and the answer worker,
    in one process group."""

    def __init__(self, env: dict[str, str], log_path: Path, extra_args: Sequence[str] = ()) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log_path.open("ab")
        self.process = subprocess.Popen(
            [
                YORISOI,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--threads",
                "4",
                *extra_args,
            ],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_healthy(self, timeout: float = 600.0) -> dict[str, Any]:
        """/healthz once it answers and, where answers come from worker processes, one of them is alive."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "yorisoi serve exited during startup"
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=5) as response:
                    health = json.loads(response.read())
                if health.get("workers", 1) >= 1:
                    return health
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        raise AssertionError("yorisoi serve never became healthy")

    def pids(self) -> list[int]:
        """The master, its web processes and the answer worker (one process group)."""
        pgid = os.getpgid(self.process.pid)
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if os.getpgid(int(entry.name)) == pgid:
                        found.append(int(entry.name))
                except ProcessLookupError:
                    continue
        return found

    def kill(self) -> None:
        """kill -9 the whole process group: no shutdown hook, nothing flushed."""
        if self.process.poll() is None:
            os.killpg(os.getpgid(self.process.pid), signal.SIGKILL)
        self.process.wait(30)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(os.getpgid(self.process.pid), signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


def event_statuses(data_dir: Path) -> dict[str, str]:
    """webhook_event_id → status, read from the database file over a separate read-only connection."""
    with sqlite3.connect(f"file:{data_dir / 'yorisoi.db'}?mode=ro", uri=True, timeout=10) as db:
        return dict(db.execute("SELECT webhook_event_id, status FROM bot_events"))


def answers_per_user(fake_line: FakeLine, token_owner: dict[str, str]) -> Counter:
    """How many answers (replies by token, pushes by user id) reached the fake LINE API for each user."""
    counts: Counter = Counter()
    for call in fake_line.delivered():
        if call.path == REPLY_PATH:
            counts[token_owner[call.body["replyToken"]]] += 1
        else:
            counts[call.body["to"]] += 1
    return counts

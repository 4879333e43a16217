"""The benchmarks' shared burst (tools/loopback.py `send_burst`): every body posted once from concurrent
senders, each acknowledgement timed and counted by status, paced when asked."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from tools.loopback import HOST, send_burst


class Callback(BaseHTTPRequestHandler):
    seen: ClassVar[list[bytes]] = []
    lock = threading.Lock()

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with self.lock:
            self.seen.append(body)
        self.send_response(200 if self.path == "/callback" else 404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    Callback.seen = []
    httpd = ThreadingHTTPServer((HOST, 0), Callback)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def test_a_burst_posts_every_body_once_and_counts_the_statuses(server: ThreadingHTTPServer) -> None:
    bodies = [(f"event {n}".encode(), {"Content-Type": "text/plain"}) for n in range(40)]
    burst = send_burst(server.server_address[1], bodies, senders=4)
    assert burst.statuses == {200: 40} and len(burst.latencies) == 40
    assert sorted(Callback.seen) == sorted(body for body, _ in bodies)
    assert burst.seconds > 0 and burst.started > 0


def test_a_paced_burst_spreads_its_bodies_over_time(server: ThreadingHTTPServer) -> None:
    bodies = [(b"x", {"Content-Type": "text/plain"})] * 5
    burst = send_burst(server.server_address[1], bodies, senders=2, rate=20.0)
    assert burst.statuses == {200: 5}
    assert burst.seconds >= 4 / 20.0  # the last body waits for its turn: never sent early

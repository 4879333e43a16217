"""What `python -m tools.bench_bot`, `tools.bench_workers` and `tools.loadtest` share to drive `yorisoi serve`
on 127.0.0.1: the server process with throwaway secrets, the questions residents send, a keep-alive webhook
sender and a burst of concurrent ones, the wait for /healthz, percentiles."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

HOST = "127.0.0.1"
# Throwaway secrets: the server, the fake LINE API and the event signer of one run share them.
CHANNEL_SECRET = "loopback-channel-secret"
ACCESS_TOKEN = "loopback-access-token"
SECRET_KEY = "loopback-secret-key-" + "0" * 32
QUESTIONS = [
    "児童扶養手当はいくらもらえますか",
    "ひとり親家庭の医療費助成について教えてください",
    "母子父子寡婦福祉資金の貸付を受けたい",
    "高等職業訓練促進給付金の条件は",
    "養育費の相談はどこでできますか",
    "保育園の優先入所はありますか",
    "公営住宅に申し込みたいです",
    "就職のための講座の費用を助けてもらえますか",
]


def percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def milliseconds(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class WebhookSender:
    """One keep-alive connection to /callback; a broken connection is reopened for the next event."""

    def __init__(self, port: int) -> None:
        self._port = port
        self._connection = http.client.HTTPConnection(HOST, port, timeout=30)

    def post(self, body: bytes, headers: dict[str, str]) -> int:
        """The HTTP status, or 0 when the connection failed."""
        try:
            self._connection.request("POST", "/callback", body=body, headers=headers)
            response = self._connection.getresponse()
            response.read()
            return response.status
        except (http.client.HTTPException, OSError):
            self._connection.close()
            self._connection = http.client.HTTPConnection(HOST, self._port, timeout=30)
            return 0

    def close(self) -> None:
        self._connection.close()


@dataclass
class Burst:
    """What a burst saw: each acknowledgement's latency (s), the count per HTTP status, when it began
    (`time.perf_counter()`) and how long it took."""

    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    started: float = 0.0
    seconds: float = 0.0


def send_burst(
    port: int,
    bodies: Sequence[tuple[bytes, dict[str, str]]],
    senders: int,
    seconds: float | None = None,
    rate: float = 0.0,
) -> Burst:
    """Post the signed `bodies` from `senders` concurrent keep-alive connections, each body once, in order:
    flat out, or paced at `rate` events/s; stops early after `seconds` when given."""
    burst = Burst()
    lock = threading.Lock()
    cursor = iter(range(len(bodies)))
    deadline = time.monotonic() + seconds if seconds else None

    def send_all() -> None:
        sender = WebhookSender(port)
        while deadline is None or time.monotonic() < deadline:
            with lock:
                n = next(cursor, None)
            if n is None:
                break
            if rate:
                time.sleep(max(0.0, burst.started + n / rate - time.perf_counter()))
            body, headers = bodies[n]
            started = time.perf_counter()
            status = sender.post(body, headers)
            elapsed = time.perf_counter() - started
            with lock:
                burst.latencies.append(elapsed)
                burst.statuses[status] = burst.statuses.get(status, 0) + 1
        sender.close()

    threads = [threading.Thread(target=send_all) for _ in range(senders)]
    burst.started = time.perf_counter()  # send_all reads it for pacing; threads start below
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    burst.seconds = time.perf_counter() - burst.started
    return burst


def serve_env(data_dir: Path, line_api_base_url: str, database_url: str = "") -> dict[str, str]:
    """The environment of a production-mode `yorisoi` process on the bench's data (and database)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LINE_", "YORISOI_"))}
    env.update(
        YORISOI_DATA_DIR=str(data_dir),
        LINE_CHANNEL_SECRET=CHANNEL_SECRET,
        LINE_CHANNEL_ACCESS_TOKEN=ACCESS_TOKEN,
        LINE_API_BASE_URL=line_api_base_url,
        YORISOI_SECRET_KEY=SECRET_KEY,
    )
    if database_url:
        env["YORISOI_DATABASE_URL"] = database_url
    if os.environ.get("YORISOI_EMBEDDER"):
        env["YORISOI_EMBEDDER"] = os.environ["YORISOI_EMBEDDER"]
    return env


def start_serve(
    data_dir: Path,
    line_api_base_url: str,
    port: int,
    threads: int,
    log: IO[bytes] | int = subprocess.DEVNULL,
    extra_args: Sequence[str] = (),
    database_url: str = "",
) -> subprocess.Popen:
    """`yorisoi serve` in production mode on HOST:port, in its own process group (see `stop_serve`)."""
    env = serve_env(data_dir, line_api_base_url, database_url)
    return subprocess.Popen(
        [
            str(Path(sys.executable).parent / "yorisoi"),
            *("serve", "--host", HOST, "--port", str(port), "--threads", str(threads), *extra_args),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop_serve(server: subprocess.Popen) -> None:
    """SIGTERM to `yorisoi serve`'s process group; SIGKILL when it does not stop within 30 s."""
    if server.poll() is not None:
        return
    os.killpg(os.getpgid(server.pid), signal.SIGTERM)
    try:
        server.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(os.getpgid(server.pid), signal.SIGKILL)
        server.wait(30)


def wait_until_healthy(url: str, process: subprocess.Popen, timeout: float) -> None:
    """Block until `yorisoi serve` answers /healthz 200; exit if it dies or stays unhealthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("yorisoi serve exited during startup; see its log above")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.25)
    raise SystemExit("yorisoi serve did not become healthy in time")

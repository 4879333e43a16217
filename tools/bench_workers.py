"""Webhook acknowledgement during a burst with the answer worker in the web process or in its own processes.

Not shipped (tools/). Each configuration runs the real `yorisoi serve` on loopback with a copy of the built
index against the fake LINE API (tests/fake_line.py):

- `in-process`: `serve --in-process` (the older one-process form: answers share the web process's GIL);
- `process`: `serve` (web process + one supervised `yorisoi worker` process), on SQLite, and on PostgreSQL
  when `--postgres` (a throwaway cluster from tests/postgres.py);
- `workers=N`: `serve --no-worker` + N `yorisoi worker` processes, for the answers/s curve.

For each: `--events` question events from 200 chats posted by `--senders` keep-alive connections (one event
per body, as LINE sends a chat's events), acknowledged events/s and webhook p50/p99, then answers/s over the
burst and the following `--window` seconds. Writes bench-results/workers-bench.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from tools.loopback import (
    ACCESS_TOKEN,
    CHANNEL_SECRET,
    QUESTIONS,
    WebhookSender,
    free_port,
    milliseconds,
    percentile,
    send_burst,
    serve_env,
    start_serve,
    stop_serve,
)

REPO = Path(__file__).resolve().parents[1]


def _health(url: str) -> dict[str, Any]:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=5) as response:
            return json.loads(response.read())
    except OSError:
        return {}


def _wait_ready(url: str, expect_workers: int, timeout: float = 600.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        health = _health(url)
        if health.get("status") == "ok" and health.get("workers", expect_workers) >= expect_workers:
            return
        time.sleep(0.5)
    raise SystemExit(f"{url} did not become ready with {expect_workers} workers")


def run_one(
    name: str,
    serve_args: list[str],
    workers: int,
    events: int,
    senders: int,
    window: float,
    index: Path,
    database_url: str = "",
) -> dict[str, Any]:
    from tests.fake_line import FakeLine, LineEvents

    fake = FakeLine(access_token=ACCESS_TOKEN).start()
    workdir = Path(tempfile.mkdtemp(prefix="yorisoi-bench-workers-"))
    shutil.copytree(index, workdir / "index")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (workdir / "serve.log").open("ab")
    server = start_serve(workdir, fake.base_url, port, 16, log, serve_args, database_url)
    extra: list[subprocess.Popen] = []
    env = serve_env(workdir, fake.base_url, database_url)
    for _ in range(workers):
        extra.append(
            subprocess.Popen(
                [str(Path(sys.executable).parent / "yorisoi"), "worker"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
    try:
        expect = workers or (1 if "--in-process" not in serve_args else 0)
        _wait_ready(url, expect)
        # The workers load their conversation after they register: a warm-up question answered means ready.
        builder = LineEvents(CHANNEL_SECRET)
        warm = WebhookSender(port)
        for n in range(max(1, expect)):
            body, headers = builder.signed(builder.text(QUESTIONS[0], source=builder.source(f"W{n:032x}")))
            warm.post(body, headers)
        fake.wait_for(lambda f: len(f.delivered()) >= max(1, expect), timeout=600)
        warmed = len(fake.delivered())

        chats = [builder.source(f"U{n:032x}") for n in range(200)]
        texts = [builder.text(QUESTIONS[n % len(QUESTIONS)], source=chats[n % 200]) for n in range(events)]
        bodies = [builder.signed(event) for event in texts]
        sent = send_burst(port, bodies, senders)
        latencies, statuses, started, burst = sent.latencies, sent.statuses, sent.started, sent.seconds
        answered_in_burst = len(fake.delivered()) - warmed
        time.sleep(window)
        total = time.perf_counter() - started
        answered = len(fake.delivered()) - warmed
        acknowledged = statuses.get(200, 0)
        return {
            "config": name,
            "backend": "postgresql" if database_url else "sqlite",
            "worker_processes": workers or (0 if "--in-process" in serve_args else 1),
            "events": events,
            "senders": senders,
            "connections": senders,
            "acknowledged": acknowledged,
            "statuses": statuses,
            "burst_seconds": round(burst, 2),
            "acknowledged_per_second": round(acknowledged / burst, 1),
            "webhook_ms": {
                "p50": milliseconds(percentile(latencies, 0.50)),
                "p99": milliseconds(percentile(latencies, 0.99)),
            },
            "answers_per_second_during_burst": round(answered_in_burst / burst, 1),
            "answers_per_second": round(answered / total, 1),
            "load_average": [round(value, 2) for value in os.getloadavg()],
        }
    finally:
        for process in extra:
            if process.poll() is None:
                process.terminate()
        stop_serve(server)
        for process in extra:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()
        fake.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--senders", type=int, default=16, help="keep-alive connections posting at once")
    parser.add_argument("--window", type=float, default=20.0, help="seconds after the burst for answers/s")
    parser.add_argument("--postgres", action="store_true", help="also on a throwaway PostgreSQL cluster")
    parser.add_argument("--curve", default="1,2,4", help="worker process counts for the answers/s curve")
    parser.add_argument("--only", default="", help="comma-separated config names to run")
    parser.add_argument("--out", type=Path, default=REPO / "bench-results" / "workers-bench.json")
    args = parser.parse_args()
    index = Path(os.environ.get("YORISOI_DATA_DIR", REPO / ".data")) / "index"
    if not index.is_dir():
        raise SystemExit(f"no index at {index}: run `yorisoi index` first")
    configs: list[tuple[str, list[str], int, bool]] = [
        ("in-process", ["--in-process"], 0, False),
        ("process", [], 0, False),
    ]
    if args.postgres:
        configs.append(("process-pg", [], 0, True))
    configs += [(f"workers={n}", ["--no-worker"], int(n), False) for n in args.curve.split(",") if n]
    wanted = set(filter(None, args.only.split(",")))
    cluster = None
    results = []
    try:
        for name, serve_args, workers, on_pg in configs:
            if wanted and name not in wanted:
                continue
            url = ""
            if on_pg:
                sys.path.insert(0, str(REPO / "tests"))
                from postgres import PostgresCluster

                cluster = cluster or PostgresCluster()
                url = cluster.create_database()
            result = run_one(name, serve_args, workers, args.events, args.senders, args.window, index, url)
            results.append(result)
            print(json.dumps(result, ensure_ascii=False), flush=True)
    finally:
        if cluster is not None:
            cluster.stop()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps({"machine": platform.platform(), "cpus": os.cpu_count(), "results": results}, indent=2)
    )


if __name__ == "__main__":
    main()

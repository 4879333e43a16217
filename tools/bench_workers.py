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

The burst is posted by `wrk` (Debian's `wrk`, installed by `make bench`): one C thread holding the keep-alive
connections, each body signed beforehand and posted once. Python senders (`--client python`) spend as much CPU
per request as the server they measure, on the same two cores; their figures are kept for comparison.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import shutil
import signal
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


def _web_cpu_seconds(server_pid: int) -> float:
    """CPU seconds used so far by `yorisoi serve`'s web processes (granian's master and its web processes,
    not the answer worker): CPU per acknowledged event does not depend on what else the machine runs."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            command = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        parent = int(fields[1])
        if (int(proc.name) == server_pid or parent == server_pid) and b"worker" not in command:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def _send_share(
    port: int, bodies: list[tuple[bytes, dict[str, str]]], connections: int, go: Any, results: Any
) -> None:
    """One sender process: `connections` keep-alive connections posting its share of the bodies once `go`
    is set; puts (latencies, statuses, first start, last end) on `results`."""
    go.wait()
    started = time.time()
    sent = send_burst(port, bodies, connections)
    results.put((sent.latencies, sent.statuses, started, time.time()))


def _burst(
    port: int, bodies: list[tuple[bytes, dict[str, str]]], senders: int, processes: int
) -> tuple[list[float], dict[int, int], float]:
    """Post every body over `senders` connections spread over `processes` sender processes (a client's
    own GIL would otherwise add its waits to the measured latency); latencies, statuses, burst seconds."""
    context = multiprocessing.get_context("spawn")
    go, results = context.Event(), context.Queue()
    shares = [bodies[n::processes] for n in range(processes)]
    connections = [senders // processes + (n < senders % processes) for n in range(processes)]
    children = [
        context.Process(target=_send_share, args=(port, share, max(1, count), go, results))
        for share, count in zip(shares, connections, strict=True)
    ]
    for child in children:
        child.start()
    go.set()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    spans = []
    for _ in children:
        part, counts, first, last = results.get(timeout=1800)
        latencies += part
        spans.append((first, last))
        for status, count in counts.items():
            statuses[status] = statuses.get(status, 0) + count
    for child in children:
        child.join()
    return latencies, statuses, max(last for _, last in spans) - min(first for first, _ in spans)


# wrk's script: thread-local bodies read from files at start, each posted once; the summary as one JSON line.
WRK_SCRIPT = r"""
local requests, sent, answered, count = {}, 0, 0, 0
function init(args)
  local folder, total = args[1], tonumber(args[2])
  wrk.path_done = folder .. "/done"
  for n = 0, total - 1 do
    local file = io.open(folder .. "/" .. n .. ".body", "rb")
    local body = file:read("*a")
    file:close()
    file = io.open(folder .. "/" .. n .. ".sig", "rb")
    local signature = file:read("*a")
    file:close()
    requests[#requests + 1] = wrk.format("POST", "/callback",
      {["Content-Type"] = "application/json", ["X-Line-Signature"] = signature}, body)
  end
  count = #requests
end
function request()
  sent = sent % count + 1
  return requests[sent]
end
function response(status, headers, body)
  answered = answered + 1
  if answered == count then
    io.open(wrk.path_done, "w"):close()
    wrk.thread:stop()
  end
end
function done(summary, latency, requests)
  io.write(string.format('{"requests": %d, "not_ok": %d, "p50": %d, "p99": %d}\n',
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout, latency:percentile(50), latency:percentile(99)))
end
"""


def _wrk_burst(port: int, bodies: list[tuple[bytes, dict[str, str]]], senders: int, folder: Path) -> dict:
    """Post every body once over `senders` keep-alive connections from one wrk thread; its summary with the
    burst's seconds. wrk stops sending after as many responses as bodies but runs out its duration, so the
    script marks the last response with a file and wrk is interrupted then (it prints its summary on
    SIGINT). wrk counts a non-2xx answer as an error: `not_ok`."""
    folder.mkdir()
    for n, (body, headers) in enumerate(bodies):
        (folder / f"{n}.body").write_bytes(body)
        (folder / f"{n}.sig").write_text(headers["X-Line-Signature"])
    script = folder / "burst.lua"
    script.write_text(WRK_SCRIPT)
    command = ["wrk", "-t1", f"-c{senders}", "-d600s", "-s", str(script), f"http://127.0.0.1:{port}"]
    started = time.perf_counter()
    process = subprocess.Popen(
        [*command, "--", str(folder), str(len(bodies))], stdout=subprocess.PIPE, text=True
    )
    deadline = started + 900
    while not (folder / "done").exists() and process.poll() is None and time.perf_counter() < deadline:
        time.sleep(0.005)
    seconds = time.perf_counter() - started
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=60)
    return {**json.loads(output.strip().splitlines()[-1]), "seconds": seconds}


def run_one(
    name: str,
    serve_args: list[str],
    workers: int,
    events: int,
    senders: int,
    window: float,
    index: Path,
    database_url: str = "",
    sender_processes: int = 4,
    client: str = "wrk",
    server_threads: int = 4,
) -> dict[str, Any]:
    from tests.fake_line import FakeLine, LineEvents

    fake = FakeLine(access_token=ACCESS_TOKEN).start()
    workdir = Path(tempfile.mkdtemp(prefix="yorisoi-bench-workers-"))
    shutil.copytree(index, workdir / "index")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (workdir / "serve.log").open("ab")
    server = start_serve(workdir, fake.base_url, port, server_threads, log, serve_args, database_url)
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
        cpu_before = _web_cpu_seconds(server.pid)
        if client == "wrk":
            posted = _wrk_burst(port, bodies, senders, workdir / "bodies")
            burst = posted["seconds"]
            acknowledged = posted["requests"] - posted["not_ok"]
            statuses = {200: acknowledged, "other": posted["not_ok"]}
            p50, p99 = round(posted["p50"] / 1000, 1), round(posted["p99"] / 1000, 1)
        else:
            latencies, statuses, burst = _burst(port, bodies, senders, sender_processes)
            acknowledged = statuses.get(200, 0)
            p50, p99 = milliseconds(percentile(latencies, 0.50)), milliseconds(percentile(latencies, 0.99))
        web_cpu = _web_cpu_seconds(server.pid) - cpu_before
        answered_in_burst = len(fake.delivered()) - warmed
        time.sleep(window)
        total = burst + window
        answered = len(fake.delivered()) - warmed
        return {
            "config": name,
            "backend": "postgresql" if database_url else "sqlite",
            "worker_processes": workers or (0 if "--in-process" in serve_args else 1),
            "events": events,
            "client": "wrk, 1 thread" if client == "wrk" else f"python, {sender_processes} processes",
            "connections": senders,
            "server_threads": server_threads,
            "acknowledged": acknowledged,
            "statuses": statuses,
            "burst_seconds": round(burst, 2),
            "acknowledged_per_second": round(acknowledged / burst, 1),
            "web_cpu_ms_per_event": round(web_cpu / max(1, acknowledged) * 1000, 2),
            "webhook_ms": {"p50": p50, "p99": p99},
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
    parser.add_argument("--client", choices=("wrk", "python"), default="wrk", help="who posts the burst")
    parser.add_argument("--sender-processes", type=int, default=4, help="python client processes")
    parser.add_argument("--server-threads", type=int, default=4, help="`yorisoi serve --threads`")
    parser.add_argument("--window", type=float, default=20.0, help="seconds after the burst for answers/s")
    parser.add_argument("--postgres", action="store_true", help="also on a throwaway PostgreSQL cluster")
    parser.add_argument("--curve", default="1,2,4", help="worker process counts for the answers/s curve")
    parser.add_argument("--only", default="", help="comma-separated config names to run")
    parser.add_argument("--out", type=Path, default=REPO / "bench-results" / "workers-bench.json")
    args = parser.parse_args()
    if args.client == "wrk" and shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: `make bench` installs it, or use --client python")
    index = Path(os.environ.get("YORISOI_DATA_DIR", REPO / ".data")) / "index"
    if not index.is_dir():
        raise SystemExit(f"no index at {index}: run `yorisoi index` first")
    configs: list[tuple[str, list[str], int, bool]] = [
        ("in-process", ["--in-process"], 0, False),
        ("process", [], 0, False),
        ("process-web2", ["--workers", "2"], 0, False),
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
            result = run_one(
                name,
                serve_args,
                workers,
                args.events,
                args.senders,
                args.window,
                index,
                url,
                args.sender_processes,
                args.client,
                args.server_threads,
            )
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

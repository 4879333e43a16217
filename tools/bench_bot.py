"""`python -m tools.bench_bot` (second half of `make bench`): webhook throughput and webhook-to-reply latency.

Runs the real server (`yorisoi serve`, granian) on loopback against the fake LINE API from tests/fake_line.py
(a development tool: it needs the repository checkout), with a copy of the built index. Two phases, both
bounded in count and time:

1. burst: concurrent senders post signed question events as fast as the server acknowledges them (or at
   `--burst-rate` events/s); we report acknowledged events per second and webhook latency percentiles, then
   how long the backlog took to answer.
2. paced: one question at a time at a gentle rate on an idle server; we report the time from POST to the
   reply arriving at the fake API (p50/p95), which is what a resident waits.
3. crisis behind a backlog: `--crisis-backlog` questions from many chats are queued (50 events to a
   webhook body, as LINE may batch them), then one crisis message (`--crisis-text`: one the webhook's rules
   miss is found by the triage after acceptance); we report the time from its POST to its reply arriving,
   how many backlog answers went out before it, and the load average (the figure depends on what else runs).

Prints a table and writes bench-results/bot-bench.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
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
    start_serve,
    stop_serve,
    wait_until_healthy,
)

REPO = Path(__file__).resolve().parents[1]
CRISIS_MESSAGE = "もう死にたい"
EVENTS_PER_BODY = 50  # LINE may put several events in one webhook body; posting them so queues fast


def _backlog(url: str) -> int:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=10) as response:
            return int(json.loads(response.read())["backlog"])
    except OSError:
        return -1


def _load() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def run(
    events: int,
    senders: int,
    seconds: float,
    burst_rate: float,
    paced: int,
    rate: float,
    crisis_backlog: int,
    source_index: Path,
    crisis_text: str = CRISIS_MESSAGE,
) -> dict[str, Any]:
    from tests.fake_line import REPLY_PATH, FakeLine, LineEvents

    fake = FakeLine(access_token=ACCESS_TOKEN).start()
    workdir = Path(tempfile.mkdtemp(prefix="yorisoi-bench-"))
    shutil.copytree(source_index, workdir / "index")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_serve(workdir, fake.base_url, port, threads=16)
    builder = LineEvents(CHANNEL_SECRET)
    try:
        wait_until_healthy(url, server, timeout=300)

        # ---- phase 1: burst ---------------------------------------------------------------------------
        bodies = []
        for n in range(events):
            event = builder.text(QUESTIONS[n % len(QUESTIONS)], source=builder.source(f"U{n % 200:032x}"))
            bodies.append(builder.signed(event))
        burst = send_burst(port, bodies, senders, seconds=seconds, rate=burst_rate)
        latencies, statuses, burst_seconds = burst.latencies, burst.statuses, burst.seconds
        acknowledged = statuses.get(200, 0)
        drain_started = time.perf_counter()
        fake.wait_for(lambda f: len(f.delivered()) >= acknowledged, timeout=max(60.0, acknowledged * 0.5))
        drain_seconds = time.perf_counter() - drain_started
        burst_delivered = len(fake.delivered())

        # ---- phase 2: paced, idle server ------------------------------------------------------------------
        sent_at: dict[str, float] = {}
        sender = WebhookSender(port)
        for n in range(paced):
            event = builder.text(QUESTIONS[n % len(QUESTIONS)], source=builder.source(f"U{1000 + n:032x}"))
            body, headers = builder.signed(event)
            sent_at[event["replyToken"]] = time.monotonic()
            sender.post(body, headers)
            time.sleep(1.0 / rate)
        fake.wait_for(lambda f: len(f.delivered()) >= burst_delivered + paced, timeout=120)
        to_reply = [
            call.at - sent_at[call.body["replyToken"]]
            for call in fake.calls(REPLY_PATH, status=200)
            if call.body["replyToken"] in sent_at
        ]

        # ---- phase 3: a crisis message behind a queued backlog ------------------------------------------
        before_backlog = len(fake.delivered())
        queued = [
            builder.text(QUESTIONS[n % len(QUESTIONS)], source=builder.source(f"U{2000 + n % 200:032x}"))
            for n in range(crisis_backlog)
        ]
        for start in range(0, len(queued), EVENTS_PER_BODY):
            body, headers = builder.signed(*queued[start : start + EVENTS_PER_BODY])
            sender.post(body, headers)
        backlog_at_crisis = _backlog(url)
        load_at_crisis = _load()
        crisis = builder.text(crisis_text, source=builder.source(f"U{9999:032x}"))
        body, headers = builder.signed(crisis)
        crisis_sent = time.monotonic()
        sender.post(body, headers)
        fake.wait_for(
            lambda f: any(
                call.body["replyToken"] == crisis["replyToken"] for call in f.calls(REPLY_PATH, 200)
            ),
            timeout=120,
        )
        crisis_reply = next(
            (call for call in fake.calls(REPLY_PATH, 200) if call.body["replyToken"] == crisis["replyToken"]),
            None,
        )
        answered_before = (
            sum(1 for call in fake.delivered() if call.at < crisis_reply.at) - before_backlog
            if crisis_reply
            else None
        )
        fake.wait_for(
            lambda f: len(f.delivered()) >= before_backlog + crisis_backlog + 1,
            timeout=max(60.0, crisis_backlog * 0.5),
        )
    finally:
        stop_serve(server)
        fake.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    return {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "burst": {
            "events_sent": len(latencies),
            "senders": senders,
            "target_rate_per_second": burst_rate or "unthrottled",
            "acknowledged": acknowledged,
            "statuses": {str(k): v for k, v in sorted(statuses.items())},
            "seconds": round(burst_seconds, 3),
            "acknowledged_per_second": round(acknowledged / burst_seconds, 1) if burst_seconds else 0.0,
            "webhook_ms_p50": milliseconds(percentile(latencies, 0.50)),
            "webhook_ms_p95": milliseconds(percentile(latencies, 0.95)),
            "webhook_ms_p99": milliseconds(percentile(latencies, 0.99)),
            "answered": burst_delivered,
            "backlog_answered_in_seconds": round(drain_seconds, 1),
        },
        "paced": {
            "events": paced,
            "rate_per_second": rate,
            "replies_measured": len(to_reply),
            "webhook_to_reply_ms_p50": round(statistics.median(to_reply) * 1000, 1) if to_reply else None,
            "webhook_to_reply_ms_p95": milliseconds(percentile(to_reply, 0.95)),
        },
        "crisis": {
            "text": crisis_text,
            "backlog_posted": crisis_backlog,
            "backlog_queued_at_crisis": backlog_at_crisis,
            "webhook_to_reply_ms": milliseconds(crisis_reply.at - crisis_sent) if crisis_reply else None,
            "backlog_answers_before_it": answered_before,
            "load_average_1_5_15": load_at_crisis,
        },
    }


def _print_table(result: dict[str, Any]) -> None:
    burst, paced, crisis = result["burst"], result["paced"], result["crisis"]
    rows = [
        ("events sent (burst)", burst["events_sent"]),
        ("concurrent senders", burst["senders"]),
        ("target rate (events/s)", burst["target_rate_per_second"]),
        ("acknowledged (200)", burst["acknowledged"]),
        ("acknowledged events/s", burst["acknowledged_per_second"]),
        (
            "webhook p50 / p95 / p99 ms",
            f"{burst['webhook_ms_p50']} / {burst['webhook_ms_p95']} / {burst['webhook_ms_p99']}",
        ),
        ("answered after burst", burst["answered"]),
        ("backlog answered in s", burst["backlog_answered_in_seconds"]),
        ("paced events (rate/s)", f"{paced['events']} ({paced['rate_per_second']})"),
        (
            "webhook→reply p50 / p95 ms",
            f"{paced['webhook_to_reply_ms_p50']} / {paced['webhook_to_reply_ms_p95']}",
        ),
        (
            "crisis: backlog posted / queued",
            f"{crisis['backlog_posted']} / {crisis['backlog_queued_at_crisis']}",
        ),
        ("crisis: webhook→reply ms", crisis["webhook_to_reply_ms"]),
        ("crisis: backlog answers before it", crisis["backlog_answers_before_it"]),
        ("load average (1/5/15 min)", " / ".join(str(value) for value in crisis["load_average_1_5_15"])),
    ]
    width = max(len(name) for name, _ in rows)
    print("bot bench (loopback, yorisoi serve + fake LINE API)")
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000, help="burst size (bounded)")
    parser.add_argument("--senders", type=int, default=16, help="concurrent senders in the burst")
    parser.add_argument("--seconds", type=float, default=30.0, help="burst time limit")
    parser.add_argument(
        "--burst-rate", type=float, default=0.0, help="pace the burst (events/s; 0 = flat out)"
    )
    parser.add_argument("--paced", type=int, default=30, help="paced questions for webhook-to-reply")
    parser.add_argument("--rate", type=float, default=4.0, help="paced questions per second")
    parser.add_argument(
        "--crisis-backlog", type=int, default=500, help="questions queued before the crisis message"
    )
    parser.add_argument(
        "--crisis-text",
        default=CRISIS_MESSAGE,
        help="the crisis message (one the webhook's rules miss shows the triage after acceptance)",
    )
    parser.add_argument("--out", type=Path, default=REPO / "bench-results" / "bot-bench.json")
    args = parser.parse_args()
    data_dir = Path(os.environ.get("YORISOI_DATA_DIR", REPO / ".data"))
    index = data_dir / "index"
    if not index.exists():
        raise SystemExit(f"no index at {index}; run `yorisoi index` (make index) first")
    result = run(
        args.events,
        args.senders,
        args.seconds,
        args.burst_rate,
        args.paced,
        args.rate,
        args.crisis_backlog,
        index,
        args.crisis_text,
    )
    _print_table(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"written {args.out}")


if __name__ == "__main__":
    main()

"""`python -m tools.loadtest` (`make loadtest`): rising webhook load on the real server, with a reply audit.

Runs `yorisoi serve` (granian, a subprocess, in a temporary data directory with a copy of the index) on
127.0.0.1, and the fake LINE API from tests/fake_line.py in a separate process, so the load generator, the
fake LINE and the server do not share one interpreter lock. Concurrent senders (threads, keep-alive
http.client connections) post pre-signed webhook bodies at rising paced rates, a mix of what residents do:
questions, the household check (menu postback, choice postbacks, free text), requests for a counselor and
crisis messages, follows and stickers. Each step is bounded in events and seconds; the whole load and drain
is bounded by --max-seconds (90 by default).

Afterwards every event is audited: an acknowledged (200) event must get exactly one reply or push at the fake
API, an event answered 5xx must get none (LINE would redeliver it). Prints a table, writes
bench-results/loadtest.json, and exits 1 if an answer was lost or duplicated.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import queue
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.loopback import (
    ACCESS_TOKEN,
    CHANNEL_SECRET,
    HOST,
    QUESTIONS,
    WebhookSender,
    free_port,
    milliseconds,
    percentile,
    start_serve,
    stop_serve,
    wait_until_healthy,
)

REPO = Path(__file__).resolve().parents[1]
REPLY_PATH, PUSH_PATH = "/v2/bot/message/reply", "/v2/bot/message/push"

# What one resident of each kind sends, in order, over and over. Every item gets an answer from the bot.
DIALOGUE = [
    ("postback", "menu:check"),
    ("postback", "dlg:set:parent:mother"),
    ("postback", "dlg:set:situation:single"),
    ("text", "子どもは5歳と8歳です"),
    ("postback", "menu:restart"),
]
ESCALATION = [
    ("text", "相談員と話したいです"),
    ("text", "よろしくお願いします"),
    ("text", "仕事のことも相談したい"),
]
CRISIS = [("text", "もう死にたい"), ("text", "助けてください")]
OTHER = [("follow", ""), ("sticker", ""), ("text", "こんにちは")]
# Share of residents by kind, out of ten.
MIX = ["question"] * 6 + ["dialogue"] * 2 + ["escalation", "other"]
CRISIS_EVERY = 25  # one resident in 25 of the "other" kind writes a crisis message instead


# ---- the fake LINE API, in its own process ---------------------------------------------------------------
def _run_fake_line(records: Any, ready: Any) -> None:
    """Child process: serve the fake Messaging API and report each reply/push as a compact record."""
    from tests.fake_line import FakeLine

    class ReportingLine(FakeLine):
        def _handle(self, method: str, path: str, headers: dict[str, str], raw: bytes) -> Any:
            status, payload, extra = super()._handle(method, path, headers, raw)
            bare = path.split("?")[0]
            if bare in (REPLY_PATH, PUSH_PATH):
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = {}
                retry_key = {k.lower(): v for k, v in headers.items()}.get("x-line-retry-key")
                target = body.get("replyToken") if bare == REPLY_PATH else body.get("to")
                records.put((bare, status, target, retry_key, time.monotonic()))
            return status, payload, extra

    fake = ReportingLine(access_token=ACCESS_TOKEN).start()
    ready.send(fake.base_url)
    signal.sigwait({signal.SIGTERM})


@dataclass
class SeenAtLine:
    """Replies and pushes as the fake API answered them, gathered from the child process."""

    replies: dict[str, list[tuple[int, float]]] = field(default_factory=dict)  # reply token → (status, at)
    pushes: list[tuple[int, str, str | None, float]] = field(default_factory=list)  # (status, to, key, at)
    count_ok: int = 0
    changed: threading.Condition = field(default_factory=threading.Condition)

    def collect(self, records: Any, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                path, status, target, retry_key, at = records.get(timeout=0.2)
            except queue.Empty:
                continue
            with self.changed:
                if path == REPLY_PATH:
                    self.replies.setdefault(target or "", []).append((status, at))
                else:
                    self.pushes.append((status, target or "", retry_key, at))
                if status == 200:
                    self.count_ok += 1
                self.changed.notify_all()


# ---- webhook events -------------------------------------------------------------------------------------
@dataclass
class Planned:
    """One webhook event to send, and what happened to it."""

    event_id: str
    user: str
    reply_token: str
    kind: str
    body: bytes
    headers: dict[str, str]
    step: int
    status: int = -1
    sent_at: float = 0.0
    latency: float = 0.0


def _plan(rates: list[int], step_seconds: float, max_step_events: int, users: int) -> list[list[Planned]]:
    from tests.fake_line import LineEvents

    builder = LineEvents(CHANNEL_SECRET)
    counters: Counter[int] = Counter()
    steps: list[list[Planned]] = []
    n = 0
    for step, rate in enumerate(rates):
        planned = []
        for _ in range(min(max_step_events, int(rate * step_seconds))):
            resident = n % users
            kind = MIX[resident % len(MIX)]
            if kind == "other" and resident % CRISIS_EVERY == CRISIS_EVERY - 1:
                kind = "crisis"
            turn = counters[resident]
            counters[resident] += 1
            user = f"U{resident:032x}"
            source = builder.source(user)
            if kind == "question":
                event = builder.text(QUESTIONS[(resident + turn) % len(QUESTIONS)], source=source)
            else:
                script = {"dialogue": DIALOGUE, "escalation": ESCALATION, "crisis": CRISIS, "other": OTHER}
                what, value = script[kind][turn % len(script[kind])]
                if what == "postback":
                    event = builder.postback(value, source=source)
                elif what == "follow":
                    event = builder.follow(source=source)
                elif what == "sticker":
                    event = builder.sticker(source=source)
                else:
                    event = builder.text(value, source=source)
            body, headers = builder.signed(event)
            planned.append(
                Planned(event["webhookEventId"], user, event["replyToken"], kind, body, headers, step)
            )
            n += 1
        steps.append(planned)
    return steps


def _run_step(events: list[Planned], rate: int, port: int, senders: int, limit: float) -> float:
    """Post `events` paced at `rate`/s from `senders` threads, for at most `limit` s; returns the duration."""
    lock = threading.Lock()
    cursor = iter(range(len(events)))
    started = time.monotonic()
    deadline = started + limit

    def send() -> None:
        sender = WebhookSender(port)
        while True:
            with lock:
                n = next(cursor, None)
            if n is None:
                break
            due = started + n / rate
            if due > deadline:
                break
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            event = events[n]
            event.sent_at = time.monotonic()
            event.status = sender.post(event.body, event.headers)
            event.latency = time.monotonic() - event.sent_at
        sender.close()

    threads = [threading.Thread(target=send, daemon=True) for _ in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(limit + 35)
    return time.monotonic() - started


# ---- the server ------------------------------------------------------------------------------------------
def _event_statuses(db_path: Path) -> dict[str, str]:
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=10) as db:
        return dict(db.execute("SELECT webhook_event_id, status FROM bot_events"))


def _find_or_build_index(workdir: Path) -> str:
    """Copy the index from YORISOI_DATA_DIR (or .data); build one in the temp dir when there is none."""
    source = Path(os.environ.get("YORISOI_DATA_DIR", REPO / ".data")) / "index"
    if source.exists():
        shutil.copytree(source, workdir / "index")
        return f"copied from {source}"
    print(f"no index at {source}; building one in {workdir} (once, not counted in the load time)")
    env = {**os.environ, "YORISOI_DATA_DIR": str(workdir)}
    subprocess.run([str(Path(sys.executable).parent / "yorisoi"), "index"], env=env, check=True)
    return "built for this run"


# ---- audit -----------------------------------------------------------------------------------------------
def _audit(steps: list[list[Planned]], seen: SeenAtLine, statuses: dict[str, str]) -> dict[str, Any]:
    """Exactly one answer per acknowledged event; none for an event answered 5xx.

    A reply is tied to its event by reply token. A push names only the resident, so pushes are counted per
    resident: replies + pushes for a resident must equal the resident's acknowledged events. An event whose
    POST failed without a status (connection error) may or may not have been stored, so it may get one answer.
    """
    events = [event for step in steps for event in step]
    acked = Counter(e.user for e in events if e.status == 200)
    maybe = Counter(e.user for e in events if e.status == 0)
    answered: Counter[str] = Counter()
    refused_but_answered = 0
    for event in events:
        ok_replies = sum(1 for status, _ in seen.replies.get(event.reply_token, []) if status == 200)
        if event.status not in (200, 0) and ok_replies:
            refused_but_answered += ok_replies
        answered[event.user] += ok_replies
    for status, to, _, _ in seen.pushes:
        if status == 200:
            answered[to] += 1
    keys = Counter(key for status, _, key, _ in seen.pushes if status == 200 and key)
    late = lost = duplicated = 0
    for user in set(acked) | set(answered):
        missing = acked[user] - answered[user]
        extra = answered[user] - acked[user] - maybe[user]
        if missing > 0:
            pending = sum(
                1
                for e in events
                if e.user == user and e.status == 200 and statuses.get(e.event_id) == "pending"
            )
            late += min(missing, pending)
            lost += max(0, missing - pending)
        if extra > 0:
            duplicated += extra
    return {
        "acknowledged": sum(acked.values()),
        "answers_at_line": sum(answered.values()),
        "pushes": sum(1 for status, *_ in seen.pushes if status == 200),
        "lost": lost,
        "duplicated": duplicated + refused_but_answered + sum(n - 1 for n in keys.values() if n > 1),
        "still_pending_at_deadline": late,
        "failed_in_store": sum(1 for e in events if e.status == 200 and statuses.get(e.event_id) == "failed"),
    }


def _step_report(rate: int, events: list[Planned], duration: float, seen: SeenAtLine) -> dict[str, Any]:
    sent = [e for e in events if e.status != -1]
    acked = [e for e in sent if e.status == 200]
    latencies = [e.latency for e in sent]
    to_reply = []
    for event in acked:
        ok = [at for status, at in seen.replies.get(event.reply_token, []) if status == 200]
        if ok:
            to_reply.append(ok[0] - event.sent_at)
    statuses = Counter(str(e.status) for e in sent)
    return {
        "target_rate": rate,
        "planned": len(events),
        "sent": len(sent),
        "seconds": round(duration, 2),
        "acknowledged": len(acked),
        "acknowledged_per_second": round(len(acked) / duration, 1) if duration else 0.0,
        "errors": len(sent) - len(acked),
        "statuses": dict(sorted(statuses.items())),
        "webhook_ms_p50": milliseconds(percentile(latencies, 0.50)),
        "webhook_ms_p95": milliseconds(percentile(latencies, 0.95)),
        "webhook_ms_p99": milliseconds(percentile(latencies, 0.99)),
        "webhook_ms_max": milliseconds(max(latencies) if latencies else None),
        "replies_timed": len(to_reply),
        "webhook_to_reply_ms_p50": milliseconds(percentile(to_reply, 0.50)),
        "webhook_to_reply_ms_p95": milliseconds(percentile(to_reply, 0.95)),
    }


# ---- the run ---------------------------------------------------------------------------------------------
def run(
    rates: list[int],
    step_seconds: float,
    max_step_events: int,
    senders: int,
    users: int,
    max_seconds: float,
    threads: int,
) -> dict[str, Any]:
    load_before = os.getloadavg()[0]
    steps = _plan(rates, step_seconds, max_step_events, users)
    context = multiprocessing.get_context("fork")
    records = context.Queue()
    parent_end, child_end = context.Pipe()
    fake = context.Process(target=_run_fake_line, args=(records, child_end), daemon=True)
    fake.start()
    base_url = parent_end.recv()
    seen = SeenAtLine()
    stop = threading.Event()
    collector = threading.Thread(target=seen.collect, args=(records, stop), daemon=True)
    collector.start()

    workdir = Path(tempfile.mkdtemp(prefix="yorisoi-loadtest-"))
    index_origin = _find_or_build_index(workdir)
    port = free_port()
    url = f"http://{HOST}:{port}"
    log_path = workdir / "serve.log"
    with log_path.open("wb") as log:
        server = start_serve(workdir, base_url, port, threads, log)
    reports: list[dict[str, Any]] = []
    try:
        startup = time.monotonic()
        wait_until_healthy(url, server, timeout=180)
        startup_seconds = time.monotonic() - startup
        load_started = time.monotonic()
        hard_stop = load_started + max_seconds
        for step, (rate, events) in enumerate(zip(rates, steps, strict=True)):
            # Leave at least a third of the budget for answering what was acknowledged.
            room = hard_stop - max_seconds / 3 - time.monotonic()
            if room <= 1:
                print(f"step {rate}/s skipped: time budget spent")
                break
            duration = _run_step(events, rate, port, senders, min(step_seconds * 1.5, room))
            reports.append(_step_report(rate, events, duration, seen))
            print(f"  step {step + 1}: {rate}/s → {reports[-1]['acknowledged_per_second']} ack/s", flush=True)
        acknowledged = sum(1 for step in steps for e in step if e.status == 200)
        with seen.changed:
            seen.changed.wait_for(
                lambda: seen.count_ok >= acknowledged, max(0.0, hard_stop - time.monotonic())
            )
        time.sleep(1.0)  # a duplicate would show up right after the last answer
        drained_at = time.monotonic()
        # Webhook-to-reply of each step again, now that the backlog has been answered.
        reports = [
            _step_report(rate, events, report["seconds"], seen)
            for rate, events, report in zip(rates, steps, reports, strict=False)
        ]
        audit = _audit(steps, seen, _event_statuses(workdir / "yorisoi.db"))
    finally:
        stop_serve(server)
        stop.set()
        if fake.pid:
            os.kill(fake.pid, signal.SIGTERM)
        fake.join(10)
        shutil.rmtree(workdir, ignore_errors=True)
    mix = Counter(e.kind for step in steps for e in step if e.status != -1)
    return {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "load_average_before": load_before,
        "server": {"threads": threads, "workers": 1, "startup_seconds": round(startup_seconds, 1)},
        "index": index_origin,
        "senders": senders,
        "residents": users,
        "mix": dict(mix),
        "steps": reports,
        "load_and_drain_seconds": round(drained_at - load_started, 1),
        "answers_per_second": round(audit["answers_at_line"] / (drained_at - load_started), 1),
        "load_average_after": os.getloadavg()[0],
        "audit": audit,
    }


def _print_table(result: dict[str, Any]) -> None:
    columns = [
        ("rate/s", "target_rate"),
        ("sent", "sent"),
        ("ack", "acknowledged"),
        ("ack/s", "acknowledged_per_second"),
        ("err", "errors"),
        ("p50 ms", "webhook_ms_p50"),
        ("p95 ms", "webhook_ms_p95"),
        ("p99 ms", "webhook_ms_p99"),
        ("→reply p95 ms", "webhook_to_reply_ms_p95"),
    ]
    print(
        f"yorisoi loadtest (loopback, yorisoi serve with {result['server']['threads']} threads, "
        f"{result['senders']} senders, {result['residents']} residents, {result['machine']['cpus']} CPUs)"
    )
    print("  " + "  ".join(f"{title:>{max(len(title), 7)}}" for title, _ in columns))
    for step in result["steps"]:
        cells = [str(step[key]) for _, key in columns]
        print(
            "  "
            + "  ".join(
                f"{cell:>{max(len(title), 7)}}" for (title, _), cell in zip(columns, cells, strict=True)
            )
        )
    audit = result["audit"]
    print(
        f"  mix: {result['mix']}\n"
        f"  audit: {audit['acknowledged']} acknowledged, {audit['answers_at_line']} answers at LINE "
        f"({audit['pushes']} by push), lost {audit['lost']}, duplicated {audit['duplicated']}, "
        f"still pending at the deadline {audit['still_pending_at_deadline']}, "
        f"failed {audit['failed_in_store']}\n"
        f"  answers/s over load + drain: {result['answers_per_second']} "
        f"({result['load_and_drain_seconds']} s; load average {result['load_average_before']:.1f} before, "
        f"{result['load_average_after']:.1f} after)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="50,100,200,300", help="events per second, step by step")
    parser.add_argument("--step-seconds", type=float, default=6.0, help="length of each step")
    parser.add_argument("--step-events", type=int, default=2000, help="cap on events per step")
    parser.add_argument("--senders", type=int, default=24, help="concurrent keep-alive senders")
    parser.add_argument("--residents", type=int, default=400, help="distinct LINE users")
    parser.add_argument("--threads", type=int, default=16, help="`yorisoi serve --threads`")
    parser.add_argument("--max-seconds", type=float, default=90.0, help="cap on load + drain (≤ 90)")
    parser.add_argument("--out", type=Path, default=REPO / "bench-results" / "loadtest.json")
    args = parser.parse_args()
    rates = [int(rate) for rate in args.rates.split(",") if rate.strip()]
    result = run(
        rates,
        args.step_seconds,
        args.step_events,
        args.senders,
        args.residents,
        min(args.max_seconds, 90.0),
        args.threads,
    )
    _print_table(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"written {args.out}")
    audit = result["audit"]
    if audit["lost"] or audit["duplicated"]:
        print("FAIL: an answer was lost or duplicated", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()

"""Sending opt-in notice runs: push through the outbox, throttled, exactly once per recipient.

A node claims a due run in the database (`NoticeRuns.claim_due`), so with two server nodes only one sends it.
Each recipient is claimed in the same transaction as its outbox batch, under the retry key the recipient row
carries, so a node killed at any moment leaves either an unclaimed recipient or a batch to resend under the
same key, which LINE deduplicates (409): nobody gets a notice twice. Pushes wait on a token bucket below
LINE's rate limit. LINE's monthly-limit refusal stops the run (status "stopped", counts kept); an admin
resumes it once the limit allows. The loop (`NoticeLoop`) is a thread of the serving process, started by
`bot.app`, separate from the event worker.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

from linebot.v3.messaging import FlexContainer, FlexMessage, Message

from bot.database import Database
from bot.delivery import OUTBOX_TABLE, QUOTA_REACHED, Delivery, Outbox
from handoff.notices import render_notice
from handoff.subscriptions import LostClaim, NoticeRun, NoticeRuns, Recipient

log = logging.getLogger(__name__)

STOP_QUOTA = "monthly_limit"
# Recipients read per query; each is claimed one by one.
PAGE = 100


class TokenBucket:
    """At most `rate` takes per second on average, bursts up to `burst`; `take` waits for a token."""

    def __init__(
        self,
        rate: float,
        burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("the notice rate must be above 0 per second")
        self.rate = rate
        self.burst = burst if burst is not None else max(1.0, rate / 10)
        self._clock = clock
        self._sleep = sleep
        self._tokens = self.burst
        self._at = clock()
        self._lock = threading.Lock()

    def take(self) -> None:
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
            self._at = now
            self._tokens -= 1
            wait = -self._tokens / self.rate if self._tokens < 0 else 0.0
        if wait > 0:
            self._sleep(wait)


def notice_messages(body: str) -> list[Message]:
    """The notice as one Flex bubble whose altText (lock screen, chat list) is the neutral heading."""
    notice = render_notice(body)
    return [FlexMessage(alt_text=notice.alt_text, contents=FlexContainer.from_dict(notice.flex_bubble()))]


def outbox_forgetter(db: Database, runs: NoticeRuns) -> Callable[[str], None]:
    """「データを削除」: the resident's notice batches in the outbox (they carry the sealed push target).
    Registered before `NoticeRuns.forget`, which deletes the rows that name those batches."""

    def forget(user_key: str) -> None:
        for retry_key in runs.recipient_retry_keys(user_key):
            db.execute(f"DELETE FROM {OUTBOX_TABLE} WHERE retry_key = ?", [retry_key])

    return forget


class NoticeSender:
    """Claims due runs and sends them to the end (or to LINE's monthly limit)."""

    def __init__(
        self,
        db: Database,
        runs: NoticeRuns,
        outbox: Outbox,
        delivery: Delivery,
        *,
        rate: float,
        lease: timedelta,
        attempts: int,
        node: str | None = None,
        bucket: TokenBucket | None = None,
    ) -> None:
        self._db = db
        self.runs = runs
        self._outbox = outbox
        self._delivery = delivery
        self._lease = lease
        self._attempts = attempts
        self.node = node or uuid.uuid4().hex
        self.bucket = bucket or TokenBucket(rate)
        self.stopping = threading.Event()

    def run_due(self) -> NoticeRun | None:
        """Send the next due run, if any; returns it as it ended (or None when nothing was due or this node
        lost or gave back the claim)."""
        if not self.runs.due():
            return None
        run = self.runs.claim_due(self.node, self._lease)
        if run is None:
            return None
        log.info("notice run %d: sending (%d recipients, node %s)", run.id, run.targeted, self.node[:8])
        try:
            return self._send(run)
        except LostClaim:
            log.warning("notice run %d: another node took it over", run.id)
            return None

    def _send(self, run: NoticeRun) -> NoticeRun | None:
        messages = notice_messages(run.body)
        while recipients := self.runs.unfinished(run.id, PAGE):
            for recipient in recipients:
                if self.stopping.is_set():
                    self.runs.release(run.id, self.node)
                    return None
                if self._deliver(run, recipient, messages) == QUOTA_REACHED:
                    ended = self.runs.finish(run.id, self.node, "stopped", STOP_QUOTA)
                    log.warning("notice run %d stopped at LINE's monthly limit: %d sent", run.id, ended.sent)
                    return ended
        ended = self.runs.finish(run.id, self.node, "done")
        counts = (ended.sent, ended.failed, ended.skipped)
        log.info("notice run %d done: %d sent, %d failed, %d skipped", run.id, *counts)
        return ended

    def _deliver(self, run: NoticeRun, recipient: Recipient, messages: list[Message]) -> str:
        """One recipient: claim with its outbox batch (one transaction), push, settle. Returns the outcome."""
        if recipient.status == "pending":
            with self._db.atomic():
                if not self.runs.claim_recipient(run, recipient.user_key, self.node, self._lease):
                    return "skipped"
                self._outbox.create(
                    None, recipient.user_ref, messages, kind="notice", retry_key=recipient.retry_key
                )
        else:
            self.runs.renew(run.id, self.node, self._lease)
        # Claim and batch are written together, so a claimed recipient has a batch; should it be gone all the
        # same, it is written again under the recipient's retry key, which LINE never delivers twice.
        batch = self._outbox.by_retry_key(recipient.retry_key) or self._outbox.create(
            None, recipient.user_ref, messages, kind="notice", retry_key=recipient.retry_key
        )
        if batch.status in ("delivered", "failed"):
            outcome = "sent" if batch.status == "delivered" else "failed"
            self.runs.settle(run.id, recipient.user_key, outcome)
            return outcome
        self.bucket.take()
        result = self._delivery.send(batch, allow_reply=False, attempts=self._attempts, stop_on_quota=True)
        if result == QUOTA_REACHED:
            return QUOTA_REACHED
        outcome = "sent" if result == "delivered" else "failed"
        self.runs.settle(run.id, recipient.user_key, outcome)
        return outcome


class NoticeLoop:
    """A daemon thread that looks for due runs every `poll` seconds and sends them."""

    def __init__(self, sender: NoticeSender, poll: float) -> None:
        self.sender = sender
        self._poll = poll
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.sender.stopping.clear()
        self._thread = threading.Thread(target=self._loop, name="yorisoi-notices", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self.sender.stopping.is_set():
            try:
                while not self.sender.stopping.is_set() and self.sender.run_due() is not None:
                    pass
            except Exception:
                log.exception("notice loop: a run could not be sent now; trying again later")
            self.sender.stopping.wait(self._poll)

    def stop(self, timeout: float = 5.0) -> None:
        self.sender.stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

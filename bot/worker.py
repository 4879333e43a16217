"""Answering stored events off the request thread, in order per chat, and again after a restart.

The webhook only stores and acknowledges; a worker does the slow part (the conversation, LINE calls). Events
of one chat are processed one at a time in arrival order, so a resident's second message never overtakes the
first, while different chats run in parallel. Two ways to run it:

- `LeasedWorker`, what `yorisoi worker` runs (and `yorisoi serve` starts as its own process): threads claim
  events from the shared store under a lease (`EventStore.claim`), so any number of worker processes on any
  machine share the work, and one that dies has its events taken over when its lease runs out.
- `ChatQueue`, in the web process (`worker_mode="thread"`): the webhook hands accepted events to an in-memory
  queue; one process only. The tests' apps use it; a single small box may too.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Protocol

from linebot.v3.messaging import Message
from linebot.v3.webhooks import Event

from bot.database import DatabaseUnavailable
from bot.delivery import Delivery, LineGateway, Outbox, within_limits
from bot.events import Accepted, Claim, EventStore, Sealer, chat_target
from bot.triage import CrisisTriage

log = logging.getLogger(__name__)

# Events whose answer may take a moment (a knowledge search): show LINE's loading dots in 1:1 chats.
_SLOW_EVENT_TYPES = {"message", "postback"}


class Responder(Protocol):
    """What the worker needs from `bot.conversation.Conversation`."""

    @property
    def ready(self) -> bool: ...

    def respond(self, event: Event) -> list[Message]: ...

    def urgent(self, text: str) -> bool | None:
        """Whether a queued text is a crisis (`bot.triage`); None while it cannot tell."""
        ...


class ConversationUnavailable(Exception):
    """The worker has no conversation (it failed to load): the event stays pending for another worker."""


class LoadingResponder:
    """The conversation, loaded in the background (index refresh, embedder, classifier: tens of seconds).

    A worker process starts claiming at once: events whose answer is already in the outbox (a reply in flight
    when the previous worker died) are delivered while their reply token is still fresh; events that need the
    conversation wait for it in `respond`, their lease renewed meanwhile. `failed` tells the process to exit
    (its supervisor starts it again) rather than fail events.
    """

    def __init__(self, load: Callable[[], Responder]) -> None:
        self._load = load
        self._loaded = threading.Event()
        self._inner: Responder | None = None
        self.failed: BaseException | None = None
        threading.Thread(target=self._run, name="yorisoi-conversation-load", daemon=True).start()

    def _run(self) -> None:
        try:
            self._inner = self._load()
        except BaseException as error:  # reported through `failed`: the process exits
            log.exception("loading the conversation failed")
            self.failed = error
        finally:
            self._loaded.set()

    @property
    def ready(self) -> bool:
        return self._inner is not None and self._inner.ready

    def urgent(self, text: str) -> bool | None:
        return self._inner.urgent(text) if self.ready and self._inner is not None else None

    def respond(self, event: Event) -> list[Message]:
        self._loaded.wait()
        if self._inner is None:
            raise ConversationUnavailable("the conversation could not be loaded in this worker")
        return self._inner.respond(event)


@dataclass(frozen=True)
class Job:
    event_id: str
    allow_reply: bool
    urgent: bool = False  # flagged at acceptance (a crisis): its chat goes ahead of other chats' waiting jobs


class ChatQueue:
    """A thread pool that runs jobs of one key strictly one after another, and different keys in parallel.

    Keys wait in two lines: a key holding an urgent job waits in the urgent line, which free threads always
    take first, so a crisis never waits behind a burst from other chats. The key's earlier jobs still run
    before its urgent one: the whole chat moves up, its order never changes.
    """

    def __init__(self, run: Callable[[Job], None], threads: int) -> None:
        self._run = run
        self._threads_wanted = max(1, threads)
        self._lock = threading.Lock()
        self._jobs: dict[str, deque[Job]] = {}
        self._urgent: deque[str] = deque()  # keys ready to run that hold an urgent job
        self._normal: deque[str] = deque()  # the other keys ready to run
        self._stopping = False
        self._outstanding = 0
        self._work = threading.Condition(self._lock)  # a key became ready, or stop
        self._idle = threading.Condition(self._lock)  # nothing outstanding
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        with self._lock:
            self._stopping = False
        for number in range(self._threads_wanted):
            thread = threading.Thread(target=self._loop, name=f"yorisoi-worker-{number}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def submit(self, key: str, job: Job) -> None:
        with self._lock:
            self._outstanding += 1
            waiting = self._jobs.get(key)
            if waiting is None:
                self._jobs[key] = deque([job])
                (self._urgent if job.urgent else self._normal).append(key)
                self._work.notify()
                return
            waiting.append(job)
            if job.urgent and key in self._normal:
                self._normal.remove(key)
                self._urgent.append(key)

    def promote(self, key: str, event_id: str) -> None:
        """A queued job found to be a crisis after it was submitted (`bot.triage`): its chat moves to the
        urgent line, its order unchanged."""
        with self._lock:
            waiting = self._jobs.get(key)
            if not waiting:
                return
            for number, job in enumerate(waiting):
                if job.event_id == event_id:
                    waiting[number] = replace(job, urgent=True)
            if key in self._normal:
                self._normal.remove(key)
                self._urgent.append(key)

    def _next_key(self) -> str | None:
        """The next ready key, urgent ones first; None once stopping."""
        with self._work:
            self._work.wait_for(lambda: self._urgent or self._normal or self._stopping)
            if self._stopping:
                return None
            return (self._urgent or self._normal).popleft()

    def _loop(self) -> None:
        while (key := self._next_key()) is not None:
            with self._lock:
                job = self._jobs[key][0]
            try:
                self._run(job)
            except Exception:
                log.exception("worker job failed")
            with self._lock:
                waiting = self._jobs[key]
                waiting.popleft()
                if waiting:
                    # Back of its line, so one busy chat cannot starve the others.
                    urgent = any(queued.urgent for queued in waiting)
                    (self._urgent if urgent else self._normal).append(key)
                    self._work.notify()
                else:
                    del self._jobs[key]
                self._outstanding -= 1
                if self._outstanding == 0:
                    self._idle.notify_all()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """True once every submitted job has run (tests and the benchmark use it)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._outstanding == 0, timeout)

    @property
    def alive(self) -> bool:
        return bool(self._threads) and all(thread.is_alive() for thread in self._threads)

    @property
    def backlog(self) -> int:
        return self._outstanding

    def stop(self, timeout: float = 5.0) -> None:
        """End the threads after their current job; what is left stays pending for the next start."""
        with self._work:
            self._stopping = True
            self._work.notify_all()
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()


def parse_event(payload: dict[str, Any]) -> Event | None:
    """The SDK model of a stored event, or None for a type the SDK does not know."""
    try:
        return Event.from_dict(payload)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


class EventWorker:
    """Stored event → conversation → outbox → LINE, for events the webhook accepted and after a restart."""

    def __init__(
        self,
        events: EventStore,
        outbox: Outbox,
        delivery: Delivery,
        gateway: LineGateway,
        conversation: Responder,
        sealer: Sealer,
        threads: int,
        storage_attempts: int = 5,
        backoff: Callable[[int], float] = lambda attempt: min(8.0, 0.5 * 2**attempt),
    ) -> None:
        self._events = events
        self._outbox = outbox
        self._delivery = delivery
        self._gateway = gateway
        self._conversation = conversation
        self._sealer = sealer
        self._storage_attempts = storage_attempts
        self._backoff = backoff
        self.queue = ChatQueue(self.run, threads)
        self.triage = CrisisTriage(events, conversation, flagged=self.queue.promote)

    def start(self) -> int:
        """Queue every acknowledged-but-unanswered event (chats with a flagged one first), then start the
        threads, so the first free thread takes a crisis rather than whatever was queued before it.
        Returns how many were queued."""
        pending = self._events.pending()
        for event in pending:
            # After a restart the reply token cannot be trusted to be fresh: answer by push.
            self.queue.submit(event.chat_key, Job(event.event_id, allow_reply=False, urgent=event.urgent))
        self.queue.start()
        self.triage.start()
        if pending:
            log.info("recovering %d acknowledged events that were not answered", len(pending))
        return len(pending)

    def submit(self, accepted: list[Accepted]) -> None:
        for event in accepted:
            self.queue.submit(event.chat_key, Job(event.event_id, allow_reply=True, urgent=event.urgent))

    def stop(self) -> None:
        self.triage.stop()
        self.queue.stop()

    def run(self, job: Job) -> None:
        """Process a job, retrying in place (so the chat keeps its order) while the database is unavailable.

        Each step is safe to repeat: a finished event is skipped, a stored batch is resent with its retry key.
        """
        for attempt in range(self._storage_attempts):
            try:
                self._process(job)
                return
            except ConversationUnavailable:
                log.error("no conversation in this worker; the event stays pending for another worker")
                return
            except DatabaseUnavailable as error:
                log.warning(
                    "storage unavailable while answering an event (%s), attempt %d", error, attempt + 1
                )
                if attempt + 1 < self._storage_attempts:
                    time.sleep(self._backoff(attempt))
        log.error("an event stays pending after %d storage errors; the next start answers it", attempt + 1)

    def _process(self, job: Job) -> None:
        try:
            stored = self._events.load(job.event_id)
            batch = self._outbox.for_event(job.event_id) if stored else None
        except ValueError:
            # handoff.SealError: sealed under another YORISOI_SECRET_KEY (a lost or rotated key). Retrying
            # cannot help; record it once instead of failing on every start.
            log.error("an event cannot be unsealed with the current secret key; marked failed")
            self._events.finish(job.event_id, "failed", "cannot unseal: secret key changed?")
            return
        if stored is None:
            return
        payload = stored.payload
        if batch is None:
            event = parse_event(payload)
            if event is None:
                log.info("ignored an event the SDK cannot read (type %.40s)", stored.event_type)
                self._events.finish(job.event_id, "ignored")
                return
            kind, target = chat_target(payload)
            if kind == "user" and target and stored.event_type in _SLOW_EVENT_TYPES:
                self._gateway.show_loading(target)
            try:
                messages = within_limits(self._conversation.respond(event))
            except ConversationUnavailable:
                raise
            except Exception as error:
                log.exception("conversation failed on a %s event", stored.event_type)
                self._events.finish(job.event_id, "failed", f"conversation: {type(error).__name__}")
                return
            if not messages:
                self._events.finish(job.event_id, "done")
                return
            to_ref = self._sealer.seal(target) if target else ""
            batch = self._outbox.create(job.event_id, to_ref, messages, kind="answer")
        if batch.status in {"delivered", "failed"}:
            # Someone (an earlier run) already finished this batch; only the event row is behind.
            self._events.finish(job.event_id, "done" if batch.status == "delivered" else "failed")
            return
        self._delivery.send(batch, payload.get("replyToken", ""), stored.timestamp_ms, job.allow_reply)


class LeasedWorker:
    """`threads` threads that claim events from the store under a lease and answer them with `EventWorker`.

    A heartbeat renews the leases of the events in hand every third of the lease, so a long delivery (LINE
    retries with backoff) keeps its event; a worker killed with -9 stops renewing, and another worker takes
    its events over once the lease has run out. Idle threads poll the store, sleeping up to `idle_poll`.
    """

    def __init__(
        self,
        worker: EventWorker,
        events: EventStore,
        threads: int,
        lease_seconds: float,
        idle_poll: float = 0.2,
        ready: Callable[[], bool] = lambda: True,
    ) -> None:
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._worker = worker
        self._events = events
        self._threads_wanted = max(1, threads)
        self._lease = lease_seconds
        self._idle_poll = idle_poll
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._in_hand: set[str] = set()
        self._threads: list[threading.Thread] = []
        self._ready = ready

    def start(self) -> None:
        self._stopping.clear()
        self.announce()
        for number in range(self._threads_wanted):
            thread = threading.Thread(target=self._loop, name=f"yorisoi-claim-{number}", daemon=True)
            thread.start()
            self._threads.append(thread)
        heartbeat = threading.Thread(target=self._heartbeat, name="yorisoi-lease", daemon=True)
        heartbeat.start()
        self._threads.append(heartbeat)
        self._worker.triage.start()

    def _claim(self) -> Claim | None:
        try:
            return self._events.claim(self.owner, self._lease)
        except DatabaseUnavailable as error:
            log.warning("could not claim an event (%s); trying again", error)
            return None

    def _loop(self) -> None:
        idle = 0.01
        while not self._stopping.is_set():
            claim = self._claim()
            if claim is None:
                self._stopping.wait(idle)
                idle = min(self._idle_poll, idle * 2)
                continue
            idle = 0.01
            with self._lock:
                self._in_hand.add(claim.event_id)
            try:
                # A first claim may reply (Delivery checks the token is fresh); a take-over pushes.
                self._worker.run(Job(claim.event_id, allow_reply=not claim.taken_over, urgent=claim.urgent))
            except Exception:
                log.exception("worker job failed")
            finally:
                with self._lock:
                    self._in_hand.discard(claim.event_id)

    def _heartbeat(self) -> None:
        while not self._stopping.wait(self._lease / 3):
            with self._lock:
                held = list(self._in_hand)
            try:
                self._events.renew(self.owner, held, self._lease)
                self.announce()
            except DatabaseUnavailable as error:
                log.warning("could not renew leases (%s)", error)

    def announce(self) -> None:
        """Tell /healthz this worker is alive and whether it can answer yet."""
        self._events.worker_seen(self.owner, self._threads_wanted, self._ready())

    @property
    def alive(self) -> bool:
        return bool(self._threads) and all(thread.is_alive() for thread in self._threads)

    def stop(self, timeout: float = 20.0) -> None:
        """Finish the events in hand, then stop; unclaimed events stay pending for the other workers."""
        self._stopping.set()
        self._worker.triage.stop()
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()
        try:
            self._events.worker_gone(self.owner)
        except DatabaseUnavailable as error:
            log.warning("could not sign the worker off (%s)", error)

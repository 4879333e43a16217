"""Getting answers to LINE: the Messaging API gateway, the outbox, and the reply-or-push decision.

Every batch of messages for a resident is written to `bot_outbox` (sealed, with its own X-Line-Retry-Key)
before the first call to LINE, and the outbox row turns "delivered" in the same transaction that marks the
event done. A crash anywhere in between therefore resends the same batch with the same retry key, which LINE
deduplicates (409), instead of computing a new answer or losing it.

Reply tokens have no retry key, so a reply whose outcome is unknown (timeout, crash) is retried with the same
token while it is fresh: LINE accepts an unused token and answers 400 "Invalid reply token" for a used one,
which then means our earlier attempt got through.
"""

from __future__ import annotations

import json
import logging
import random
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import urllib3
from linebot.v3.messaging import (
    ApiClient,
    ApiException,
    Configuration,
    FlexMessage,
    Message,
    MessagingApi,
    PushMessageRequest,
    ReplyMessageRequest,
    ShowLoadingAnimationRequest,
    TextMessage,
)

from bot.config import Settings
from bot.database import Database
from bot.events import EVENTS_TABLE, FINISHED_RETENTION_DAYS, EventStore, Sealer

log = logging.getLogger(__name__)

OUTBOX_TABLE = "bot_outbox"
MESSAGES_PURPOSE = "bot_outbox"

# LINE's documented limits per call and per message.
MAX_MESSAGES = 5
MAX_TEXT_CHARS = 5000
MAX_QUICK_REPLY_ITEMS = 13
MAX_ALT_TEXT_CHARS = 1500
LOADING_SECONDS = 20


# ---- what one call to LINE came to --------------------------------------------------------------------
OK = "ok"  # LINE has it (2xx, or 409 for a push whose retry key was already accepted)
RETRY = "retry"  # LINE did not act on it (429, 5xx, connection refused): try again
UNCERTAIN = "uncertain"  # it may or may not have arrived (read timeout, connection dropped)
INVALID_TOKEN = "invalid_token"  # 400 "Invalid reply token": expired, or already used
PERMANENT = "permanent"  # any other 4xx: sending it again cannot help
QUOTA = "quota"  # 429 "You have reached your monthly limit.": no push gets through until the limit is raised
QUOTA_REACHED = "quota"  # what `Delivery.send(..., stop_on_quota=True)` returns then; the batch stays open


@dataclass(frozen=True)
class CallResult:
    outcome: str
    status: int = 0
    error: str = ""
    retry_after: float | None = None


def _classify_api_error(error: ApiException, is_reply: bool) -> CallResult:
    status = int(error.status or 0)
    body = error.body.decode("utf-8", "replace") if isinstance(error.body, bytes) else str(error.body or "")
    summary = f"HTTP {status}"
    if status == 409 and not is_reply:
        return CallResult(OK, status, "retry key already accepted")
    if status == 400 and is_reply and "reply token" in body.lower():
        return CallResult(INVALID_TOKEN, status, "invalid reply token")
    if status == 429 and "monthly limit" in body.lower():
        return CallResult(QUOTA, status, "monthly limit reached")
    if status == 429 or status >= 500:
        retry_after = None
        headers = getattr(error, "headers", None) or {}
        if headers.get("Retry-After", "").isdigit():
            retry_after = float(headers["Retry-After"])
        return CallResult(RETRY, status, summary, retry_after)
    if status == 0:
        return CallResult(UNCERTAIN, 0, (error.reason or "no answer")[:200])
    return CallResult(PERMANENT, status, f"{summary}: {body[:200]}")


@dataclass(frozen=True)
class MessageQuota:
    limit: int | None
    used: int


class LineGateway:
    """The Messaging API through line-bot-sdk v3, with urllib3's own retries off so ours are the only ones."""

    def __init__(self, settings: Settings) -> None:
        configuration = Configuration(
            host=settings.line_api_base_url, access_token=settings.channel_access_token
        )
        configuration.retries = False
        configuration.connection_pool_maxsize = max(4, settings.worker_threads * 2)
        self._client = ApiClient(configuration)
        self._api = MessagingApi(self._client)
        self._timeout = (3.0, settings.line_timeout)

    def _call(self, is_reply: bool, send: Callable[[], Any]) -> CallResult:
        try:
            response = send()
        except ApiException as error:
            return _classify_api_error(error, is_reply)
        except urllib3.exceptions.ConnectTimeoutError as error:
            # Includes connection refused: the request never left, so it is safe to send again.
            return CallResult(RETRY, 0, type(error).__name__)
        except (urllib3.exceptions.HTTPError, OSError) as error:
            return CallResult(UNCERTAIN, 0, type(error).__name__)
        except ValueError as error:
            # The SDK's models refused the request before sending (e.g. an empty text): no retry can help.
            return CallResult(PERMANENT, 0, f"invalid request: {type(error).__name__}")
        return CallResult(OK, response.status_code)

    def reply(self, reply_token: str, messages: Sequence[Message]) -> CallResult:
        return self._call(
            True,
            lambda: self._api.reply_message_with_http_info(
                ReplyMessageRequest(reply_token=reply_token, messages=list(messages)),
                _request_timeout=self._timeout,
            ),
        )

    def push(self, to: str, messages: Sequence[Message], retry_key: str) -> CallResult:
        return self._call(
            False,
            lambda: self._api.push_message_with_http_info(
                PushMessageRequest(to=to, messages=list(messages)),
                x_line_retry_key=retry_key,
                _request_timeout=self._timeout,
            ),
        )

    def quota(self) -> MessageQuota:
        """This month's message limit (None: no limit) and usage, from LINE's quota API."""
        limit = self._api.get_message_quota(_request_timeout=self._timeout)
        used = self._api.get_message_quota_consumption(_request_timeout=self._timeout)
        value = limit.value if limit.type == "limited" else None
        return MessageQuota(limit=value, used=int(used.total_usage or 0))

    def show_loading(self, user_id: str) -> None:
        """Best effort: the dots in the chat are a courtesy, never a reason to delay or fail an answer."""
        request = ShowLoadingAnimationRequest(chat_id=user_id, loading_seconds=LOADING_SECONDS)
        result = self._call(
            False,
            lambda: self._api.show_loading_animation_with_http_info(request, _request_timeout=(1.0, 2.0)),
        )
        if result.outcome != OK:
            log.info("loading animation not shown: %s", result.error or result.status)

    def close(self) -> None:
        self._client.close()


# ---- limits ---------------------------------------------------------------------------------------------
def within_limits(messages: Sequence[Message]) -> list[Message]:
    """Last guard before LINE: the renderer already cuts, but LINE rejects a whole call for one long text."""
    if len(messages) > MAX_MESSAGES:
        log.warning(
            "dropping %d messages over LINE's limit of %d", len(messages) - MAX_MESSAGES, MAX_MESSAGES
        )
    guarded: list[Message] = []
    for message in list(messages)[:MAX_MESSAGES]:
        if isinstance(message, TextMessage) and len(message.text) > MAX_TEXT_CHARS:
            message = message.copy(update={"text": message.text[: MAX_TEXT_CHARS - 1] + "…"})
        if isinstance(message, FlexMessage) and len(message.alt_text) > MAX_ALT_TEXT_CHARS:
            message = message.copy(update={"alt_text": message.alt_text[: MAX_ALT_TEXT_CHARS - 1] + "…"})
        quick_reply = getattr(message, "quick_reply", None)
        if quick_reply is not None and len(quick_reply.items) > MAX_QUICK_REPLY_ITEMS:
            trimmed = quick_reply.copy(update={"items": quick_reply.items[:MAX_QUICK_REPLY_ITEMS]})
            message = message.copy(update={"quick_reply": trimmed})
        guarded.append(message)
    return guarded


# ---- the outbox -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Batch:
    """One outgoing batch (≤ 5 messages) for one chat, with the retry key it keeps for life."""

    retry_key: str
    event_id: str | None
    to: str
    messages: list[Message]
    status: str


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class Outbox:
    """The table bot_outbox: every batch before it goes to LINE, and what came of it."""

    def __init__(self, db: Database, sealer: Sealer, events: EventStore) -> None:
        self._db = db
        self._sealer = sealer
        self._events = events

    def _batch(self, row: dict[str, Any]) -> Batch:
        sealed, to_ref = row["messages"], row["to_ref"]
        payload = json.loads(self._sealer.unseal(sealed, purpose=MESSAGES_PURPOSE)) if sealed else []
        to = self._sealer.unseal(to_ref) if to_ref else ""
        messages = [Message.from_dict(m) for m in payload]
        return Batch(row["retry_key"], row["webhook_event_id"], to, messages, row["status"])

    def _find(self, column: str, value: str) -> Batch | None:
        """The batch whose `column` (retry_key or webhook_event_id, both unique) equals `value`."""
        row = self._db.one(
            f"SELECT retry_key, webhook_event_id, to_ref, messages, status FROM {OUTBOX_TABLE} "
            f"WHERE {column} = ?",
            [value],
        )
        return self._batch(row) if row else None

    def for_event(self, event_id: str) -> Batch | None:
        return self._find("webhook_event_id", event_id)

    def by_retry_key(self, retry_key: str) -> Batch | None:
        return self._find("retry_key", retry_key)

    def create(
        self, event_id: str | None, to_ref: str, messages: Sequence[Message], kind: str, retry_key: str = ""
    ) -> Batch:
        """Write the batch before any call to LINE; `to_ref` is the sealed push target."""
        retry_key = retry_key or str(uuid.uuid4())
        sealed = self._seal_messages(messages)
        now = _now()
        self._db.execute(
            f"INSERT INTO {OUTBOX_TABLE} (retry_key, webhook_event_id, kind, to_ref, messages, "
            "status, attempts, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?) "
            "ON CONFLICT DO NOTHING",
            [retry_key, event_id, kind, to_ref, sealed, now, now],
        )
        # On a conflict (the event already has a batch) the existing batch and its retry key win.
        found = self.by_retry_key(retry_key) or (self.for_event(event_id) if event_id is not None else None)
        if found is None:
            raise RuntimeError(f"outbox row {retry_key} vanished after insert")
        return found

    def _seal_messages(self, messages: Sequence[Message]) -> str:
        return self._sealer.seal(
            json.dumps([m.to_dict() for m in messages], ensure_ascii=False), purpose=MESSAGES_PURPOSE
        )

    def reopen(self, retry_key: str, messages: Sequence[Message]) -> Batch:
        """A failed batch made pending again for a new try under the same retry key (a counselor's retry
        button). Failing cleared its sealed messages, so the caller supplies them again."""
        sealed = self._seal_messages(messages)
        self._db.execute(
            f"UPDATE {OUTBOX_TABLE} SET status = 'pending', messages = ?, updated_at = ? "
            "WHERE retry_key = ? AND status = 'failed'",
            [sealed, _now(), retry_key],
        )
        batch = self.by_retry_key(retry_key)
        if batch is None:
            raise KeyError(retry_key)
        return batch

    def mark_attempt(self, retry_key: str, status: str, method: str, error: str = "") -> None:
        """Record an attempt BEFORE it is made: "replying" left behind by a crash means "outcome unknown"."""
        self._db.execute(
            f"UPDATE {OUTBOX_TABLE} SET status = ?, method = ?, attempts = attempts + 1, last_error = ?, "
            "updated_at = ? WHERE retry_key = ?",
            [status, method, error or None, _now(), retry_key],
        )

    def note_error(self, retry_key: str, error: str) -> None:
        self._db.execute(
            f"UPDATE {OUTBOX_TABLE} SET last_error = ?, updated_at = ? WHERE retry_key = ?",
            [error, _now(), retry_key],
        )

    def complete(self, batch: Batch, status: str, method: str, error: str = "") -> None:
        """Outbox and event reach their final state together; the sealed messages are cleared."""
        with self._db.atomic() as tx:
            tx.execute(
                f"UPDATE {OUTBOX_TABLE} SET status = ?, method = ?, last_error = ?, messages = NULL, "
                "updated_at = ? WHERE retry_key = ?",
                [status, method, error or None, _now(), batch.retry_key],
            )
            if batch.event_id is not None:
                self._events.finish(batch.event_id, "done" if status == "delivered" else "failed", error)

    def forget(self, user_key: str) -> None:
        """Delete the answers to a resident's finished events (runs before `EventStore.forget`)."""
        self._db.execute(
            f"DELETE FROM {OUTBOX_TABLE} WHERE webhook_event_id IN (SELECT webhook_event_id FROM "
            f"{EVENTS_TABLE} WHERE chat_key = ? AND status != 'pending')",
            [f"user:{user_key}"],
        )


def purge_outbox(db: Database, now: datetime | None = None, days: int = FINISHED_RETENTION_DAYS) -> int:
    """Delete delivered and failed batches older than `days`; returns how many."""
    cutoff = ((now or datetime.now(UTC)) - timedelta(days=days)).isoformat()
    return db.execute(
        f"DELETE FROM {OUTBOX_TABLE} WHERE status IN ('delivered', 'failed') AND created_at < ?", [cutoff]
    )


# ---- reply or push --------------------------------------------------------------------------------------
class Delivery:
    """Sends a batch: reply while the token is fresh, else push with its retry key; bounded retries."""

    def __init__(self, gateway: LineGateway, outbox: Outbox, settings: Settings) -> None:
        self._gateway = gateway
        self._outbox = outbox
        self._settings = settings

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        exponential = min(self._settings.backoff_cap, self._settings.backoff_base * 2**attempt)
        delay = exponential * random.uniform(0.5, 1.0)
        if retry_after is not None:
            delay = max(delay, min(retry_after, self._settings.backoff_cap))
        return delay

    def token_fresh(self, event_timestamp_ms: int) -> bool:
        age = time.time() - event_timestamp_ms / 1000
        return 0 <= age < self._settings.reply_token_ttl

    def send(
        self,
        batch: Batch,
        reply_token: str = "",
        event_timestamp_ms: int = 0,
        allow_reply: bool = True,
        attempts: int | None = None,
        stop_on_quota: bool = False,
    ) -> str:
        """Deliver `batch`; returns "delivered" or "failed: <why>" (the outbox records the same).

        `attempts` (default: the configured delivery attempts) caps the tries per method. With
        `stop_on_quota`, LINE's monthly-limit refusal returns QUOTA_REACHED at once and leaves the batch
        open, to be sent under the same retry key once the limit allows (notice runs).
        """
        attempt = 0
        limit = attempts or self._settings.delivery_attempts
        # Reply and push each get `limit` attempts. A "replying" row left by an earlier run means that reply
        # may have reached LINE, so probe with the same token.
        uncertain = batch.status == "replying"
        use_reply = bool(reply_token) and (allow_reply or uncertain)
        last_error = ""
        while use_reply and attempt < limit and self.token_fresh(event_timestamp_ms):
            self._outbox.mark_attempt(batch.retry_key, "replying", "reply")
            result = self._gateway.reply(reply_token, batch.messages)
            attempt += 1
            if result.outcome == OK:
                self._outbox.complete(batch, "delivered", "reply")
                return "delivered"
            if result.outcome == INVALID_TOKEN:
                if uncertain:
                    # Fresh but used: the attempt whose answer we never saw was the one that got through.
                    self._outbox.complete(batch, "delivered", "reply", "earlier reply attempt was accepted")
                    return "delivered"
                last_error = result.error
                break
            if result.outcome == PERMANENT:
                return self._fail(batch, "reply", result.error)
            uncertain = uncertain or result.outcome == UNCERTAIN
            last_error = result.error or f"HTTP {result.status}"
            self._outbox.note_error(batch.retry_key, last_error)
            time.sleep(self._backoff(attempt - 1, result.retry_after))
        if uncertain:
            log.warning("reply outcome unknown; pushing batch %s instead (may duplicate)", batch.retry_key)
        if not batch.to:
            return self._fail(batch, "push", last_error or "no push target")
        attempt = 0
        while attempt < limit:
            self._outbox.mark_attempt(batch.retry_key, "pushing", "push", last_error)
            result = self._gateway.push(batch.to, batch.messages, batch.retry_key)
            attempt += 1
            if result.outcome == OK:
                self._outbox.complete(batch, "delivered", "push")
                return "delivered"
            if result.outcome == PERMANENT:
                return self._fail(batch, "push", result.error)
            last_error = result.error or f"HTTP {result.status}"
            self._outbox.note_error(batch.retry_key, last_error)
            if result.outcome == QUOTA and stop_on_quota:
                return QUOTA_REACHED
            if attempt < limit:
                time.sleep(self._backoff(attempt - 1, result.retry_after))
        return self._fail(batch, "push", f"gave up after {attempt} attempts: {last_error}")

    def _fail(self, batch: Batch, method: str, error: str) -> str:
        log.error("delivery of batch %s failed (%s): %s", batch.retry_key, method, error)
        self._outbox.complete(batch, "failed", method, error)
        return f"failed: {error}"


class CounselorPush:
    """The dashboard's `deliver(user_ref, text, retry_key) -> status`: push a counselor's text through the
    outbox, idempotent per retry key (a second call after "delivered" sends nothing)."""

    def __init__(self, outbox: Outbox, delivery: Delivery, attempts: int) -> None:
        self._outbox = outbox
        self._delivery = delivery
        self._attempts = attempts

    def __call__(self, user_ref: str, text: str, retry_key: str) -> str:
        messages = [TextMessage(text=text)]
        batch = self._outbox.by_retry_key(retry_key)
        if batch is None:
            batch = self._outbox.create(None, user_ref, messages, kind="counselor", retry_key=retry_key)
        elif batch.status == "delivered":
            return "delivered"
        elif batch.status == "failed":
            batch = self._outbox.reopen(retry_key, messages)
        return self._delivery.send(batch, attempts=self._attempts)

"""`POST /callback` (LINE's webhook) and `GET /healthz`.

The webhook does the least it safely can before answering: check the signature over the raw body, parse,
flag a crisis in a 1:1 text (handoff's rules only, about a millisecond, so the worker takes it before any
backlog), store every new event in one transaction, hand the ids to the worker pool. If the store fails
(locked, disk full) it answers 503 so LINE redelivers instead of us acknowledging what we could not keep.
"""

from __future__ import annotations

import json
import logging
import time
from typing import TYPE_CHECKING, Any, Protocol

from flask import Blueprint, current_app, jsonify, request
from linebot.v3.webhooks import Event

from bot.database import DatabaseError
from bot.events import FINISHED_RETENTION_DAYS, direct_text, is_standby
from handoff import CrisisAssessment

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

bp = Blueprint("webhook", __name__)

# Finished events are kept FINISHED_RETENTION_DAYS for deduplication; anything older could not be recognised
# as already answered, so it is not accepted at all (a day of margin for clock skew).
MAX_EVENT_AGE_SECONDS = (FINISHED_RETENTION_DAYS - 1) * 86400


class CrisisCheck(Protocol):
    """What acceptance needs from `handoff.CrisisDetector`: its rules-only check (no embedding)."""

    def assess(self, text: str) -> CrisisAssessment | None: ...


def _core() -> Services:
    return current_app.extensions["yorisoi"]


def _plain(text: str, status: int) -> tuple[str, int, dict[str, str]]:
    return text, status, {"Content-Type": "text/plain; charset=utf-8"}


def _storable(item: dict[str, Any]) -> bool:
    """Whether an event has a type the SDK knows and the shape acceptance reads (timestamp, source, message).

    The worker parses the whole event with the SDK (`bot.worker.parse_event`, which skips what it cannot
    read); doing that here too cost a fifth of the webhook's time per event during a burst.
    """
    kind = item.get("type")
    if not isinstance(kind, str) or not kind or Event.get_discriminator_value(item) is None:
        return False
    timestamp = item.get("timestamp")
    if not isinstance(timestamp, int) or isinstance(timestamp, bool):
        return False
    if not isinstance(item.get("webhookEventId", ""), str):
        return False
    source, message = item.get("source", {}), item.get("message", {})
    if not isinstance(source, dict) or not isinstance(message, dict):
        return False
    return all(isinstance(source.get(key, ""), str) for key in ("type", "userId", "groupId", "roomId"))


def _accepted_payloads(body: dict[str, Any]) -> list[dict[str, Any]]:
    """Events worth storing: of a kind the SDK knows, active (not standby), recent enough to deduplicate."""
    oldest_ms = (time.time() - MAX_EVENT_AGE_SECONDS) * 1000
    payloads = []
    for item in body.get("events", []):
        if not isinstance(item, dict):
            log.info("ignored a webhook event that is not an object")
            continue
        if not _storable(item):
            log.info("ignored an event of unknown or malformed type %.40r", item.get("type"))
            continue
        if is_standby(item):
            continue
        if not str(item.get("webhookEventId") or "").strip():
            # LINE always sends an id; without one we could not recognise a redelivery and might answer twice.
            log.info("ignored an event without a webhookEventId")
            continue
        if item["timestamp"] < oldest_ms:
            # Older than the dedupe rows we keep: LINE never redelivers that late, so it is a replay.
            log.warning(
                "ignored an event older than %d days (replayed body?)", MAX_EVENT_AGE_SECONDS // 86400
            )
            continue
        payloads.append(item)
    return payloads


def flagged_crises(payloads: list[dict[str, Any]], crisis: CrisisCheck) -> set[str]:
    """Ids of 1:1 text messages the crisis rules recognise: the worker answers them before other chats.

    Only an ordering hint: the conversation makes the full check (rules and embedding) on every message, so
    a rules error here is logged and the event is stored unflagged rather than lost.
    """
    flagged = set()
    for payload in payloads:
        text = direct_text(payload)
        if text is None:
            continue
        try:
            found = crisis.assess(text)
        except Exception:
            log.exception("crisis rules failed at acceptance; the event is queued unflagged")
            continue
        if found is not None:
            flagged.add(payload["webhookEventId"])
    return flagged


@bp.post("/callback")
def callback() -> Any:
    core = _core()
    signature = request.headers.get("X-Line-Signature", "")
    if not signature:
        return _plain("Missing X-Line-Signature header.", 400)
    try:
        text = request.get_data(cache=False).decode("utf-8")
    except UnicodeDecodeError:
        return _plain("Body is not UTF-8.", 400)
    if not core.signature.validate(text, signature):
        return _plain("Invalid signature.", 400)
    try:
        body = json.loads(text)
    except ValueError:
        return _plain("Body is not JSON.", 400)
    if not isinstance(body, dict) or not isinstance(body.get("events", []), list):
        return _plain("Body has no events list.", 400)
    payloads = _accepted_payloads(body)
    if payloads:
        try:
            accepted = core.stores.events.accept(payloads, flagged_crises(payloads, core.crisis))
        except UnicodeEncodeError:
            # JSON escapes can spell lone surrogates, which are not text; LINE never sends them.
            return _plain("Body contains invalid Unicode.", 400)
        except OverflowError:
            # Python reads any integer; SQLite stores 64 bits. LINE's millisecond timestamps fit easily.
            return _plain("Body has a number too large to store.", 400)
        except (*DatabaseError, OSError) as error:
            log.error("could not store %d webhook events (%s); answering 503", len(payloads), error)
            return _plain("Storage unavailable; please redeliver.", 503)
        if core.worker is not None:
            core.worker.submit(accepted)
    return _plain("OK", 200)


@bp.get("/healthz")
def healthz() -> Any:
    """Liveness for the load balancer: which role and backend this node has, and whether its parts work.

    A web-only node (answers in worker processes) reports the store's backlog and how many worker processes
    sent a heartbeat within one lease; none alive is not this node's failure, so it stays 200.
    """
    core = _core()
    checks = {"database": core.stores.events.ready()}
    extra: dict[str, int] = {}
    if core.worker is not None:
        checks["index"] = bool(core.conversation is not None and core.conversation.ready)
        checks["worker"] = core.worker.queue.alive
        extra["backlog"] = core.worker.queue.backlog
    elif checks["database"]:
        extra["backlog"] = core.stores.events.backlog()
        extra["workers"] = core.stores.events.live_workers(core.settings.worker_lease)
    healthy = all(checks.values())
    body = {
        "status": "ok" if healthy else "unavailable",
        "role": core.role,
        "backend": core.stores.db.backend,
        **checks,
        **extra,
    }
    return jsonify(body), 200 if healthy else 503

"""The counselor's work: the queue, a thread's transcript and facts, claiming, replying, notes, resolving."""

from __future__ import annotations

import re
import uuid
from typing import Any

from flask import Blueprint, abort, flash, g, jsonify, redirect, render_template, request, url_for

from handoff import messages
from handoff.dashboard import MAX_REPLY_LENGTH, TEXT, CannedReply, get_services, has_bad_characters
from handoff.dashboard.filters import delivery_label
from handoff.store import DELETED_STATUS, Returning, Thread, ThreadNotFound, ThreadStateError, ThreadStore

RESOLVE_NAMESPACE = uuid.UUID("6f1c1f0e-4a55-4b8e-9a53-5e2b8c0d7a10")
PREVIEW_CHARS = 40
# Runs of digits (phone numbers, amounts, ids) are masked in the list, which colleagues may glance at.
_DIGITS = re.compile(r"[0-9０-９][0-9０-９\-ー－ ]{2,}")

bp = Blueprint("threads", __name__)


def _thread_or_404(thread_id: int) -> Thread:
    try:
        return get_services().store.get(thread_id)
    except ThreadNotFound:
        abort(404)


def _canned_for(thread: Thread, replies: list[CannedReply]) -> list[tuple[int, CannedReply, bool]]:
    """(index, reply, fits) with the replies for this thread's risk kinds first, then the general ones."""
    kinds = set(thread.categories)
    ranked = [(i, reply, bool(kinds & set(reply.kinds))) for i, reply in enumerate(replies)]
    return sorted(ranked, key=lambda entry: (not entry[2], bool(entry[1].kinds), entry[0]))


def _render_thread(thread_id: int, *, draft: str = "", retry_key: str | None = None, error: str = "") -> Any:
    services = get_services()
    thread = _thread_or_404(thread_id)
    services.audit.record(g.account.name, "view", thread.id)
    returning = services.store.returning([thread], services.return_window)[thread.id]
    return render_template(
        "counselor/thread.html",
        thread=thread,
        earlier=services.store.earlier_threads(thread),
        later=services.store.later_threads(thread),
        returning=returning,
        returned_days=_returned_days(thread, returning),
        transcript=services.store.transcript(thread.id),
        notes=services.store.notes(thread.id),
        canned=_canned_for(thread, services.canned_replies),
        draft=draft,
        retry_key=retry_key or str(uuid.uuid4()),
        error=error,
        mine=thread.claimed_by == g.account.name,
    )


def _back(thread_id: int) -> Any:
    return redirect(url_for("counselor.threads.thread", thread_id=thread_id))


def _flash_delivery(delivery: str | None, failed: bool) -> None:
    flash(
        TEXT["reply_failed" if failed else "reply_sent"].format(status=delivery_label(delivery)),
        "error" if failed else "info",
    )


def preview(text: str) -> str:
    """One line of a message for the list: digits masked, shortened."""
    line = " ".join(_DIGITS.sub("＊＊＊", text).split())
    return line if len(line) <= PREVIEW_CHARS else line[: PREVIEW_CHARS - 1] + "…"


def _returned_days(thread: Thread, returning: Returning) -> int | None:
    """Whole days from the close of the resident's recent urgent thread to this one (「終了から3日」)."""
    closed = returning.recent_urgent.resolved_at if returning.recent_urgent else None
    return max(0, (thread.created_at - closed).days) if closed else None


def _queue_items(store: ThreadStore) -> list[dict[str, Any]]:
    items = []
    for thread, returning in store.queue_with_returning(get_services().return_window):
        latest = store.latest(thread.id)
        message = latest.message
        items.append(
            {
                "thread": thread,
                "preview": preview(message.text) if message else "",
                "preview_sender": message.sender if message else "",
                "resident_waiting": latest.resident_waiting,
                "waiting_since": latest.waiting_since,
                "returning": returning,
                "returned_days": _returned_days(thread, returning),
            }
        )
    return items


def _queue_context() -> dict[str, Any]:
    store = get_services().store
    return {"items": _queue_items(store), "deleted": store.recently_deleted()}


@bp.route("/")
def queue() -> Any:
    store = get_services().store
    return render_template(
        "counselor/queue.html", resolved=store.recently_resolved(limit=20), **_queue_context()
    )


@bp.route("/queue.json")
def queue_json() -> Any:
    """The list for the page's live refresh: the count and the rendered items (escaped by the template)."""
    context = _queue_context()
    html = render_template("counselor/_queue_items.html", **context)
    return jsonify(count=len(context["items"]), html=html)


@bp.route("/threads/<int:thread_id>")
def thread(thread_id: int) -> Any:
    replies = get_services().canned_replies
    draft = ""
    choice = request.args.get("canned", "")
    if choice.isdigit() and int(choice) < len(replies):
        draft = replies[int(choice)].text
    return _render_thread(thread_id, draft=draft)


@bp.route("/threads/<int:thread_id>/live.json")
def thread_json(thread_id: int) -> Any:
    """The thread page's live refresh: its heading (urgent, kinds, status, the bot's alert when crisis words
    came while the counselor was writing) and transcript, rendered by the page's own templates, and the
    risk kinds (the canned replies that fit them are marked), so a resident's new message or a crisis word
    reaches the counselor who is typing a reply (the reply box is not part of it, and a poll is no "view"
    in the audit)."""
    store = get_services().store
    thread = _thread_or_404(thread_id)
    context = {"thread": thread, "transcript": store.transcript(thread.id), "notes": store.notes(thread.id)}
    return jsonify(
        kinds=list(thread.categories),
        head=render_template("counselor/_thread_head.html", **context),
        html=render_template("counselor/_thread_messages.html", **context),
    )


@bp.route("/threads/<int:thread_id>/claim", methods=["POST"])
def claim(thread_id: int) -> Any:
    _thread_or_404(thread_id)
    take_over = request.form.get("take_over") == "1" and g.account.is_admin
    try:
        get_services().store.claim(thread_id, g.account.name, take_over=take_over)
        flash(TEXT["claimed"], "info")
    except ThreadStateError as refused:
        flash(TEXT[refused.reason].format(name=refused.claimed_by or ""), "error")
    return _back(thread_id)


@bp.route("/threads/<int:thread_id>/reply", methods=["POST"])
def reply(thread_id: int) -> Any:
    services = get_services()
    thread = _thread_or_404(thread_id)
    text = request.form.get("text", "").replace("\r\n", "\n").strip()
    retry_key = request.form.get("retry_key", "")
    try:
        retry_key = str(uuid.UUID(retry_key))
    except ValueError:
        abort(400, TEXT["csrf_failed"])
    sent_before = services.store.message_by_retry_key(retry_key)
    if sent_before is not None:
        flash(TEXT["reply_duplicate"].format(status=delivery_label(sent_before.delivery)), "info")
        return _back(thread_id)
    problem = ""
    if not text:
        problem = TEXT["reply_empty"]
    elif has_bad_characters(text):
        problem = TEXT["bad_characters"]
    elif len(text) > MAX_REPLY_LENGTH:
        problem = TEXT["reply_too_long"].format(limit=MAX_REPLY_LENGTH)
    elif thread.status == DELETED_STATUS:
        problem = TEXT["deleted"]  # not "claim it first": nobody can reach them any more
    elif not thread.is_open:
        problem = TEXT["not_open"]
    elif thread.claimed_by != g.account.name:
        problem = TEXT["must_claim"]
    if problem:
        return _render_thread(thread_id, draft=text, retry_key=retry_key, error=problem), 422
    try:
        message, _ = services.replies.send(thread_id, g.account.name, text, retry_key)
    except ThreadStateError as refused:
        return _render_thread(thread_id, draft=text, retry_key=retry_key, error=TEXT[refused.reason]), 409
    _flash_delivery(message.delivery, message.can_retry)
    return _back(thread_id)


@bp.route("/threads/<int:thread_id>/messages/<int:message_id>/retry", methods=["POST"])
def retry(thread_id: int, message_id: int) -> Any:
    services = get_services()
    _thread_or_404(thread_id)
    try:
        message = services.store.message(message_id)
    except KeyError:
        abort(404)
    if message.thread_id != thread_id:
        abort(404)
    message = services.replies.retry(message_id, g.account.name)
    _flash_delivery(message.delivery, message.can_retry)
    return _back(thread_id)


def _closing_problem(text: str) -> str:
    if has_bad_characters(text):
        return TEXT["bad_characters"]
    if len(text) > MAX_REPLY_LENGTH:
        return TEXT["reply_too_long"].format(limit=MAX_REPLY_LENGTH)
    return ""


@bp.route("/threads/<int:thread_id>/resolve", methods=["POST"])
def resolve(thread_id: int) -> Any:
    """Asks first (showing the closing message typed, if any), then sends that message and resolves."""
    services = get_services()
    thread = _thread_or_404(thread_id)
    if thread.claimed_by not in (None, g.account.name) and not g.account.is_admin:
        flash(TEXT["claimed_by_other"].format(name=thread.claimed_by), "error")
        return _back(thread_id)
    text = request.form.get("text", "").replace("\r\n", "\n").strip()
    retry_key = request.form.get("retry_key", "") or str(uuid.uuid4())
    try:
        retry_key = str(uuid.UUID(retry_key))
    except ValueError:
        abort(400, TEXT["csrf_failed"])
    problem = _closing_problem(text)
    if problem:
        return _render_thread(thread_id, draft=text, retry_key=retry_key, error=problem), 422
    if text and thread.claimed_by != g.account.name:
        return _render_thread(thread_id, draft=text, retry_key=retry_key, error=TEXT["must_claim"]), 422
    if request.form.get("confirmed") != "1":
        return render_template("counselor/resolve.html", thread=thread, text=text, retry_key=retry_key)
    if text and thread.is_open:
        message, _ = services.replies.send(thread_id, g.account.name, text, retry_key)
        if message.can_retry:
            _flash_delivery(message.delivery, True)
            return _back(thread_id)
    try:
        thread = services.store.resolve(thread_id, g.account.name)
    except ThreadStateError as refused:
        flash(TEXT[refused.reason], "error")
        return _back(thread_id)
    retry_key = str(uuid.uuid5(RESOLVE_NAMESPACE, f"{thread.id}:{thread.resolved_at.isoformat()}"))  # type: ignore[union-attr]
    try:
        status = str(services.replies.deliver(thread.user_ref, messages.THREAD_RESOLVED, retry_key))
    except Exception as error:  # the thread is resolved either way; the counselor sees the failure
        status = f"failed: {type(error).__name__}"
    services.store.append(thread.id, "bot", messages.THREAD_RESOLVED, delivery=status, retry_key=retry_key)
    flash(TEXT["resolved"].format(status=delivery_label(status)), "info")
    return redirect(url_for("counselor.threads.queue", closed=thread.id))


@bp.route("/threads/<int:thread_id>/notes", methods=["POST"])
def add_note(thread_id: int) -> Any:
    _thread_or_404(thread_id)
    text = request.form.get("text", "").replace("\r\n", "\n").strip()
    if not text:
        flash(TEXT["note_empty"], "error")
    elif has_bad_characters(text):
        return _render_thread(thread_id, error=TEXT["bad_characters"]), 422
    elif len(text) > MAX_REPLY_LENGTH:
        return _render_thread(thread_id, error=TEXT["reply_too_long"].format(limit=MAX_REPLY_LENGTH)), 422
    else:
        get_services().store.add_note(thread_id, g.account.name, text)
        flash(TEXT["note_added"], "info")
    return _back(thread_id)

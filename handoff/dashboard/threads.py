"""The counselor's work: the queue, a thread's transcript and facts, claiming, replying, notes, resolving."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from handoff import messages
from handoff.dashboard import MAX_REPLY_LENGTH, TEXT, get_services, has_bad_characters
from handoff.store import Thread, ThreadNotFound, ThreadStateError

RESOLVE_NAMESPACE = uuid.UUID("6f1c1f0e-4a55-4b8e-9a53-5e2b8c0d7a10")

bp = Blueprint("threads", __name__)


def _thread_or_404(thread_id: int) -> Thread:
    try:
        return get_services().store.get(thread_id)
    except ThreadNotFound:
        abort(404)


def _render_thread(thread_id: int, *, draft: str = "", retry_key: str | None = None, error: str = "") -> Any:
    services = get_services()
    thread = _thread_or_404(thread_id)
    services.store.audit(g.account.name, "view", thread.id)
    return render_template(
        "counselor/thread.html",
        thread=thread,
        transcript=services.store.transcript(thread.id),
        notes=services.store.notes(thread.id),
        canned=services.canned_replies,
        draft=draft,
        retry_key=retry_key or str(uuid.uuid4()),
        error=error,
        mine=thread.claimed_by == g.account.name,
    )


def _back(thread_id: int) -> Any:
    return redirect(url_for("counselor.threads.thread", thread_id=thread_id))


def _flash_delivery(delivery: str | None, failed: bool) -> None:
    flash(
        TEXT["reply_failed" if failed else "reply_sent"].format(status=delivery),
        "error" if failed else "info",
    )


@bp.route("/")
def queue() -> Any:
    store = get_services().store
    return render_template(
        "counselor/queue.html", threads=store.queue(), resolved=store.recently_resolved(limit=20)
    )


@bp.route("/threads/<int:thread_id>")
def thread(thread_id: int) -> Any:
    replies = get_services().canned_replies
    draft = ""
    choice = request.args.get("canned", "")
    if choice.isdigit() and int(choice) < len(replies):
        draft = replies[int(choice)]["text"]
    return _render_thread(thread_id, draft=draft)


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
        flash(TEXT["reply_duplicate"].format(status=sent_before.delivery), "info")
        return _back(thread_id)
    problem = ""
    if not text:
        problem = TEXT["reply_empty"]
    elif has_bad_characters(text):
        problem = TEXT["bad_characters"]
    elif len(text) > MAX_REPLY_LENGTH:
        problem = TEXT["reply_too_long"].format(limit=MAX_REPLY_LENGTH)
    elif thread.claimed_by != g.account.name:
        problem = TEXT["must_claim"]
    elif not thread.is_open:
        problem = TEXT["not_open"]
    if problem:
        return _render_thread(thread_id, draft=text, retry_key=retry_key, error=problem), 422
    try:
        message, _ = services.store.send_reply(thread_id, g.account.name, text, retry_key, services.deliver)
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
    message = services.store.retry_delivery(message_id, g.account.name, services.deliver)
    _flash_delivery(message.delivery, message.can_retry)
    return _back(thread_id)


@bp.route("/threads/<int:thread_id>/resolve", methods=["POST"])
def resolve(thread_id: int) -> Any:
    services = get_services()
    thread = _thread_or_404(thread_id)
    if thread.claimed_by not in (None, g.account.name) and not g.account.is_admin:
        flash(TEXT["claimed_by_other"].format(name=thread.claimed_by), "error")
        return _back(thread_id)
    try:
        thread = services.store.resolve(thread_id, g.account.name)
    except ThreadStateError as refused:
        flash(TEXT[refused.reason], "error")
        return _back(thread_id)
    retry_key = str(uuid.uuid5(RESOLVE_NAMESPACE, f"{thread.id}:{thread.resolved_at.isoformat()}"))  # type: ignore[union-attr]
    try:
        status = str(services.deliver(thread.user_ref, messages.THREAD_RESOLVED, retry_key))
    except Exception as error:  # the thread is resolved either way; the counselor sees the failure
        status = f"failed: {type(error).__name__}"
    services.store.append(thread.id, "bot", messages.THREAD_RESOLVED, delivery=status, retry_key=retry_key)
    flash(TEXT["resolved"].format(status=status), "info")
    return redirect(url_for("counselor.threads.queue"))


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

"""The counselor dashboard: a server-rendered Flask blueprint mounted at /counselor.

Counselors log in, take the most urgent waiting thread, read the transcript and household facts, reply
(recorded and pushed to the resident by the injected `CounselorReplies`), keep private notes and resolve the
thread so the bot answers again. Admins manage accounts and read the audit log. Every view is audited.
"""

from __future__ import annotations

import time
import unicodedata
import uuid
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import Any

import yaml
from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.exceptions import HTTPException

from handoff import messages
from handoff.accounts import AccountError, AccountLocked, CounselorAccounts
from handoff.audit import AuditLog
from handoff.counselor_replies import CounselorReplies
from handoff.hours import ReceptionHours, to_tokyo
from handoff.store import ThreadNotFound, ThreadStateError, ThreadStore
from handoff.websecurity import (
    CSRF_FIELD,
    CSRF_SESSION_KEY,
    add_security_headers,
    csrf_ok,
    csrf_token,
    safe_next,
)

CANNED_REPLIES_FILE = Path(__file__).with_name("canned_replies.yaml")
MAX_REPLY_LENGTH = 4000
SESSION_IDLE_SECONDS = 60 * 60
SESSION_MAX_SECONDS = 12 * 60 * 60
RESOLVE_NAMESPACE = uuid.UUID("6f1c1f0e-4a55-4b8e-9a53-5e2b8c0d7a10")
_USER, _PASSWORD_AT, _LOGIN_AT, _SEEN = (
    "counselor_user",
    "counselor_pwd_at",
    "counselor_login_at",
    "counselor_seen",
)
_PUBLIC_ENDPOINTS = {"counselor.login", "counselor.static"}
TEXT = messages.DASHBOARD


def has_bad_characters(text: str) -> bool:
    """Control characters (other than newline and tab) and U+FFFD (bytes that were not UTF-8) are refused."""
    return any(c == "\ufffd" or (unicodedata.category(c) == "Cc" and c not in "\n\t") for c in text)


def load_canned_replies(path: Path | None = None) -> list[dict[str, str]]:
    with open(path or CANNED_REPLIES_FILE, encoding="utf-8") as handle:
        entries = yaml.safe_load(handle) or []
    return [{"title": str(e["title"]), "text": str(e["text"])} for e in entries]


def _tokyo_time(moment: datetime | None) -> str:
    return to_tokyo(moment).strftime("%m/%d %H:%M") if moment else ""


def _waited(moment: datetime | None) -> str:
    if moment is None:
        return ""
    minutes = max(0, int((datetime.now(moment.tzinfo) - moment).total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return messages.WAITED["days"].format(days=days, hours=hours)
    return messages.WAITED["hours" if hours else "minutes"].format(hours=hours, minutes=minutes)


def create_dashboard(
    store: ThreadStore,
    accounts: CounselorAccounts,
    outgoing: CounselorReplies,
    audit: AuditLog,
    *,
    hours: ReceptionHours | None = None,
    canned_replies: Path | None = None,
    url_prefix: str = "/counselor",
) -> Blueprint:
    """Build the blueprint; `outgoing` records and pushes counselor replies, `audit` keeps the trail.

    The app must set SECRET_KEY (signs the session cookie) and, outside local mode,
    SESSION_COOKIE_SECURE = True; SameSite=Lax and HttpOnly are applied here when the app left them unset.
    """
    blueprint = Blueprint(
        "counselor",
        __name__,
        url_prefix=url_prefix,
        template_folder="templates",
        static_folder="static",
        static_url_path="/static",
    )
    replies = load_canned_replies(canned_replies)

    @blueprint.record_once
    def _configure(state: Any) -> None:
        app = state.app
        app.config["SESSION_COOKIE_HTTPONLY"] = True
        if not app.config.get("SESSION_COOKIE_SAMESITE"):
            app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
        prefix = state.url_prefix or url_prefix

        @app.after_request
        def _dashboard_headers(response: Any) -> Any:
            if request.path == prefix or request.path.startswith(prefix + "/"):
                add_security_headers(response)
            return response

    blueprint.add_app_template_filter(_tokyo_time, "counselor_time")
    blueprint.add_app_template_filter(_waited, "counselor_waited")

    @blueprint.context_processor
    def _labels() -> dict[str, Any]:
        return {
            "labels": messages,
            "page_text": messages.PAGE,
            "account": g.get("account"),
            "csrf_field": CSRF_FIELD,
            "csrf_token": csrf_token,
            "hours_open": hours.is_open() if hours else None,
            "hours_text": hours.describe() if hours else "",
        }

    def _end_session() -> None:
        """Forget the counselor and rotate the CSRF token; other parts of the app keep their session data."""
        for key in (_USER, _PASSWORD_AT, _LOGIN_AT, _SEEN, CSRF_SESSION_KEY):
            session.pop(key, None)

    @blueprint.before_request
    def _guard() -> Any:
        if request.method == "POST" and not csrf_ok(request):
            abort(400, TEXT["csrf_failed"])
        if request.endpoint in _PUBLIC_ENDPOINTS:
            return None
        name = session.get(_USER)
        account = accounts.get(name) if isinstance(name, str) else None
        now = time.time()
        valid = (
            account is not None
            and account.active
            and session.get(_PASSWORD_AT) == account.password_changed_at.isoformat()
            and now - float(session.get(_LOGIN_AT, 0)) < SESSION_MAX_SECONDS
            and now - float(session.get(_SEEN, 0)) < SESSION_IDLE_SECONDS
        )
        if not valid:
            if name:
                flash(TEXT["session_expired"], "error")
            _end_session()
            target = None
            if request.method == "GET":
                target = request.full_path if request.query_string else request.path
            return redirect(url_for("counselor.login", next=target))
        session[_SEEN] = now
        g.account = account
        return None

    def admin_only(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not g.account.is_admin:
                abort(403, TEXT["forbidden"])
            return view(*args, **kwargs)

        return wrapper

    @blueprint.errorhandler(HTTPException)
    def _error(error: HTTPException) -> Any:
        description = error.description if isinstance(error.description, str) else ""
        if error.code == 404:
            description = TEXT["not_found"]
        return render_template("counselor/error.html", error=error, description=description), error.code

    # --- login ---------------------------------------------------------------------------------------
    @blueprint.route("/login", methods=["GET", "POST"])
    def login() -> Any:
        next_url = safe_next(request.values.get("next"), url_prefix)
        if request.method == "GET":
            return render_template("counselor/login.html", next_url=next_url)
        name, password = request.form.get("name", ""), request.form.get("password", "")
        try:
            account = accounts.verify(name, password)
        except AccountLocked as locked:
            audit.record(locked_name(name), "login_locked")
            message = TEXT["locked"].format(until=to_tokyo(locked.until).strftime("%H:%M"))
            return render_template("counselor/login.html", next_url=next_url, error=message), 429
        if account is None:
            known = accounts.get(name)
            if known is not None:
                audit.record(known.name, "login_failed")
            return render_template("counselor/login.html", next_url=next_url, error=TEXT["login_failed"]), 401
        _end_session()
        session[_USER] = account.name
        session[_PASSWORD_AT] = account.password_changed_at.isoformat()
        session[_LOGIN_AT] = session[_SEEN] = time.time()
        audit.record(account.name, "login")
        return redirect(next_url or url_for("counselor.queue"))

    def locked_name(name: str) -> str:
        account = accounts.get(name)
        return account.name if account else "?"

    @blueprint.route("/logout", methods=["POST"])
    def logout() -> Any:
        audit.record(g.account.name, "logout")
        _end_session()
        flash(TEXT["logged_out"], "info")
        return redirect(url_for("counselor.login"))

    # --- queue and threads ---------------------------------------------------------------------------
    @blueprint.route("/")
    def queue() -> Any:
        return render_template(
            "counselor/queue.html", threads=store.queue(), resolved=store.recently_resolved(limit=20)
        )

    def _thread_or_404(thread_id: int) -> Any:
        try:
            return store.get(thread_id)
        except ThreadNotFound:
            abort(404)

    def _render_thread(
        thread_id: int, *, draft: str = "", retry_key: str | None = None, error: str = ""
    ) -> Any:
        thread = _thread_or_404(thread_id)
        audit.record(g.account.name, "view", thread.id)
        return render_template(
            "counselor/thread.html",
            thread=thread,
            transcript=store.transcript(thread.id),
            notes=store.notes(thread.id),
            canned=replies,
            draft=draft,
            retry_key=retry_key or str(uuid.uuid4()),
            error=error,
            mine=thread.claimed_by == g.account.name,
        )

    @blueprint.route("/threads/<int:thread_id>")
    def thread(thread_id: int) -> Any:
        draft = ""
        choice = request.args.get("canned", "")
        if choice.isdigit() and int(choice) < len(replies):
            draft = replies[int(choice)]["text"]
        return _render_thread(thread_id, draft=draft)

    def _back(thread_id: int) -> Any:
        return redirect(url_for("counselor.thread", thread_id=thread_id))

    @blueprint.route("/threads/<int:thread_id>/claim", methods=["POST"])
    def claim(thread_id: int) -> Any:
        _thread_or_404(thread_id)
        take_over = request.form.get("take_over") == "1" and g.account.is_admin
        try:
            store.claim(thread_id, g.account.name, take_over=take_over)
            flash(TEXT["claimed"], "info")
        except ThreadStateError as refused:
            flash(TEXT[refused.reason].format(name=refused.claimed_by or ""), "error")
        return _back(thread_id)

    @blueprint.route("/threads/<int:thread_id>/reply", methods=["POST"])
    def reply(thread_id: int) -> Any:
        thread = _thread_or_404(thread_id)
        text = request.form.get("text", "").replace("\r\n", "\n").strip()
        retry_key = request.form.get("retry_key", "")
        try:
            retry_key = str(uuid.UUID(retry_key))
        except ValueError:
            abort(400, TEXT["csrf_failed"])
        sent_before = store.message_by_retry_key(retry_key)
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
            message, _ = outgoing.send(thread_id, g.account.name, text, retry_key)
        except ThreadStateError as refused:
            return _render_thread(thread_id, draft=text, retry_key=retry_key, error=TEXT[refused.reason]), 409
        key = "reply_failed" if message.can_retry else "reply_sent"
        flash(TEXT[key].format(status=message.delivery), "error" if message.can_retry else "info")
        return _back(thread_id)

    @blueprint.route("/threads/<int:thread_id>/messages/<int:message_id>/retry", methods=["POST"])
    def retry(thread_id: int, message_id: int) -> Any:
        _thread_or_404(thread_id)
        try:
            message = store.message(message_id)
        except KeyError:
            abort(404)
        if message.thread_id != thread_id:
            abort(404)
        message = outgoing.retry(message_id, g.account.name)
        key = "reply_failed" if message.can_retry else "reply_sent"
        flash(TEXT[key].format(status=message.delivery), "error" if message.can_retry else "info")
        return _back(thread_id)

    @blueprint.route("/threads/<int:thread_id>/resolve", methods=["POST"])
    def resolve(thread_id: int) -> Any:
        thread = _thread_or_404(thread_id)
        if thread.claimed_by not in (None, g.account.name) and not g.account.is_admin:
            flash(TEXT["claimed_by_other"].format(name=thread.claimed_by), "error")
            return _back(thread_id)
        try:
            thread = store.resolve(thread_id, g.account.name)
        except ThreadStateError as refused:
            flash(TEXT[refused.reason], "error")
            return _back(thread_id)
        retry_key = str(uuid.uuid5(RESOLVE_NAMESPACE, f"{thread.id}:{thread.resolved_at.isoformat()}"))  # type: ignore[union-attr]
        try:
            status = str(outgoing.deliver(thread.user_ref, messages.THREAD_RESOLVED, retry_key))
        except Exception as error:  # the thread is resolved either way; the counselor sees the failure
            status = f"failed: {type(error).__name__}"
        store.append(thread.id, "bot", messages.THREAD_RESOLVED, delivery=status, retry_key=retry_key)
        flash(TEXT["resolved"].format(status=status), "info")
        return redirect(url_for("counselor.queue"))

    @blueprint.route("/threads/<int:thread_id>/notes", methods=["POST"])
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
            store.add_note(thread_id, g.account.name, text)
            flash(TEXT["note_added"], "info")
        return _back(thread_id)

    # --- own password --------------------------------------------------------------------------------
    @blueprint.route("/password", methods=["GET", "POST"])
    def password() -> Any:
        if request.method == "GET":
            return render_template("counselor/password.html")
        current, new, again = (request.form.get(k, "") for k in ("current", "new", "again"))
        error = ""
        if new != again:
            error = TEXT["password_mismatch"]
        else:
            try:
                if accounts.verify(g.account.name, current) is None:
                    error = TEXT["current_password_wrong"]
                else:
                    changed = accounts.reset_password(g.account.name, new)
                    session[_PASSWORD_AT] = changed.password_changed_at.isoformat()
                    audit.record(g.account.name, "password_changed")
                    flash(TEXT["password_changed"], "info")
                    return redirect(url_for("counselor.queue"))
            except AccountLocked:
                _end_session()
                return redirect(url_for("counselor.login"))
            except AccountError as refused:
                error = TEXT.get(f"account_{refused.code}", TEXT["account_invalid"])
        return render_template("counselor/password.html", error=error), 422

    # --- admin ---------------------------------------------------------------------------------------
    @blueprint.route("/admin/accounts", methods=["GET", "POST"])
    @admin_only
    def admin_accounts() -> Any:
        error = ""
        if request.method == "POST":
            action, name = request.form.get("action", ""), request.form.get("name", "")
            try:
                if action == "add":
                    added = accounts.add(
                        name, request.form.get("password", ""), request.form.get("role") == "admin"
                    )
                    audit.record(
                        g.account.name, "account_add", detail=f"account={added.name} role={added.role}"
                    )
                    flash(TEXT["account_added"].format(name=added.name), "info")
                elif action in ("disable", "enable"):
                    changed = accounts.set_active(name, action == "enable")
                    audit.record(g.account.name, f"account_{action}", detail=f"account={changed.name}")
                    flash(TEXT[f"account_{action}d"].format(name=changed.name), "info")
                elif action == "reset":
                    changed = accounts.reset_password(name, request.form.get("password", ""))
                    audit.record(g.account.name, "account_reset_password", detail=f"account={changed.name}")
                    flash(TEXT["password_reset"].format(name=changed.name), "info")
                else:
                    abort(400)
                return redirect(url_for("counselor.admin_accounts"))
            except AccountError as refused:
                error = TEXT.get(f"account_{refused.code}", TEXT["account_invalid"])
        status = 422 if error else 200
        return render_template("counselor/accounts.html", accounts=accounts.list(), error=error), status

    @blueprint.route("/admin/audit")
    @admin_only
    def admin_audit() -> Any:
        page = request.args.get("page", "0")
        page_number = int(page) if page.isdigit() and len(page) < 7 else 0
        entries = audit.entries(limit=100, offset=page_number * 100)
        return render_template("counselor/audit.html", entries=entries, page=page_number)

    return blueprint

"""Who may use the dashboard: log in and out, the session checks every request passes, CSRF, own password.

Every dashboard request goes through `require_login` (registered on the parent blueprint), so a new view is
closed to strangers by default; only the login page and the stylesheet are public.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for

from handoff.accounts import AccountError, AccountLocked
from handoff.dashboard import TEXT, get_services
from handoff.hours import to_tokyo
from handoff.websecurity import CSRF_SESSION_KEY, csrf_ok, safe_next

SESSION_IDLE_SECONDS = 60 * 60
SESSION_MAX_SECONDS = 12 * 60 * 60
_USER, _PASSWORD_AT, _LOGIN_AT, _SEEN = (
    "counselor_user",
    "counselor_pwd_at",
    "counselor_login_at",
    "counselor_seen",
)
PUBLIC_ENDPOINTS = {"counselor.auth.login", "counselor.static"}

bp = Blueprint("auth", __name__)


def end_session() -> None:
    """Forget the counselor and rotate the CSRF token; other parts of the app keep their session data."""
    for key in (_USER, _PASSWORD_AT, _LOGIN_AT, _SEEN, CSRF_SESSION_KEY):
        session.pop(key, None)


def require_login() -> Any:
    """Before every dashboard request: a CSRF token on POST, then a live session of an active account."""
    if request.method == "POST" and not csrf_ok(request):
        abort(400, TEXT["csrf_failed"])
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    accounts = get_services().accounts
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
        end_session()
        target = None
        if request.method == "GET":
            target = request.full_path if request.query_string else request.path
        elif request.view_args and "thread_id" in request.view_args:
            # A reply or note sent after the session ended: back to its thread, where the typed text waits
            # (kept in the browser), once logged in again.
            target = url_for("counselor.threads.thread", thread_id=request.view_args["thread_id"])
        return redirect(url_for("counselor.auth.login", next=target))
    session[_SEEN] = now
    g.account = account
    return None


def admin_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not g.account.is_admin:
            abort(403, TEXT["forbidden"])
        return view(*args, **kwargs)

    return wrapper


def _known_name(name: str) -> str:
    account = get_services().accounts.get(name)
    return account.name if account else "?"


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    services = get_services()
    next_url = safe_next(request.values.get("next"), services.url_prefix)
    if request.method == "GET":
        return render_template("counselor/login.html", next_url=next_url)
    name, password = request.form.get("name", ""), request.form.get("password", "")
    try:
        account = services.accounts.verify(name, password)
    except AccountLocked as locked:
        services.audit.record(_known_name(name), "login_locked")
        message = TEXT["locked"].format(until=to_tokyo(locked.until).strftime("%H:%M"))
        return render_template("counselor/login.html", next_url=next_url, error=message), 429
    if account is None:
        known = services.accounts.get(name)
        if known is not None:
            services.audit.record(known.name, "login_failed")
        return render_template("counselor/login.html", next_url=next_url, error=TEXT["login_failed"]), 401
    end_session()
    session[_USER] = account.name
    session[_PASSWORD_AT] = account.password_changed_at.isoformat()
    session[_LOGIN_AT] = session[_SEEN] = time.time()
    services.audit.record(account.name, "login")
    return redirect(next_url or url_for("counselor.threads.queue"))


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    get_services().audit.record(g.account.name, "logout")
    end_session()
    flash(TEXT["logged_out"], "info")
    return redirect(url_for("counselor.auth.login"))


@bp.route("/password", methods=["GET", "POST"])
def password() -> Any:
    if request.method == "GET":
        return render_template("counselor/password.html")
    services = get_services()
    current, new, again = (request.form.get(k, "") for k in ("current", "new", "again"))
    error = ""
    if new != again:
        error = TEXT["password_mismatch"]
    else:
        try:
            if services.accounts.verify(g.account.name, current) is None:
                error = TEXT["current_password_wrong"]
            else:
                changed = services.accounts.reset_password(g.account.name, new)
                session[_PASSWORD_AT] = changed.password_changed_at.isoformat()
                services.audit.record(g.account.name, "password_changed")
                flash(TEXT["password_changed"], "info")
                return redirect(url_for("counselor.threads.queue"))
        except AccountLocked:
            end_session()
            return redirect(url_for("counselor.auth.login"))
        except AccountError as refused:
            error = TEXT.get(f"account_{refused.code}", TEXT["account_invalid"])
    return render_template("counselor/password.html", error=error), 422

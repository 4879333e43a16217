"""Admin-only views: counselor accounts, the audit log, and the report of questions the bot missed."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from handoff.accounts import AccountError
from handoff.dashboard import TEXT, get_services
from handoff.dashboard.auth import admin_required

AUDIT_PAGE_SIZE = 100

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/accounts", methods=["GET", "POST"])
@admin_required
def accounts() -> Any:
    services = get_services()
    audit, accounts = services.audit, services.accounts
    error = ""
    if request.method == "POST":
        action, name = request.form.get("action", ""), request.form.get("name", "")
        try:
            if action == "add":
                added = accounts.add(
                    name, request.form.get("password", ""), request.form.get("role") == "admin"
                )
                audit.record(g.account.name, "account_add", detail=f"account={added.name} role={added.role}")
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
            return redirect(url_for("counselor.admin.accounts"))
        except AccountError as refused:
            error = TEXT.get(f"account_{refused.code}", TEXT["account_invalid"])
    status = 422 if error else 200
    return render_template("counselor/accounts.html", accounts=accounts.list(), error=error), status


@bp.route("/audit")
@admin_required
def audit() -> Any:
    page = request.args.get("page", "0")
    page_number = int(page) if page.isdigit() and len(page) < 7 else 0
    entries = get_services().audit.entries(limit=AUDIT_PAGE_SIZE, offset=page_number * AUDIT_PAGE_SIZE)
    return render_template("counselor/audit.html", entries=entries, page=page_number)


@bp.route("/report")
@admin_required
def report() -> Any:
    """Missed questions (masked) by program and week, and feedback counts; every view is audited."""
    questions = get_services().questions
    if questions is None:
        abort(404)
    since = _date(request.args.get("since", ""))
    get_services().audit.record(g.account.name, "report_view", detail=f"since={since or '-'}")
    return render_template("counselor/report.html", report=questions.report(since), since=since)


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None

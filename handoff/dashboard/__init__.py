"""The counselor dashboard: a server-rendered Flask blueprint mounted at /counselor (flaskr-style package).

Counselors log in (`auth`), take the most urgent waiting thread, read the transcript and household facts,
reply (recorded and pushed to the resident by the injected `CounselorReplies`), keep private notes and
resolve the thread so the bot answers again (`threads`). Admins manage accounts, read the audit log and
the report of questions the bot missed (`admin`), write and send opt-in notices (`notices`) and keep the
city's content true (`content`). Every
view of a thread is audited.

The views are module-level functions; what they work on (`DashboardServices`) lives on the app, in
`app.extensions[EXTENSION_KEY]`, so one blueprint definition serves any number of apps. The app factory owns
the cookie settings (SECRET_KEY, SESSION_COOKIE_HTTPONLY, SESSION_COOKIE_SAMESITE="Lax",
SESSION_COOKIE_SECURE outside local mode); the dashboard only adds security headers to its own responses.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from flask import Blueprint, Flask, abort, current_app, g, render_template
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from handoff import messages
from handoff.accounts import CounselorAccounts
from handoff.audit import AuditLog
from handoff.content import ContentDesk
from handoff.counselor_replies import CounselorReplies
from handoff.hours import ReceptionHours
from handoff.insights import QuestionLog
from handoff.store import RETURN_WINDOW, ThreadStore
from handoff.websecurity import CSRF_FIELD, add_security_headers, csrf_token

if TYPE_CHECKING:
    from handoff.dashboard.notices import NoticeAdmin

EXTENSION_KEY = "handoff.dashboard"
HANDOFF_DIR = Path(__file__).resolve().parent.parent
CANNED_REPLIES_FILE = HANDOFF_DIR / "canned_replies.yaml"
DEFAULT_URL_PREFIX = "/counselor"
MAX_REPLY_LENGTH = 4000
TEXT = messages.DASHBOARD


@dataclass(frozen=True)
class DashboardServices:
    """What the dashboard's views work on; the app stores one in `app.extensions[EXTENSION_KEY]`.

    `replies` records a counselor's text and pushes it to the resident (idempotent per retry key); `audit`
    keeps the trail of every view and action.
    """

    store: ThreadStore
    accounts: CounselorAccounts
    replies: CounselorReplies
    audit: AuditLog
    hours: ReceptionHours | None = None
    canned_replies: list[CannedReply] = field(default_factory=list)
    questions: QuestionLog | None = None
    notices: NoticeAdmin | None = None
    content: ContentDesk | None = None  # the city's content pages (admins only); None: not offered
    # An urgent thread closed this recently before a resident's new thread flags it (ThreadStore.returning).
    return_window: timedelta = RETURN_WINDOW
    url_prefix: str = DEFAULT_URL_PREFIX


def get_services() -> DashboardServices:
    """The services of the app serving the current request."""
    return current_app.extensions[EXTENSION_KEY]


def has_bad_characters(text: str) -> bool:
    """Control characters (other than newline and tab) and U+FFFD (bytes that were not UTF-8) are refused."""
    return any(c == "\ufffd" or (unicodedata.category(c) == "Cc" and c not in "\n\t") for c in text)


@dataclass(frozen=True)
class CannedReply:
    """A reply a counselor can start from; `kinds` are the risk kinds (thread categories) it fits, if any."""

    title: str
    text: str
    kinds: tuple[str, ...] = ()


def load_canned_replies(path: Path | None = None) -> list[CannedReply]:
    with open(path or CANNED_REPLIES_FILE, encoding="utf-8") as handle:
        entries = yaml.safe_load(handle) or []
    return [
        CannedReply(str(e["title"]), str(e["text"]), tuple(str(k) for k in e.get("kinds") or ()))
        for e in entries
    ]


def _labels() -> dict[str, Any]:
    hours = get_services().hours
    return {
        "labels": messages,
        "page_text": messages.PAGE,
        "account": g.get("account"),
        "csrf_field": CSRF_FIELD,
        "csrf_token": csrf_token,
        "hours_open": hours.is_open() if hours else None,
        "hours_text": hours.describe() if hours else "",
        "content_pages": get_services().content is not None,
    }


def _render_error(error: HTTPException) -> tuple[str, int]:
    description = error.description if isinstance(error.description, str) else ""
    if description == type(error).description:  # werkzeug's own English sentence: never shown
        description = messages.HTTP_ERRORS.get(error.code or 500, messages.HTTP_ERROR_OTHER)
    if error.code == 404:
        description = TEXT["not_found"]
    if error.code == 413:
        from handoff.dashboard.content import MAX_UPLOAD_BYTES

        description = TEXT["too_large"].format(limit=MAX_UPLOAD_BYTES // (1024 * 1024))
    return render_template("counselor/error.html", error=error, description=description), error.code or 500


def _headers(response: Response) -> Response:
    return add_security_headers(response)


def _unknown_page(unknown: str) -> None:
    """Any other path under the prefix: the dashboard's own 404 with its headers, after the login check."""
    abort(404)


def create_blueprint(url_prefix: str = DEFAULT_URL_PREFIX) -> Blueprint:
    """A fresh `counselor` blueprint with the auth, threads and admin views nested in it."""
    from handoff.dashboard import admin, auth, content, filters, notices, threads

    blueprint = Blueprint(
        "counselor",
        __name__,
        url_prefix=url_prefix,
        template_folder=str(HANDOFF_DIR / "templates"),
        static_folder=str(HANDOFF_DIR / "static"),
        static_url_path="/static",
    )
    blueprint.before_request(content.allow_uploads)  # before the CSRF check reads the form
    blueprint.before_request(auth.require_login)
    blueprint.after_request(_headers)
    blueprint.context_processor(_labels)
    blueprint.register_error_handler(HTTPException, _render_error)
    filters.register(blueprint)
    blueprint.add_url_rule("/<path:unknown>", view_func=_unknown_page, methods=["GET", "POST"])
    for child in (auth.bp, threads.bp, admin.bp, notices.bp, content.bp):
        blueprint.register_blueprint(child)
    return blueprint


def init_dashboard(app: Flask, services: DashboardServices) -> None:
    """Store the services on the app and mount the dashboard at `services.url_prefix`."""
    app.extensions[EXTENSION_KEY] = services
    app.register_blueprint(create_blueprint(services.url_prefix))

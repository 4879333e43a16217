"""Admin-only pages for opt-in notices: write a notice (topic, text, time), preview it as residents will see
it with this month's LINE quota beside the number of subscribers, then schedule it; follow each run's counts,
cancel one not yet begun, resume one LINE's monthly limit stopped. Every action is audited."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from handoff.dashboard import TEXT, get_services, has_bad_characters
from handoff.dashboard.auth import admin_required
from handoff.hours import TOKYO, to_tokyo
from handoff.notices import NoticeTopics, RenderedNotice, render_notice
from handoff.subscriptions import NoticeRuns, Subscriptions

log = logging.getLogger(__name__)

bp = Blueprint("notices", __name__, url_prefix="/admin/notices")
TIME_FORMAT = "%Y-%m-%dT%H:%M"


@bp.app_template_filter("notice_time")
def notice_time(moment: datetime) -> str:
    """A run's time on the Tokyo clock with its year (a notice may be scheduled months ahead)."""
    return to_tokyo(moment).strftime("%Y-%m-%d %H:%M")


class Quota(Protocol):
    """LINE's month: the limit (None: no limit) and the messages used (`bot.delivery.MessageQuota`)."""

    limit: int | None
    used: int


@dataclass(frozen=True)
class QuotaView:
    limit: int | None
    used: int

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else max(0, self.limit - self.used)


@dataclass(frozen=True)
class NoticeAdmin:
    """What the notice pages work on; `quota` asks LINE's quota API (may fail: the page then says so)."""

    topics: NoticeTopics
    subscriptions: Subscriptions
    runs: NoticeRuns
    quota: Callable[[], Quota]

    def read_quota(self) -> QuotaView | None:
        try:
            found = self.quota()
        except Exception:
            log.warning("LINE's quota API did not answer", exc_info=True)
            return None
        return QuotaView(found.limit, found.used)


@dataclass(frozen=True)
class Draft:
    topic: str
    text: str
    when: str  # as typed (Tokyo, YYYY-MM-DDTHH:MM), empty: now


def _admin() -> NoticeAdmin:
    notices = get_services().notices
    if notices is None:
        abort(404)
    return notices


def _draft() -> Draft:
    form = request.form
    text = form.get("text", "").replace("\r\n", "\n")
    return Draft(form.get("topic", ""), text, form.get("when", "").strip())


def _check(admin: NoticeAdmin, draft: Draft) -> tuple[RenderedNotice | None, datetime | None, str]:
    """The notice and its time (UTC), or the reason it cannot go out."""
    if admin.topics.by_key(draft.topic) is None:
        return None, None, TEXT["notice_topic_unknown"]
    if has_bad_characters(draft.text):
        return None, None, TEXT["bad_characters"]
    try:
        notice = render_notice(draft.text)
    except ValueError:
        error = "notice_empty" if not draft.text.strip() else "notice_too_long"
        return None, None, TEXT[error]
    if not draft.when:
        return notice, datetime.now(UTC), ""
    try:
        when = datetime.strptime(draft.when, TIME_FORMAT).replace(tzinfo=TOKYO)
    except ValueError:
        return None, None, TEXT["notice_time_invalid"]
    return notice, when.astimezone(UTC), ""


def _form(admin: NoticeAdmin, draft: Draft, error: str = "", status: int = 200) -> Any:
    counts = {topic.key: admin.subscriptions.count(topic.key) for topic in admin.topics.topics}
    page = render_template(
        "counselor/notices.html",
        topics=admin.topics.topics,
        topic_labels={topic.key: topic.label for topic in admin.topics.topics},
        counts=counts,
        runs=admin.runs.list(),
        draft=draft,
        error=error,
        quota=admin.read_quota(),
    )
    return page, status


@bp.route("", methods=["GET"])
@admin_required
def index() -> Any:
    admin = _admin()
    return _form(admin, Draft(admin.topics.topics[0].key, "", ""))


@bp.route("/preview", methods=["POST"])
@admin_required
def preview() -> Any:
    """The notice as a resident's phone shows it, who gets it, and whether this month's quota covers it."""
    admin, draft = _admin(), _draft()
    if request.form.get("action") == "edit":
        return _form(admin, draft)
    notice, when, error = _check(admin, draft)
    if notice is None or when is None:
        return _form(admin, draft, error, 422)
    topic = admin.topics.by_key(draft.topic)
    recipients = admin.subscriptions.count(draft.topic)
    get_services().audit.record(g.account.name, "notice_preview", detail=f"topic={draft.topic}")
    return render_template(
        "counselor/notice_preview.html",
        draft=draft,
        topic=topic,
        notice=notice,
        when=when,
        recipients=recipients,
        quota=admin.read_quota(),
    )


@bp.route("", methods=["POST"])
@admin_required
def schedule() -> Any:
    admin, draft = _admin(), _draft()
    notice, when, error = _check(admin, draft)
    if notice is None or when is None:
        return _form(admin, draft, error, 422)
    run = admin.runs.create(draft.topic, notice.body, when, g.account.name)
    flash(TEXT["notice_scheduled"].format(id=run.id), "info")
    return redirect(url_for("counselor.notices.run", run_id=run.id))


@bp.route("/<int:run_id>", methods=["GET"])
@admin_required
def run(run_id: int) -> Any:
    admin = _admin()
    found = admin.runs.get(run_id)
    if found is None:
        abort(404)
    return render_template(
        "counselor/notice_run.html",
        run=found,
        topic=admin.topics.by_key(found.topic),
        notice=render_notice(found.body),
        quota=admin.read_quota(),
    )


@bp.route("/<int:run_id>", methods=["POST"])
@admin_required
def change(run_id: int) -> Any:
    """Cancel a run not yet begun, or resume one LINE's monthly limit stopped."""
    admin, action = _admin(), request.form.get("action", "")
    if action == "cancel":
        changed = admin.runs.cancel(run_id, g.account.name)
    elif action == "resume":
        changed = admin.runs.resume(run_id, g.account.name)
    else:
        abort(400)
    done, refused = _RESULTS[action]
    flash(TEXT[done if changed else refused], "info" if changed else "error")
    return redirect(url_for("counselor.notices.run", run_id=run_id))


_RESULTS = {
    "cancel": ("notice_cancelled", "notice_cancel_refused"),
    "resume": ("notice_resumed", "notice_resume_refused"),
}

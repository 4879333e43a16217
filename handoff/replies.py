"""The resident-facing texts the bot sends around a handoff, composed from handoff.messages.

The bot's router calls these; they need the reception hours (to say when a person will answer) and, for
urgent threads, the crisis authority (to repeat the lines open now that fit the thread's crisis kinds).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from handoff import messages
from handoff.crisis import CrisisDetector
from handoff.hours import ReceptionHours, to_tokyo
from handoff.store import COUNSELOR_ACTIVE_WINDOW, Thread


def thread_opened(hours: ReceptionHours, now: datetime | None = None) -> str:
    """Sent right after the escalation reply: who answers, and when."""
    if hours.is_open(now):
        return messages.THREAD_OPENED_OPEN
    return messages.THREAD_OPENED_CLOSED.format(when=hours.when_phrase(now), hours=hours.describe())


def who_answers(
    thread: Thread,
    hours: ReceptionHours,
    now: datetime | None = None,
    *,
    live_window: timedelta = COUNSELOR_ACTIVE_WINDOW,
) -> str:
    """Sent right after the escalation reply that opened or raised `thread` (crisis contacts, or 「おつなぎ
    します」): who answers, and when. A thread a counselor has just taken (not written in yet) is being read
    now: 「お返事は8時30分以降」 would be false there, and would contradict the 「いま確認しています」 the
    resident was just told."""
    if _just_claimed(thread, now, live_window):
        return messages.ACKNOWLEDGEMENT_CLAIMED
    return thread_opened(hours, now)


def acknowledgement(
    thread: Thread,
    hours: ReceptionHours,
    crisis: CrisisDetector,
    now: datetime | None = None,
    *,
    counselor_active: bool = False,
    live_window: timedelta = COUNSELOR_ACTIVE_WINDOW,
) -> str:
    """The bot's answer while a thread is open; out of hours it says when a person will read it, and for
    urgent threads it repeats the lines open now (only those: the first reply gave the local ones, whose
    hours vary, and a list repeated whole under every question buries the answer). Empty while a counselor
    is writing in the thread: a "please wait" or "we answer tomorrow" in a live chat would be false; one who
    has just taken it is reading now, whatever the hour."""
    if counselor_active:
        return ""
    if _just_claimed(thread, now, live_window):
        return messages.ACKNOWLEDGEMENT_CLAIMED
    if hours.is_open(now):
        return messages.ACKNOWLEDGEMENT_OPEN
    moment = to_tokyo(now)
    text = messages.ACKNOWLEDGEMENT_CLOSED.format(when=hours.when_phrase(moment))
    lines = crisis.contact_lines(thread.categories, moment, open_only=True) if thread.urgent else []
    if lines:
        text = "\n".join([text, "", messages.ACKNOWLEDGEMENT_URGENT, *lines])
    return text


def _just_claimed(thread: Thread, now: datetime | None, window: timedelta = COUNSELOR_ACTIVE_WINDOW) -> bool:
    """A counselor took the thread within `window`, not written yet: 「8時30分以降」 would be false."""
    if thread.status != "claimed" or thread.claimed_at is None:
        return False
    return (now or datetime.now(UTC)) - thread.claimed_at <= window


def kind_labels(kinds: Sequence[str]) -> str:
    """Crisis kinds as staff read them (「DV、身の危険」): alerts and notes."""
    return "、".join(messages.CATEGORY_LABELS.get(kind, messages.CATEGORY_UNKNOWN) for kind in kinds)


def live_crisis_note(kinds: Sequence[str]) -> str:
    """The note left for the counselor of a live thread when crisis words come and the bot stays quiet."""
    return messages.LIVE_CRISIS_NOTE.format(kinds=kind_labels(kinds))


def thread_resolved() -> str:
    return messages.THREAD_RESOLVED


def delete_confirmation() -> tuple[str, list[tuple[str, str]]]:
    """The question asked before deleting a resident's data, with its (label, postback) buttons."""
    return messages.DELETE_CONFIRM, [
        (messages.DELETE_CONFIRM_LABEL, messages.DELETE_CONFIRM_POSTBACK),
        (messages.DELETE_CANCEL_LABEL, messages.DELETE_CANCEL_POSTBACK),
    ]


def delete_done() -> str:
    return messages.DELETE_DONE


def delete_cancelled() -> str:
    return messages.DELETE_CANCELLED


def privacy_notice(retention_days: int) -> str:
    """The follow message's paragraph: what is kept, how to delete it, and how to clear a shared phone."""
    return messages.PRIVACY_NOTICE.format(retention_days=retention_days)


def anonymous_consultation(retention_days: int) -> str:
    """The answer to 「名前を出さずに相談できますか」: yes, before a divorce too, and what is kept."""
    return messages.ANONYMOUS_CONSULTATION.format(retention_days=retention_days)

"""What the conversation router needs from each collaborator `bot.services` hands it.

The real ones come from `handoff`, `intents` and `knowledge`; tests pass small stand-ins. Each Protocol
lists only what the router calls, so the router depends on behaviour, not on how a package builds it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Literal, Protocol

import numpy as np

from handoff import CrisisAssessment, Escalation, NoticeRequest, ReceptionHours, Thread
from handoff.store import Message as ThreadMessage
from intents import DialogueTurn, Facts, IntentResult, Recommendation
from knowledge import Answer


class Identity(Protocol):
    """Keyed hashes and sealed push targets (`handoff.ResidentIdentity`)."""

    def user_key(self, line_user_id: str) -> str: ...

    def seal(self, value: str, *, purpose: str = ...) -> str: ...


class Knowledge(Protocol):
    def answer(
        self,
        question: str,
        municipality: str | None = None,
        query_vector: np.ndarray | None = None,
        topic: str | None = None,
        children: int | None = None,
    ) -> Answer: ...

    def place_named(self, text: str) -> str | None: ...

    def names_service(self, text: str) -> bool: ...

    def covers_place(self, place: str) -> bool: ...


class QueryVectors(Protocol):
    """The message's one embedding, shared by crisis, intents and knowledge (`bot.embedding`)."""

    def vector(self, text: str) -> np.ndarray: ...


class Detector(Protocol):
    def detect(self, text: str) -> IntentResult: ...


class Dialogue(Protocol):
    """The household-facts dialogue (`intents.FactsDialogue`)."""

    def start(self, user_key: str, text: str | None = None) -> DialogueTurn: ...

    def reviewing(self, user_key: str) -> bool: ...

    def remember(self, user_key: str, text: str) -> None: ...

    def active(self, user_key: str) -> bool: ...

    def reads_as_answer(self, user_key: str, text: str) -> bool: ...

    def describes_household(self, text: str) -> bool: ...

    def handle(
        self, user_key: str, text: str | None = None, postback: str | None = None
    ) -> DialogueTurn | None: ...

    def cancel(self, user_key: str) -> None: ...

    def facts(self, user_key: str) -> Facts | None: ...

    def children(self, user_key: str) -> list[dict[str, int | str]]: ...

    def remember_topic(self, user_key: str, topic: str) -> None: ...

    def topic(self, user_key: str) -> str | None: ...


class Suggest(Protocol):
    def __call__(self, facts: Facts) -> Recommendation: ...


class Policy(Protocol):
    """When to hand a resident to a person (`handoff.EscalationPolicy`)."""

    offer_threshold: int

    def assess(
        self, text: str, unanswered_in_a_row: int = 0, *, postback: str | None = None
    ) -> Escalation | None: ...


class Crisis(Protocol):
    """The one crisis authority (`handoff.CrisisDetector`): decides, and knows the lines open now."""

    def embed(self, text: str) -> np.ndarray | None: ...

    def assess(self, text: str, query_vector: np.ndarray | None = None) -> CrisisAssessment | None: ...

    def with_earlier(self, found: CrisisAssessment, earlier: Sequence[str]) -> CrisisAssessment: ...

    def escalation(self, assessment: CrisisAssessment, now: datetime) -> Escalation: ...

    def contact_lines(self, kinds: Sequence[str], now: datetime, open_only: bool = False) -> list[str]: ...

    def strained(self, text: str) -> bool: ...

    def safety_note(self, text: str) -> str: ...


class Alerts(Protocol):
    """Tells on-call staff of an urgent thread, once (`handoff.CrisisAlerts`)."""

    def notify(self, thread_id: int, user_key: str, kinds: Sequence[str]) -> bool: ...


class Threads(Protocol):
    """Counselor threads (`handoff.ThreadStore`)."""

    def open_thread_for(self, user_key: str) -> Thread | None: ...

    def open(
        self,
        user_key: str,
        user_ref: str,
        reason: str,
        urgent: bool,
        facts: dict | None = None,
        programs: list[dict] | None = None,
        *,
        categories: list[str] | None = None,
    ) -> Thread: ...

    def append(self, thread_id: int, sender: str, text: str) -> ThreadMessage: ...

    # How long after a counselor's last message (or claim) the bot keeps quiet in their thread.
    live_window: timedelta

    def counselor_active(self, thread: Thread, now: datetime | None = None) -> bool: ...

    def add_note(self, thread_id: int, author: str, text: str) -> object: ...


class HandoffTexts(Protocol):
    """The resident-facing handoff texts and postback names (the `handoff` package itself fits)."""

    DELETE_CONFIRM_POSTBACK: str
    DELETE_CANCEL_POSTBACK: str
    REQUEST_POSTBACK: str
    DECLINE_POSTBACK: str
    NOTE_AUTHOR_BOT: str

    def privacy_notice(self, retention_days: int) -> str: ...

    def anonymous_consultation(self, retention_days: int) -> str: ...

    def delete_confirmation(self) -> tuple[str, Sequence[tuple[str, str]]]: ...

    def delete_done(self) -> str: ...

    def delete_cancelled(self) -> str: ...

    def who_answers(
        self,
        thread: Thread,
        hours: ReceptionHours,
        now: datetime | None = None,
        *,
        live_window: timedelta = ...,
    ) -> str: ...

    def live_crisis_note(self, kinds: Sequence[str]) -> str: ...

    def acknowledgement(
        self,
        thread: Thread,
        hours: ReceptionHours,
        crisis: Crisis,
        now: datetime | None = None,
        *,
        counselor_active: bool = False,
        live_window: timedelta = ...,
    ) -> str: ...


class Counters(Protocol):
    """Unanswered questions in a row per resident (`bot.conversation.ConversationState`)."""

    def record_answer(self, user_key: str, confident: bool) -> int: ...

    def reset(self, user_key: str) -> None: ...


class Questions(Protocol):
    """The question log (`handoff.QuestionLog`): every knowledge answer, its escalation and its rating."""

    def record(self, user_key: str, text: str, answer: Answer) -> int: ...

    def mark_escalated(self, question_id: int) -> None: ...

    def rate(self, question_id: int, user_key: str, rating: Literal["helpful", "unhelpful"]) -> bool: ...


class Notices(Protocol):
    """Opt-in notices (`handoff.NoticeDesk`): reads requests, answers them, forgets a resident who blocked."""

    def read(self, text: str) -> NoticeRequest | None: ...

    def read_postback(self, data: str) -> NoticeRequest | None: ...

    def menu_choice(self) -> tuple[str, str]: ...

    def answer(
        self, user_key: str, user_ref: Callable[[], str], request: NoticeRequest
    ) -> tuple[str, Sequence[tuple[str, str]]]: ...

    def blocked(self, user_key: str) -> None: ...

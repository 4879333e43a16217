"""The conversation router: one LINE event in, the messages to answer it with out.

The order of the checks for a resident's text is the product's safety promise: a crisis gets emergency
numbers before anything else, a resident with an open counselor thread is heard by a person (the bot only
acknowledges), a dialogue in progress keeps its place, then intents, and only then a knowledge answer.
Everything the router keeps about a resident is keyed by `user_key` (a keyed hash), and `forget` removes it
all, including what other stores registered through `forgetters`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from linebot.v3.messaging import Message
from linebot.v3.webhooks import (
    Event,
    FollowEvent,
    GroupSource,
    JoinEvent,
    MessageEvent,
    PostbackEvent,
    RoomSource,
    TextMessageContent,
    UserSource,
)

from bot import messages, render
from bot.render import Choice
from bot.storage import Connect

log = logging.getLogger(__name__)

STATE_TABLE = "bot_conversations"
# A run of unanswered questions older than this no longer says anything about the resident's current need.
STATE_TTL = timedelta(days=1)
DIALOGUE_PREFIX = "dlg:"
# Control characters other than newline and tab say nothing to a person; they are dropped before routing.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")

Forgetter = Callable[[str], None]


def clean_text(raw: str | None) -> str:
    """The text as a person reads it: no control or direction characters, no surrounding blanks.

    Cut to LINE's own 5,000-character limit, so a forged oversized message cannot hold a worker for minutes.
    """
    return _CONTROL.sub("", (raw or "")[: render.MAX_TEXT_CHARS]).strip()


class ConversationState:
    """The router's own memory per resident: how many questions in a row the knowledge base missed."""

    def __init__(self, connect: Connect) -> None:
        self._connect = connect
        connect()[STATE_TABLE].create(
            {"user_key": str, "unanswered": int, "updated_at": str},
            pk="user_key",
            not_null={"unanswered", "updated_at"},
            if_not_exists=True,
        )

    def unanswered(self, user_key: str) -> int:
        row = (
            self._connect()
            .execute(f"SELECT unanswered FROM {STATE_TABLE} WHERE user_key = ?", [user_key])
            .fetchone()
        )
        return int(row[0]) if row else 0

    def record_answer(self, user_key: str, confident: bool) -> int:
        """Count a missed question (or reset the count on a good answer); returns the count in a row."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        if confident:
            self.reset(user_key)
            return 0
        row = (
            self._connect()
            .execute(
                f"INSERT INTO {STATE_TABLE} (user_key, unanswered, updated_at) VALUES (?, 1, ?) "
                "ON CONFLICT(user_key) DO UPDATE SET unanswered = unanswered + 1, "
                "updated_at = excluded.updated_at "
                "RETURNING unanswered",
                [user_key, now],
            )
            .fetchone()
        )
        return int(row[0])

    def reset(self, user_key: str) -> None:
        self._connect().execute(f"DELETE FROM {STATE_TABLE} WHERE user_key = ?", [user_key])

    forget = reset

    def purge_idle(self, now: datetime) -> int:
        """Delete counters left untouched for longer than STATE_TTL; returns how many."""
        cutoff = (now - STATE_TTL).isoformat(timespec="seconds")
        return self._connect().execute(f"DELETE FROM {STATE_TABLE} WHERE updated_at < ?", [cutoff]).rowcount


class Conversation:
    """Routes events to handoff, intents and knowledge, and renders what they decide.

    Every collaborator is passed in (`build_conversation` wires the real ones), so the router holds no
    knowledge of how answers are found, only of the order in which they are asked for.
    """

    def __init__(
        self,
        *,
        identity: Any,
        knowledge: Any,
        detector: Any,
        dialogue: Any,
        suggest: Callable[[Any], Any],
        policy: Any,
        threads: Any,
        accounts: Any,
        hours: Any,
        handoff: Any,
        connect: Connect,
        retention_days: int = 90,
        forgetters: Iterable[Forgetter] = (),
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.identity = identity
        self.knowledge = knowledge
        self.detector = detector
        self.dialogue = dialogue
        self.suggest = suggest
        self.policy = policy
        self.threads = threads
        self.accounts = accounts
        self.hours = hours
        self.handoff = handoff  # the package: resident-facing texts and postback names
        self.state = ConversationState(connect)
        self.retention_days = retention_days
        self.forgetters: list[Forgetter] = list(forgetters)
        self._clock = clock or (lambda: datetime.now(UTC))

    @property
    def ready(self) -> bool:
        return self.knowledge is not None

    # ---- entry point ------------------------------------------------------------------------------------
    def respond(self, event: Event) -> list[Message]:
        """The messages to answer `event` with (at most five; none for events that cannot be answered)."""
        source = getattr(event, "source", None)
        if isinstance(source, GroupSource | RoomSource):
            return render.fit(self._in_group(event))
        if not isinstance(source, UserSource) or not source.user_id:
            return []
        try:
            replies = self._in_chat(event, source.user_id)
        except Exception:
            # A resident who wrote must hear back, even when a store or the index fails; the worker would
            # otherwise mark the event failed and send nothing. No text or id goes into the log.
            log.exception("conversation failed on a %s event; sent the apology", event.type)
            replies = [render.text(messages.TROUBLE, render.menu_choices())]
        return render.fit(replies)

    def _in_chat(self, event: Event, user_id: str) -> list[Message]:
        if isinstance(event, MessageEvent):
            if isinstance(event.message, TextMessageContent):
                return self._on_text(user_id, clean_text(event.message.text))
            return self._on_media(user_id, event.message.type)
        if isinstance(event, PostbackEvent):
            return self._on_postback(user_id, event.postback.data or "")
        if isinstance(event, FollowEvent):
            return self._on_follow()
        # unfollow (no one left to answer), unsend, beacon, accountLink, ... need no reply.
        return []

    def forget(self, user_key: str) -> None:
        """Delete everything kept about this resident: registered stores, dialogue, router state, threads.

        The thread store goes last because its `forget` also checkpoints the WAL into the database file,
        which is what makes the other deletions leave no old page behind.
        """
        for forgetter in self.forgetters:
            forgetter(user_key)
        self.dialogue.forget(user_key)
        self.state.forget(user_key)
        self.threads.forget(user_key)

    # ---- sources and event types -------------------------------------------------------------------------
    def _in_group(self, event: Event) -> list[Message]:
        """Brief and forgetful: a group is no place for a consultation, and nothing of it is kept."""
        if isinstance(event, JoinEvent):
            return [render.text(messages.JOIN_INTRO)]
        if isinstance(event, MessageEvent | PostbackEvent):
            return [render.text(messages.GROUP_REPLY)]
        return []

    def _on_follow(self) -> list[Message]:
        privacy = self.handoff.privacy_notice(self.retention_days)
        return [render.text(messages.FOLLOW_GREETING), render.text(privacy, render.menu_choices())]

    def _on_media(self, user_id: str, kind: str) -> list[Message]:
        thread = self.threads.open_thread_for(self.identity.user_key(user_id))
        if thread is not None:
            label = messages.MEDIA_KINDS.get(kind, messages.MEDIA_KIND_OTHER)
            self.threads.append(thread.id, "resident", messages.TEXT_ONLY_RELAYED.format(kind=label))
        return [render.text(messages.TEXT_ONLY, render.menu_choices())]

    # ---- text ---------------------------------------------------------------------------------------------
    def _on_text(self, user_id: str, text: str) -> list[Message]:
        user_key = self.identity.user_key(user_id)
        if not text:
            return [render.text(messages.EMPTY_TEXT, render.menu_choices())]
        escalation = self.policy.assess(text)
        if escalation is not None and escalation.kind == "crisis":
            return self._escalate(user_id, user_key, escalation, text)
        intent = _LazyIntent(self.detector, text)
        thread = self.threads.open_thread_for(user_key)
        if thread is not None:
            if intent.name == "delete_data":
                return self._confirm_delete()
            self.threads.append(thread.id, "resident", text)
            acknowledgement = self._acknowledgement(thread)
            return [render.text(acknowledgement)] if acknowledgement else []
        if escalation is not None and escalation.kind == "request":
            return self._escalate(user_id, user_key, escalation, text)
        if intent.name == "delete_data":
            return self._confirm_delete()
        if self.dialogue.active(user_key):
            turn = self.dialogue.handle(user_key, text=text)
            if turn is not None:
                return render.dialogue_turn(turn)
        match intent.name:
            case "greeting":
                return [
                    render.text(messages.GREETING),
                    render.text(messages.MENU_PROMPT, render.menu_choices()),
                ]
            case "start_check":
                return render.dialogue_turn(self.dialogue.start(user_key))
            case "counselor":
                return self._request_counselor(user_id, user_key, text)
            case "reset":
                return self._restart(user_key)
            case "thanks":
                return [render.text(messages.THANKS, render.after_answer_choices())]
        return self._answer(user_key, text, offer=intent.name == "crisis")

    def _answer(self, user_key: str, text: str, offer: bool = False) -> list[Message]:
        """A grounded answer; after two misses in a row (or a worrying question) the offer of a person."""
        facts = self.dialogue.facts(user_key)
        municipality = getattr(facts, "municipality", None)
        answer = self.knowledge.answer(text, municipality=municipality)
        missed = self.state.record_answer(user_key, bool(answer.confident))
        replies = render.answer(answer)
        escalation = self.policy.assess(text, unanswered_in_a_row=missed)
        if escalation is None and offer:
            escalation = self.policy.assess(text, unanswered_in_a_row=self.policy.offer_threshold)
        if escalation is not None and escalation.kind == "offer":
            self.state.reset(user_key)
            replies.extend(render.escalation(escalation))
        return replies

    # ---- postbacks ----------------------------------------------------------------------------------------
    def _on_postback(self, user_id: str, data: str) -> list[Message]:
        user_key = self.identity.user_key(user_id)
        handoff = self.handoff
        if data == handoff.DELETE_CONFIRM_POSTBACK:
            self.forget(user_key)
            return [render.text(self.handoff.delete_done(), render.menu_choices())]
        if data == handoff.DELETE_CANCEL_POSTBACK:
            return [render.text(self.handoff.delete_cancelled(), render.menu_choices())]
        thread = self.threads.open_thread_for(user_key)
        if thread is not None:
            return [render.text(self._in_thread_notice(thread))]
        if data == render.MENU_COUNSELOR:
            return self._request_counselor(user_id, user_key, "")
        if data == handoff.REQUEST_POSTBACK:
            # Only the offer after unanswered questions shows this button: the counselor should know why.
            return self._request_counselor(user_id, user_key, "", reason="offer")
        if data == handoff.DECLINE_POSTBACK:
            return [render.text(messages.OFFER_DECLINED, render.after_answer_choices())]
        if data == render.MENU_CHECK:
            return render.dialogue_turn(self.dialogue.start(user_key))
        if data == render.MENU_ASK:
            examples = [Choice(example, text=example) for example in messages.ASK_EXAMPLES]
            return [render.text(messages.ASK_PROMPT, examples)]
        if data == render.MENU_HOWTO:
            return [render.text(messages.HOWTO, render.menu_choices())]
        if data == render.MENU_RESTART:
            return self._restart(user_key)
        if data.startswith(DIALOGUE_PREFIX):
            turn = self.dialogue.handle(user_key, postback=data)
            if turn is not None:
                return render.dialogue_turn(turn)
            return [render.text(messages.DIALOGUE_EXPIRED, render.menu_choices())]
        log.info("unknown postback (%d characters) answered with the menu", len(data))
        return [render.text(messages.MENU_PROMPT, render.menu_choices())]

    # ---- shared steps -------------------------------------------------------------------------------------
    def _restart(self, user_key: str) -> list[Message]:
        self.dialogue.cancel(user_key)
        self.state.reset(user_key)
        return [render.text(f"{messages.RESTARTED}{messages.MENU_PROMPT}", render.menu_choices())]

    def _confirm_delete(self) -> list[Message]:
        question, buttons = self.handoff.delete_confirmation()
        return [render.text(question, [Choice(label, data=data) for label, data in buttons])]

    def _in_thread_notice(self, thread: Any) -> str:
        """A menu tap while a counselor has the chat: nothing was relayed, but the numbers stay in reach."""
        contacts = self.policy.emergency_contacts(thread.categories) if thread.urgent else []
        return "\n".join([messages.IN_THREAD_MENU, *(f"・{contact}" for contact in contacts)])

    def _acknowledgement(self, thread: Any) -> str:
        now = self._clock()
        active = self.threads.counselor_active(thread, now)
        return self.handoff.acknowledgement(thread, self.hours, self.policy, now, counselor_active=active)

    def _request_counselor(
        self, user_id: str, user_key: str, text: str, reason: str = "request"
    ) -> list[Message]:
        escalation = self.policy.assess(text, postback=self.handoff.REQUEST_POSTBACK)
        return self._escalate(user_id, user_key, escalation, text, reason)

    def _escalate(
        self, user_id: str, user_key: str, escalation: Any, text: str, reason: str = ""
    ) -> list[Message]:
        """Open (or raise) the resident's thread with what is known so far, and tell them who answers when.

        A crisis reply goes out first and whole, even when the thread cannot be opened; the thread carries
        the household facts and suggested programs so the counselor does not have to ask again.
        """
        try:
            return self._open_thread(user_id, user_key, escalation, text, reason)
        except Exception:
            log.exception("could not open a %s thread; told the resident", escalation.kind)
            if escalation.kind == "crisis":
                return render.escalation(escalation, messages.HANDOFF_TROUBLE)
            return [render.text(messages.HANDOFF_TROUBLE, render.menu_choices())]

    def _open_thread(
        self, user_id: str, user_key: str, escalation: Any, text: str, reason: str
    ) -> list[Message]:
        existing = self.threads.open_thread_for(user_key)
        facts = self.dialogue.facts(user_key)
        facts_dict = {k: v for k, v in facts.to_dict().items() if v not in (None, [])} if facts else {}
        programs = [s.to_dict() for s in self.suggest(facts).programs] if facts_dict else []
        thread = self.threads.open(
            user_key,
            self.identity.seal(user_id),
            reason=reason or escalation.kind,
            urgent=escalation.urgent,
            facts=facts_dict or None,
            programs=programs or None,
            categories=list(escalation.categories),
        )
        if text:
            self.threads.append(thread.id, "resident", text)
        if existing is not None and escalation.kind != "crisis":
            acknowledgement = self._acknowledgement(thread)
            return [render.text(acknowledgement)] if acknowledgement else []
        self.threads.append(thread.id, "bot", escalation.reply)
        self.state.reset(user_key)
        return render.escalation(escalation, self.handoff.thread_opened(self.hours, self._clock()))


class _LazyIntent:
    """Detects the intent only when a branch asks for it: a crisis or an open thread needs no embedding."""

    def __init__(self, detector: Any, text: str) -> None:
        self._detector = detector
        self._text = text
        self._name: str | None = None

    @property
    def name(self) -> str:
        if self._name is None:
            intent = self._detector.detect(self._text).intent
            self._name = str(getattr(intent, "value", intent))
        return self._name


def build_conversation(
    settings: Any, connect: Connect, identity: Any, forgetters: Iterable[Forgetter] = ()
) -> Conversation:
    """Wire the real packages once per process: index, embedder, intent exemplars, rules and stores."""
    import handoff
    from intents import Catalogue, FactsDialogue, IntentDetector, recommend
    from knowledge import KnowledgeBase, load_embedder

    knowledge = KnowledgeBase.open(settings.data_dir, load_embedder(settings.embedder))
    catalogue = Catalogue.load()
    return Conversation(
        identity=identity,
        knowledge=knowledge,
        detector=IntentDetector(knowledge.embedder),
        dialogue=FactsDialogue(connect, catalogue, sealer=identity),
        suggest=lambda facts: recommend(facts, catalogue),
        policy=handoff.EscalationPolicy.load(),
        threads=handoff.ThreadStore(connect, identity),
        accounts=handoff.CounselorAccounts(connect),
        hours=handoff.ReceptionHours.parse(settings.reception_hours),
        handoff=handoff,
        connect=connect,
        retention_days=settings.retention_days,
        forgetters=forgetters,
    )

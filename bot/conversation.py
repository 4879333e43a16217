"""The conversation router: one LINE event in, the messages to answer it with out.

The order of the checks for a resident's text is the product's safety promise: a crisis (decided by
handoff's one crisis authority, on every message, whatever else is going on) gets the lines open now
before anything else, an urgent thread and an alert to on-call staff; a resident with an open counselor
thread is heard by a person (the bot only acknowledges, and answers questions while nobody can read yet);
a dialogue in progress keeps its place; a message in English that names a program (bot/english.yaml) gets
its Japanese name and the answer to it; then intents, and only then a knowledge answer.
Everything kept about a resident is keyed by `user_key` (a keyed hash), and `forget` removes it all through
the `forgetters` every store registered (`bot.services` lists them, each store deleting only its own table).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

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
    UnfollowEvent,
    UserSource,
)

from bot import messages, render
from bot.collaborators import (
    Alerts,
    Counters,
    Crisis,
    Detector,
    Dialogue,
    HandoffTexts,
    Identity,
    Knowledge,
    Notices,
    Policy,
    QueryVectors,
    Questions,
    Suggest,
    Threads,
)
from bot.database import Database
from bot.english import Glossary, default_glossary
from bot.render import Choice
from handoff import Escalation, NoticeRequest, ReceptionHours, Thread
from knowledge import Answer, condolence

log = logging.getLogger(__name__)

STATE_TABLE = "bot_conversations"
# A run of unanswered questions older than this no longer says anything about the resident's current need.
STATE_TTL = timedelta(days=1)
DIALOGUE_PREFIX = "dlg:"
# Control characters other than newline and tab say nothing to a person; they are dropped before routing.
# What a sentence saying only where one lives holds besides the place (「石川県の白山市在住です。」).
_ADMINISTRATIVE_SUFFIX = re.compile(r"[市町村区]$")
_PLACE_FILLER = re.compile(
    r"住んでいます|住んでます|住んでいる|住んでる|住まいです|住まい|在住です|在住|暮らしています|暮らしてます|"
    r"です|だよ|だ|私は|わたしは|^\S{2,3}?[都道府県]|[はにでのへ]|[\s、。,.!！?？~〜ー]"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")

# A message in Latin letters: three words at least, and no kana or kanji (「DVって何？」 is Japanese).
_LATIN_WORDS = re.compile(r"[A-Za-z]{2,}")
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")

Forgetter = Callable[[str], None]


def _in_latin_letters(text: str) -> bool:
    return len(_LATIN_WORDS.findall(text)) >= 3 and not _JAPANESE.search(text)


def clean_text(raw: str | None) -> str:
    """The text as a person reads it: no control or direction characters, no surrounding blanks.

    Cut to LINE's own 5,000-character limit, so a forged oversized message cannot hold a worker for minutes.
    """
    return _CONTROL.sub("", (raw or "")[: render.MAX_TEXT_CHARS]).strip()


class ConversationState:
    """The router's own memory per resident (table bot_conversations): how many questions in a row the
    knowledge base missed."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def unanswered(self, user_key: str) -> int:
        row = self._db.one(f"SELECT unanswered FROM {STATE_TABLE} WHERE user_key = ?", [user_key])
        return int(row["unanswered"]) if row else 0

    def record_answer(self, user_key: str, confident: bool) -> int:
        """Count a missed question (or reset the count on a good answer); returns the count in a row."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        if confident:
            self.reset(user_key)
            return 0
        row = self._db.one(
            f"INSERT INTO {STATE_TABLE} (user_key, unanswered, updated_at) VALUES (?, 1, ?) "
            f"ON CONFLICT(user_key) DO UPDATE SET unanswered = {STATE_TABLE}.unanswered + 1, "
            "updated_at = excluded.updated_at "
            "RETURNING unanswered",
            [user_key, now],
        )
        return int(row["unanswered"])  # type: ignore[index]

    def reset(self, user_key: str) -> None:
        self._db.execute(f"DELETE FROM {STATE_TABLE} WHERE user_key = ?", [user_key])

    forget = reset

    def purge_idle(self, now: datetime) -> int:
        """Delete counters left untouched for longer than STATE_TTL; returns how many."""
        cutoff = (now - STATE_TTL).isoformat(timespec="seconds")
        return self._db.execute(f"DELETE FROM {STATE_TABLE} WHERE updated_at < ?", [cutoff])


class Conversation:
    """Routes events to handoff, intents and knowledge, and renders what they decide.

    Every collaborator is passed in (`bot.services` wires the real ones), so the router holds no
    knowledge of how answers are found, only of the order in which they are asked for.
    """

    def __init__(
        self,
        *,
        identity: Identity,
        knowledge: Knowledge,
        detector: Detector,
        dialogue: Dialogue,
        suggest: Suggest,
        policy: Policy,
        crisis: Crisis,
        threads: Threads,
        hours: ReceptionHours,
        handoff: HandoffTexts,
        state: Counters,
        alerts: Alerts | None = None,
        vectors: QueryVectors | None = None,
        questions: Questions | None = None,
        notices: Notices | None = None,
        retention_days: int = 90,
        forgetters: Iterable[Forgetter] = (),
        clock: Callable[[], datetime] | None = None,
        glossary: Glossary | None = None,
    ) -> None:
        self.identity = identity
        self.knowledge = knowledge
        self.detector = detector
        self.dialogue = dialogue
        self.suggest = suggest
        self.policy = policy
        self.crisis = crisis  # handoff.CrisisDetector: the only one that decides crises
        self.alerts = alerts  # handoff.CrisisAlerts: tells on-call staff of an urgent thread, once
        self.vectors = vectors  # the message's one embedding, also read by crisis and intents
        self.threads = threads
        self.questions = questions  # handoff.QuestionLog: what staff see of missed questions
        self.notices = notices  # handoff.NoticeDesk: opt-in notices (subscribe, list, stop)
        self.hours = hours
        self.handoff = handoff  # the package: resident-facing texts and postback names
        self.state = state
        self.retention_days = retention_days
        self.forgetters: list[Forgetter] = list(forgetters)
        self._clock = clock or (lambda: datetime.now(UTC))
        self.glossary = glossary or default_glossary()  # English words → the Japanese programs they name

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
        if isinstance(event, UnfollowEvent) and self.notices is not None:
            self.notices.blocked(self.identity.user_key(user_id))
        # unfollow (no one left to answer), unsend, beacon, accountLink, ... need no reply.
        return []

    def forget(self, user_key: str) -> None:
        """Delete everything kept about this resident, store by store, in the order they were registered.

        The thread store is registered last because its `forget` also scrubs the database file, which is
        what makes the other deletions leave no old page behind.
        """
        for forgetter in self.forgetters:
            forgetter(user_key)

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

    def urgent(self, text: str) -> bool:
        """Whether a queued text is a crisis (rules and classifier), for the triage that moves its chat
        ahead of a backlog; its vector is the one answering it uses (kept per text)."""
        return self.crisis.assess(text, self.crisis.embed(text)) is not None

    # ---- text ---------------------------------------------------------------------------------------------
    def _on_text(self, user_id: str, text: str) -> list[Message]:
        user_key = self.identity.user_key(user_id)
        if not text:
            return [render.text(messages.EMPTY_TEXT, render.menu_choices())]
        # Crisis first, on every message: in the household check, inside a counselor thread, and inside
        # another question (then both: the lines open now first, the answer after).
        crisis = self.crisis.assess(text, self.crisis.embed(text))
        if crisis is not None and crisis.learned and self.dialogue.reads_as_answer(user_key, text):
            # 「受け取っていない」 typed to the allowance question: its crisis words would have been rules.
            crisis = None
        if crisis is not None:
            earlier = self.threads.open_thread_for(user_key)
            if earlier is not None and earlier.urgent:
                crisis = self.crisis.with_earlier(crisis, earlier.categories)
            replies = self._escalate(user_id, user_key, self.crisis.escalation(crisis, self._clock()), text)
            urgent = self.threads.open_thread_for(user_key)
            if urgent is not None and urgent.urgent and self.alerts is not None:
                self.alerts.notify(urgent.id, user_key, urgent.categories)
            if crisis.asks:
                replies.extend(self._answer_in_thread(user_key, text, urgent))
            return replies
        escalation = self.policy.assess(text)
        intent = _LazyIntent(self.detector, text)
        notice = self.notices.read(text) if self.notices is not None else None
        thread = self.threads.open_thread_for(user_key)
        if thread is not None:
            if intent.name == "delete_data":
                return self._confirm_delete()
            self.threads.append(thread.id, "resident", text)
            if notice is not None:  # the counselor reads it too; stopping notices takes one message
                return self._on_notice(user_id, user_key, notice)
            acknowledgement = self._acknowledgement(thread)
            replies = []
            if acknowledgement:  # the counselor reads what the resident was told (「8時30分以降」)
                self.threads.append(thread.id, "bot", acknowledgement)
                replies.append(render.text(acknowledgement))
            if self._nobody_reads_yet(thread) and intent.name == "question":
                replies.extend(self._answer_in_thread(user_key, text, thread))
            return replies
        if escalation is not None and escalation.kind == "request":
            return self._escalate(user_id, user_key, escalation, text)
        if notice is not None:
            return self._on_notice(user_id, user_key, notice)
        if intent.name == "delete_data":
            return self._confirm_delete()
        if self.dialogue.active(user_key) or self.dialogue.reviewing(user_key):
            turn = self.dialogue.handle(user_key, text=text)
            if turn is not None and turn.question:
                # Asked mid-check: answered from knowledge first, then the check resumes where it was.
                return [*self._answer(user_key, text), *render.dialogue_turn(turn)]
            if turn is not None:
                return render.dialogue_turn(turn)
        english = self.glossary.read(text) if _in_latin_letters(text) else None
        if english is not None:
            # 「Can I get the child allowance for single parents?」: the Japanese name she can type or show
            # at the window, then the answer to 「児童扶養手当の対象になりますか」 (intents read Japanese).
            return [
                render.english_names(english.programs),
                *self._answer(user_key, text, asked=english.query),
            ]
        match intent.name:
            case "greeting":
                return [
                    render.text(messages.GREETING),
                    render.text(messages.MENU_PROMPT, render.menu_choices()),
                ]
            case "start_check" if intent.by != "keyword" and self.knowledge.names_service(text):
                # Only alike a request for the check, and about one service (「保育園に入れたいけど、ひとり親
                # だと入りやすくなったりしますか」): a direct question, answered.
                return self._answer(user_key, text)
            case "start_check":
                return self._start_check(user_key, text)
            case "counselor":
                return self._request_counselor(user_id, user_key, text)
            case "reset":
                return self._restart(user_key)
            case "thanks":
                return [render.text(messages.THANKS, render.after_answer_choices())]
            case "question" if self.dialogue.describes_household(text):
                # The household told at once, asking nothing: the check, with only the rest to ask.
                return self._start_check(user_key, text)
            case "privacy":
                privacy = self.handoff.anonymous_consultation(self.retention_days)
                return [render.text(privacy, render.menu_choices())]
        return self._answer(user_key, text)

    def _municipality(self, user_key: str, text: str) -> str | None:
        """The resident's place: one named in this question, else the one the chat remembers (from the
        household check or an earlier message: the dialogue's facts are the one memory of place)."""
        self.dialogue.remember(user_key, text)
        facts = self.dialogue.facts(user_key)
        return self.knowledge.place_named(text) or getattr(facts, "municipality", None)

    def _place_only(self, text: str) -> str | None:
        """The place a message names when it says nothing else (「白山市在住です」, 「金沢に住んでいます」):
        what is left without the place, a prefecture and the filler of such a sentence is empty."""
        place = self.knowledge.place_named(text)
        if place is None:
            return None
        rest = unicodedata.normalize("NFKC", text).replace(place, "")
        stem = _ADMINISTRATIVE_SUFFIX.sub("", place)
        rest = rest.replace(stem, "") if len(stem) >= 2 else rest
        return place if not _PLACE_FILLER.sub("", rest) else None

    def _knowledge_answer(self, user_key: str, text: str) -> Answer:
        """The knowledge answer on the message's one vector (the one crisis and intents read)."""
        municipality = self._municipality(user_key, text)
        topic = self.dialogue.topic(user_key)  # the last answer's program, for 「3人だと？」
        vector = self.vectors.vector(text) if self.vectors is not None else None
        # The children the chat was told of (this message, an earlier one, the household check): an
        # amount's answer gives the household total without asking again.
        facts = self.dialogue.facts(user_key)
        ages = facts.children_ages if facts is not None else None
        children = len(ages or []) or None
        answer = self.knowledge.answer(
            text, municipality=municipality, query_vector=vector, topic=topic, children=children
        )
        self.dialogue.remember_topic(user_key, answer.topic)
        return answer

    def _answer_in_thread(self, user_key: str, text: str, thread: Thread | None) -> list[Message]:
        """The answer beside a crisis reply or an acknowledgement, only when there is one (even hedged): a
        「見つけられませんでした」 tells someone in crisis or waiting at night nothing (「明日の朝まで待てば
        いいですか」 got job seminars). Kept in the thread's transcript for the counselor."""
        answer = self._knowledge_answer(user_key, text)
        if not (answer.confident or answer.topic):
            return []
        answered = render.answer(answer, in_thread=True)
        if thread is not None:
            for message in answered:
                self.threads.append(thread.id, "bot", message.text)
        return answered

    def _nobody_reads_yet(self, thread: Thread) -> bool:
        """An urgent thread out of hours that no counselor has taken: the resident's questions get answers."""
        return bool(thread.urgent) and thread.claimed_by is None and not self.hours.is_open(self._clock())

    def _start_check(self, user_key: str, text: str) -> list[Message]:
        """The household check from what the resident wrote; a death in the family told
        (「妻に先立たれました。使える手当はありますか」) is met with a word of condolence first."""
        turn = render.dialogue_turn(self.dialogue.start(user_key, text=text))
        word = condolence(text)
        return [render.text(word), *turn] if word else turn

    def _answer(self, user_key: str, text: str, asked: str = "") -> list[Message]:
        """A grounded answer; after two misses in a row the offer of a person. A message that only says
        where the resident lives is acknowledged and remembered, not searched nor counted as unanswered.
        `asked`: the Japanese question an English message was read as (the documents are asked it; the
        crisis strain, safety and escalation checks and the question log still read what she wrote)."""
        place = None if asked else self._place_only(text)
        if place is not None:
            self.dialogue.remember(user_key, text)
            noted = (
                messages.PLACE_NOTED if self.knowledge.covers_place(place) else messages.PLACE_NOTED_ELSEWHERE
            )
            return [render.text(noted.format(place=place), render.menu_choices())]
        answer = self._knowledge_answer(user_key, asked or text)
        strained = self.crisis.strained(text)
        if strained and not answer.confident and not answer.topic:
            # 「死ぬほど忙しい」 is no question and no crisis: a warm word and the ways on, not "not found".
            return [render.text(messages.STRAIN_REPLY, render.menu_choices())]
        missed = self.state.record_answer(user_key, bool(answer.confident))
        question_id = self._log_question(user_key, text, answer)
        replies = render.answer(answer, render.feedback_choices(question_id) if question_id else ())
        if strained:  # 「死ぬほど忙しいけど、現況届はいつ？」: the word first, then the answer asked for
            replies.insert(0, render.text(messages.STRAIN_PREFACE))
        if not answer.confident and not asked and _in_latin_letters(text):
            # 「Is there help for my family?」: the documents are Japanese; say so in both languages, with
            # names of programs to copy
            replies.insert(0, render.latin_script_note(self.glossary.common))
        safety = self.crisis.safety_note(text)
        if safety:  # 「離婚したいけど…このLINE見られたらどうしよう」: how to keep the chat unseen, first
            replies.insert(0, render.text(safety))
        escalation = self.policy.assess(text, unanswered_in_a_row=missed)
        if escalation is not None and escalation.kind == "offer":
            self.state.reset(user_key)
            replies.extend(render.escalation(escalation))
            if question_id and self.questions is not None:
                self.questions.mark_escalated(question_id)
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
        notice = self.notices.read_postback(data) if self.notices is not None else None
        if notice is not None:
            return self._on_notice(user_id, user_key, notice)
        thread = self.threads.open_thread_for(user_key)
        if thread is not None:
            return [render.text(self._in_thread_notice(thread))]
        if data.startswith(render.FEEDBACK_PREFIX):
            return self._on_feedback(user_key, data)
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
            choices = render.menu_choices()
            if self.notices is not None:
                label, notice_data = self.notices.menu_choice()
                choices.append(Choice(label, data=notice_data))
            return [render.text(messages.HOWTO, choices)]
        if data == render.MENU_RESTART:
            return self._restart(user_key)
        if data.startswith(DIALOGUE_PREFIX):
            turn = self.dialogue.handle(user_key, postback=data)
            if turn is not None:
                return render.dialogue_turn(turn)
            return [render.text(messages.DIALOGUE_EXPIRED, render.menu_choices())]
        log.info("unknown postback (%d characters) answered with the menu", len(data))
        return [render.text(messages.MENU_PROMPT, render.menu_choices())]

    # ---- opt-in notices -----------------------------------------------------------------------------------
    def _on_notice(self, user_id: str, user_key: str, request: NoticeRequest) -> list[Message]:
        """Subscribe, list or stop; the push target is sealed only when the resident subscribes."""
        assert self.notices is not None
        reply, buttons = self.notices.answer(user_key, lambda: self.identity.seal(user_id), request)
        choices = [Choice(label, data=data) for label, data in buttons] or render.menu_choices()
        return [render.text(reply, choices)]

    # ---- question log and feedback -----------------------------------------------------------------------
    def _log_question(self, user_key: str, text: str, answer: Answer) -> int | None:
        """Log the answered question for staff; a failing log never costs the resident their answer."""
        if self.questions is None:
            return None
        try:
            return self.questions.record(user_key, text, answer)
        except Exception:
            log.exception("could not log an answered question; answered without feedback buttons")
            return None

    def _on_feedback(self, user_key: str, data: str) -> list[Message]:
        """役に立った: thanks. 役に立たなかった: thanks, the question goes on the report, a person is offered.
        A tap on someone else's, a deleted or an already rated question only gets the thanks."""
        rating, _, number = data.removeprefix(render.FEEDBACK_PREFIX).partition(":")
        well_formed = number.isascii() and number.isdigit() and len(number) <= 18  # an SQLite integer
        if rating not in ("helpful", "unhelpful") or not well_formed or self.questions is None:
            return [render.text(messages.FEEDBACK_ALREADY, render.after_answer_choices())]
        counted = self.questions.rate(
            int(number), user_key, "helpful" if rating == "helpful" else "unhelpful"
        )
        if not counted:
            return [render.text(messages.FEEDBACK_ALREADY, render.after_answer_choices())]
        if rating == "helpful":
            return [render.text(messages.FEEDBACK_THANKS, render.after_answer_choices())]
        offer = self.policy.assess("", unanswered_in_a_row=self.policy.offer_threshold)
        if offer is None:
            return [render.text(messages.FEEDBACK_SORRY, render.after_answer_choices())]
        return [render.text(messages.FEEDBACK_SORRY), *render.escalation(offer)]

    # ---- shared steps -------------------------------------------------------------------------------------
    def _restart(self, user_key: str) -> list[Message]:
        self.dialogue.cancel(user_key)
        self.state.reset(user_key)
        return [render.text(f"{messages.RESTARTED}{messages.MENU_PROMPT}", render.menu_choices())]

    def _confirm_delete(self) -> list[Message]:
        question, buttons = self.handoff.delete_confirmation()
        return [render.text(question, [Choice(label, data=data) for label, data in buttons])]

    def _in_thread_notice(self, thread: Thread) -> str:
        """A menu tap while a counselor has the chat: nothing was relayed, but the numbers stay in reach."""
        lines = self.crisis.contact_lines(thread.categories, self._clock()) if thread.urgent else []
        return "\n".join([messages.IN_THREAD_MENU, *lines])

    def _acknowledgement(self, thread: Thread) -> str:
        now = self._clock()
        active, window = self.threads.counselor_active(thread, now), self.threads.live_window
        return self.handoff.acknowledgement(
            thread, self.hours, self.crisis, now, counselor_active=active, live_window=window
        )

    def _request_counselor(
        self, user_id: str, user_key: str, text: str, reason: str = "request"
    ) -> list[Message]:
        escalation = self.policy.assess(text, postback=self.handoff.REQUEST_POSTBACK)
        return self._escalate(user_id, user_key, escalation, text, reason)

    def _escalate(
        self, user_id: str, user_key: str, escalation: Escalation, text: str, reason: str = ""
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
        self, user_id: str, user_key: str, escalation: Escalation, text: str, reason: str
    ) -> list[Message]:
        existing = self.threads.open_thread_for(user_key)
        # A counselor writing in the thread right now answers a crisis themselves: the thread turns urgent
        # and on-call staff are alerted, but no automatic list of numbers cuts into their conversation.
        live = existing is not None and self.threads.counselor_active(existing, self._clock())
        facts = self.dialogue.facts(user_key)
        facts_dict = {k: v for k, v in facts.to_dict().items() if v not in (None, [])} if facts else {}
        if facts_dict.get("children_ages"):  # as the resident said them (中学生), not the ages read from it
            facts_dict["children"] = self.dialogue.children(user_key)
            del facts_dict["children_ages"]
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
        if existing is not None and escalation.kind == "crisis" and live:
            note = self.handoff.live_crisis_note(escalation.categories)
            self.threads.add_note(thread.id, self.handoff.NOTE_AUTHOR_BOT, note)
        if existing is not None and (escalation.kind != "crisis" or live):
            acknowledgement = self._acknowledgement(thread)
            return [render.text(acknowledgement)] if acknowledgement else []
        self.threads.append(thread.id, "bot", escalation.reply)
        self.state.reset(user_key)
        window = self.threads.live_window
        followup = self.handoff.who_answers(thread, self.hours, self._clock(), live_window=window)
        return render.escalation(escalation, followup)


class _LazyIntent:
    """Detects the intent only when a branch asks for it: a crisis or an open thread needs no embedding."""

    def __init__(self, detector: Detector, text: str) -> None:
        self._detector = detector
        self._text = text
        self._name: str | None = None
        self._by = ""

    @property
    def name(self) -> str:
        if self._name is None:
            result = self._detector.detect(self._text)
            self._name = str(getattr(result.intent, "value", result.intent))
            self._by = str(getattr(result, "by", ""))
        return self._name

    @property
    def by(self) -> str:
        """How the intent was told: "keyword" (a rule a city wrote) or "exemplar" (likeness)."""
        _ = self.name
        return self._by

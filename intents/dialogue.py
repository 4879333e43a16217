"""The household-facts dialogue: a few quick-reply questions, free text welcome at any step.

State lives in SQLite (`intents_dialogues`, one row per pseudonymous user_key) so any worker can carry on a
conversation, and it holds facts only — never the resident's words, name or address. Facts such as
"considering divorce" or "DV" are still sensitive, so when a `sealer` is given (the bot passes its
ResidentIdentity) the state is stored encrypted. A day of silence ends the dialogue; `forget` deletes
everything about a user.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from intents import messages
from intents.catalogue import Catalogue, CatalogueError
from intents.facts import CHILD_ALLOWANCE, EMPLOYMENTS, NEEDS, PARENTS, RESIDENT_TAX, SITUATIONS, Facts
from intents.matching import Amounts, Recommendation, recommend
from intents.parsing import (
    STAGE_AGES,
    ParsedText,
    ages_only,
    allowance_reply,
    employment_reply,
    normalise,
    parse_facts,
    tax_reply,
)
from intents.storage import Database, Rows

TABLE = "intents_dialogues"
# How long a follow-up (「3人だと？」) is taken to continue the last answer's program.
TOPIC_TTL = timedelta(minutes=30)
PREFIX = "dlg:"
# A short reply's meaning at its own question, though it names neither the allowance nor the tax.
STEP_READERS = {"child_allowance": allowance_reply, "employment": employment_reply, "resident_tax": tax_reply}
# How many facts (with the parent and the children) make a message a description of the household.
HOUSEHOLD_FACTS = 4
# The longest message `reads_as_answer` takes for a plain answer (「受け取っていない」, 「小学生と年長です」).
SHORT_ANSWER = 15
START = "dlg:start"
REVIEW = "dlg:review"
MAX_CHOICES = 13
MAX_LABEL = 20
MAX_CHILDREN = 10
# The order a counselor asks in: who, where, the children, then income, work and what is needed.
STEPS = (
    "parent",
    "situation",
    "circumstances",
    "municipality",
    "children_ages",
    "child_allowance",
    "resident_tax",
    "employment",
    "needs",
)
CHOICE_VALUES: dict[str, tuple[str, ...]] = {
    "parent": PARENTS,
    "situation": SITUATIONS,
    "child_allowance": CHILD_ALLOWANCE,
    "resident_tax": RESIDENT_TAX,
    "employment": EMPLOYMENTS,
}
CHOICE_LABELS: dict[str, dict[str, str]] = {
    "parent": messages.PARENT_LABELS,
    "situation": messages.SITUATION_LABELS,
    "child_allowance": messages.CHILD_ALLOWANCE_LABELS,
    "resident_tax": messages.RESIDENT_TAX_LABELS,
    "employment": messages.EMPLOYMENT_LABELS,
}
DIALOGUE_STAGES = ("preschool", "elementary", "junior_high", "high_school", "adult")
COMMAND_LENGTH = 12
QUESTION = (
    r"(?:\?|ですか|ますか|でしょうか|教えて(?:ください)?|知りたい(?:です)?|いくら|どこ|いつ|のか"
    r"|どう(?:すれば|したら)(?:いい|よい)?|(?:いい|よい)の)[。!]*$"
)
# 「住んでいるのは白山市でした」: words that mark a message as a correction of an earlier answer.
CORRECTION = r"でした|ではなく|じゃなく|間違|訂正|変更|変わり|変わっ|実は"
# 「くわしく聞く」 on a card sends 「<program>について教えて」.
DETAIL = re.compile(r"^(.+?)について(?:教えて|くわしく|詳しく)")
# A message that says where the resident lives now (not only which city a question is about).
RESIDENCE = re.compile(r"住んで|住む|住ん|在住|引っ越|引越|転居|暮らして")
MORE_CHILDREN = r"(?:生|歳|才|児|園)も|もう(?:一|1)人|ほかに"
ANSWER_DONE_WORDS = ("これで全部", "以上", "いない", "いません", "ない", "ありません", "結果", "それだけ")

Clock = Callable[[], datetime]
SEAL_PURPOSE = "dialogue_state"


class Sealer(Protocol):
    """Authenticated encryption of a text (handoff's ResidentIdentity fits); unseal raises ValueError."""

    def seal(self, value: str, *, purpose: str) -> str: ...

    def unseal(self, token: str, *, purpose: str) -> str: ...


@dataclass(frozen=True)
class Choice:
    """A quick-reply button: `label` is shown (≤ 20 characters), `data` comes back as a postback."""

    label: str
    data: str


@dataclass
class DialogueTurn:
    """What to say next. `done` with a recommendation ends the check; `done` without one means cancelled."""

    text: str
    choices: list[Choice]
    done: bool
    facts: Facts
    recommendation: Recommendation | None = None
    # The resident asked a question instead of answering: the caller answers it, then sends `text` (one line
    # saying the check goes on, and the question it was at) with `choices`.
    question: bool = False


# A child's label that is an age the resident said (「13歳」), as messages.AGE writes it, or a stage said
# with the age (「中学2年(13歳)」, as parsing.STAGE_AND_AGE writes it).
_SAID_AGE = re.compile(r"(\d{1,2})歳")
_STAGE_AND_AGE = re.compile(r"(.+)\((\d{1,2})歳\)")


@dataclass
class _State:
    facts: Facts = field(default_factory=Facts)
    skipped: list[str] = field(default_factory=list)
    step: str | None = None
    child_labels: list[str] = field(default_factory=list)
    children_closed: bool = False
    needs_closed: bool = False
    done: bool = False
    # Only place and children said outside a check, kept for the next check and for answers' jurisdiction.
    remembered_only: bool = False
    # The program the last answer was about and when (ISO), so 「3人だと？」 continues it for a while.
    topic: str = ""
    topic_at: str = ""

    def to_json(self) -> str:
        return json.dumps(
            {
                "facts": self.facts.to_dict(),
                "skipped": self.skipped,
                "step": self.step,
                "child_labels": self.child_labels,
                "children_closed": self.children_closed,
                "needs_closed": self.needs_closed,
                "done": self.done,
                "remembered_only": self.remembered_only,
                "topic": self.topic,
                "topic_at": self.topic_at,
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str) -> _State:
        data = json.loads(text)
        return cls(
            facts=Facts.from_dict(data["facts"]),
            skipped=list(data["skipped"]),
            step=data["step"],
            child_labels=list(data["child_labels"]),
            children_closed=bool(data["children_closed"]),
            needs_closed=bool(data["needs_closed"]),
            done=bool(data["done"]),
            remembered_only=bool(data.get("remembered_only", False)),
            topic=str(data.get("topic", "")),
            topic_at=str(data.get("topic_at", "")),
        )


class FactsDialogue:
    """Collects household facts turn by turn and ends with the suggested programs."""

    def __init__(
        self,
        db: Database,
        catalogue: Catalogue | None = None,
        ttl: timedelta = timedelta(days=1),
        clock: Clock | None = None,
        sealer: Sealer | None = None,
        amounts: Amounts | None = None,
    ) -> None:
        self._db = db
        self._amounts = amounts
        self._sealer = sealer
        self._catalogue = catalogue
        self._ttl = ttl
        self._clock = clock or (lambda: datetime.now(UTC))

    # ── public API ────────────────────────────────────────────────────────────
    @property
    def catalogue(self) -> Catalogue:
        """What a conversation needs; a store opened only to purge or forget (yorisoi purge) has none."""
        if self._catalogue is None:
            raise CatalogueError("this dialogue store was opened without a catalogue")
        return self._catalogue

    def start(self, user_key: str, text: str | None = None, known: Facts | None = None) -> DialogueTurn:
        """Begin (or begin again) with what is already known: `known` facts and whatever the message that
        started the check says ("離婚を考えています。子どもは5歳です"), so only the rest is asked. Without
        `known`, the place and children remembered from earlier messages are kept."""
        if known is None:
            earlier = self._load(user_key)
            remembered = earlier.facts if earlier is not None else Facts()
            known = Facts(municipality=remembered.municipality, children_ages=remembered.children_ages)
        state = _State(facts=known)
        state.child_labels = [messages.AGE.format(age=age) for age in state.facts.children_ages or []]
        state.children_closed = bool(state.facts.children_ages)
        preface = messages.INTRO
        if text:
            learned = self._take(state, self._parse(text))
            if learned.known():
                understood = messages.UNDERSTOOD.format(facts=_summary(learned, state.child_labels))
                preface = f"{preface}\n{understood}"
        return self._advance(user_key, state, preface)

    def _parse(self, text: str) -> ParsedText:
        """What a message tells of the household, children labelled as the check shows them."""
        return parse_facts(text, self.catalogue.places, messages.CHILD_STAGE_LABELS)

    def describes_household(self, text: str) -> bool:
        """Whether a message, asking nothing, tells who raises which children and more
        (「父子家庭です。能美市で中2の息子と二人。会社員です」): the check's answers, given up front."""
        words = normalise(text).strip()
        if _is_question(words):
            return False
        facts = self._parse(text).facts
        who = facts.parent is not None or facts.situation is not None
        return who and bool(facts.children_ages) and len(facts.known()) >= HOUSEHOLD_FACTS

    def active(self, user_key: str) -> bool:
        state = self._load(user_key)
        return state is not None and not state.done

    def reviewing(self, user_key: str) -> bool:
        """The results were shown and can still be corrected (「住んでいるのは白山市でした」)."""
        state = self._load(user_key)
        return state is not None and state.done and not state.remembered_only

    def remember(self, user_key: str, text: str) -> None:
        """Keep the place and children a message outside the check names (facts only, sealed like the rest):
        the next check does not ask them again, and answers use the same place for jurisdiction."""
        parsed = parse_facts(text, self.catalogue.places)
        said = parsed.facts
        state = self._load(user_key)
        if state is not None and not state.done:
            return
        state = state or _State(done=True, remembered_only=True)
        # Only what is not known yet: a question about another city does not move the resident there, but
        # 「小平市に引っ越しました」 does.
        moved = RESIDENCE.search(normalise(text)) is not None
        found = Facts(
            municipality=said.municipality if state.facts.municipality is None or moved else None,
            children_ages=(said.children_ages or None) if state.facts.children_ages is None else None,
        )
        if not found.known():
            return
        state.facts = state.facts.merged(found)
        if found.children_ages:
            state.child_labels = list(parsed.child_labels)  # 中学生 as said, for the check and a counselor
        self._save(user_key, state)

    def remember_topic(self, user_key: str, topic: str) -> None:
        """Keep the program the last answer was about (sealed like the rest): a short follow-up such as
        「子ども2人の場合は？」 is about it. An empty topic (an unsure answer) forgets the one before."""
        state = self._load(user_key)
        if state is None:
            if not topic:
                return
            state = _State(done=True, remembered_only=True)
        if state.topic == topic == "":
            return
        state.topic, state.topic_at = topic, self._clock().isoformat() if topic else ""
        self._save(user_key, state)

    def topic(self, user_key: str) -> str | None:
        """The program of the last answer, if it was given less than TOPIC_TTL ago."""
        state = self._load(user_key)
        if state is None or not state.topic or not state.topic_at:
            return None
        if datetime.fromisoformat(state.topic_at) < self._clock() - TOPIC_TTL:
            return None
        return state.topic

    def handle(
        self, user_key: str, text: str | None = None, postback: str | None = None
    ) -> DialogueTurn | None:
        """The next turn for a message or a quick-reply postback; None when it is not ours to answer.

        A question asked mid-check ("児童扶養手当はいくら?") comes back as a turn with `question` set: the
        caller answers it, then sends the turn, which resumes the check. After the results, a message that
        corrects one answer recomputes them; anything else there is not ours. None means: no dialogue, a
        postback that is not a dialogue postback, or a message after the results that is not a correction.
        """
        if postback is not None and not postback.startswith(PREFIX):
            return None
        row = self._row(self._db, user_key)
        expired = row is not None and self._expired(row)
        state = None if row is None or expired else self._decode(row["state"])
        if state is not None and state.done and not state.remembered_only:
            if postback is None:
                return self._on_correction(user_key, state, text or "")
            if postback == REVIEW or postback.startswith(f"{PREFIX}change:"):
                return self._on_postback(user_key, state, postback)
        if state is None or state.done:
            if postback is None or (state is not None and postback != START):
                return None
            return self._begin(
                user_key, messages.EXPIRED if expired and postback != START else messages.INTRO
            )
        if postback is not None:
            return self._on_postback(user_key, state, postback)
        return self._on_text(user_key, state, text or "")

    def cancel(self, user_key: str) -> None:
        """Stop the dialogue; the answers given so far are not kept."""
        self._delete(user_key)

    def forget(self, user_key: str) -> None:
        """Delete every row about this user (the resident asked for their data to be deleted)."""
        self._delete(user_key)

    def purge_idle(self, now: datetime | None = None) -> int:
        """Delete dialogues silent for longer than the time-to-live; returns how many."""
        cutoff = ((now or self._clock()) - self._ttl).isoformat()
        return self._db.execute(f"DELETE FROM {TABLE} WHERE updated_at < ?", [cutoff])

    def facts(self, user_key: str) -> Facts | None:
        state = self._load(user_key)
        return state.facts if state is not None else None

    def children(self, user_key: str) -> list[dict[str, int | str]]:
        """The children as the resident described them, for a counselor: the words said (中学生, 小2) as
        `stage`, an `age` only where an age was said (the age read from 中学生 is an estimate)."""
        state = self._load(user_key)
        if state is None or not state.facts.children_ages:
            return []
        if not state.child_labels:
            return [{"age": age} for age in state.facts.children_ages]
        described: list[dict[str, int | str]] = []
        for label in state.child_labels:
            said_age, both = _SAID_AGE.fullmatch(label), _STAGE_AND_AGE.fullmatch(label)
            if both:
                described.append({"stage": both.group(1), "age": int(both.group(2))})
            else:
                described.append({"age": int(said_age.group(1))} if said_age else {"stage": label})
        return described

    # ── turns ─────────────────────────────────────────────────────────────────
    def _begin(self, user_key: str, preface: str) -> DialogueTurn:
        return self._advance(user_key, _State(), preface)

    def _on_postback(self, user_key: str, state: _State, data: str) -> DialogueTurn:
        parts = data[len(PREFIX) :].split(":")
        action, argument = parts[0], parts[1] if len(parts) > 1 else ""
        value = parts[2] if len(parts) > 2 else ""
        if action == "start":
            return self._begin(user_key, messages.RESTARTED)
        if action == "cancel":
            return self._cancelled(user_key, state)
        if action == "review":
            return self._review(user_key, state)
        if action == "change" and argument in STEPS:
            self._reopen(state, argument)
            return self._advance(user_key, state, messages.CHANGE_PROMPT)
        if action == "skip" and argument in STEPS:
            state.skipped.append(argument)
        elif action == "set" and value in CHOICE_VALUES.get(argument, ()):
            state.facts = state.facts.merged(Facts.from_dict({argument: value}))
        elif action == "set" and argument == "municipality" and value:
            state.facts = state.facts.merged(Facts(municipality=self.catalogue.places.normalise(value)))
        elif action == "child":
            self._add_child(state, argument)
        elif action == "need":
            self._add_need(state, argument)
        elif action == "circumstance":
            circumstances = [] if argument == "none" else [argument]
            state.facts = state.facts.merged(Facts.from_dict({"circumstances": circumstances}))
        return self._advance(user_key, state)

    def _on_text(self, user_key: str, state: _State, text: str) -> DialogueTurn | None:
        words = normalise(text).strip()
        if _command(words, messages.RESTART_WORDS):
            return self._begin(user_key, messages.RESTARTED)
        if _command(words, messages.CANCEL_WORDS):
            return self._cancelled(user_key, state)
        if _command(words, messages.REVIEW_WORDS):
            return self._review(user_key, state)
        if _command(words, messages.SKIP_WORDS):
            state.skipped.append(_question_of(state.step))
            return self._advance(user_key, state)
        parsed = self._parse(text)
        if _is_question(words):
            return self._on_question(user_key, state, parsed.facts)
        if state.step == "children_more" and parsed.facts.children_ages is None and _says_done(words):
            state.children_closed = True
            return self._advance(user_key, state)
        if state.step == "needs_more" and parsed.facts.needs is None and _says_done(words):
            state.needs_closed = True
            return self._advance(user_key, state)
        self._read_for_step(state.step, words, parsed)
        if not parsed.facts.known():
            return self._ask(user_key, state, messages.NOT_UNDERSTOOD)
        learned = self._take(state, parsed, adding=state.step == "children_more")
        preface = messages.UNDERSTOOD.format(facts=_summary(learned, state.child_labels))
        return self._advance(user_key, state, preface)

    def _read_for_step(self, step: str, words: str, parsed: ParsedText) -> None:
        """Add to `parsed` what a short reply means as the answer to the open question (「3と7」 to the
        children's ages, 「まだです」 to the allowance, 「白山」 to the place), though alone it says none."""
        facts = parsed.facts
        ages = ages_only(words) if step in ("children_ages", "children_more") else []
        if facts.children_ages is None and ages:
            facts = facts.merged(Facts(children_ages=ages))
            parsed.child_labels = [messages.AGE.format(age=age) for age in ages]
        read = STEP_READERS.get(step)
        if read is not None and getattr(facts, step) is None and (value := read(words)):
            facts = facts.merged(Facts.from_dict({step: value}))
        if step == "municipality" and facts.municipality is None and _looks_like_a_place(words):
            facts = facts.merged(Facts(municipality=self.catalogue.places.normalise(words)))
        parsed.facts = facts

    def reads_as_answer(self, user_key: str, text: str) -> bool:
        """Whether a message is a short, plain answer to the check's open question: facts it can read, a
        skip or 「もうない」. The caller's crisis check then trusts its rules alone: on a small model a
        short answer such as 「受け取っていない」 sits near crisis wordings. A longer message is never
        only an answer (「小学生が2人います。もう生きていけない」)."""
        words = normalise(text).strip()
        if len(words) > SHORT_ANSWER:
            return False
        state = self._load(user_key)
        if state is None or state.done:
            return False
        if _command(words, messages.SKIP_WORDS) or _says_done(words):
            return True
        parsed = self._parse(text)
        self._read_for_step(state.step, words, parsed)
        return parsed.facts.known()

    def _take(self, state: _State, parsed: ParsedText, adding: bool = False) -> Facts:
        """Merge what a message said into the state; children told again replace the earlier answer unless
        the resident is adding one ("もう1人いて…"). Returns what was learned."""
        learned = parsed.facts
        if learned.children_ages is not None:
            adding = adding or bool(re.search(MORE_CHILDREN, normalise(parsed.text)))
            state.child_labels = _child_labels(state, learned.children_ages, parsed.child_labels, adding)
            ages = _ages(state, learned.children_ages, adding)
            learned = Facts.from_dict({**learned.to_dict(), "children_ages": ages})
            state.children_closed = True
        state.facts = state.facts.merged(learned)
        return learned

    def _on_question(self, user_key: str, state: _State, said: Facts) -> DialogueTurn:
        """A question asked mid-check is the caller's to answer; the needs it names still count, and the turn
        says where the check goes on."""
        if said.needs or said.circumstances:
            state.facts = state.facts.merged(Facts(needs=said.needs, circumstances=said.circumstances))
        turn = self._ask(user_key, state, messages.RESUME)
        turn.question = True
        return turn

    def _on_correction(self, user_key: str, state: _State, text: str) -> DialogueTurn | None:
        """After the results, a message that states a fact changes that one answer and the results are
        recomputed at once; a question or anything else is not ours (None)."""
        words = normalise(text).strip()
        if _command(words, messages.REVIEW_WORDS):
            return self._review(user_key, state)
        asked = DETAIL.match(words)
        if asked:
            return self._details(state, asked.group(1))
        parsed = self._parse(text)
        if _is_question(words) or not parsed.facts.known():
            return None
        plain_statement = parsed.facts.needs is None and len(words) <= COMMAND_LENGTH * 2
        if not re.search(CORRECTION, words) and not plain_statement:
            return None  # 「保育園を探しています」 after the results is a new question, not a correction
        learned = self._take(state, parsed)
        changed = messages.CHANGED.format(facts=_summary(learned, state.child_labels))
        return self._finish(user_key, state, changed)

    def _details(self, state: _State, name: str) -> DialogueTurn | None:
        """One suggested program in full: every requirement its source lists, what is still to check for
        this household, and the resident's own window. None for a name that is not among the results."""
        result = recommend(state.facts, self.catalogue, amounts=self._amounts, on=self._clock().date())
        suggestion = next((s for s in result.programs if s.name == name), None)
        if suggestion is None:
            return None
        program = self.catalogue.get(suggestion.id)
        lines = [
            messages.DETAIL_HEADING.format(name=suggestion.name, label=suggestion.label),
            messages.DETAIL_FOR.format(for_whom=program.for_whom),
        ]
        if suggestion.requirements:
            lines.append(messages.DETAIL_REQUIREMENTS)
            lines.extend(
                messages.DETAIL_REQUIREMENT.format(
                    item=item["text"], status=messages.REQUIREMENT_STATUS[item["status"]]
                )
                for item in suggestion.requirements
            )
        lines.append(program.summary)
        if suggestion.estimate is not None:
            lines.append(suggestion.estimate.text)
        lines.extend(messages.DETAIL_ITEM.format(item=reason) for reason in suggestion.why)
        lines.append(messages.DETAIL_WINDOW.format(contact=suggestion.contact))
        lines.append(messages.DETAIL_SOURCE.format(source=suggestion.source))
        choices = [Choice(messages.RESULT_AGAIN_LABEL, REVIEW)]
        return DialogueTurn(text="\n".join(lines), choices=choices, done=False, facts=state.facts)

    def _review(self, user_key: str, state: _State) -> DialogueTurn:
        """The answers so far, each with a button that changes it alone."""
        self._save(user_key, state)
        summary = _summary(state.facts, state.child_labels) or messages.REVIEW_NOTHING
        choices = [
            Choice(messages.CHANGE_LABEL.format(fact=label), f"{PREFIX}change:{step}")
            for step, label in messages.CHANGE_FACT_LABELS.items()
            if step != "circumstances" or state.facts.situation == "bereaved"
        ]
        return DialogueTurn(
            text=messages.REVIEW.format(facts=summary),
            choices=_checked([*choices, Choice(messages.RESTART_LABEL, START)]),
            done=False,
            facts=state.facts,
        )

    def _reopen(self, state: _State, step: str) -> None:
        """Forget one answer so that only its question is asked again; the results follow right after."""
        setattr(state.facts, step, None)
        state.skipped = [skipped for skipped in state.skipped if skipped != step]
        state.done = False
        if step == "children_ages":
            state.child_labels = []
            state.children_closed = False
        if step == "needs":
            state.needs_closed = False

    def _add_child(self, state: _State, stage: str) -> None:
        if stage == "done":
            state.children_closed = True
        elif stage == "none":
            state.facts.children_ages = []
            state.child_labels = []
            state.children_closed = True
        elif stage in STAGE_AGES:
            state.facts.children_ages = sorted([*(state.facts.children_ages or []), STAGE_AGES[stage]])
            state.child_labels = [*state.child_labels, messages.CHILD_STAGE_LABELS.get(stage, stage)]

    def _add_need(self, state: _State, need: str) -> None:
        if need == "done":
            state.needs_closed = True
        elif need in NEEDS:
            state.facts = state.facts.merged(Facts(needs=[need]))

    def _advance(self, user_key: str, state: _State, preface: str = "") -> DialogueTurn:
        state.step = _next_step(state)
        if state.step is None:
            return self._finish(user_key, state, preface)
        return self._ask(user_key, state, preface)

    def _ask(self, user_key: str, state: _State, preface: str) -> DialogueTurn:
        step = state.step or "parent"
        question = messages.QUESTIONS[step].format(
            children=messages.SEPARATOR.join(state.child_labels) or messages.NO_CHILDREN,
            needs=messages.SEPARATOR.join(messages.NEED_LABELS[need] for need in state.facts.needs or []),
        )
        self._save(user_key, state)
        text = f"{preface}\n{question}" if preface else question
        return DialogueTurn(text=text, choices=_choices(step, state), done=False, facts=state.facts)

    def _finish(self, user_key: str, state: _State, preface: str) -> DialogueTurn:
        state.done = True
        self._save(user_key, state)
        result = recommend(state.facts, self.catalogue, amounts=self._amounts, on=self._clock().date())
        lines = [preface] if preface else []
        if not result.programs:
            lines.append(messages.RESULT_NONE)
        else:
            lines.append(messages.RESULT_URGENT if result.urgent else messages.RESULT_INTRO)
            headings = dict.fromkeys(suggestion.group_label for suggestion in result.programs)
            lines.append(messages.RESULT_GROUPS.format(groups="".join(headings)))
            unsure = dict.fromkeys(s.label for s in result.programs if s.certainty == "possible")
            if unsure:
                labels = "".join(messages.QUOTED.format(label=label) for label in unsure)
                lines.append(messages.RESULT_POSSIBLE.format(labels=labels))
        return DialogueTurn(
            text="\n".join(lines),
            choices=[Choice(messages.RESULT_AGAIN_LABEL, REVIEW)],
            done=True,
            facts=state.facts,
            recommendation=result,
        )

    def _cancelled(self, user_key: str, state: _State) -> DialogueTurn:
        self._delete(user_key)
        return DialogueTurn(text=messages.CANCELLED, choices=[], done=True, facts=state.facts)

    # ── storage ───────────────────────────────────────────────────────────────
    @staticmethod
    def _row(rows: Rows, user_key: str) -> dict[str, Any] | None:
        return rows.one(f"SELECT state, updated_at FROM {TABLE} WHERE user_key = ?", [user_key])

    def _expired(self, row: dict[str, Any]) -> bool:
        return datetime.fromisoformat(row["updated_at"]) < self._clock() - self._ttl

    def _load(self, user_key: str) -> _State | None:
        row = self._row(self._db, user_key)
        if row is None or self._expired(row):
            return None
        return self._decode(row["state"])

    def _encode(self, state: _State) -> str:
        text = state.to_json()
        return self._sealer.seal(text, purpose=SEAL_PURPOSE) if self._sealer else text

    def _decode(self, stored: str) -> _State | None:
        """The state, or None when it cannot be read (sealed under a key that has since been replaced)."""
        if self._sealer is None:
            return _State.from_json(stored)
        try:
            return _State.from_json(self._sealer.unseal(stored, purpose=SEAL_PURPOSE))
        except ValueError:
            return None

    def _save(self, user_key: str, state: _State) -> None:
        self._db.execute(
            f"INSERT INTO {TABLE} (user_key, state, updated_at) VALUES (?, ?, ?) ON CONFLICT(user_key) "
            "DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
            [user_key, self._encode(state), self._clock().isoformat()],
        )

    def _delete(self, user_key: str) -> None:
        self._db.execute(f"DELETE FROM {TABLE} WHERE user_key = ?", [user_key])


def _next_step(state: _State) -> str | None:
    """The first question still open: not answered (by a button or by free text) and not skipped."""
    facts = state.facts
    for step in STEPS:
        if step in state.skipped:
            continue
        if step == "circumstances" and facts.situation != "bereaved":
            continue
        if step == "child_allowance" and (facts.children_ages == [] or facts.parent == "widow"):
            continue
        if step == "children_ages":
            if facts.children_ages is None:
                return "children_ages"
            if facts.children_ages and not state.children_closed and len(facts.children_ages) < MAX_CHILDREN:
                return "children_more"
            continue
        if step == "needs":
            if facts.needs is None:
                return "needs"
            if not state.needs_closed and len(facts.needs) < len(NEEDS):
                return "needs_more"
            continue
        if getattr(facts, step) is None:
            return step
    return None


def _question_of(step: str | None) -> str:
    """The fact a (possibly follow-up) question asks about, for skipping it."""
    return {"children_more": "children_ages", "needs_more": "needs", None: "parent"}.get(
        step, step or "parent"
    )


def _choices(step: str, state: _State) -> list[Choice]:
    skip = Choice(messages.SKIP_LABEL, f"{PREFIX}skip:{_question_of(step)}")
    if step in CHOICE_VALUES:
        labels = CHOICE_LABELS[step]
        choices = [Choice(labels[value], f"{PREFIX}set:{step}:{value}") for value in CHOICE_VALUES[step]]
        return _checked([*choices, skip])
    if step == "circumstances":
        choices = [
            Choice(label, f"{PREFIX}circumstance:{value}")
            for value, label in messages.CIRCUMSTANCE_CHOICES.items()
        ]
        return _checked([*choices, skip])
    if step == "municipality":
        choices = [Choice(name, f"{PREFIX}set:municipality:{name}") for name in messages.MUNICIPALITY_CHOICES]
        return _checked([*choices, skip])
    stages = [
        Choice(messages.CHILD_STAGE_LABELS[stage], f"{PREFIX}child:{stage}") for stage in DIALOGUE_STAGES
    ]
    if step == "children_ages":
        return _checked([*stages, Choice(messages.NO_CHILDREN_LABEL, f"{PREFIX}child:none"), skip])
    if step == "children_more":
        return _checked([*stages, Choice(messages.CHILDREN_DONE_LABEL, f"{PREFIX}child:done")])
    chosen = set(state.facts.needs or [])
    needs = [Choice(messages.NEED_LABELS[n], f"{PREFIX}need:{n}") for n in NEEDS if n not in chosen]
    if step == "needs":
        return _checked([*needs, skip])
    return _checked([*needs, Choice(messages.NEEDS_DONE_LABEL, f"{PREFIX}need:done")])


def _checked(choices: list[Choice]) -> list[Choice]:
    """LINE's quick-reply limits, enforced where the buttons are made."""
    assert len(choices) <= MAX_CHOICES and all(len(choice.label) <= MAX_LABEL for choice in choices)
    return choices


def _ages(state: _State, new_ages: list[int], adding: bool) -> list[int]:
    """Ages told in free text replace the earlier answer unless the resident is adding a child."""
    return sorted([*(state.facts.children_ages or []), *new_ages]) if adding else new_ages


def _child_labels(state: _State, new_ages: list[int], labels: list[str], adding: bool) -> list[str]:
    labels = labels or [messages.AGE.format(age=age) for age in new_ages]
    return [*state.child_labels, *labels] if adding else labels


def _command(words: str, commands: tuple[str, ...]) -> bool:
    """A short message that is a command ("やめる"); a long sentence that happens to contain it is not."""
    return any(word in words for word in commands) and len(words) <= COMMAND_LENGTH


def _is_question(words: str) -> bool:
    return bool(re.search(QUESTION, words))


def _says_done(words: str) -> bool:
    return any(word in words for word in ANSWER_DONE_WORDS)


def _looks_like_a_place(words: str) -> bool:
    return 2 <= len(words) <= 10 and words.endswith(("市", "区", "町", "村"))


def _summary(facts: Facts, child_labels: list[str]) -> str:
    parts = []
    if facts.parent:
        parts.append(messages.PARENT_LABELS[facts.parent])
    if facts.situation:
        parts.append(messages.SITUATION_LABELS[facts.situation])
    if facts.municipality:
        parts.append(facts.municipality)
    if facts.children_ages is not None:
        ages = messages.SEPARATOR.join(child_labels)
        count = len(facts.children_ages)
        parts.append(
            messages.SUMMARY_CHILDREN.format(count=count, ages=ages) if count else messages.NO_CHILDREN
        )
    if facts.child_allowance:
        parts.append(
            messages.SUMMARY_ALLOWANCE.format(value=messages.CHILD_ALLOWANCE_LABELS[facts.child_allowance])
        )
    if facts.resident_tax:
        parts.append(messages.SUMMARY_TAX.format(value=messages.RESIDENT_TAX_LABELS[facts.resident_tax]))
    if facts.employment:
        parts.append(messages.EMPLOYMENT_LABELS[facts.employment])
    needs = [messages.NEED_SUBJECTS[need] for need in facts.needs or [] if need != "dv"]
    if needs:
        parts.append(messages.SUMMARY_NEEDS.format(needs=messages.SEPARATOR.join(needs)))
    return messages.SEPARATOR.join(parts)

"""The one crisis authority: is this message a crisis, of which kinds, and which lines fit it right now.

Rules first (crisis.yaml: signals, topic words, negations, hyperbole masks), because they are exact, cheap
and explainable, so `assess(text)` can run when a webhook event is accepted. Residents rarely use the
obvious words, so the message's query embedding (the one the bot computes anyway) also goes through a
small classifier trained at start-up on crisis wordings against ordinary messages; the nearest crisis
exemplar names the kind. The embedder is injected by the bot (handoff never imports knowledge).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Protocol

import numpy as np
import yaml

from handoff import messages
from handoff.contacts import Contact, ContactBook
from handoff.escalation import Escalation, normalise
from handoff.readings import mostly_kana, pattern_reading, reading
from handoff.wording_model import MODEL_FILE, WordingModel

RULES_FILE = Path(__file__).with_name("crisis.yaml")
KINDS = (
    "danger",
    "suicide",
    "self_harm",
    "sexual_violence",
    "dv",
    "child_abuse_risk",
    "child_abuse_other",
    "no_place_tonight",
    "despair",
)

# Threads opened before the kinds were split still carry the old name.
LEGACY_KINDS = {"abuse": ("child_abuse_risk", "child_abuse_other")}


class QueryEmbedder(Protocol):
    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class CrisisAssessment:
    """Kinds in order of urgency; `by` says what decided (rules, embedding, wording); `asks` = also asks
    something."""

    kinds: tuple[str, ...]
    by: str
    score: float = 1.0
    asks: bool = False

    @property
    def learned(self) -> bool:
        """Decided by a trained model (the query vector's classifier or the n-gram one), not a written rule:
        a short answer inside the household check is not read as a crisis on a model's word alone."""
        return self.by != "rules"


@dataclass(frozen=True)
class _Kind:
    name: str
    signals: tuple[re.Pattern[str], ...]
    topics: tuple[re.Pattern[str], ...]
    exemplars: tuple[str, ...]
    contacts: tuple[str, ...]
    needs: tuple[re.Pattern[str], ...]  # the classifier names this kind only when one of these is said
    cues: tuple[re.Pattern[str], ...]  # words that point to this kind once the classifier says crisis
    unless: tuple[re.Pattern[str], ...] = ()  # a setting in which this kind's words mean something else
    about: tuple[re.Pattern[str], ...] = ()  # whom the kind is about: the n-gram model names it only if said


@dataclass(frozen=True)
class _Context:
    """When and whose (crisis.yaml `context`): a story that is over, or someone else's, is not a crisis."""

    past: tuple[re.Pattern[str], ...]
    resolved: tuple[re.Pattern[str], ...]
    ongoing: tuple[re.Pattern[str], ...]
    reported: tuple[re.Pattern[str], ...]
    general: tuple[re.Pattern[str], ...]
    others: tuple[re.Pattern[str], ...]
    # a case put as a condition (「DVで離婚した場合」): a topic word in such a question is its subject
    hypothetical: tuple[re.Pattern[str], ...] = ()

    def not_now(self, text: str) -> bool:
        """Past and said to be over (「昔…今は落ち着いて」), or reported (news, fiction, children among
        themselves), with nothing saying it is happening again or still (「最近また」)."""
        if _any(self.ongoing, text):
            return False
        return (_any(self.past, text) and _any(self.resolved, text)) or _any(self.reported, text)


@dataclass(frozen=True)
class _ShortLines:
    """An ordinary line (crisis.yaml `ailments`, `everyday_lines`, `everyday_strain`): at most `chars`
    characters, saying one of `words` and none of `unless` (a medicine, a cut, blood, something done to the
    speaker)."""

    chars: int
    words: tuple[re.Pattern[str], ...]
    unless: tuple[re.Pattern[str], ...]

    def says(self, normalised: str) -> bool:
        if len(normalised) > self.chars:
            return False
        return _any(self.words, normalised) and not _any(self.unless, normalised)


def _blank(pattern: re.Pattern[str], text: str) -> tuple[str, int]:
    """`text` with what `pattern` matches blanked out (same length, so later matches see the same places)."""
    return pattern.subn(lambda match: "_" * len(match.group(0)), text)


def _any(patterns: tuple[re.Pattern[str], ...], text: str) -> bool:
    return any(pattern.search(text) for pattern in patterns)


@dataclass
class _Scan:
    kinds: list[str] = field(default_factory=list)
    cautious: bool = False  # a mask, negation or information question: the embedding must not overrule it
    general: bool = False  # a question about the law or a definition, not about the speaker
    about_others: bool = False  # someone else's situation asked about, nothing said to be going on now


def _compile(patterns: list[str] | None, where: str) -> tuple[re.Pattern[str], ...]:
    compiled = []
    for pattern in patterns or []:
        if "\\" in pattern:
            raise ValueError(f"crisis rules, {where}: write {pattern!r} without backslashes")
        try:
            compiled.append(re.compile(normalise(pattern)))
        except re.error as error:
            raise ValueError(
                f"crisis rules, {where}: {pattern!r} is not a valid pattern ({error})"
            ) from error
    return tuple(compiled)


def embedding_text(text: str) -> str:
    """The text as the bot embeds it for every package (NFKC, single spaces), so one vector serves all."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    if matrix.ndim == 1:
        matrix = matrix.reshape(1, -1)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms)


def _sigmoid(value: np.ndarray | float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(value)))


def _top_mean(similarities: np.ndarray, count: int) -> float:
    return float(np.sort(similarities)[-count:].mean())


def _logistic_regression(positive: np.ndarray, negative: np.ndarray, iterations: int = 3000) -> np.ndarray:
    """Weights (and the bias last) of a class-balanced, L2-regularised logistic regression, by gradient
    descent: a few hundred vectors, well under a second, no extra dependency."""
    features = np.vstack([positive, negative]).astype(np.float64)
    labels = np.r_[np.ones(len(positive)), np.zeros(len(negative))]
    balance = np.where(labels == 1, len(labels) / (2 * len(positive)), len(labels) / (2 * len(negative)))
    weights, bias, rate, strength = np.zeros(features.shape[1]), 0.0, 0.5, 1 / (16.0 * len(labels))
    for _ in range(iterations):
        error = (_sigmoid(features @ weights + bias) - labels) * balance
        weights -= rate * (features.T @ error / len(labels) + strength * weights)
        bias -= rate * float(error.mean())
    return np.r_[weights, bias]


# The end of a verb a signal may stop inside of (「傷つけ|たい」, 「叩い|たり」): negations are read after it.
_INFLECTION = re.compile(r"^(?:たく|たい|たり|だり|た|だ|て|で|り)")

# The sections of crisis.yaml that name ordinary lines the classifier alone does not make a crisis.
_SHORT_LINES = ("ailments", "everyday_lines", "everyday_strain")

# In the reading of the rules, a word that raises an alarm must read at least this long (a short reading sits
# inside other words of a kana message: 遺書 → いしょ in たいしょう); words that calm one may be shorter.
_ALARM_READING = 4


def _shortest_match(pattern: str) -> int:
    """The length of the shortest text `pattern` can match."""
    return int(re._parser.parse(pattern).getwidth()[0])  # type: ignore[attr-defined]


_CHILD_KINDS = frozenset({"child_abuse_risk", "child_abuse_other"})
_PARTNER_OR_CHILD = frozenset({"dv", "child_abuse_other"})
# a kind's patterns that raise an alarm, and the message-wide pattern lists (read in kana as written)
_ALARM_KEYS = ("signals", "topics", "cues", "needs", "about")
_PLAIN_KEYS = (
    *("negations", "masks", "question_markers", "strain", "coping", "watched"),
    *("child_hurt", "child_harmed", "speaker_harmed", "partner"),
)


def _reading_rules(rules: dict) -> dict:
    """The rules with every pattern in its reading (「殴られ」 → なぐられ), exemplars and wordings as written:
    what a message typed in kana is matched against."""

    def read(patterns: list[str] | None, alarm: bool = False, shortest: int = 1) -> list[str]:
        if not alarm:
            return [pattern_reading(normalise(pattern), shortest) for pattern in patterns or []]
        # an alarm pattern is read whole when every match of it is at least `_ALARM_READING` long
        # (「(車|…)で.{0,4}寝泊まり」 → くるま…ねとまり), else run by run where each run is that long
        read_patterns = []
        for pattern in patterns or []:
            whole = pattern_reading(normalise(pattern), 1)
            if _shortest_match(whole) < _ALARM_READING:
                whole = pattern_reading(normalise(pattern), _ALARM_READING)
            read_patterns.append(whole)
        return read_patterns

    read_rules = dict(rules)
    read_rules["kinds"] = {
        name: {
            **spec,
            **{key: read(spec.get(key), alarm=True) for key in _ALARM_KEYS},
            "unless": read(spec.get("unless")),
        }
        for name, spec in rules["kinds"].items()
    }
    read_rules["context"] = {
        part: read(items, alarm=part == "ongoing") for part, items in (rules.get("context") or {}).items()
    }
    for key in _PLAIN_KEYS:
        read_rules[key] = read(rules.get(key))
    read_rules["personal_markers"] = read(rules.get("personal_markers"), alarm=True)
    read_rules["standard_forms"] = [
        {"from": pattern_reading(normalise(spec["from"]), 1), "to": reading(spec["to"])}
        for spec in rules.get("standard_forms") or ()
    ]
    for key in _SHORT_LINES:
        if rules.get(key):
            read_rules[key] = {
                **rules[key],
                # a body part read as one kana (目 → め, 手 → て) would make any line a complaint
                "words": read(rules[key].get("words"), shortest=2),
                "unless": read(rules[key].get("unless"), alarm=True),
            }
    return read_rules


class CrisisDetector:
    """Decides crises from crisis.yaml and, given the message's query vector, from exemplars per kind."""

    def __init__(
        self,
        rules: dict,
        contacts: ContactBook,
        embedder: QueryEmbedder | None = None,
        wording_model: WordingModel | None = None,
        *,
        _written: CrisisDetector | None = None,
    ) -> None:
        unknown = set(rules["kinds"]) - set(KINDS)
        if unknown:
            raise ValueError(f"crisis rules: unknown kinds {sorted(unknown)}; known: {KINDS}")
        self.kinds = tuple(
            _Kind(
                name=name,
                signals=_compile(spec.get("signals"), f"{name}.signals"),
                topics=_compile(spec.get("topics"), f"{name}.topics"),
                exemplars=tuple(spec.get("exemplars") or ())
                + tuple((rules.get("wordings") or {}).get(name) or ()),
                contacts=tuple(spec.get("contacts") or ()),
                needs=_compile(spec.get("needs"), f"{name}.needs"),
                cues=_compile(spec.get("cues"), f"{name}.cues"),
                unless=_compile(spec.get("unless"), f"{name}.unless"),
                about=_compile(spec.get("about"), f"{name}.about"),
            )
            for name in KINDS
            if (spec := rules["kinds"].get(name))
        )
        self.contact_book = contacts
        for kind in self.kinds:
            missing = [key for key in kind.contacts if key not in contacts.contacts]
            if missing:
                raise ValueError(f"crisis rules, {kind.name}.contacts: unknown contacts {missing}")
            if not any(contacts.contacts[key].always for key in kind.contacts):
                raise ValueError(f"crisis rules, {kind.name}: needs at least one line open at all hours")
            if kind.name not in messages.CRISIS_INTRO:
                raise ValueError(f"crisis rules: messages.CRISIS_INTRO has no text for {kind.name!r}")
        self.negations = _compile(rules.get("negations"), "negations")
        self.masks = _compile(rules.get("masks"), "masks")
        self.question_markers = _compile(rules.get("question_markers"), "question_markers")
        self.strain = _compile(rules.get("strain"), "strain")
        self.watched = _compile(rules.get("watched"), "watched")
        self.child_hurt = _compile(rules.get("child_hurt"), "child_hurt")
        self.child_harmed = _compile(rules.get("child_harmed"), "child_harmed")
        self.speaker_harmed = _compile(rules.get("speaker_harmed"), "speaker_harmed")
        self.partner = _compile(rules.get("partner"), "partner")
        self.coping = _compile(rules.get("coping"), "coping")
        self.short_lines = tuple(
            _ShortLines(
                chars=int(spec.get("chars", 0)),
                words=_compile(spec.get("words"), f"{key}.words"),
                unless=_compile(spec.get("unless"), f"{key}.unless"),
            )
            for key in _SHORT_LINES
            if (spec := rules.get(key))
        )
        self.personal_markers = _compile(rules.get("personal_markers"), "personal_markers")
        self.standard_forms = tuple(
            (_compile([spec["from"]], "standard_forms")[0], normalise(spec["to"]))
            for spec in rules.get("standard_forms") or ()
        )
        context = rules.get("context") or {}
        self.context = _Context(
            *(_compile(context.get(part), f"context.{part}") for part in _Context.__dataclass_fields__)
        )
        self.told_of_others = frozenset(rules.get("told_of_others") or ())
        self.told_of_others_unread = frozenset(rules.get("told_of_others_unread") or ())
        unknown = (self.told_of_others | self.told_of_others_unread) - set(KINDS)
        if unknown:
            raise ValueError(f"crisis rules, told_of_others: unknown kinds {sorted(unknown)}")
        self.threshold = float(rules["embedding"]["threshold"])
        self.lead = float(rules["embedding"].get("lead", 0.0))
        self.neighbours = int(rules["embedding"].get("neighbours", 3))
        self.kind_neighbours = int(rules["embedding"].get("kind_neighbours", 1))
        self.cue_bonus = float(rules["embedding"].get("cue_bonus", 0.0))
        self.kind_margin = float(rules["embedding"].get("kind_margin", 0.0))
        self.cue_chars = int(rules["embedding"].get("cue_chars", 0))
        self.needs_margin = float(rules["embedding"].get("needs_margin", 0.0))
        # the regression may be as unsure as `strong_floor` when the neighbours lead by `strong_lead`
        self.strong_lead = float(rules["embedding"].get("strong_lead", 1.0))
        self.strong_floor = float(rules["embedding"].get("strong_floor", self.threshold))
        self._by_name = {kind.name: kind for kind in self.kinds}
        self._embedder = embedder
        self.wording_model = wording_model
        wording = rules.get("wording_model") or {}
        self.wording_threshold = float(wording.get("threshold", 1.0))
        self.wording_past_everyday = int(wording.get("past_everyday_chars", 10_000))
        self.wording_agreement = float(wording.get("classifier_agreement", 0.0))
        self._labels = [kind.name for kind in self.kinds for _ in kind.exemplars]
        self._label_rows = {
            kind.name: np.array([row for row, label in enumerate(self._labels) if label == kind.name])
            for kind in self.kinds
        }
        self._ordinary = tuple(rules.get("not_crisis") or ()) + tuple(rules.get("everyday") or ())
        self._neighbours_only = tuple(rules.get("ordinary_neighbours") or ())
        self._exemplars: np.ndarray | None = None
        self._ordinary_vectors: np.ndarray | None = None
        self._weights: np.ndarray | None = None
        # The same rules in their reading, for a message typed in kana; it shares this detector's classifier.
        self._written = _written
        self._in_kana = (
            None
            if _written is not None
            else CrisisDetector(_reading_rules(rules), contacts, embedder, wording_model, _written=self)
        )

    @classmethod
    def load(
        cls,
        path: Path | None = None,
        embedder: QueryEmbedder | None = None,
        contacts: ContactBook | None = None,
        wording_model: WordingModel | None = None,
    ) -> CrisisDetector:
        with open(path or RULES_FILE, encoding="utf-8") as handle:
            rules = yaml.safe_load(handle)
        model = wording_model or WordingModel.load(MODEL_FILE)
        return cls(rules, contacts or ContactBook.load(), embedder, model)

    # ---- deciding -------------------------------------------------------------------------------------
    def embed(self, text: str) -> np.ndarray | None:
        """The message's query vector from the injected embedder (None without one)."""
        if self._embedder is None or not text.strip():
            return None
        return self._embedder.embed_queries([embedding_text(text)])[0]

    def assess(self, text: str, query_vector: np.ndarray | None = None) -> CrisisAssessment | None:
        """A crisis assessment, or None. Rules only without `query_vector` (cheap: at webhook acceptance).
        A message whose context says the event is over or is someone else's story is not assessed further:
        the embedding of 「昔DVを受けていた」 is close to DV whatever the rest of the sentence says."""
        if self._in_kana is not None and mostly_kana(text or ""):
            # 「おっとにまたなぐられた」: the rules in their reading, which keep the words as written
            # beside it (the classifier is the same); a question typed in kana
            # (「DVしえんせいどをしりたい」) is then read as a question, as 「DV支援制度を知りたい」 is.
            # The reading first, then the text as typed; a child hurt is read in the same form.
            for form in (normalise(reading(text)), normalise(text)):
                found = self._in_kana._assess_forms(form, query_vector)
                if found is not None:
                    return self._in_kana._with_child_hurt(found, form)
            return None
        normalised = normalise(text or "")
        return self._with_child_hurt(self._assess_forms(normalised, query_vector), normalised)

    def with_earlier(self, found: CrisisAssessment, earlier: Sequence[str]) -> CrisisAssessment:
        """A crisis said in a thread already urgent keeps the kinds the thread was opened for, after its own:
        「今夜で全部おしまいにします」 after a farewell is not only about a roof for the night."""
        known = [kind for old in earlier for kind in LEGACY_KINDS.get(old, (old,)) if kind in KINDS]
        kept = [kind for kind in dict.fromkeys(known) if kind not in found.kinds]
        return replace(found, kinds=(*found.kinds, *kept)) if kept else found

    def _with_child_hurt(self, found: CrisisAssessment | None, normalised: str) -> CrisisAssessment | None:
        """Who was hurt decides the lines. A crisis named for the adults (DV, danger, nowhere to sleep) that
        also says a child was hurt (crisis.yaml `child_hurt`) gets the child's kind too, so its lines include
        189. A partner's blows that fell on a child, with nothing saying the speaker was hurt too, are the
        child's crisis, not DV (189 first, no 「暴力を受けるのは、あなたのせいではありません」 to the parent).
        Danger from a partner or an ex (crisis.yaml `partner`) gets DV's lines too: a line open all night."""
        if found is None:
            return found
        kinds = list(found.kinds)
        if "dv" in kinds and self._child_not_speaker(normalised):
            kinds = ["child_abuse_other", *(kind for kind in kinds if kind not in _PARTNER_OR_CHILD)]
        elif not _CHILD_KINDS & set(kinds) and _any(self.child_hurt, normalised):
            kinds.append("child_abuse_other")
        if "danger" in kinds and "dv" not in kinds and _any(self.partner, normalised):
            kinds.append("dv")
        return replace(found, kinds=tuple(kinds)) if kinds != list(found.kinds) else found

    def _child_not_speaker(self, normalised: str) -> bool:
        """The message says a child was hit or hurt (`child_harmed`), and, those words aside, nothing says
        the speaker was (`speaker_harmed`)."""
        if not _any(self.child_harmed, normalised):
            return False
        rest = normalised
        for pattern in self.child_harmed:
            rest, _ = _blank(pattern, rest)
        return not _any(self.speaker_harmed, rest)

    def _assess_forms(self, normalised: str, query_vector: np.ndarray | None) -> CrisisAssessment | None:
        """The message as written, then (if it differs) in its standard forms (crisis.yaml `standard_forms`:
        「手ぇ出してしもてん」 → 手を出してしまったん), so the patterns need not list every dialect."""
        found = self._assess(normalised, query_vector)
        if found is None and self.standard_forms:
            standard = normalised
            for pattern, replacement in self.standard_forms:
                standard = pattern.sub(replacement, standard)
            if standard != normalised:
                found = self._assess(standard, query_vector)
        return found

    def _assess(self, normalised: str, query_vector: np.ndarray | None) -> CrisisAssessment | None:
        if not normalised:
            return None
        if self.context.not_now(normalised):
            return None
        asks = _any(self.question_markers, normalised)
        scan = self._scan(normalised, asks)
        if scan.kinds:
            kinds = list(scan.kinds)
            if query_vector is not None and self._embedder is not None and not scan.cautious:
                # The rule that fired may belong to a neighbouring kind (「押し倒された」 is said of DV and of
                # sexual violence): the classifier's kind, when it also says crisis, adds its lines.
                named, _ = self._nearest(query_vector, normalised)
                kinds.extend(kind for kind in named[:1] if kind not in kinds)
            return CrisisAssessment(tuple(kinds), "rules", 1.0, asks)
        if query_vector is None or scan.cautious or scan.general or self._embedder is None:
            return None
        if _any(self.coping, normalised):
            # 「反省」, 「明日もがんばる」, 「みんなどうしてる？」: someone managing, whom the vector alone
            # would place next to despair; only a rule makes such a message a crisis.
            return None
        if any(lines.says(normalised) for lines in self.short_lines):
            # 「首が痛い」, 「子どもと喧嘩した」, 「今日めっちゃ疲れた」: a short body complaint or everyday
            # line sits next to some crisis exemplar (the neck, the wrist, a quarrel with the child are
            # their words too); only a rule makes it a crisis. So is a medium-length line of everyday strain
            # (「息子が宿題を全然やらない。毎晩バトルで疲れる」): homework, a phone, a shift, a call from
            # school sit as close to despair or a parent hitting a child as many crisis wordings do.
            # A longer message is read by the n-gram model still: it was trained on such lines, and a shift
            # or a part-time job is where many crises begin (「バイトの先輩に送ってもらったら、玄関で…」).
            if len(normalised) <= self.wording_past_everyday:
                return None
            return self._worded(normalised, asks, scan.about_others)
        named, score = self._nearest(query_vector, normalised)
        named = self._not_for_others(named, scan.about_others)
        if named and self._says_a_cue(named, normalised):
            if not self._agrees(normalised):
                return None
            return CrisisAssessment(tuple(named), "embedding", score, asks)
        return self._worded(normalised, asks, scan.about_others)

    def _not_for_others(self, kinds: Sequence[str], about_others: bool) -> list[str]:
        """The kinds the classifier or the model may name: not `told_of_others_unread` for someone else's
        situation asked about (「職場の後輩の腕にいつもアザが…本人に渡せるパンフはありますか」)."""
        return [kind for kind in kinds if not (about_others and kind in self.told_of_others_unread)]

    def _agrees(self, normalised: str) -> bool:
        """The classifier's crisis stands unless the n-gram model finds it plainly ordinary (below
        `wording_model.classifier_agreement`): the vector of a small model places a joke about a game or a
        sore back beside some crisis wording, while the grams have read thousands of everyday lines."""
        if self.wording_model is None:
            return True
        return self.wording_model.read(normalised).probability >= self.wording_agreement

    def _worded(self, normalised: str, asks: bool, about_others: bool) -> CrisisAssessment | None:
        """The n-gram model's crisis (handoff.wording_model), when it reads one with at least
        `wording_model.threshold` probability, on the classifier's conditions: not where a mask, a negation
        or a question about someone else made the rules cautious (the grams see no negation), not for
        coping or an everyday line; its kinds must say what they need (`needs`) and none of their `unless`,
        and a very short line a cue of one of them (the model, like the classifier, reads many short lines
        as a crisis: 「もうひとつ」「これで全部」)."""
        if self.wording_model is None:
            return None
        read = self.wording_model.read(normalised)
        if read.probability < self.wording_threshold:
            return None
        kinds = [
            name
            for name in self._not_for_others(read.kinds, about_others)
            if name in self._by_name
            and self._says_enough(self._by_name[name], normalised)
            and self._says_whom(self._by_name[name], normalised)
        ]
        if not kinds or not self._says_a_cue(kinds, normalised):
            return None
        return CrisisAssessment(tuple(kinds), "wording", read.probability, asks)

    def _says_whom(self, kind: _Kind, normalised: str) -> bool:
        """The model names a kind about children only for a message that names a child (`about`): bruises on
        a colleague's arm are read as a child's by the grams alone."""
        return not kind.about or _any(kind.about, normalised)

    def _says_a_cue(self, named: Sequence[str], normalised: str) -> bool:
        """A very short line (「もう寝たい」「上司がむかつく」「洗い物がたまってる」) sits next to some crisis
        exemplar whatever it says: up to `cue_chars` characters, the classifier alone makes it a crisis only
        when it says a cue of a kind it names."""
        if len(normalised) > self.cue_chars:
            return True
        return any(_any(kind.cues, normalised) for kind in self.kinds if kind.name in named)

    def strained(self, text: str) -> bool:
        """Whether a message that is no crisis speaks of ordinary strain (「死ぬほど忙しい」): then, when no
        program fits it, the resident gets a warm word and the way to a person rather than "not found"."""
        return _any(self.strain, normalise(text or ""))

    def safety_note(self, text: str) -> str:
        """The note on keeping the chat safe (トーク履歴, notification previews) for a message that fears
        the phone or this chat being seen (crisis.yaml `watched`: 「このLINE見られたらどうしよう」), or "";
        a crisis reply for DV or danger carries it already."""
        return messages.DV_SAFETY_NOTE if _any(self.watched, normalise(text or "")) else ""

    def _scan(self, normalised: str, asks: bool) -> _Scan:
        scan = _Scan()
        text = normalised
        for mask in self.masks:
            text, hits = _blank(mask, text)
            scan.cautious = scan.cautious or hits > 0
        speaks_of_self = _any(self.personal_markers, normalised) and not _any(self.context.others, normalised)
        scan.general = not speaks_of_self and _any(self.context.general, normalised)
        # Someone else's situation, asked about for information, with nothing saying it is going on now:
        # for these kinds a signal reads as the subject of the question (「友達が旦那さんに怒鳴られてる
        # らしい。窓口を教えてあげたい」), like a topic word.
        scan.about_others = about_others = (
            asks and _any(self.context.others, normalised) and not _any(self.context.ongoing, normalised)
        )
        for kind in self.kinds:
            if _any(kind.unless, normalised):
                # 「旅行で今日どこに泊まれば」: where to stay on a trip is no night without a roof; the other
                # kinds are still read, and the classifier may not name this one either
                continue
            if self._live(kind.signals, text, scan):
                if about_others and kind.name in self.told_of_others:
                    scan.cautious = True
                else:
                    scan.kinds.append(kind.name)
            elif self._live(kind.topics, text, scan):
                if asks and (not speaks_of_self or _any(self.context.hypothetical, normalised)):
                    scan.cautious = True
                else:
                    scan.kinds.append(kind.name)
        return scan

    def _live(self, patterns: tuple[re.Pattern[str], ...], text: str, scan: _Scan) -> bool:
        """A match not negated right after it (「死にたいとは思っていません」), or after the rest of its verb
        (「傷つけ」+「たいわけじゃなくて、」, 「叩い」+「たりはしてない」)."""
        for pattern in patterns:
            for match in pattern.finditer(text):
                rest = text[match.end() :]
                inflected = _INFLECTION.sub("", rest, count=1)
                if any(negation.match(rest) or negation.match(inflected) for negation in self.negations):
                    scan.cautious = True
                    continue
                return True
        return False

    def _says_enough(self, kind: _Kind, normalised: str) -> bool:
        """Whether the message says something of the kind the classifier named, where the kind asks for it
        (`needs`): 「ねむれない日が続いて」 sits next to 「今夜寝る場所がない」 on a small model, but says no
        night and no place, so it is not taken as nowhere to sleep tonight. Nor is a message saying one of
        the kind's `unless` (a trip, a business stay)."""
        if _any(kind.unless, normalised):
            return False
        return not kind.needs or _any(kind.needs, normalised)

    def _nearest(self, query_vector: np.ndarray, normalised: str) -> tuple[list[str], float]:
        """The kinds the classifier names, when it says crisis with at least `threshold` probability and
        the message's nearest crisis exemplars are at least as close as its nearest ordinary ones (by
        `lead`): the regression alone reads any worry about a child as a crisis near its boundary, the
        neighbours alone cannot tell short texts apart; together they disagree rarely ([] and the
        probability otherwise).

        Below `threshold` (down to `strong_floor`), the neighbours must lead by `strong_lead`: the regression
        reads a plain, indirect farewell (a means ordered, affairs put in order) as ordinary when the nearest
        wordings are crisis ones.

        The kind: per kind, the mean similarity of its `kind_neighbours` nearest exemplars, plus `cue_bonus`
        when the message says one of its `cues` (a small model places 「げんこつ、またやってしもた」 as near
        to danger as to a parent hitting a child; the words tell them apart). A second kind within
        `kind_margin` of the first is named too, so an unsure message gets the lines of both. Only kinds
        that say their `needs` are named, the first of them within `needs_margin` of the nearest kind, or
        there is no crisis."""
        exemplars, weights = self._classifier()
        assert self._ordinary_vectors is not None
        query = _unit_rows(query_vector)[0]
        probability = float(_sigmoid(float(query @ weights[:-1] + weights[-1])))
        if probability < min(self.threshold, self.strong_floor):
            return [], probability
        similarities = exemplars @ query
        ordinary = self._ordinary_vectors @ query
        lead = _top_mean(similarities, self.neighbours) - _top_mean(ordinary, self.neighbours)
        if lead < self.lead:
            return [], probability
        if probability < self.threshold and lead < self.strong_lead:
            # below the threshold, only a message whose nearest crisis wordings are clearly closer than its
            # nearest ordinary ones (a means bought online and on its way, said plainly)
            return [], probability
        scores = {
            kind.name: _top_mean(similarities[self._label_rows[kind.name]], self.kind_neighbours)
            + self.cue_bonus * _any(kind.cues, normalised)
            for kind in self.kinds
            if kind.exemplars
        }
        ranked = sorted(scores, key=scores.__getitem__, reverse=True)
        # The nearest kinds, within `needs_margin` of the first, that say what they need: a message nearest
        # to a parent hitting a child that says only 「子どもば置いて…消えてしまいたか」 is given the next
        # kind that fits it, not dropped; one that says no kind's needs is no crisis. Past the nearest, only
        # a kind with `needs` of its own is named (its words, not closeness alone).
        fitting = [
            name
            for name in ranked
            if (
                name == ranked[0]
                or (self._by_name[name].needs and scores[ranked[0]] - scores[name] <= self.needs_margin)
            )
            and self._says_enough(self._by_name[name], normalised)
        ]
        if not fitting:
            return [], probability
        named = fitting[:1]
        second = [
            name
            for name in ranked
            if name != named[0]
            and abs(scores[named[0]] - scores[name]) <= self.kind_margin
            and self._says_enough(self._by_name[name], normalised)
        ]
        return named + second[:1], probability

    def _classifier(self) -> tuple[np.ndarray, np.ndarray]:
        """Trained once, on first use (or `warm`), from the YAML: crisis exemplars and wordings against
        the hard non-crisis and everyday messages. Nearest-exemplar similarity alone cannot tell
        「シングルマザーです」 from a crisis on a small model (short texts all sit close); a logistic
        regression over the whole vector can. Added wordings retrain it at the next start."""
        if self._written is not None:
            exemplars, weights = self._written._classifier()
            self._ordinary_vectors = self._written._ordinary_vectors
            return exemplars, weights
        if self._exemplars is None or self._weights is None:
            assert self._embedder is not None
            crisis = _unit_rows(
                self._embedder.embed_queries([embedding_text(t) for k in self.kinds for t in k.exemplars])
            )
            texts = [embedding_text(t) for t in (*self._ordinary, *self._neighbours_only)]
            ordinary = _unit_rows(self._embedder.embed_queries(texts))
            # `ordinary_neighbours` only in the neighbour check: trained on, they tilt the regression
            # towards reading any longer worry as a crisis.
            self._weights = _logistic_regression(crisis, ordinary[: len(self._ordinary)])
            self._ordinary_vectors = ordinary
            self._exemplars = crisis
        return self._exemplars, self._weights

    def warm(self) -> None:
        """Train the classifier now (at start-up) instead of on the first resident's message."""
        if self._embedder is not None:
            self._classifier()

    # ---- what the resident gets ------------------------------------------------------------------------
    def contacts_for(self, kinds: Sequence[str], now: datetime) -> tuple[list[Contact], list[Contact]]:
        """(lines open at `now`, lines whose hours depend on the local office), most urgent kind first."""
        kinds = [kind for old in kinds for kind in LEGACY_KINDS.get(old, (old,))]
        keys: list[str] = []
        for kind in self.kinds:
            if kind.name in kinds:
                keys.extend(key for key in kind.contacts if key not in keys)
        return self.contact_book.split(keys, now)

    def contact_lines(self, kinds: Sequence[str], now: datetime, open_only: bool = False) -> list[str]:
        """The bullet lines of the contacts that fit, open ones first, then those with local hours (not
        with `open_only`: what is promised as reachable now, repeated while the resident waits)."""
        open_now, local = self.contacts_for(kinds, now)
        lines = [_line(contact) for contact in open_now]
        if local and not open_only:
            lines.extend(["", messages.CONTACTS_LOCAL_HEADER, *(_line(contact) for contact in local)])
        return lines

    def reply(self, kinds: Sequence[str], now: datetime) -> str:
        """The whole crisis reply: a neutral first line (previews), a warm word per kind, the lines open
        now, and for DV or danger a note on keeping the chat safe."""
        intro: list[str] = []
        for kind in self.kinds:
            if kind.name in kinds:
                # thanked once: a second kind's words go on without another 「ありがとうございます」
                said = messages.CRISIS_INTRO[kind.name]
                intro.append(_THANKS.sub("", said) if any(_THANKS.match(line) for line in intro) else said)
        lines = self.contact_lines(kinds, now)
        parts = [messages.CRISIS_FIRST_LINE, *intro, "", messages.CONTACTS_HEADER, *lines]
        if "dv" in kinds or "danger" in kinds:
            parts.extend(["", messages.DV_SAFETY_NOTE])
        return "\n".join(parts)

    def escalation(self, assessment: CrisisAssessment, now: datetime) -> Escalation:
        """The urgent escalation the router opens a thread with."""
        return Escalation("crisis", True, list(assessment.kinds), self.reply(assessment.kinds, now))


_THANKS = re.compile(r"^[^。]*ありがとうございます。")


def _line(contact: Contact) -> str:
    details = "、".join(part for part in (contact.hours_text, contact.cost) if part)
    return messages.CONTACT_DETAIL_LINE.format(
        name=contact.name, reach=contact.reach, details=f"（{details}）" if details else ""
    )

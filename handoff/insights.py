"""What residents asked that the bot could not answer, and whether answers helped.

Every knowledge answer leaves one row: when (and its Tokyo week), the nearest program and source document,
and whether it was confident, escalated, or rated. The question is sealed with the resident-identity key
under a purpose of its own, and its masked copy (`mask_question`, run once at insert) is sealed too: staff
only ever read the masked one, and only of questions the bot missed (not confident, escalated, or rated
unhelpful). Feedback counts are kept apart per week, program and source, with nothing of a resident in
them, so they outlive the questions. `forget` and `purge` delete the questions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal, Protocol

from handoff.hours import to_tokyo
from handoff.identity import ResidentIdentity
from handoff.masking import mask_question
from handoff.storage import Database

QUESTIONS_TABLE = "handoff_questions"
FEEDBACK_TABLE = "handoff_feedback_counts"
TEXT_PURPOSE = "handoff-question"
# A confident answer nobody rated badly is never shown; it is kept only for a late feedback tap.
UNREMARKABLE_DAYS = 7
HEADING_SEPARATOR = " > "
Rating = Literal["helpful", "unhelpful"]
Reason = Literal["not_confident", "escalated", "unhelpful"]


class AnswerSource(Protocol):
    """One source of a knowledge answer (`knowledge.Source`): the document and the heading it came from."""

    doc: str
    title: str
    heading: str


class AnsweredQuestion(Protocol):
    """What the log needs of a knowledge `Answer`."""

    confident: bool

    @property
    def sources(self) -> Sequence[AnswerSource]: ...


def week_of(moment: datetime | date) -> str:
    """The ISO week a question falls in, on the Tokyo calendar ("2026-W48")."""
    day = to_tokyo(moment).date() if isinstance(moment, datetime) else moment
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def nearest_program(answer: AnsweredQuestion) -> tuple[str, str]:
    """(program, source document) of the answer's first source: its last heading, else the page title."""
    if not answer.sources:
        return "", ""
    first = answer.sources[0]
    heading = first.heading.split(HEADING_SEPARATOR)[-1].strip() if first.heading else ""
    return heading or first.title, first.doc


@dataclass(frozen=True)
class LoggedQuestion:
    """One missed question as staff see it: masked, with the reasons it is listed."""

    id: int
    asked_at: str
    week: str
    program: str
    source: str
    masked: str
    reasons: list[Reason]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "asked_at": self.asked_at,
            "week": self.week,
            "source": self.source,
            "question": self.masked,
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class FeedbackCount:
    helpful: int = 0
    unhelpful: int = 0

    def to_dict(self) -> dict[str, int]:
        return {"helpful": self.helpful, "unhelpful": self.unhelpful}


@dataclass(frozen=True)
class ProgramGroup:
    """The missed questions nearest one program, by week (oldest week first)."""

    program: str
    weeks: dict[str, list[LoggedQuestion]] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(len(questions) for questions in self.weeks.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "program": self.program,
            "count": self.count,
            "weeks": [
                {"week": week, "questions": [q.to_dict() for q in questions]}
                for week, questions in self.weeks.items()
            ],
        }


@dataclass(frozen=True)
class Report:
    """`yorisoi report` and the admin page: missed questions by program and week; feedback counts."""

    since: date | None
    unanswered: list[ProgramGroup]
    feedback_by_program: dict[str, FeedbackCount]
    feedback_by_source: dict[str, FeedbackCount]

    def to_dict(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat() if self.since else None,
            "unanswered": [group.to_dict() for group in self.unanswered],
            "feedback": {
                "by_program": {name: c.to_dict() for name, c in self.feedback_by_program.items()},
                "by_source": {name: c.to_dict() for name, c in self.feedback_by_source.items()},
            },
        }


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


class QuestionLog:
    """The only owner of handoff_questions and handoff_feedback_counts."""

    def __init__(
        self,
        db: Database,
        identity: ResidentIdentity | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """Without `identity` the log can only delete (`forget`, `purge`): retention needs no key."""
        self._db = db
        self._identity = identity
        self.clock = clock or (lambda: datetime.now(UTC))  # replaceable: a scripted week in the tests

    def _require_identity(self) -> ResidentIdentity:
        if self._identity is None:
            raise RuntimeError("QuestionLog needs the resident identity to seal or read questions")
        return self._identity

    def record(self, user_key: str, text: str, answer: AnsweredQuestion) -> int:
        """Log one answered question; returns its id (carried by the feedback buttons)."""
        moment = self.clock()
        program, source = nearest_program(answer)
        seal = self._require_identity().seal
        row = self._db.one(
            f"INSERT INTO {QUESTIONS_TABLE} "
            "(user_key, asked_at, week, program, source, confident, text, masked) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [
                user_key,
                _stamp(moment),
                week_of(moment),
                program,
                source,
                int(bool(answer.confident)),
                seal(text, purpose=TEXT_PURPOSE),
                seal(mask_question(text), purpose=TEXT_PURPOSE),
            ],
        )
        return int(row["id"])  # type: ignore[index]

    def mark_escalated(self, question_id: int) -> None:
        self._db.execute(f"UPDATE {QUESTIONS_TABLE} SET escalated = 1 WHERE id = ?", [question_id])

    def rate(self, question_id: int, user_key: str, rating: Rating) -> bool:
        """The resident's first rating of their own question; counted once. False if it was not theirs,
        is gone, or was already rated."""
        with self._db.atomic() as tx:
            row = tx.one(
                f"UPDATE {QUESTIONS_TABLE} SET feedback = ? "
                "WHERE id = ? AND user_key = ? AND feedback IS NULL RETURNING week, program, source",
                [rating, question_id, user_key],
            )
            if row is None:
                return False
            column = "helpful" if rating == "helpful" else "unhelpful"
            tx.execute(
                f"INSERT INTO {FEEDBACK_TABLE} (week, program, source, {column}) VALUES (?, ?, ?, 1) "
                f"ON CONFLICT (week, program, source) DO UPDATE SET {column} = {column} + 1",
                [row["week"], row["program"], row["source"]],
            )
        return True

    def question_text(self, question_id: int) -> str | None:
        """The sealed original, for tests of sealing at rest; staff views use `report`."""
        row = self._db.one(f"SELECT text FROM {QUESTIONS_TABLE} WHERE id = ?", [question_id])
        return self._require_identity().unseal(row["text"], purpose=TEXT_PURPOSE) if row else None

    def report(self, since: date | None = None) -> Report:
        """Missed questions (masked) grouped by program, then week; feedback per program and per source."""
        start_week = week_of(since) if since else ""
        rows = self._db.query(
            f"SELECT id, asked_at, week, program, source, confident, escalated, feedback, masked "
            f"FROM {QUESTIONS_TABLE} WHERE (confident = 0 OR escalated = 1 OR feedback = 'unhelpful') "
            f"AND week >= ? ORDER BY program, week, asked_at, id",
            [start_week],
        )
        groups: dict[str, ProgramGroup] = {}
        for row in rows:
            question = LoggedQuestion(
                id=row["id"],
                asked_at=to_tokyo(datetime.fromisoformat(row["asked_at"])).isoformat(timespec="minutes"),
                week=row["week"],
                program=row["program"],
                source=row["source"],
                masked=self._require_identity().unseal(row["masked"], purpose=TEXT_PURPOSE),
                reasons=_reasons(row),
            )
            group = groups.setdefault(row["program"], ProgramGroup(row["program"]))
            group.weeks.setdefault(row["week"], []).append(question)
        unanswered = sorted(groups.values(), key=lambda group: (-group.count, group.program))
        counts = self._db.query(
            f"SELECT program, source, SUM(helpful) AS helpful, SUM(unhelpful) AS unhelpful "
            f"FROM {FEEDBACK_TABLE} WHERE week >= ? GROUP BY program, source ORDER BY program, source",
            [start_week],
        )
        return Report(since, unanswered, _sum_by(counts, "program"), _sum_by(counts, "source"))

    def forget(self, user_key: str) -> None:
        """Delete every question this resident asked (the counts keep nothing of them)."""
        self._db.execute(f"DELETE FROM {QUESTIONS_TABLE} WHERE user_key = ?", [user_key])

    def purge(self, retention_days: int, now: datetime | None = None) -> int:
        """Delete questions older than the retention period, and unremarkable ones after a week."""
        moment = now or self.clock()
        cutoff = _stamp(moment - timedelta(days=retention_days))
        quick = _stamp(moment - timedelta(days=min(UNREMARKABLE_DAYS, retention_days)))
        deleted = self._db.execute(
            f"DELETE FROM {QUESTIONS_TABLE} WHERE asked_at <= ? OR (asked_at <= ? AND confident = 1 "
            "AND escalated = 0 AND (feedback IS NULL OR feedback = 'helpful'))",
            [cutoff, quick],
        )
        if deleted:
            self._db.scrub()
        return deleted


def _reasons(row: dict[str, Any]) -> list[Reason]:
    reasons: list[Reason] = []
    if not row["confident"]:
        reasons.append("not_confident")
    if row["escalated"]:
        reasons.append("escalated")
    if row["feedback"] == "unhelpful":
        reasons.append("unhelpful")
    return reasons


def _sum_by(rows: list[dict[str, Any]], key: str) -> dict[str, FeedbackCount]:
    totals: dict[str, list[int]] = {}
    for row in rows:
        total = totals.setdefault(row[key], [0, 0])
        total[0] += int(row["helpful"])
        total[1] += int(row["unhelpful"])
    return {name: FeedbackCount(helpful, unhelpful) for name, (helpful, unhelpful) in totals.items()}

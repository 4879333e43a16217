"""Retrieval and answer metrics over an eval file (format and definitions: ../shared/eval/README.md).

hit@1 / hit@3: a gold string occurs in the heading path of the first / one of the first three sources.
fact@3: a fact string occurs in the answer text or in one of the first three sources' text (lines without
facts count as passed, as the README defines fact as optional). MRR: 1 / rank of the first gold source
(0 when none of the returned sources matches). Strings are compared after NFKC with whitespace, "," and "、"
removed, so "45,500 円" matches "45500".

Honesty metrics: a line may say `"answerable": false` (the documents are about the right program but do not
answer the point asked: a payment day, a deadline); such a line should get `confident: false`.
confident_wrong: answerable lines answered confidently from a first source that is not gold (the worst answer
the bot can send). hedged: lines answered `confident: false`. plan_first: share of first sources whose
document is a `plan` (a progress report is rarely what a resident needs).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from knowledge.answer import Answer

_IGNORED = re.compile(r"[\s,、]+")


class EvalFileError(ValueError):
    """An eval file line that is not a {"q": ..., "gold": [...]} object (the message names the line)."""


def comparable(text: str) -> str:
    return _IGNORED.sub("", unicodedata.normalize("NFKC", text or ""))


@dataclass(frozen=True)
class EvalCase:
    question: str
    gold: list[str]
    facts: list[str] = field(default_factory=list)
    answerable: bool = True


@dataclass
class CaseResult:
    question: str
    gold: list[str]
    facts: list[str]
    rank: int | None  # 1-based rank of the first gold source, None if not among the sources
    fact_found: bool
    confident: bool
    headings: list[str]
    answerable: bool = True
    first_kind: str = ""

    @property
    def confident_wrong(self) -> bool:
        return self.answerable and self.confident and not self.hit1

    @property
    def hit1(self) -> bool:
        return self.rank == 1

    @property
    def hit3(self) -> bool:
        return self.rank is not None and self.rank <= 3


@dataclass
class EvalReport:
    results: list[CaseResult]

    def _share(self, values: Iterable[bool]) -> float:
        values = list(values)
        return round(sum(values) / len(values), 4) if values else 0.0

    @property
    def metrics(self) -> dict[str, float]:
        return {
            "questions": len(self.results),
            "hit@1": self._share(r.hit1 for r in self.results),
            "hit@3": self._share(r.hit3 for r in self.results),
            "fact@3": self._share(r.fact_found for r in self.results),
            "mrr": round(sum(1 / r.rank for r in self.results if r.rank) / max(len(self.results), 1), 4),
            "confident": self._share(r.confident for r in self.results),
            "confident_wrong": sum(r.confident_wrong for r in self.results),
            "confident_wrong_share": self._share(r.confident_wrong for r in self.answerable),
            "hedged": sum(not r.confident for r in self.results),
            "unanswerable": len(self.results) - len(self.answerable),
            "unanswerable_hedged": self._share(not r.confident for r in self.results if not r.answerable),
            "plan_first": self._share(r.first_kind == "plan" for r in self.results),
        }

    @property
    def answerable(self) -> list[CaseResult]:
        return [r for r in self.results if r.answerable]

    @property
    def misses(self) -> list[CaseResult]:
        return [
            r
            for r in self.results
            if not r.hit1 or not r.fact_found or r.confident_wrong or (r.confident and not r.answerable)
        ]

    def to_dict(self) -> dict:
        return {
            "metrics": self.metrics,
            "misses": [
                {**asdict(r), "hit@1": r.hit1, "hit@3": r.hit3, "headings": r.headings[:3]}
                for r in self.misses
            ],
        }


def load_cases(path: Path) -> list[EvalCase]:
    cases: list[EvalCase] = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            raise EvalFileError(f"{path}:{number}: not JSON ({error.msg})") from error
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("q"), str)
            or not isinstance(data.get("gold"), list)
        ):
            raise EvalFileError(f'{path}:{number}: expected {{"q": "...", "gold": ["..."], "fact": [...]}}')
        cases.append(
            EvalCase(
                question=data["q"],
                gold=list(data["gold"]),
                facts=list(data.get("fact") or []),
                answerable=data.get("answerable", True) is not False,
            )
        )
    return cases


def score_case(case: EvalCase, answer: Answer) -> CaseResult:
    gold = [comparable(g) for g in case.gold]
    rank = next(
        (
            i
            for i, s in enumerate(answer.sources, start=1)
            if any(g and g in comparable(s.heading) for g in gold)
        ),
        None,
    )
    haystack = comparable(answer.text) + "".join(comparable(s.text) for s in answer.sources[:3])
    fact_found = not case.facts or any(comparable(f) in haystack for f in case.facts)
    return CaseResult(
        question=case.question,
        gold=case.gold,
        facts=case.facts,
        rank=rank,
        fact_found=fact_found,
        confident=answer.confident,
        headings=[s.heading for s in answer.sources],
        answerable=case.answerable,
        first_kind=answer.sources[0].kind if answer.sources else "",
    )


def evaluate(cases: list[EvalCase], ask: Callable[[str], Answer]) -> EvalReport:
    return EvalReport([score_case(case, ask(case.question)) for case in cases])

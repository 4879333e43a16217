"""The household check's estimate reads the dated amounts the answers use (knowledge/amounts.yaml).

intents asks for "the amount in force for program topic X on day D for N children" (`intents.Amounts`); this
adapter answers from `knowledge.Amounts`, finding the dated program by the catalogue names of the topic.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from intents import AmountInForce, Catalogue
from knowledge import Amounts


class DatedAmounts:
    def __init__(self, amounts: Amounts | Callable[[], Amounts], catalogue: Catalogue) -> None:
        # A callable is asked each time, so periods a city adds reach the estimate without a restart.
        self._amounts = amounts if callable(amounts) else (lambda: amounts)
        self._names: dict[str, list[str]] = {}
        for program in catalogue:
            self._names.setdefault(program.group, []).append(program.name)

    def in_force(self, program: str, on: date, children: int) -> AmountInForce | None:
        amounts = self._amounts()
        dated = next(
            (found for name in self._names.get(program, []) if (found := amounts.get(name)) is not None),
            None,
        )
        total = dated.total(children, on) if dated is not None else None
        if dated is None or total is None:
            return None
        bands = total.period.bands
        return AmountInForce(
            monthly=total.full,
            first_child=bands["first"].full,
            second_child=bands["second"].full,
            third_child_on=bands["third"].full,
            as_of=total.period.since,
            source=total.period.source,
            revised_since=dated.newer_may_apply(on) is not None,
        )

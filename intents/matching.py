"""Household facts → suggested programs, each with its reasons, the way a counselor's first interview goes.

A condition is met, unmet or open. Any unmet condition rules a program out; an open one (an unknown fact,
a child at an age border, a divorce not yet final) keeps it in as `possible`. So a household that tells us
less never loses a program it might qualify for; it only sees more of them marked `possible`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from intents import messages
from intents.catalogue import NATIONAL, Catalogue, Conditions, Program
from intents.facts import Facts

DEFAULT_LIMIT = 10
UNASKED_CORE_ROOM = 2
FACT_ORDER = Facts.field_names()
PENDING_SINGLE = ("considering_divorce", "separated")
UNDER_18 = 17


class Certainty(enum.StrEnum):
    LIKELY = "likely"
    POSSIBLE = "possible"


class Outlook(enum.StrEnum):
    """How a caseworker would put a suggestion: `possible` narrowed down when the only open condition is
    being single (after a divorce, or for someone separated, depending on their situation)."""

    LIKELY = "likely"
    POSSIBLE = "possible"
    AFTER_DIVORCE = "after_divorce"
    DEPENDS = "depends"


class _Status(enum.Enum):
    MET = "met"
    OPEN = "open"
    UNMET = "unmet"


@dataclass(frozen=True)
class _Outcome:
    status: _Status
    reason: str | None = None
    missing: tuple[str, ...] = ()
    note: str | None = None
    outlook: Outlook | None = None


_MET = _Outcome(_Status.MET)
_UNMET = _Outcome(_Status.UNMET)


@dataclass(frozen=True)
class AmountInForce:
    """A program's full monthly amount for some children on a date, as its dated source states it."""

    monthly: int
    first_child: int
    second_child: int
    third_child_on: int
    as_of: str
    source: str
    revised_since: bool = False  # a later revision is known that this source does not carry


class Amounts(Protocol):
    """The amount in force for a program (its topic, e.g. "child_rearing_allowance") on a date for a number of
    children; None when no amount is known for that date. The dated amounts data the answers use fits."""

    def in_force(self, program: str, on: date, children: int) -> AmountInForce | None: ...


@dataclass(frozen=True)
class AllowanceEstimate:
    """The full monthly 児童扶養手当 for the household's children, with the caveats that travel with it."""

    children: int
    monthly_full_amount: int
    as_of: str
    source: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "children": self.children,
            "monthly_full_amount": self.monthly_full_amount,
            "as_of": self.as_of,
            "source": self.source,
            "text": self.text,
        }


@dataclass
class Suggestion:
    id: str
    name: str
    category: str
    certainty: str
    why: list[str]
    contact: str
    source: str
    summary: str
    jurisdiction: str = NATIONAL
    heading: str = ""
    urgent: bool = False
    estimate: AllowanceEstimate | None = None
    outlook: str | None = None  # None: as the certainty says
    needs: list[str] = field(default_factory=list)
    # What is still open, in the resident's words (also at the end of `why`): what to check, and where.
    checks: list[str] = field(default_factory=list)
    # Every requirement the source lists, each with what the facts say of it: met, after_divorce, depends,
    # unknown (the facts do not settle it yet) or ask (only the window can tell). None is unmet: that rules
    # the program out.
    requirements: list[dict[str, str]] = field(default_factory=list)
    # The need it is listed under (the first of the household's it answers; "dv" for a DV window shown
    # first, "" for none): results are read one need after another.
    group: str = ""

    @property
    def group_label(self) -> str:
        """The heading of its group, as the resident reads it."""
        need = messages.NEED_LABELS[self.group] if self.group else messages.RESULT_OTHER
        return messages.RESULT_NEED.format(need=need)

    @property
    def reason(self) -> str | None:
        """The first reason that is not something still to check."""
        return next((reason for reason in self.why if reason not in self.checks), None)

    @property
    def label(self) -> str:
        """The certainty in the resident's words, the one vocabulary every message uses."""
        return messages.OUTLOOK_LABELS[self.outlook or self.certainty]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "category": self.category,
            "certainty": self.certainty,
            "why": list(self.why),
            "contact": self.contact,
            "source": self.source,
            "summary": self.summary,
            "jurisdiction": self.jurisdiction,
            "heading": self.heading,
            "urgent": self.urgent,
            "estimate": self.estimate.to_dict() if self.estimate else None,
            "outlook": self.outlook or self.certainty,
            "label": self.label,
            "needs": list(self.needs),
            "checks": list(self.checks),
            "requirements": [dict(item) for item in self.requirements],
            "group": self.group,
        }


@dataclass
class Recommendation:
    programs: list[Suggestion]
    urgent: bool
    missing: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "programs": [suggestion.to_dict() for suggestion in self.programs],
            "urgent": self.urgent,
            "missing": list(self.missing),
        }


@dataclass
class _Candidate:
    program: Program
    index: int
    certainty: Certainty
    outlook: Outlook
    why: list[str]
    missing: set[str]
    need_hits: float
    locality: int
    speculative: bool
    tailored: bool = False
    unsure: bool = False  # open on more than income (never in the facts) or the home prefecture
    checks: list[str] = field(default_factory=list)
    settled: dict[str, _Outcome] = field(default_factory=dict)


def recommend(
    facts: Facts,
    catalogue: Catalogue,
    limit: int | None = DEFAULT_LIMIT,
    amounts: Amounts | None = None,
    on: date | None = None,
) -> Recommendation:
    """Suggest the programs that fit `facts`: DV windows first when DV is present, then by fit.

    `limit` caps the list (None = every program that is not ruled out); DV windows and the core programs
    of the household's area are kept whatever the limit.
    """
    candidates = [
        candidate
        for index, program in enumerate(catalogue)
        if (candidate := _assess(program, index, facts, catalogue)) is not None
    ]
    candidates = _one_per_group(candidates, municipality_known=facts.municipality is not None)
    urgent = facts.dv
    ordered = sorted(candidates, key=_fit)
    first = [c for c in ordered if urgent and c.program.urgent_window]
    kept = first + [c for c in ordered if c.program.core and not c.speculative and c not in first]
    # Core programs nobody asked about (就学援助 for a family that asked about childcare) do not take the
    # room of the programs that answer what was asked, up to UNASKED_CORE_ROOM of them.
    unasked = min(UNASKED_CORE_ROOM, sum(1 for c in kept if c.need_hits <= 0))
    room = None if limit is None else max(limit, len(first)) + unasked
    for candidate in [*_by_need(candidates, facts, kept), *ordered]:
        if room is not None and len(kept) >= room:
            break
        if candidate not in kept:
            kept.append(candidate)
    rest = _grouped(sorted((c for c in kept if c not in first), key=_fit), facts, catalogue)
    on = on or date.today()
    suggestions = [_suggestion(c, facts, catalogue, urgent, amounts, on) for c in first + rest]
    for suggestion, candidate in zip(suggestions, first + rest, strict=True):
        suggestion.group = "dv" if suggestion.urgent else _group_of(candidate, facts, catalogue)
    return Recommendation(programs=suggestions, urgent=urgent, missing=_missing(facts, first + rest))


def _grouped(ordered: list[_Candidate], facts: Facts, catalogue: Catalogue) -> list[_Candidate]:
    """The suggestions as they are read, one need after another: the need holding money the household is
    entitled to and does not receive yet first (a caseworker names 児童扶養手当 before any loan), then the
    needs in the order the resident named them, then the programs no need asked for; best fit first within
    each."""
    wanted = _wanted(facts)

    def group(candidate: _Candidate) -> str:
        return _group_of(candidate, facts, catalogue)

    entitled = {group(c) for c in ordered if _entitlement(c) and group(c)}
    rank = {
        need: (need not in entitled, index) for index, need in enumerate(dict.fromkeys(map(group, ordered)))
    }
    named = {need: wanted.index(need) if need in wanted else len(wanted) + (need == "") for need in rank}
    return sorted(ordered, key=lambda c: (rank[group(c)][0], named[group(c)]))


def _group_of(candidate: _Candidate, facts: Facts, catalogue: Catalogue) -> str:
    """The first need of the household's the program answers ("" for none): where it is listed. Money the
    household is entitled to is listed under money for anyone asking about money or loans, so that
    someone who only asked to borrow hears of 児童扶養手当 before the loans."""
    needs = _all_needs(candidate.program, catalogue)
    wanted = _wanted(facts)
    found = next((need for need in wanted if need in needs), "")
    if not found and "money" in needs and {"money", "loan"} & set(wanted) and _entitlement(candidate):
        return "money"
    return found


def _entitlement(candidate: _Candidate) -> bool:
    """Money the household is likely entitled to and does not receive yet (児童扶養手当, 遺族基礎年金, 医療費
    助成, 就学援助): a core program that is not a window, open at most on income, not already received."""
    program = candidate.program
    income = candidate.settled.get("income")
    receiving = income is not None and income.reason == messages.REASON_RECEIVING
    return (
        program.core
        and program.category != "相談"
        and not candidate.unsure
        and not candidate.speculative
        and candidate.outlook in (Outlook.LIKELY, Outlook.POSSIBLE)
        and not receiving
    )


def _by_need(candidates: list[_Candidate], facts: Facts, taken: list[_Candidate]) -> list[_Candidate]:
    """Candidates taken in turns from each need, so that every need is answered; the core programs of each
    need before the specific ones, and a program hinging on an unmentioned circumstance last."""
    open_candidates = [c for c in candidates if c not in taken]
    queues = [
        _spread(sorted((c for c in open_candidates if need in c.program.needs), key=_importance))
        for need in _wanted(facts)
    ]
    turns: list[_Candidate] = []
    while any(queues):
        for queue in queues:
            while queue and queue[0] in turns:
                queue.pop(0)
            if queue:
                turns.append(queue.pop(0))
    return sorted(turns, key=lambda candidate: candidate.speculative)


def _spread(queue: list[_Candidate]) -> list[_Candidate]:
    """One fund of a family (修学資金 of 母子父子寡婦福祉貸付金) before the other programs of a need; its
    sister funds after them, so a need is answered by several services rather than one family of loans.
    A fund made for what the household said (事業継続資金 for the self-employed) keeps its place."""
    seen: set[str] = set()
    first: list[_Candidate] = []
    later: list[_Candidate] = []
    for candidate in queue:
        family = candidate.program.part_of or candidate.program.id
        (later if family in seen and not candidate.tailored else first).append(candidate)
        seen.add(family)
    return first + later


def _importance(candidate: _Candidate) -> tuple[Any, ...]:
    """A program hinging on a circumstance nobody mentioned (an accident, a disaster) waits its turn; one
    made for what the household said (ハローワーク for someone looking for work) goes first."""
    return (
        candidate.speculative,
        candidate.unsure,
        not candidate.tailored,
        -candidate.program.weight,
        -candidate.need_hits,
        candidate.locality,
        candidate.index,
    )


def _fit(candidate: _Candidate) -> tuple[Any, ...]:
    """What answers the household's needs first; within that, money it is entitled to before anything it
    would have to pay back, then what is likely, then what is open on more than income."""
    return (
        candidate.need_hits < 1,
        candidate.need_hits <= 0,
        not _entitlement(candidate),
        candidate.unsure,
        candidate.certainty is not Certainty.LIKELY,
        -candidate.need_hits,
        -candidate.program.weight,
        candidate.locality,
        candidate.index,
    )


def _one_per_group(candidates: list[_Candidate], municipality_known: bool) -> list[_Candidate]:
    """Keep the most local program of each group (catalogue order decides while the area is unknown)."""
    best: dict[str, _Candidate] = {}
    for candidate in candidates:
        group = candidate.program.group
        current = best.get(group)
        if current is None or (municipality_known and candidate.locality < current.locality):
            best[group] = candidate
    return [c for c in candidates if best[c.program.group] is c]


def _missing(facts: Facts, candidates: list[_Candidate]) -> list[str]:
    wanted: set[str] = set()
    for candidate in candidates:
        wanted |= candidate.missing
    if facts.needs is None:
        wanted.add("needs")
    return [name for name in FACT_ORDER if name in wanted and getattr(facts, name) is None]


def _assess(program: Program, index: int, facts: Facts, catalogue: Catalogue) -> _Candidate | None:
    place = _jurisdiction(program, facts, catalogue)
    if place.status is _Status.UNMET:
        return None
    outcomes = _conditions(program.conditions, facts, catalogue.contact_for(program, facts.municipality))
    if any(outcome.status is _Status.UNMET for outcome in outcomes.values()):
        return None
    everything = [place, *outcomes.values()]
    open_ = [outcome for outcome in everything if outcome.status is _Status.OPEN]
    missing = {name for outcome in open_ for name in outcome.missing}
    why = _reasons(program.conditions, outcomes, facts)
    hits = _need_hits(program, facts, catalogue)
    if hits:
        matched = [
            messages.NEED_LABELS[need] for need in _wanted(facts) if need in _all_needs(program, catalogue)
        ]
        why.append(messages.REASON_NEEDS.format(needs=messages.SEPARATOR.join(matched)))
    minor = _minor_unasked(program, facts, open_)
    if minor is not None:
        open_.append(minor)
        everything.append(minor)
    checks = list(dict.fromkeys(outcome.note for outcome in open_ if outcome.note))
    if missing:
        labels = [messages.FACT_LABELS[name] for name in FACT_ORDER if name in missing]
        checks.append(messages.NOTE_CHECK.format(facts=messages.SEPARATOR.join(labels)))
    why.extend(checks)
    certainty = Certainty.POSSIBLE if open_ else Certainty.LIKELY
    speculative = _speculative(program, place, outcomes, catalogue.home_prefecture)
    outlook = _outlook(open_)
    suited = facts.employment is not None and facts.employment in program.suits
    tailored = suited or any(
        outcomes[name].status is _Status.MET for name in ("employment", "circumstances") if name in outcomes
    )
    if suited and "employment" not in outcomes:
        employment = messages.EMPLOYMENT_LABELS[facts.employment or ""]
        why.insert(0, messages.REASON_EMPLOYMENT.format(employment=employment))
    soft = [outcomes.get("income"), place if program.jurisdiction == catalogue.home_prefecture else None]
    unsure = minor is not None or any(all(outcome is not other for other in soft) for outcome in open_)
    locality = _locality(program, catalogue)
    settled = {"place": place, **outcomes}
    return _Candidate(
        program,
        index,
        certainty,
        outlook,
        why,
        missing,
        hits,
        locality,
        speculative,
        tailored,
        unsure,
        checks,
        settled,
    )


def _minor_unasked(program: Program, facts: Facts, open_: list[_Outcome]) -> _Outcome | None:
    """A minor service (weight 1) is never told as strongly as the core programs: when nothing else is
    open, it is 「対象かもしれません」 with what the source asks of its users (「自宅にPCがない」) to check,
    unless the household asked for exactly what it gives and the source asks nothing the facts leave open."""
    if program.weight > 1 or program.core or open_:
        return None
    only_window = [item.text for item in program.requirements if item.check is None]
    asked = bool(set(_wanted(facts)) & set(program.needs))
    if asked and not only_window:
        return None
    what = messages.SEPARATOR.join(only_window) if only_window else program.for_whom
    return _Outcome(_Status.OPEN, note=messages.NOTE_MINOR.format(what=what))


def _speculative(
    program: Program, place: _Outcome, outcomes: dict[str, _Outcome], home_prefecture: str | None
) -> bool:
    """A program that hinges on something nobody said: a circumstance (an accident, a disaster), a kind of
    work, or living in one particular city or a prefecture other than the home one. It stays possible but
    waits behind the programs that fit what was said."""
    hinges = [outcomes[name] for name in ("circumstances", "employment") if name in outcomes]
    if any(outcome.status is _Status.OPEN for outcome in hinges):
        return True
    situation = program.conditions.situation
    if situation and "single" not in situation and "situation" in outcomes and outcomes["situation"].missing:
        return True
    return place.status is _Status.OPEN and program.jurisdiction != home_prefecture


def _outlook(open_: list[_Outcome]) -> Outlook:
    """Likely when nothing is open; a pending divorce or a separation names itself, since that is what the
    resident has to check first."""
    if not open_:
        return Outlook.LIKELY
    pending = {outcome.outlook for outcome in open_ if outcome.outlook}
    for outlook in (Outlook.DEPENDS, Outlook.AFTER_DIVORCE):
        if outlook in pending:
            return outlook
    return Outlook.POSSIBLE


def _locality(program: Program, catalogue: Catalogue) -> int:
    if program.jurisdiction == NATIONAL:
        return 2
    return 1 if catalogue.places.is_prefecture(program.jurisdiction) else 0


def _all_needs(program: Program, catalogue: Catalogue) -> set[str]:
    needs = set(program.needs)
    if program.part_of:
        needs |= set(catalogue.get(program.part_of).needs)
    return needs


def _wanted(facts: Facts) -> list[str]:
    """The household's needs; DV told as a circumstance is a need for safety too."""
    needs = list(facts.needs or [])
    return [*needs, "dv"] if facts.dv and "dv" not in needs else needs


def _need_hits(program: Program, facts: Facts, catalogue: Catalogue) -> float:
    """Needs the program answers; an umbrella program's needs count half for each of its parts."""
    wanted = set(_wanted(facts))
    direct = wanted & set(program.needs)
    inherited = set()
    if program.part_of:
        inherited = (wanted & set(catalogue.get(program.part_of).needs)) - direct
    return len(direct) + 0.5 * len(inherited)


def _jurisdiction(program: Program, facts: Facts, catalogue: Catalogue) -> _Outcome:
    if program.jurisdiction == NATIONAL:
        return _MET
    if facts.municipality is None:
        return _Outcome(_Status.OPEN, missing=("municipality",))
    municipality = catalogue.places.normalise(facts.municipality)
    if program.serves and municipality not in program.serves:
        return _UNMET
    if catalogue.places.is_prefecture(program.jurisdiction):
        return _MET if catalogue.places.prefecture_of(municipality) == program.jurisdiction else _UNMET
    return _MET if municipality == program.jurisdiction else _UNMET


def _conditions(conditions: Conditions, facts: Facts, contact: str) -> dict[str, _Outcome]:
    outcomes: dict[str, _Outcome] = {}
    if conditions.parent is not None:
        outcomes["parent"] = _one_of(facts.parent, conditions.parent, "parent")
    if conditions.situation is not None:
        outcomes["situation"] = _situation(facts, conditions.situation)
    if conditions.child_age is not None:
        outcomes["child_age"] = _child_age(facts, conditions)
    if conditions.income is not None:
        outcomes["income"] = _income(facts, conditions.income, conditions.income_rule, contact)
    if conditions.allowance is not None:
        outcomes["allowance"] = _allowance(facts, conditions.allowance)
    if conditions.resident_tax is not None:
        outcomes["resident_tax"] = _one_of(facts.resident_tax, (conditions.resident_tax,), "resident_tax")
    if conditions.employment is not None:
        outcomes["employment"] = _one_of(facts.employment, conditions.employment, "employment")
    if conditions.circumstances is not None:
        outcomes["circumstances"] = _circumstances(facts, conditions.circumstances)
    return outcomes


def _one_of(value: str | None, allowed: tuple[str, ...], name: str) -> _Outcome:
    if value is None:
        return _Outcome(_Status.OPEN, missing=(name,))
    return _MET if value in allowed else _UNMET


def _situation(facts: Facts, allowed: tuple[str, ...]) -> _Outcome:
    if facts.situation is None:
        return _Outcome(_Status.OPEN, missing=("situation",))
    if facts.situation in allowed:
        return _MET
    if facts.situation == "considering_divorce" and "single" in allowed:
        return _Outcome(_Status.OPEN, note=messages.NOTE_AFTER_DIVORCE, outlook=Outlook.AFTER_DIVORCE)
    if facts.situation == "separated" and "single" in allowed:
        return _Outcome(_Status.OPEN, note=messages.NOTE_SEPARATED, outlook=Outlook.DEPENDS)
    return _UNMET


def _child_age(facts: Facts, conditions: Conditions) -> _Outcome:
    rule = conditions.child_age
    assert rule is not None
    if facts.children_ages is None:
        return _Outcome(_Status.OPEN, missing=("children_ages",))
    if any(rule.min <= age <= rule.max for age in facts.children_ages):
        return _MET
    if any(rule.maybe_min <= age <= rule.maybe_max for age in facts.children_ages):
        return _Outcome(_Status.OPEN, note=messages.NOTE_CHILD_AGE_BORDER)
    return _UNMET


def _income(facts: Facts, level: str, rule: str | None, contact: str) -> _Outcome:
    """An income limit at or above 児童扶養手当's: receiving it or a tax-exempt household meets it.

    The facts hold no income, so an unsettled limit never rules a program out: it stays possible, with the
    limit as the source states it and the window that tells the amount. The allowance's own limit
    (`limited`) is not settled by asking whether the allowance is received: that would be the allowance
    checking itself.
    """
    if facts.child_allowance == "receiving":
        reason = messages.REASON_RECEIVING if level == "limited" else messages.REASON_ALLOWANCE
        return _Outcome(_Status.MET, reason=reason)
    if facts.resident_tax == "exempt":
        return _Outcome(_Status.MET, reason=messages.REASON_TAX_EXEMPT)
    if level == "limited":
        note = messages.NOTE_INCOME_LIMIT.format(rule=rule or messages.NOTE_INCOME, contact=contact)
        return _Outcome(_Status.OPEN, note=note)
    missing = tuple(name for name in ("child_allowance", "resident_tax") if getattr(facts, name) is None)
    note = messages.NOTE_INCOME_RULE.format(rule=rule) if rule else messages.NOTE_INCOME
    return _Outcome(_Status.OPEN, missing=missing, note=note)


def _allowance(facts: Facts, rule: str) -> _Outcome:
    if facts.child_allowance == "receiving":
        return _Outcome(_Status.MET, reason=messages.REASON_ALLOWANCE)
    if rule == "receiving_or_pension" and facts.situation == "bereaved":
        return _Outcome(_Status.OPEN, note=messages.NOTE_PENSION)
    if facts.child_allowance == "applying":
        return _Outcome(_Status.OPEN, note=messages.NOTE_APPLYING)
    if facts.child_allowance == "not_receiving" and (rule == "receiving" or facts.situation is not None):
        return _UNMET
    missing = tuple(
        name
        for name in ("child_allowance", "situation" if rule == "receiving_or_pension" else "")
        if name and getattr(facts, name) is None
    )
    return _Outcome(_Status.OPEN, missing=missing)


def _circumstances(facts: Facts, wanted: tuple[str, ...]) -> _Outcome:
    present = set(facts.circumstances or []) | ({"dv"} if facts.dv else set())
    found = [name for name in wanted if name in present]
    if found:
        label = messages.SEPARATOR.join(messages.CIRCUMSTANCE_LABELS[name] for name in found)
        return _Outcome(_Status.MET, reason=messages.REASON_CIRCUMSTANCE.format(circumstance=label))
    if facts.circumstances is None:
        return _Outcome(_Status.OPEN, missing=("circumstances",))
    return _UNMET


def _reasons(conditions: Conditions, outcomes: dict[str, _Outcome], facts: Facts) -> list[str]:
    """Reasons in the resident's terms, the household and its children first."""
    met = {name for name, outcome in outcomes.items() if outcome.status is _Status.MET}
    household = None
    pending = "situation" in outcomes and "situation" not in met
    if "parent" in met and facts.situation in PENDING_SINGLE:
        household = None if pending else messages.PENDING_HOUSEHOLD_LABELS[facts.situation]
    elif "parent" in met and facts.situation == "married":
        household = messages.HOUSEHOLD_LABELS["guardian"]
    elif "parent" in met and facts.parent is not None:
        household = messages.HOUSEHOLD_LABELS[facts.parent]
    child = conditions.child_age.label if conditions.child_age and "child_age" in met else None
    reasons: list[str] = []
    if child and household:
        reasons.append(messages.REASON_CHILD_AND_HOUSEHOLD.format(child=child, household=household))
    elif child:
        reasons.append(messages.REASON_CHILD.format(child=child))
    elif household:
        reasons.append(messages.REASON_HOUSEHOLD.format(household=household))
    if "situation" in met and facts.situation == "bereaved":
        reasons.append(messages.REASON_BEREAVED)
    elif "situation" in met and facts.situation in PENDING_SINGLE and household is None:
        reasons.append(
            messages.REASON_HOUSEHOLD.format(household=messages.PENDING_HOUSEHOLD_LABELS[facts.situation])
        )
    if "employment" in met and facts.employment is not None:
        employment = messages.EMPLOYMENT_LABELS[facts.employment]
        reasons.append(messages.REASON_EMPLOYMENT.format(employment=employment))
    if "resident_tax" in met:
        reasons.append(messages.REASON_TAX_EXEMPT)
    for name in ("income", "allowance", "circumstances"):
        reason = outcomes[name].reason if name in met else None
        if reason and reason not in reasons:
            reasons.append(reason)
    return reasons


def _suggestion(
    candidate: _Candidate, facts: Facts, catalogue: Catalogue, urgent: bool, amounts: Amounts | None, on: date
) -> Suggestion:
    program = candidate.program
    estimate = None
    if program.estimate and amounts is not None:
        estimate = allowance_estimate(amounts, program.group, on, facts.children_ages)
    return Suggestion(
        id=program.id,
        name=program.name,
        category=program.category,
        certainty=candidate.certainty.value,
        why=candidate.why,
        contact=catalogue.contact_for(program, facts.municipality),
        source=program.source.label,
        summary=program.summary,
        jurisdiction=program.jurisdiction,
        heading=program.heading,
        urgent=urgent and program.urgent_window,
        estimate=estimate,
        outlook=candidate.outlook.value,
        needs=[need for need in _wanted(facts) if need in _all_needs(program, catalogue)],
        checks=list(candidate.checks),
        requirements=[
            {"text": item.text, "status": _requirement_status(candidate.settled, item.check)}
            for item in program.requirements
        ],
    )


def _requirement_status(settled: dict[str, _Outcome], check: str | None) -> str:
    """met, after_divorce / depends (the single-parent requirement of someone still married), unknown for
    a requirement the facts speak to; ask for one only the window can settle."""
    outcome = settled.get(check) if check else None
    if outcome is None:
        return "ask"
    if outcome.status is _Status.MET:
        return "met"
    return outcome.outlook.value if outcome.outlook else "unknown"


def allowance_estimate(
    amounts: Amounts, program: str, on: date, children_ages: list[int] | None
) -> AllowanceEstimate | None:
    """The full monthly amount for the children under 18 in force on `on`, or None while their number (or
    the amount) is unknown."""
    if not children_ages:
        return None
    children = sum(1 for age in children_ages if age <= UNDER_18)
    table = amounts.in_force(program, on, children) if children else None
    if table is None:
        return None
    parts = [messages.YEN.format(amount=table.first_child)]
    if children >= 2:
        parts.append(messages.YEN.format(amount=table.second_child))
    if children >= 3:
        parts.append(messages.ESTIMATE_THIRD_ON.format(amount=table.third_child_on, count=children - 2))
    total = table.monthly
    text = messages.ESTIMATE.format(
        children=children,
        total=f"{total:,}",
        breakdown=messages.ESTIMATE_BREAKDOWN.format(parts="+".join(parts)) if children >= 2 else "",
        source=table.source,
        as_of=table.as_of,
    )
    return AllowanceEstimate(
        children=children,
        monthly_full_amount=total,
        as_of=table.as_of,
        source=table.source,
        text=f"{text}{messages.ESTIMATE_REVISED}" if table.revised_since else text,
    )

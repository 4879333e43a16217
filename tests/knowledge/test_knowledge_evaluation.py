"""Metric definitions of ../shared/eval/README.md."""

from __future__ import annotations

from knowledge import Answer, Source
from knowledge.evaluation import EvalCase, comparable, evaluate


def source(heading: str, text: str = "") -> Source:
    return Source(
        doc="d", title="t", heading=heading, jurisdiction="国", date="2024-01-01", text=text, score=1.0
    )


def test_comparison_ignores_width_spaces_and_separators():
    assert comparable("45,500 円") == comparable("４５５００円") == "45500円"
    assert comparable("15 歳") == "15歳"
    assert comparable("1、000") == "1000"


def test_metrics():
    answers = {
        "a": Answer("a", "金額は45,500円です", True, [source("t > 児童扶養手当")]),
        "b": Answer(
            "b", "…", True, [source("t > 別"), source("t > 別2"), source("t > 転宅資金", "260,000円")]
        ),
        "c": Answer("c", "…", False, [source("t > 別")]),
    }
    cases = [
        EvalCase("a", ["児童扶養手当"], ["45500"]),
        EvalCase("b", ["転宅資金"], ["260000"]),
        EvalCase("c", ["就学援助"], ["教育委員会"]),
    ]
    report = evaluate(cases, answers.__getitem__)
    assert report.metrics == {
        "questions": 3,
        "hit@1": 0.3333,
        "hit@3": 0.6667,
        "fact@3": 0.6667,
        "mrr": round((1 + 1 / 3) / 3, 4),
        "confident": 0.6667,
        "confident_wrong": 1,
        "confident_wrong_share": 0.3333,
        "hedged": 1,
        "unanswerable": 0,
        "unanswerable_hedged": 0.0,
        "plan_first": 0.0,
    }
    assert [miss.question for miss in report.misses] == ["b", "c"]

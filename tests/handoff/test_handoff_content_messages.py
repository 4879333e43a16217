"""Staff read every finding and refusal of the content, notice and thread pages in Japanese (messages.py):
the check's English (for operators at the CLI), error texts and internal codes never reach a page (the pages
themselves: tests/bot/test_city_content.py)."""

from __future__ import annotations

import re
from pathlib import Path

import bot.content
import handoff.dashboard.content
from handoff import messages
from handoff.content import ContentProblem
from handoff.dashboard.filters import content_problem, delivery_label, stop_reason
from knowledge import checking, library
from knowledge.library import CONTACT_PROBLEM_TEXT

ENGLISH = ("front matter", "digits", "is not", "has no", "YAML", "must be", "expected")


def codes_in(module) -> set[str]:
    """Every finding code a module gives: `code="…"`, `code = "…" if … else "…"`, and the second argument of
    checking's local `error(message, code)`."""
    source = Path(module.__file__).read_text(encoding="utf-8")
    codes = set(re.findall(r'code="(\w+)"', source))
    codes |= {code for line in re.findall(r"code = (.+)", source) for code in re.findall(r'"(\w+)"', line)}
    return codes | set(re.findall(r'error\(\s*f?"(?:[^"\\]|\\.)*",\s*"(\w+)"', source))


def test_every_finding_and_refusal_has_its_japanese_sentence() -> None:
    found = codes_in(checking) | codes_in(library) | {f"contact_{code}" for code in CONTACT_PROBLEM_TEXT}
    assert found >= {"no_front_matter_key", "bad_phone_digits", "unreadable", "lapsed", "contact_bad_phone"}
    assert found - {"lapsed"} <= set(messages.CHECK_PROBLEMS)  # lapsed amounts have their own sentence
    raised = set(re.findall(r'ContentInputError\("(\w+)"', Path(bot.content.__file__).read_text("utf-8")))
    refused = set(
        re.findall(r'_error\("(\w+)"\)', Path(handoff.dashboard.content.__file__).read_text("utf-8"))
    )
    contacts = {f"contact_{code}" for code in CONTACT_PROBLEM_TEXT}
    assert raised | refused | contacts <= set(messages.CONTENT_ERRORS)
    for text in [*messages.CHECK_PROBLEMS.values(), *messages.CONTENT_ERRORS.values()]:
        sentence = re.sub(r"\{\w+\}", "", text)  # the placeholders are filled with values
        assert not any(word in sentence for word in ENGLISH), text
    # A finding is filled with its values; one whose values are missing still reads as a sentence.
    problem = ContentProblem("x", "bad_phone_digits", {"number": "076-1", "digits": "4", "expected": "10"})
    assert content_problem(problem).startswith("電話番号「076-1」は4桁です（10桁のはずです）")
    assert content_problem(ContentProblem("x", "bad_phone_digits")) == messages.CHECK_PROBLEMS["unknown"]
    assert content_problem(ContentProblem("x", "no_front_matter_key", {"key": "publisher"})).startswith(
        "先頭の項目に「発行元（publisher）」"
    )
    assert (
        content_problem(ContentProblem("x", "a_code_of_a_newer_node")) == messages.CHECK_PROBLEMS["unknown"]
    )


def test_audit_actions_and_stop_reasons_are_japanese() -> None:
    pages = Path(handoff.dashboard.content.__file__).read_text(encoding="utf-8")
    for action in re.findall(r'_audit\("(\w+)"', pages):
        assert action in messages.AUDIT_ACTION_LABELS, action
    assert set(messages.NOTICE_STOP_REASONS) == {"monthly_limit"}
    assert stop_reason("monthly_limit", 120).startswith("LINEの今月のメッセージ上限に達したため")
    unknown = stop_reason("ConnectionResetError: peer reset", 7)
    assert "7人に送信済み" in unknown and "Error" not in unknown


def test_a_failed_delivery_is_said_without_the_error_text() -> None:
    assert (
        delivery_label("failed: gave up after 3 attempts: HTTP 500: upstream timeout")
        == "送れませんでした（500）"
    )
    assert delivery_label("failed: ConnectionError") == "送れませんでした"
    assert delivery_label("failed: no push target") == "送れませんでした"
    assert delivery_label("delivered") == "届きました"

"""The report of questions the bot missed, in a real headless Chromium: admins only, masked, audited."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from browser_support import log_in
from flask import Flask

from bot.database import Database
from handoff import (
    AuditLog,
    CounselorAccounts,
    CounselorReplies,
    DashboardServices,
    QuestionLog,
    ResidentIdentity,
    ThreadStore,
    generate_secret_key,
    init_dashboard,
)

pytestmark = pytest.mark.browser

XSS = '<img src=x onerror="window.__xss=1">'


@dataclass
class StubSource:
    doc: str
    title: str
    heading: str


@dataclass
class StubAnswer:
    confident: bool
    sources: list[StubSource] = field(default_factory=list)


@pytest.fixture
def questions(db: Database, identity: ResidentIdentity) -> QuestionLog:
    return QuestionLog(db, identity, clock=lambda: datetime(2026, 11, 24, 3, 0, tzinfo=UTC))


@pytest.fixture
def dashboard_app(
    store: ThreadStore,
    accounts: CounselorAccounts,
    replies: CounselorReplies,
    audit: AuditLog,
    questions: QuestionLog,
) -> Flask:
    """The dashboard as the app factory mounts it, with the question log."""
    app = Flask("insights-test")
    app.config.update(SECRET_KEY=generate_secret_key(), SESSION_COOKIE_SAMESITE="Lax")
    init_dashboard(app, DashboardServices(store, accounts, replies, audit, questions=questions))
    accounts.add("admin", "admin-password", admin=True)
    accounts.add("suzuki", "suzuki-password")
    return app


def test_admins_read_the_missed_questions_masked_by_program(
    page, base_url: str, questions: QuestionLog, audit: AuditLog
) -> None:
    loan = [
        StubSource("ishikawa", "ひとり親家庭の支援", "ひとり親家庭の支援 > 母子父子寡婦福祉貸付金 > 修学資金")
    ]
    questions.record(
        "a", "山田花子です。12歳の娘の修学旅行の費用は？電話090-1234-5678", StubAnswer(False, loan)
    )
    rated = questions.record("b", "修学資金の返し方は？ " + XSS, StubAnswer(True, loan))
    questions.rate(rated, "b", "unhelpful")
    good = questions.record("c", "児童扶養手当はいくら？", StubAnswer(True, loan))
    questions.rate(good, "c", "helpful")

    log_in(page, base_url, "admin", "admin-password")
    page.click("text=答えられなかった質問")
    page.wait_for_url(f"{base_url}/counselor/admin/report")
    section = page.locator("section.report-program[data-program='修学資金']")
    assert "2件" in section.locator("h2").inner_text()
    shown = section.locator("td.masked").all_inner_texts()
    assert "［名前］です。中学生の娘の修学旅行の費用は？電話［電話番号］" in shown
    assert any(XSS in text for text in shown) and page.evaluate("window.__xss") is None
    body = page.inner_text("main")
    assert "山田" not in body and "090-1234-5678" not in body and "児童扶養手当はいくら" not in body
    assert "-W" not in body and "T0" not in body and "からの週" in body  # weeks and times in words
    feedback = page.locator("table.report-feedback").first.inner_text()
    assert "修学資金\t1\t1" in feedback
    assert audit.entries(limit=1)[0].action == "report_view"

    page.fill("input[name=since]", "2026-12-01")
    page.click("form.report-since button[type=submit]")
    page.wait_for_selector("p.report-empty")


def test_counselors_who_are_not_admins_cannot_open_the_report(page, base_url: str) -> None:
    log_in(page, base_url, "suzuki", "suzuki-password")
    assert page.locator("text=答えられなかった質問").count() == 0
    response = page.goto(f"{base_url}/counselor/admin/report")
    assert response is not None and response.status == 403

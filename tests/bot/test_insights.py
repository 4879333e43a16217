"""A scripted week of questions through the real webhook, conversation and index, then `yorisoi report`:
the missed ones by program and week, masked; the feedback buttons under every answer."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from click.testing import CliRunner
from conversation_support import WORKER_DEADLINE

from bot import messages, render
from bot.cli import cli
from bot.database import open_database
from handoff import (
    DELETE_CONFIRM_POSTBACK,
    REQUEST_POSTBACK,
    QuestionLog,
    ResidentIdentity,
    generate_secret_key,
)
from handoff.insights import FEEDBACK_TABLE, QUESTIONS_TABLE

MOTHER = "U" + "a1" * 16
FATHER = "U" + "b2" * 16
SECRET = generate_secret_key()
MONDAY = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo, ISO week 2026-W48


class Chat:
    """Residents writing and tapping through /callback; each reply read back from the fake LINE API."""

    def __init__(self, server, signed_event, fake_line) -> None:
        self.server, self.events, self.fake_line = server, signed_event, fake_line
        self.questions: QuestionLog = server.core.stores.questions

    def _send(self, event: dict) -> dict:
        seen = len(self.fake_line.delivered())
        assert self.events.post(self.server.url, event)[0] == 200
        assert self.server.core.worker.queue.wait_idle(WORKER_DEADLINE), "the worker did not finish"
        [reply] = self.fake_line.delivered()[seen:]
        return reply.body["messages"][-1]

    def say(self, user: str, text: str, day: int) -> dict:
        self.questions.clock = lambda: MONDAY + timedelta(days=day)
        return self._send(self.events.text(text, source=self.events.source(user)))

    def tap(self, user: str, data: str) -> dict:
        return self._send(self.events.postback(data, source=self.events.source(user)))


def quick_replies(message: dict) -> dict[str, str]:
    """label → postback data (or the text a tap sends)."""
    items = (message.get("quickReply") or {}).get("items", [])
    return {item["action"]["label"]: item["action"].get("data") or item["action"]["text"] for item in items}


def feedback_id(message: dict) -> str:
    data = quick_replies(message)[messages.FEEDBACK_UNHELPFUL]
    assert data.startswith(render.FEEDBACK_PREFIX)
    return data.rsplit(":", 1)[1]


def test_a_week_of_questions_reports_the_missed_ones_masked_by_program(
    live_server, signed_event, fake_line, monkeypatch
) -> None:
    chat = Chat(live_server, signed_event, fake_line)

    # Monday: a good answer, rated helpful; every answer carries the two buttons and the way out.
    answer = chat.say(MOTHER, "児童扶養手当はいくらもらえますか", day=0)
    buttons = quick_replies(answer)
    assert len(buttons) <= render.MAX_QUICK_REPLIES
    assert {messages.FEEDBACK_HELPFUL, messages.FEEDBACK_UNHELPFUL, messages.MENU_COUNSELOR} <= set(buttons)
    thanks = chat.tap(MOTHER, buttons[messages.FEEDBACK_HELPFUL])
    assert thanks["text"] == messages.FEEDBACK_THANKS
    # Tuesday: outside what the documents cover, with a mobile number.
    chat.say(MOTHER, "住民票の写しはコンビニで取れますか。携帯は090-1234-5678です", day=1)
    # Wednesday: a name and an age; answered (就学援助), but the resident says it did not help.
    answer = chat.say(FATHER, "山田花子です。12歳の娘の修学旅行の積立金は市で補助がありますか？", day=2)
    unhelpful = feedback_id(answer)
    assert (
        chat.tap(MOTHER, f"{render.FEEDBACK_PREFIX}unhelpful:{unhelpful}")["text"]
        == messages.FEEDBACK_ALREADY
    )
    for forged in ("unhelpful:" + "9" * 30, "bogus:1", "unhelpful:１", "unhelpful:"):
        assert chat.tap(FATHER, render.FEEDBACK_PREFIX + forged)["text"] == messages.FEEDBACK_ALREADY
    sorry = chat.tap(FATHER, f"{render.FEEDBACK_PREFIX}unhelpful:{unhelpful}")
    assert REQUEST_POSTBACK in quick_replies(sorry).values()  # a counselor offered
    assert (
        chat.tap(FATHER, f"{render.FEEDBACK_PREFIX}helpful:{unhelpful}")["text"] == messages.FEEDBACK_ALREADY
    )
    # The next week: the mother's second miss in a row (with an e-mail address) brings the offer of a person.
    offered = chat.say(MOTHER, "粗大ごみの出し方を教えてください。返事は hanako@example.jp へ", day=8)
    assert REQUEST_POSTBACK in quick_replies(offered).values()
    chat.say(MOTHER, "車の車検費用を借りられますか", day=9)

    core = live_server.core
    monkeypatch.setenv("YORISOI_DATA_DIR", str(core.settings.data_dir))
    monkeypatch.setenv("YORISOI_SECRET_KEY", core.settings.secret_key)
    result = CliRunner().invoke(cli, ["report", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)

    listed = {
        question["question"]: (group["program"], week["week"], question["reasons"])
        for group in report["unanswered"]
        for week in group["weeks"]
        for question in week["questions"]
    }
    assert "児童扶養手当はいくらもらえますか" not in listed  # confident and helpful: not a gap
    assert listed["住民票の写しはコンビニで取れますか。携帯は［電話番号］です"][1:] == (
        "2026-W48",
        ["not_confident"],
    )
    program, week, reasons = listed["［名前］です。中学生の娘の修学旅行の積立金は市で補助がありますか？"]
    assert (program, week, reasons) == ("就学援助制度", "2026-W48", ["unhelpful"])
    assert listed["粗大ごみの出し方を教えてください。返事は ［メール］ へ"][1:] == (
        "2026-W49",
        ["not_confident", "escalated"],
    )
    assert listed["車の車検費用を借りられますか"][1:] == ("2026-W49", ["not_confident"])
    assert not any(secret in result.output for secret in ("090-1234-5678", "hanako@", "山田", "12歳"))
    assert report["feedback"]["by_program"]["就学援助制度"] == {"helpful": 0, "unhelpful": 1}
    assert sum(c["helpful"] for c in report["feedback"]["by_program"].values()) == 1
    assert report["feedback"]["by_source"]["ishikawa-hitorioya-shien"]["unhelpful"] == 1

    since = CliRunner().invoke(cli, ["report", "--json", "--since", "2026-11-30"])
    weeks = {w["week"] for g in json.loads(since.output)["unanswered"] for w in g["weeks"]}
    assert weeks == {"2026-W49"}

    # At rest: only sealed text, the masked copy too.
    rows = core.stores.db.query(f"SELECT text, masked FROM {QUESTIONS_TABLE}")
    assert rows and not any("090" in r["text"] + r["masked"] or "粗大" in r["text"] for r in rows)

    # 「データを削除」 removes the resident's questions; the counts (nothing of a resident) stay.
    chat.tap(FATHER, DELETE_CONFIRM_POSTBACK)
    assert core.stores.db.one(
        f"SELECT COUNT(*) AS n FROM {QUESTIONS_TABLE} WHERE user_key = ?",
        [core.stores.identity.user_key(FATHER)],
    ) == {"n": 0}
    assert core.stores.db.one(f"SELECT SUM(unhelpful) AS n FROM {FEEDBACK_TABLE}") == {"n": 1}


@dataclass
class StubSource:
    doc: str
    title: str
    heading: str


@dataclass
class StubAnswer:
    """Only the fields the log reads; the real answers are covered through the webhook above."""

    confident: bool
    sources: list[StubSource] = field(default_factory=list)


def test_purge_keeps_missed_questions_for_the_retention_period_and_drops_unremarkable_ones_sooner(
    tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("YORISOI_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("YORISOI_SECRET_KEY", SECRET)
    monkeypatch.setenv("YORISOI_RETENTION_DAYS", "30")
    db = open_database(tmp_path)
    log = QuestionLog(db, ResidentIdentity(SECRET))
    source = [StubSource("doc", "ページ", "ページ > 児童扶養手当")]
    now = datetime.now(UTC)

    def asked(days_ago: int, confident: bool, rating: str | None = None) -> int:
        log.clock = lambda: now - timedelta(days=days_ago)
        question = log.record("key", f"{days_ago}日前の質問", StubAnswer(confident, source))
        if rating:
            assert log.rate(question, "key", rating)  # type: ignore[arg-type]
        return question

    kept = {asked(2, True), asked(10, False), asked(10, True, "unhelpful"), asked(29, False)}
    gone = {asked(10, True), asked(10, True, "helpful"), asked(31, False), asked(31, True, "unhelpful")}

    result = CliRunner().invoke(cli, ["purge"])

    assert result.exit_code == 0, result.output
    assert f"{QUESTIONS_TABLE}: {len(gone)}" in result.output
    left = {row["id"] for row in db.query(f"SELECT id FROM {QUESTIONS_TABLE}")}
    assert left == kept
    assert db.one(f"SELECT SUM(helpful) AS h, SUM(unhelpful) AS u FROM {FEEDBACK_TABLE}") == {"h": 1, "u": 2}


def test_forget_is_registered_for_the_question_log(tmp_path) -> None:
    from bot.config import Settings
    from bot.services import build_stores

    stores = build_stores(Settings(data_dir=tmp_path, secret_key=SECRET))
    assert stores.questions.forget in stores.forgetters()
    stores.questions.record("mine", "質問", StubAnswer(False))
    stores.questions.record("theirs", "質問", StubAnswer(False))
    for forget in stores.forgetters():
        forget("mine")
    assert [row["user_key"] for row in stores.db.query(f"SELECT user_key FROM {QUESTIONS_TABLE}")] == [
        "theirs"
    ]


def test_the_feedback_buttons_and_the_way_out_fit_beside_many_related_programs() -> None:
    @dataclass
    class ManyRelated:
        text: str = "回答"
        related: list[str] = field(default_factory=lambda: [f"制度{n}" for n in range(20)])

    [message] = render.answer(ManyRelated(), render.feedback_choices(7))
    labels = [item.action.label for item in message.quick_reply.items]
    assert len(labels) == render.MAX_QUICK_REPLIES
    assert labels[-4:] == [
        messages.FEEDBACK_HELPFUL,
        messages.FEEDBACK_UNHELPFUL,
        messages.MENU_COUNSELOR,
        messages.MENU_RESTART,
    ]
    assert message.quick_reply.items[-3].action.data == f"{render.FEEDBACK_PREFIX}unhelpful:7"

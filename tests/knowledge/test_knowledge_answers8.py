"""Gaps found by asking as a resident (issue 11, answers8), through `yorisoi ask --json` on the real index:
the steps after a divorce, and whom to call (not only the court's steps) when 養育費 stops."""

from __future__ import annotations

import re

import pytest

PHONE = re.compile(r"0\d{1,4}-\d{1,4}-\d{3,4}")


def first(data: dict) -> dict:
    return data["sources"][0]


@pytest.mark.parametrize(
    "question",
    [
        "離婚届を役所に出してきました。次はどんな手続きが必要ですか",
        "離婚届も出して、ひとり親になりました。ここからやる手続きは？",
    ],
)
def test_steps_after_a_divorce_lead_with_the_steps_not_the_courts_養育費_procedure(ask, question):
    data = ask(question)[0]
    assert first(data)["heading"].endswith("ひとり親家庭になったときの手続き")
    text = data["answer"]
    assert "児童扶養手当の申請手続き" in text and "ひとり親家庭等医療費" in text
    assert "強制執行" not in text
    assert not PHONE.search(text)  # no place named, no home: no local number
    assert len(text) < 600


@pytest.mark.parametrize(
    "question",
    ["養育費がずっと振り込まれていない。どうすれば", "元妻が決めた養育費を払ってくれなくなりました"],
)
def test_unpaid_養育費_gets_the_court_steps_and_whom_to_call(ask, question):
    data = ask(question)[0]
    text = data["answer"]
    assert "養育費" in first(data)["heading"]
    assert "強制執行" in text or "勧告" in text
    assert "相談できるところ: 養育費等相談支援センター" in text
    assert not PHONE.search(text)


def test_a_city_centre_is_not_given_the_national_養育費_window(ask):
    text = ask("はあと飯田橋ではどんな相談ができますか")[0]["answer"]
    assert "養育費等相談支援センター" not in text


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("子どもを保育園に預けたい。母子家庭は優先してもらえたりしますか", True),
        ("がくどうに入れたいけど、ひとり親だと安くなったりする？", True),
        ("どんな支援が受けられますか", False),
        ("もらえるお金を調べたい", False),
    ],
)
def test_a_message_names_one_service_by_its_everyday_word(real_kb, text, names):
    assert real_kb.names_service(text) is names


@pytest.mark.parametrize(
    "question",
    ["高校に上がる息子の入学準備のお金が足りません", "高等学校に進む娘の制服や準備の費用がたりません"],
)
def test_help_for_小中学校_does_not_lead_for_a_高校_entrance(ask, question):
    heading = first(ask(question)[0])["heading"]
    assert "就学援助" not in heading
    assert "就学支度資金" in heading or "高等学校" in heading


def test_a_rules_numbered_item_yields_to_the_programs_opening(ask):
    data = ask("在宅就業の支援ってどんなことをしてくれますか")[0]
    assert first(data)["heading"].endswith("在宅就業推進事業")
    assert "セミナー" in data["answer"] and "次に掲げる業務を行う" not in data["answer"]


def test_the_opening_still_brings_the_item_that_answers(ask):
    data = ask("面会交流の援助は1か月に何回まで頼めますか")[0]
    assert "1月に1回" in data["answer"]


def test_a_plans_report_of_what_was_done_does_not_lead_for_help_it_does_not_name(ask):
    heading = first(ask("おやがにゅういんするあいだ、こどもをあずかってほしい")[0])["heading"]
    assert "主な取組実績" not in heading and "医療的ケア" not in heading


@pytest.mark.parametrize(
    "question", ["医療的ケアが必要な子の保育について知りたい", "めだか親子教室って何をするところ？"]
)
def test_a_reported_item_the_question_names_still_leads(ask, question):
    assert "主な取組実績" in first(ask(question)[0])["heading"]


@pytest.mark.parametrize(
    "question",
    [
        "上の娘が専門学校に入りたがっていて、入学金と授業料が払えるか不安です",
        "息子は来年から大学です。授業料をどうすればいいか",
    ],
)
def test_a_childs_schooling_gets_the_childs_program_not_the_parents_training(ask, question):
    heading = first(ask(question)[0])["heading"]
    assert "職業訓練" not in heading
    assert "修学資金" in heading or "就学支度資金" in heading


def test_the_parents_own_schooling_still_gets_the_training_grant(ask):
    heading = first(ask("私が看護学校に通う間の生活費が心配です")[0])["heading"]
    assert "高等職業訓練促進給付金" in heading

"""Crises (handoff.crisis, rules only here) get the lines that fit, questions that merely mention DV get
answered; EscalationPolicy handles explicit requests and the offer."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import yaml

from handoff import REQUEST_POSTBACK, CrisisDetector, EscalationPolicy
from handoff.crisis import RULES_FILE as CRISIS_RULES_FILE
from handoff.escalation import RULES_FILE, normalise
from handoff.hours import TOKYO

EVENING = datetime(2026, 12, 1, 17, 0, tzinfo=TOKYO)


@pytest.fixture(scope="module")
def policy() -> EscalationPolicy:
    return EscalationPolicy.load()


@pytest.fixture(scope="module")
def crisis() -> CrisisDetector:
    return CrisisDetector.load()


def categories(crisis: CrisisDetector, text: str) -> tuple[str, ...]:
    found = crisis.assess(text)
    assert found is not None, f"{text!r} should be a crisis"
    return found.kinds


# --- crises, including paraphrases and spellings that are not literally in the rules file --------------
@pytest.mark.parametrize(
    "text",
    [
        "夫からDVを受けています",
        "夫からＤＶを受けていて、毎日こわいです",
        "旦那のDVがひどくて眠れません",
        "元夫から暴力をふるわれています",
        "彼氏に殴られた",
        "昨日また夫に蹴られました",
        "家に帰るのが怖い。逃げたいです",
        "子どもを連れて家を出たい、もう逃げたい",
        "夫に怒鳴られて脅されています",
        "夫が生活費をくれません、お金を渡してもらえない",
        "dvされてる",
        "モラハラを受けています。どこに相談すればいいですか",
        "夫からの暴力、相談できるところはありますか",
        "DV",
        "暴力",
    ],
)
def test_dv_in_the_first_person_is_a_crisis(crisis: CrisisDetector, text: str) -> None:
    assert "dv" in categories(crisis, text)


@pytest.mark.parametrize(
    "text",
    [
        "死にたい",
        "しにたい",
        "シニタイ",
        "もう死にたくなる",
        "消えたい",
        "消えてしまいたい",
        "生きているのがつらい",
        "生きてるのが辛いです",
        "生きていたくない",
        "もう終わりにしたい",
        "自殺を考えています",
        "自殺",
        "死にたいわけじゃないけど、もう限界です",
        "消えたいとは言わないけど、疲れました…",
        "子どもがいなければ死んでしまいたいと思うことがある",
    ],
)
def test_suicidal_words_are_a_crisis_even_softened(crisis: CrisisDetector, text: str) -> None:
    assert {"suicide", "despair"} & set(categories(crisis, text))


@pytest.mark.parametrize(
    "text",
    [
        "子どもを叩いてしまいそう",
        "子供をたたいてしまいそうで怖い",
        "イライラして子どもに手をあげてしまう",
        "つい手を上げてしまいました",
        "娘を殴ってしまいそうになる",
        "子どもにあたってしまうんです",
        "子どもがかわいいと思えない",
        "虐待してしまいそうです",
        "となりの家の子が虐待されています",
        "虐待",
    ],
)
def test_abuse_is_a_crisis(crisis: CrisisDetector, text: str) -> None:
    assert {"child_abuse_risk", "child_abuse_other"} & set(categories(crisis, text))


@pytest.mark.parametrize(
    "text",
    [
        "殺される",
        "夫が包丁を持って暴れている",
        "刃物を向けられた",
        "いますぐ助けて",
        "助けて",
        "元夫が家の前にいる",
    ],
)
def test_immediate_danger_gets_110_and_119_first(crisis: CrisisDetector, text: str) -> None:
    found = crisis.assess(text)
    assert found is not None and found.kinds[0] == "danger"
    first_lines = crisis.reply(found.kinds, EVENING).split("【いま相談できる窓口】")[1].strip().splitlines()
    assert "110" in first_lines[0]
    assert "119" in first_lines[1]


# --- ordinary questions that merely mention a crisis topic -----------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "DVの相談窓口はどこ？",
        "DVの相談窓口はどこですか",
        "DV被害者向けの住宅支援はありますか",
        "ＤＶ被害者が使える制度を教えてください",
        "DVが原因で離婚した場合、児童扶養手当はもらえますか",
        "DV相談の電話番号を知りたい",
        "配偶者暴力相談支援センターとは何ですか",
        "DVの防止講座はありますか",
        "虐待防止の制度について知りたい",
        "児童虐待の相談先はどこですか",
        "自殺対策の窓口を教えてください",
        "DVではないのですが、離婚の相談をしたいです",
        "暴力はありませんが、養育費をもらえません",
        "虐待ではないけど子育てがしんどい",
    ],
)
def test_questions_that_mention_dv_are_not_a_crisis(crisis: CrisisDetector, text: str) -> None:
    assert crisis.assess(text) is None, text


@pytest.mark.parametrize(
    "text",
    [
        "児童扶養手当はいくらですか",
        "ひとり親の医療費助成について",
        "保育園に入りたい",
        "養育費の取り決めはどうすれば",
        "こんにちは",
        "ありがとうございました",
        "高等職業訓練促進給付金の条件は？",
        "電気が消えた",
        "母子父子寡婦福祉資金の貸付を受けたい",
        "",
    ],
)
def test_everyday_messages_do_not_escalate(
    policy: EscalationPolicy, crisis: CrisisDetector, text: str
) -> None:
    assert policy.assess(text) is None and crisis.assess(text) is None


# --- the numbers that fit ----------------------------------------------------------------------------
def reply_to(crisis: CrisisDetector, text: str) -> str:
    found = crisis.assess(text)
    assert found is not None
    return crisis.reply(found.kinds, EVENING)


def test_each_crisis_gets_its_own_numbers(crisis: CrisisDetector) -> None:
    dv = reply_to(crisis, "夫に殴られています")
    assert "0120-279-889" in dv and "#8008" in dv and "110" in dv
    assert "189（" not in dv and "0120-783-556" not in dv

    suicide = reply_to(crisis, "死にたい")
    assert "0120-279-338" in suicide and "0120-783-556" in suicide  # 17:00: いのちの電話 is open
    assert "#8008" not in suicide and "189（" not in suicide

    abuse = reply_to(crisis, "子どもを叩いてしまいそう")
    assert "189" in abuse and "0120-279-338" in abuse
    assert "#8008" not in abuse and "0120-783-556" not in abuse


def test_several_crises_combine_numbers_without_repeats(crisis: CrisisDetector) -> None:
    found = crisis.assess("夫に殴られて、もう死にたい")
    assert found is not None and set(found.kinds) == {"dv", "suicide"}
    reply = crisis.reply(found.kinds, EVENING)
    assert reply.count("0120-279-338") == 1
    assert "0120-279-889" in reply and "0120-783-556" in reply


# --- explicit requests and the offer -----------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "相談員と話したい",
        "相談員さんと話せますか",
        "人と話したい",
        "担当の人につないでください",
        "担当の方はいますか",
        "職員さんと話したい",
        "直接相談したいです",
        "誰かと話したい",
        "話を聞いてほしい",
        "相談員につないで",
    ],
)
def test_explicit_requests(policy: EscalationPolicy, text: str) -> None:
    escalation = policy.assess(text)
    assert escalation is not None and escalation.kind == "request" and not escalation.urgent


def test_the_menu_button_is_a_request(policy: EscalationPolicy) -> None:
    escalation = policy.assess("", postback=REQUEST_POSTBACK)
    assert escalation is not None and escalation.kind == "request"


def test_a_crisis_is_found_beside_a_request(policy: EscalationPolicy, crisis: CrisisDetector) -> None:
    # The router asks the crisis authority first, so the request never hides the crisis.
    assert crisis.assess("死にたい。相談員と話したい") is not None
    assert policy.assess("死にたい。相談員と話したい").kind == "request"


def test_two_unanswered_questions_bring_the_offer(policy: EscalationPolicy) -> None:
    assert policy.assess("制度Xについて", unanswered_in_a_row=1) is None
    offer = policy.assess("制度Xについて", unanswered_in_a_row=2)
    assert offer is not None and offer.kind == "offer" and not offer.urgent
    assert REQUEST_POSTBACK in [data for _, data in offer.choices]
    assert policy.assess("相談員と話したい", unanswered_in_a_row=3).kind == "request"


# --- the rules file ----------------------------------------------------------------------------------
def test_normalise_folds_width_case_kana_and_spaces() -> None:
    assert normalise("ＤＶ を 受けて") == normalise("dvを受けて")
    assert normalise("シニタイ") == "しにたい"


def test_rules_are_validated_when_loaded(tmp_path: Path) -> None:
    rules = yaml.safe_load(CRISIS_RULES_FILE.read_text(encoding="utf-8"))
    rules["kinds"]["dv"]["contacts"].append("no_such_number")
    broken = tmp_path / "rules.yaml"
    broken.write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match="no_such_number"):
        CrisisDetector.load(broken)

    rules = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    rules["request"]["phrases"].append("相談員(")
    broken.write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match="not a valid pattern"):
        EscalationPolicy.load(broken)

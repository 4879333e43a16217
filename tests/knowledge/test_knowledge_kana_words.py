"""Words typed in kana (issue 11, answers7): the documents' own words are found by their reading
(よういくひ → 養育費, ほいくりょう → 保育料), everyday words of synonyms.yaml too (やちん → 家賃), and the
answer reads the question's points in kana (そうば → 相場); a rate carries no amount-date note; unpaid 養育費
leads with what the court can do. Through `yorisoi ask --json` on the real index."""

from __future__ import annotations

import pytest

from knowledge import messages
from knowledge.retrieval import ReadingIndex


def test_reading_index_spells_a_word_typed_in_kana():
    index = ReadingIndex([("養育費", "よういくひ"), ("家賃", "やちん"), ("以内", "いない")])
    assert index.spell("よういくひがとどかない") == ("養育費がとどかない", ("養育費",))
    assert index.spell("やちんがはらえない") == ("家賃がはらえない", ("家賃",))
    assert index.spell("こどものやちん") == ("こどもの家賃", ("家賃",))


def test_a_word_read_in_kana_ends_where_a_particle_or_suru_begins():
    """「しょうがくせい」 is no 少額 followed by せい; 「にゅういんする」 is 入院 followed by する."""
    index = ReadingIndex([("少額", "しょうがく"), ("入院", "にゅういん"), ("高校", "こうこう")])
    assert index.spell("こどもがしょうがくせいです") == ("こどもがしょうがくせいです", ())
    assert index.spell("おやがにゅういんすることに") == ("おやが入院することに", ("入院",))
    assert index.spell("こうこうってたかい") == ("高校ってたかい", ("高校",))


@pytest.mark.parametrize(
    "text",
    [
        "人がいないんですが",  # a verb after が, not 以内
        "中退しているのですが",  # kana right after kanji are the rest of that word, not 指定
        "みんなやちんがたかい",  # a short reading inside other kana
    ],
)
def test_reading_index_finds_no_word_inside_another(text):
    index = ReadingIndex([("以内", "いない"), ("指定", "してい"), ("家賃", "やちん")])
    assert index.spell(text) == (text, ())


@pytest.mark.parametrize(
    ("question", "program"),
    [
        ("よういくひがはらわれなくなりました", "養育費"),
        ("ほいくりょうはひとりおやだとやすくなりますか", "保育料の軽減"),
        ("じどうふようてあてはいくらもらえますか", "児童扶養手当"),
    ],
)
def test_a_question_typed_in_kana_finds_the_program(ask, question, program):
    data = ask(question)[0]
    assert program in data["sources"][0]["heading"]
    assert data["confident"] is True


def test_a_point_typed_in_kana_is_read_and_hedged(ask):
    data = ask("よういくひのそうばはどれくらいですか")[0]
    assert "養育費" in data["sources"][0]["heading"]
    assert data["confident"] is False
    assert messages.POINTS["typical"] in data["answer"]


def test_a_rate_carries_no_note_about_the_date_of_an_amount(ask):
    """「3割引」 is a rate, not a sum that changes: 「※ 金額は…時点のものです」 comes only with yen."""
    data = ask("JRの通勤定期は安くなりますか")[0]
    assert "3割引" in data["answer"]
    assert "※ 金額は" not in data["answer"]
    amount = ask("学童代の補助はひと月いくらまでですか")[0]["answer"]
    assert "月額3,000円" in amount and "※ 金額は2024年6月20日時点のものです。" in amount


@pytest.mark.parametrize(
    "question",
    ["元夫が養育費を払ってくれなくなりました", "よういくひがとどかなくなった。どうしたらいい"],
)
def test_unpaid_child_support_leads_with_what_the_court_can_do(ask, question):
    """裁判所's page (courts-youikuhi-tetsuzuki): the court's 勧告 and 強制執行 before where to talk."""
    data = ask(question)[0]
    assert data["sources"][0]["heading"].endswith("養育費が支払われないとき")
    assert "家庭裁判所から支払を勧告する制度" in data["answer"]
    assert "強制執行" in data["answer"]


def test_agreeing_on_child_support_is_not_answered_with_collecting_it(ask):
    data = ask("養育費の取り決めを公正証書にしたいのですが、どこに相談できますか")[0]
    assert not data["sources"][0]["heading"].endswith("養育費が支払われないとき")


def test_a_second_need_joined_by_to_is_named_too(ask):
    """「塾代と高校の進学費用」: 学習支援 answers the first need; the loan for high school is named too."""
    data = ask("塾代と高校の進学費用が心配")[0]
    assert "学習支援" in data["sources"][0]["heading"]
    assert "修学資金" in data["answer"]
    single = ask("子どもを塾に通わせたいけど余裕がない")[0]
    assert messages.OTHER_PROGRAMS.split(":")[0] not in single["answer"]

"""answers11, through `yorisoi ask --json` on the real index.

A grant asked for by its kind leads over a loan close behind it; a program the resident rules out
(「…とは別に」) does not lead; everyday words for leaving home, for no diploma and for a small sum now
reach the documents' programs. (What a service provides besides itself and the round's set floors are
tested with answers10's, in test_knowledge_answers10.py.)"""

from __future__ import annotations

import pytest

from knowledge import messages


def test_money_that_need_not_be_repaid_names_the_grant_before_the_loan(ask):
    data = ask("親を交通事故で亡くした子どもに、もらえる一時金はありますか")[0]
    assert "すこやか資金" in data["sources"][0]["heading"]
    assert "50,000円" in data["answer"]


def test_a_resident_asking_to_borrow_still_gets_the_loan(ask):
    data = ask("交通事故で親を亡くした子どものために、お金を借りられますか")[0]
    assert "交通遺児等生活資金貸付" in data["sources"][0]["heading"]


@pytest.mark.parametrize(
    "question",
    [
        "児童扶養手当とは別に、児童手当は小学生1人だと月いくらですか",
        "児童扶養手当はもらっていないけど、児童手当は中学生だといくらですか",
    ],
)
def test_a_program_the_resident_rules_out_does_not_lead(ask, question):
    data = ask(question)[0]
    heading = data["sources"][0]["heading"]
    assert "児童手当" in heading and "児童扶養手当" not in heading
    assert "10,000円" in data["answer"]


def test_a_program_named_without_ruling_it_out_still_leads(ask):
    data = ask("児童扶養手当は子ども1人だと月いくらですか")[0]
    assert "児童扶養手当" in data["sources"][0]["heading"]


@pytest.mark.parametrize(
    ("question", "program"),
    [
        ("中卒なので高卒にんていを受けたい", "高等学校卒業程度認定試験"),
        ("少額ですぐ借りれるのはありますか", "小口資金"),
    ],
)
def test_everyday_words_reach_the_program(ask, question, program):
    data = ask(question)[0]
    assert program in data["sources"][0]["heading"]
    assert data["confident"] is True


def test_leaving_home_for_violence_names_help_with_a_home_or_money(ask):
    # The national DV lines lead (24 hours, 緊急の宿泊提供), and the help with a home or money is named beside
    # them (answers12: before the DV lines were in the documents, a home or a loan led).
    data = ask("DVから逃げるとしたらお金はどうすれば")[0]
    assert data["sources"][0]["kind"] == "program"
    assert "0120-279-889" in data["answer"]
    assert "転宅資金" in data["answer"] or "母子生活支援施設" in data["answer"]


def test_a_verb_of_the_residents_plight_is_not_echoed(ask):
    data = ask("夫から逃げる場合でも母子生活支援施設に入れますか")[0]
    assert "母子生活支援施設" in data["sources"][0]["heading"]
    assert data["confident"] is False
    assert "逃げる" not in data["answer"].split("ご案内します。")[1]
    assert messages.POINT_NOT_COVERED.format(point=messages.CASE_POINT_UNNAMED) in data["answer"]


def test_a_job_consultation_with_no_place_leads_with_the_job_centre(ask):
    data = ask("就職の相談をしたいです")[0]
    assert data["sources"][0]["kind"] == "program"
    assert "公共職業安定所" in data["sources"][0]["heading"]


def test_money_for_leaving_home_names_the_moving_loan_without_echoing_the_plight(ask):
    data = ask("家を出たらお金はどうしたらいいですか")[0]
    assert "転宅資金" in data["sources"][0]["heading"]
    assert data["confident"] is True
    assert "ご質問の場合" not in data["answer"]


def test_the_program_more_everyday_words_name_leads_when_close(ask):
    data = ask("今月の生活費が少しだけ足りません。10万円以内ですぐ借りられる制度はありますか")[0]
    assert "小口資金" in data["sources"][0]["heading"]
    assert "100,000円" in data["answer"]


def test_whether_the_child_may_use_it_quotes_the_sentence_about_the_child(ask):
    data = ask("通勤定期の割引って、うちの子どもも使えますか")[0]
    assert "定期" in data["sources"][0]["heading"]
    assert "児童が通学のために購入することも可能です" in data["answer"]


def test_help_finding_work_with_no_place_named_leads_with_the_job_centre_not_tokyos_facility(ask):
    data = ask("ひとり親の就職を手伝ってくれるセンターはありますか")[0]
    assert "公共職業安定所" in data["sources"][0]["heading"]
    assert "飯田橋" not in data["answer"]


def test_a_tokyo_resident_still_gets_tokyos_centre(ask):
    data = ask("東京都に住んでいます。ひとり親の就職を手伝ってくれるセンターはありますか")[0]
    assert "はあと" in data["sources"][0]["heading"]

"""answers12, through `yorisoi ask --json` and the knowledge base on the real index.

Violence at home reaches the national DV lines (政府広報オンライン), with the help for a home or money
named beside them; a resident of unknown place asking for a ひとり親家庭支援センター gets the national
page, not Tokyo's; the related programs offered are close to the answer, not pages that merely share
a word."""

from __future__ import annotations

import re

from knowledge import messages

# A local government's number (not a 0120 free dial, not the national short numbers).
LOCAL_PHONE = re.compile(r"0(?!120)\d{1,4}-\d{1,4}-\d{3,4}")


def test_fleeing_with_no_money_and_no_home_leads_with_the_dv_lines_and_names_the_help(ask):
    data = ask("夫から逃げたいけど、お金も住むところもない")[0]
    assert data["sources"][0]["kind"] == "program" and data["sources"][0]["jurisdiction"] == "国"
    assert "0120-279-889" in data["answer"] and "#8008" in data["answer"]
    assert "母子生活支援施設" in data["answer"] and "転宅資金" in data["answer"]
    assert "2012" not in data["answer"]


def test_a_man_abused_by_his_wife_gets_the_dv_lines_not_a_city_consultation(ask):
    data = ask("男でも相談できますか。妻から暴力を受けています")[0]
    assert "DV" in data["sources"][0]["heading"]
    assert "0120-279-889" in data["answer"]
    assert "女性相談" not in data["answer"]


def test_a_centre_asked_for_with_no_place_gets_the_national_page_and_no_local_number(ask):
    data = ask("ひとり親家庭支援センターはどこ")[0]
    assert data["sources"][0]["jurisdiction"] == "国"
    assert "はあと" not in data["answer"]
    assert "市区町村" in data["answer"]
    assert not LOCAL_PHONE.search(data["answer"]), data["answer"]


def test_a_facility_asked_for_leads_over_the_dv_lines_named_beside_it(ask):
    data = ask("DVから逃げてきました。母子で住める施設ってありますか")[0]
    assert data["sources"][0]["heading"].endswith("母子生活支援施設")
    assert "DV" in data["answer"].split(messages.OTHER_PROGRAMS.split("{")[0])[1]


def test_a_named_place_keeps_its_own_window_before_the_national_lines(real_kb):
    answer = real_kb.answer("金沢市でDVの相談はどこにすればいいですか")
    assert answer.sources[0].jurisdiction == "金沢市"
    assert "DV相談プラス" in answer.text


def test_related_programs_are_close_to_the_answer(real_kb):
    answer = real_kb.answer("ファミサポを使いたい")
    assert not any("養育費" in name or "親子交流" in name for name in answer.related), answer.related

"""What staff see of a resident's question: contact details, names, street numbers and exact ages gone;
place names, program names and ordinary words untouched."""

from __future__ import annotations

import json

import pytest
from shared_files import DEV_QA, needs_shared

from handoff import messages
from handoff.masking import age_stage, mask_question

PHONE, EMAIL, NAME = messages.MASK_PHONE, messages.MASK_EMAIL, messages.MASK_NAME
POSTAL, STREET = messages.MASK_POSTAL_CODE, messages.MASK_STREET_NUMBER


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # phone numbers: mobile, landline, toll-free, +81, full-width, with and without separators
        ("電話は090-1234-5678です", f"電話は{PHONE}です"),
        ("080 1234 5678に折り返してください", f"{PHONE}に折り返してください"),
        ("07012345678です", f"{PHONE}です"),
        ("０９０－１２３４－５６７８", PHONE),
        ("090ー1234ー5678（携帯）", f"{PHONE}（携帯）"),
        ("自宅は076-220-2285、日中は出られません", f"自宅は{PHONE}、日中は出られません"),
        ("(03)1234-5678", PHONE),
        ("0120-279-338（24時間）にかけた", f"{PHONE}（24時間）にかけた"),
        ("+81 90-1234-5678", PHONE),
        ("＋８１－３－１２３４－５６７８", PHONE),
        ("+81(0)90-1234-5678", PHONE),
        # e-mail addresses, half- and full-width
        ("メールは taro.yamada+city@example.co.jp です", f"メールは {EMAIL} です"),
        ("ｈａｎａ＿ｋｏ＠ｅｘａｍｐｌｅ．ｃｏｍに送って", f"{EMAIL}に送って"),
        # names: kanji full names, a surname alone, given names in kana and katakana, with honorifics
        ("田中花子です。相談したいです", f"{NAME}です。相談したいです"),
        ("佐藤太郎と申します", f"{NAME}と申します"),
        ("元夫の鈴木が養育費を払わない", f"元夫の{NAME}が養育費を払わない"),
        ("山田さんに相談した", f"{NAME}さんに相談した"),
        ("娘のゆいちゃんが熱を出した", f"娘の{NAME}ちゃんが熱を出した"),
        ("さくらちゃんの保育園", f"{NAME}ちゃんの保育園"),
        ("けんたくんが学校に行かない", f"{NAME}くんが学校に行かない"),
        ("ゆうとくんの給食費", f"{NAME}くんの給食費"),
        ("マリアさんの件です", f"{NAME}さんの件です"),
        ("陽菜ちゃんと翔太くん", f"{NAME}ちゃんと{NAME}くん"),
        ("〇〇さんに言われた", f"{NAME}さんに言われた"),
        ("高橋由美子様", f"{NAME}様"),
        ("はるとちゃんの保育園", f"{NAME}ちゃんの保育園"),
        ("娘の蓮が熱を出した", f"娘の{NAME}が熱を出した"),
        ("元夫の林が養育費を払わない", f"元夫の{NAME}が養育費を払わない"),
        # surnames that are also places are names where they are used as names
        ("山田です。養育費のことで", f"{NAME}です。養育費のことで"),
        ("山田の息子が", f"{NAME}の息子が"),
        ("金沢市在住の小松です", f"金沢市在住の{NAME}です"),
        # ages become school stages; kanji numerals, さい, half years, months
        ("8歳の娘がいます", "小学生の娘がいます"),
        ("娘は3さいです", "娘は未就学児（3〜5歳）です"),
        ("14歳の息子", "中学生の息子"),
        ("十四歳の息子", "中学生の息子"),
        ("1歳半の子", "乳幼児（0〜2歳）の子"),
        ("0歳の赤ちゃん", "乳幼児（0〜2歳）の赤ちゃん"),
        ("16才の娘", "高校生年代の娘"),
        ("35歳の母です", "18歳以上の母です"),
        ("生後6か月の子", "乳児の子"),
        ("8歳と5歳の子がいます", "小学生と未就学児（3〜5歳）の子がいます"),
        # postal codes and street numbers go, the place stays
        ("〒920-8577 金沢市広坂1丁目1番1号", f"{POSTAL} 金沢市広坂{STREET}"),
        ("東京都新宿区西新宿2-8-1に住んでます", f"東京都新宿区西新宿{STREET}に住んでます"),
        ("小松市園町ヌ48", f"小松市園町{STREET}"),
        ("羽咋市南中央町キ105-6", f"羽咋市南中央町{STREET}"),
        ("石川県金沢市鞍月1丁目1番地", f"石川県金沢市鞍月{STREET}"),
        ("アパートの302号室", f"アパートの{STREET}"),
        # everything at once
        (
            "金沢市の田中です。8歳の娘のことで090-1234-5678まで連絡ください",
            f"金沢市の{NAME}です。小学生の娘のことで{PHONE}まで連絡ください",
        ),
    ],
)
def test_masks_contact_details_names_ages_and_street_numbers(question: str, expected: str) -> None:
    assert mask_question(question) == expected


@pytest.mark.parametrize(
    "question",
    [
        "小平市の児童扶養手当について教えて",
        "金沢市に住んでいます",
        "金沢に住んでいます",
        "金沢の保育園に入りたい",
        "小松で働いています",
        "七尾から引っ越してきた",
        "ハローワーク金沢はどこですか",
        "羽咋出張所に行った",
        "母子家庭でひとり親です",
        "母子父子寡婦福祉資金の貸付を受けたい",
        "高等職業訓練促進給付金はいくら？",
        "ひとり親家庭等医療費助成の申請方法",
        "保育士さんに聞いたら市役所に行けと言われた",
        "娘さんのいる家庭も対象ですか",
        "お医者さんに診断書を書いてもらった",
        "ケースワーカーさんが来た",
        "皆さんどうしていますか",
        "小学3年の娘がいます",
        "中2の息子の塾代",
        "18歳まで手当はもらえますか",
        "20歳未満の障害のある子",
        "3歳児健診はいつですか",
        "児童(18歳になって最初の3月31日まで)が対象",
        "児童扶養手当は月45500円ですか",
        "2024-08-01に申請しました",
        "DV相談ナビ #8008 にかけた",
        "110番した",
        "5人家族です",
        "パートです",
        "一人です",
        "長男です",
        "わたしは会社員です",
        "たくさん書類があります",
        "赤ちゃんがいます",
        "おにいちゃんが面倒を見ている",
        "娘のことで相談したい",
        "娘のために貯金したい",
        "娘の学校から連絡があった",
        "息子の進学費用",
        "子どもの健やかな成長",
        "page phone read",
    ],
)
def test_leaves_places_programs_rules_and_ordinary_words(question: str) -> None:
    assert mask_question(question) == question


def test_age_stage_boundaries() -> None:
    stages = [age_stage(age) for age in (0, 2, 3, 5, 6, 11, 12, 14, 15, 17, 18, 45)]
    assert stages == [
        "乳幼児（0〜2歳）",
        "乳幼児（0〜2歳）",
        "未就学児（3〜5歳）",
        "未就学児（3〜5歳）",
        "小学生",
        "小学生",
        "中学生",
        "中学生",
        "高校生年代",
        "高校生年代",
        "18歳以上",
        "18歳以上",
    ]


def test_text_without_anything_to_mask_is_returned_as_is() -> None:
    assert mask_question("") == ""
    assert mask_question("   ") == "   "


def test_long_text_is_masked_throughout() -> None:
    """Sudachi has an input limit; long texts are fed in pieces and every piece is masked."""
    text = "田中花子です。電話は090-1234-5678。" * 600
    masked = mask_question(text)
    assert "090-1234-5678" not in masked and "花子" not in masked
    assert masked.count(PHONE) == 600


def test_masking_is_idempotent() -> None:
    once = mask_question("田中です。8歳の娘。〒920-8577 金沢市広坂1丁目1番1号 090-1234-5678 a@example.jp")
    assert mask_question(once) == once


@needs_shared
def test_the_eval_questions_are_not_over_masked() -> None:
    """The everyday questions of the dev eval set contain no personal data: masking leaves all of them."""
    questions = [json.loads(line)["q"] for line in DEV_QA.read_text(encoding="utf-8").splitlines() if line]
    assert questions
    assert [q for q in questions if mask_question(q) != q] == []

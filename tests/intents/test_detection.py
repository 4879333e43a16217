"""Intent detection with the real embedder, on paraphrases that are not among the exemplars."""

from __future__ import annotations

import pytest
import yaml

from intents import Intent, IntentDetector
from intents.detection import EXEMPLARS_PATH

PARAPHRASES = {
    Intent.GREETING: [
        "こんにちは！",
        "はじめまして。よろしくです",
        "おはようございます〜",
        "こんばんは、初めて使います",
    ],
    Intent.QUESTION: [
        "児童扶養手当の申請に必要な書類は？",
        "技能習得資金の利子は何パーセント？",
        "小平市のひとり親相談は何時から受け付けていますか",
        "ひとり親の医療費助成は何歳まで対象？",
        "こんにちは、児童育成手当について教えてください",
        "離婚したら手当はもらえますか",
        "修学資金の返済期間はどれくらい？",
        "マザーズハローワークの住所が知りたい",
    ],
    Intent.START_CHECK: [
        "私が受けられる支援を知りたいです",
        "うちで使えそうな制度ってありますか",
        "利用できる手当を探しています",
        "どういう支援があるのか調べてほしい",
        "自分が対象になるサポートを教えて",
    ],
    Intent.COUNSELOR: [
        "職員の方とお話ししたいのですが",
        "相談できる人はいますか",
        "電話で担当者と話したい",
        "AIじゃなくて人と話したい",
    ],
    Intent.RESET: ["最初からやり直してください", "リセットお願いします", "もう一回はじめから"],
    Intent.DELETE_DATA: [
        "これまでの記録を消してほしい",
        "私の情報を全部削除してください",
        "データを残さないで",
        "登録した内容を消去して",
    ],
    Intent.PRIVACY: [
        "まだ離婚してないけど、名前を出さずに相談したい",
        "旦那にバレないで使えますか？",
        "ここで話したこと、市役所の人以外にもれたりしませんか",
        "自分のことが特定されるのが怖いです。名乗らなくても大丈夫？",
        "LINEの名前とか向こうに見えてますか",
        "相談した内容は記録に残りますか",
        "相談内容ってだれが読んでるの？",
        "DVのことを相談したいけど、夫に見られたら怖い",
    ],
    Intent.THANKS: [
        "ありがとうございます！",
        "とても助かりました",
        "わかりやすかったです、感謝です",
        "了解です、ありがとう",
    ],
}


@pytest.fixture(scope="module")
def detector(embedder) -> IntentDetector:
    return IntentDetector(embedder)


def test_paraphrases_are_not_exemplars():
    data = yaml.safe_load(EXEMPLARS_PATH.read_text(encoding="utf-8"))
    exemplars = {text for entry in data.values() for text in entry["exemplars"]}
    assert exemplars.isdisjoint(text for texts in PARAPHRASES.values() for text in texts)


def test_every_intent_has_at_least_eight_exemplars():
    data = yaml.safe_load(EXEMPLARS_PATH.read_text(encoding="utf-8"))
    assert set(data) == {intent.value for intent in Intent}
    assert all(len(entry["exemplars"]) >= 8 for entry in data.values())


@pytest.mark.parametrize(
    ("intent", "text"), [(intent, text) for intent, texts in PARAPHRASES.items() for text in texts]
)
def test_paraphrases_are_recognised(detector, intent, text):
    assert detector.detect(text).intent is intent


def test_the_exemplar_path_decides_without_keywords(detector):
    result = detector.detect("うちで使えそうな制度ってありますか")
    assert result.by == "exemplar" and result.score >= 0.9


def test_crises_are_not_an_intent(detector):
    # handoff's crisis authority decides crises; here they are whatever else the message asks for.
    result = detector.detect("データを全部消して。死にたい")
    assert (result.intent, result.score, result.by) == (Intent.DELETE_DATA, 1.0, "keyword")
    assert "crisis" not in {intent.value for intent in Intent}


def test_questions_near_privacy_words_stay_questions(detector):
    near = (
        "子どもを見てくれる人がいない",
        "名前の変更の手続きは？",
        "会社にバレずに副業したい",
        "離婚前でも相談できますか",
    )
    for text in near:
        assert detector.detect(text).intent is not Intent.PRIVACY, text


def test_greeting_words_inside_a_question_do_not_make_a_greeting(detector):
    assert detector.detect("こんにちは。高等職業訓練促進給付金はいくらもらえますか").intent is Intent.QUESTION


def test_asking_for_an_explanation_from_the_start_is_not_a_reset(detector):
    assert detector.detect("最初から教えてください").intent is Intent.QUESTION
    assert detector.detect("やっぱり最初から").intent is Intent.RESET


def test_empty_text_is_a_question_with_no_confidence(detector):
    assert detector.detect("   ").intent is Intent.QUESTION and detector.detect("").score == 0.0

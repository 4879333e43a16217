"""What residents ask on municipal FAQ pages (heldout_faq.jsonl), in other wordings, through `yorisoi ask
--json` on the real index: 児童手当 is not answered with 児童扶養手当, a question for the range of help gets
the list of programs (not 小平市's 医療費助成), and a specific point the documents do not cover (a refund,
another prefecture, a leave of absence, a fee's subsidy, selection, an account, a form) is hedged."""

from __future__ import annotations

import re

import numpy as np
import pytest

from knowledge import messages
from knowledge.answer import uncovered_name
from knowledge.chunking import Unit
from knowledge.retrieval import _spelled_inside

PHONE = re.compile(r"0\d{1,4}-\d{1,4}-\d{3,4}")
NOT_COVERED = "手元の資料には書かれていません"


def first(data: dict) -> dict:
    return data["sources"][0]


def test_a_name_spelled_inside_another_is_told_from_a_part_of_it():
    assert _spelled_inside("児童手当", "児童扶養手当")
    assert _spelled_inside("児童手当", "児童育成手当")
    assert not _spelled_inside("児童扶養", "児童扶養手当")  # a part of the name: the same program
    assert not _spelled_inside("児童手当", "児童手当")
    assert not _spelled_inside("手当", "児童扶養手当")


@pytest.mark.parametrize(
    "question",
    [
        "別居中の妻が児童手当を受け取っています。私に変えるにはどうすればいいですか",
        "児童手当は何月に振り込まれますか",
    ],
)
def test_child_allowance_is_not_answered_with_the_single_parent_allowance(ask, question):
    data = ask(question, today="2026-12-01")[0]
    heading = first(data)["heading"]
    assert heading.endswith("児童手当") and "児童扶養手当" not in heading


def test_who_receives_the_child_allowance_while_separated_is_hedged(ask):
    data = ask("別居中の妻が児童手当を受け取っています。私に変えるにはどうすればいいですか")[0]
    assert data["confident"] is False and NOT_COVERED in data["answer"]


def test_single_parent_household_is_no_name_of_one_program(real_kb):
    """「ひとり親家庭」 alone names none of the programs it is part of; only the steps for becoming one
    (「ひとり親家庭になったときの手続き」) shares more of the question than that."""
    names = real_kb.retriever.names
    scores = names.scores("ひとり親家庭になります")
    named = {real_kb.retriever.index.chunks[row].sections[-1] for row in np.flatnonzero(scores)}
    assert named <= {"ひとり親家庭になったときの手続き"}, named
    assert float(names.scores("ひとり親家庭等医療費助成について").max()) >= 0.99


@pytest.mark.parametrize(
    "question",
    [
        "夫と別れてひとり親家庭になりました。どういった支援がありますか",
        "母子家庭です。どのような制度が使えますか",
    ],
)
def test_the_range_of_help_is_answered_with_the_list_of_programs(ask, question):
    data = ask(question)[0]
    assert first(data)["heading"].endswith("ひとり親家庭等支援制度")
    assert "児童扶養手当" in data["answer"]
    assert not PHONE.search(data["answer"])


@pytest.mark.parametrize(
    "question",
    [
        "医療証を忘れて窓口で全額払いました。払い戻しはできますか",
        "旅行先の他県で子どもが受診したとき、ひとり親の医療費助成は使えますか",
        "体調をくずして養成校を休学したら、高等職業訓練促進給付金は止まりますか",
        "養育費の調停を申し立てる費用の助成はありますか",
        "希望の保育所を1か所に絞ると選ばれやすくなりますか",
        "保育園ってだれでも預けられるの？",
        "児童扶養手当の手続きはいつするのがいいですか",
        "児童扶養手当の振込口座を変えたいときはどうしますか",
        "児童扶養手当の資格喪失届はいつ出しますか",
        "祖父母と暮らしていても児童扶養手当はもらえますか",
        "遺族年金を受けていても児童扶養手当はもらえますか",
    ],
)
def test_a_point_the_documents_do_not_cover_is_hedged(ask, question):
    data = ask(question, today="2026-12-01")[0]
    assert data["confident"] is False
    assert NOT_COVERED in data["answer"]


@pytest.mark.parametrize(
    "question",
    [
        "高卒認定試験の講座の費用の補助はありますか",  # 受講費用の6割 answers it
        "離婚届を出しました。児童扶養手当は月にいくらですか",  # the form is told, not asked about
        "高等職業訓練促進給付金の修了支援給付金はいくらですか",  # the amounts data names it
        "ひとり親だと保育所に入りやすいですか",  # 保育所の優先入所
        "母子生活支援施設は誰でも入れますか",  # 母子家庭の母と児童(20歳未満)
    ],
)
def test_a_point_the_sources_answer_stays_confident(ask, question):
    data = ask(question, today="2026-12-01")[0]
    assert data["confident"] is True
    assert NOT_COVERED not in data["answer"]


def test_only_the_asking_sentence_names_a_form():
    units = [Unit(text="住所を変更する場合、住所変更届を提出する必要があります。", kind="sentence")]
    assert uncovered_name("現況届とは何ですか", units, []) == "「現況届」のこと"
    assert uncovered_name("住所変更届はどこに出しますか", units, []) == ""
    assert uncovered_name("離婚届を出しました。手当はいくら？", units, []) == ""
    # a form said as done inside the asking sentence is what happened, not what is asked
    assert uncovered_name("きのう離婚届を提出したので、次は何をすればいいですか", units, []) == ""
    assert uncovered_name("離婚届はもう出してあるのですが、ほかに必要な手続きは？", units, []) == ""
    assert uncovered_name("離婚届はどこでもらえますか", units, []) == "「離婚届」のこと"


@pytest.mark.parametrize(
    "question",
    [
        "夫と別居中です。児童手当の受け取りを私に変える手続きはどうしたらいいですか",
        "離婚したら児童手当の手続きは何が必要？",
    ],
)
def test_a_page_that_only_shares_a_word_does_not_lead_over_the_amounts_data(ask, question):
    """The amounts data is the only source on 児童手当; a program page whose heading shares 「手続き」 with
    the question (a city's steps after a divorce) is no program page of the same help."""
    assert first(ask(question, today="2026-12-01")[0])["heading"].endswith("児童手当")


def test_living_apart_told_not_asked_is_no_point(ask):
    data = ask("白山市に住んでいて、夫と別居中の母です。子どもは2人です")[0]
    assert messages.POINTS["living_with"] not in data["answer"]


@pytest.mark.parametrize(
    ("question", "program"),
    [
        # an allowance that shrinks with income is 児童扶養手当, unless the resident names 児童手当
        ("給料が上がったら手当が減っちゃう？", "児童扶養手当"),
        ("パートの時間をふやしたいけど、収入が増えると手当はどうなりますか", "児童扶養手当"),
        ("働いて収入が増えると児童手当は減りますか", "児童手当"),
    ],
)
def test_an_allowance_said_with_income_is_the_single_parent_allowance(ask, question, program):
    data = ask(question, today="2026-12-01")[0]
    assert first(data)["heading"].endswith(program), first(data)["heading"]


def test_a_child_with_a_fever_is_answered_with_care_for_a_sick_child(ask):
    data = ask("子どもの熱が出た日に見てくれるところはありますか", today="2026-12-01")[0]
    assert "病児" in data["answer"]


@pytest.mark.parametrize(
    ("question", "point"),
    [
        ("学童の補助は毎年申し込みが必要？", messages.POINTS["renewal"]),
        ("保育料の軽減は申請しないと受けられないの？", messages.POINTS["apply_needed"]),
        # what a late or forgotten form means: the sources never say (「現況届」 is 児童扶養手当's)
        ("現況届を出し忘れたらどうなる", messages.POINTS["late"]),
        ("学童の申込みに間に合わなかったらどうなりますか", messages.POINTS["late"]),
        # whether one is obliged to: 親子交流's 要綱 says 「必要があります」 of something else
        ("元夫が子どもに会わせろってしつこい。会わせないとダメ？", messages.POINTS["must"]),
        ("養育費の取り決めは公正証書にしないとだめですか", messages.POINTS["must"]),
        ("離婚の話し合い中です。養育費っていくらくらいが普通ですか", messages.POINTS["typical"]),
    ],
)
def test_renewal_or_whether_to_apply_is_hedged_where_the_sources_are_silent(ask, question, point):
    data = ask(question, today="2026-12-01")[0]
    assert data["confident"] is False and point in data["answer"], data["answer"]


def test_a_case_asked_with_mo_taishou_is_a_case(ask):
    """「通信講座も対象になりますか」 asks whether the program holds in one's own case, as 「…でも」 does."""
    data = ask("ひとり親の教育訓練給付金は、通信教育も対象になりますか", today="2026-12-01")[0]
    assert data["confident"] is False and NOT_COVERED in data["answer"], data["answer"]


@pytest.mark.parametrize(
    "question", ["離婚する前に準備しておくことってありますか", "夫と別居する前にやっておくべきこと"]
)
def test_preparing_to_leave_is_answered_with_a_place_to_talk_before_a_divorce(ask, question):
    heading = first(ask(question, today="2026-12-01")[0])["heading"]
    assert "相談" in heading, heading


@pytest.mark.parametrize(
    ("question", "confident"),
    [
        # 費用 and 心配 are all that 「出産費用」 shares with the court's page on unpaid 養育費/婚姻費用
        ("ひとりで出産する予定です。費用が心配でたまりません", False),
        ("ひとり親になったら受けられる手当を教えてください", True),  # 手当 does say which help
    ],
)
def test_a_source_sharing_only_a_word_for_any_need_is_no_confident_answer(ask, question, confident):
    assert ask(question, today="2026-12-01")[0]["confident"] is confident


@pytest.mark.parametrize(
    ("question", "point"),
    [
        ("手当を受給中に入籍する予定です。届け出は必要ですか", messages.POINTS["life_change"]),
        ("児童扶養手当が打ち切られるのはどういうときですか", messages.POINTS["losing"]),
        ("児童扶養手当を受給している間に、出す届はありますか", messages.POINTS["while_receiving"]),
        ("母子父子寡婦福祉資金の返済方法を教えてください", messages.POINTS["repay_how"]),
        ("児童扶養手当って、申し込んでから支給まで何ヶ月かかる？", messages.POINTS["processing_days"]),
    ],
)
def test_points_the_sources_do_not_speak_of_are_hedged(ask, question, point):
    """A life change, when one stops receiving, the reports while receiving, how a loan is repaid and how long
    a step takes: the sources of the program say none of these, so the answer says so and is not confident."""
    data = ask(question, today="2026-12-01")[0]
    assert data["confident"] is False and point in data["answer"], data["answer"]


def test_moving_is_answered_where_the_sources_speak_of_a_change_of_address(ask):
    data = ask("児童扶養手当を受けています。転居するときはどうすればいいですか", today="2026-12-01")[0]
    assert messages.POINTS["life_change"] not in data["answer"], data["answer"]


@pytest.mark.parametrize(
    "question",
    ["子どもを私の社会保険の扶養に入れる手続きはどこでできますか", "養育費の保証料を補助してもらえますか"],
)
def test_an_insurance_or_a_fee_the_sources_never_name_is_hedged(ask, question):
    data = ask(question, today="2026-12-01")[0]
    assert data["confident"] is False and NOT_COVERED in data["answer"], data["answer"]


@pytest.mark.parametrize(
    "question", ["高校に通う娘の教科書や教材のお金がきついです", "高校2年の修学旅行の費用の支援はある？"]
)
def test_a_high_schoolers_school_costs_lead_to_the_high_school_grant(ask, question):
    """Not 就学援助, which is for 小・中学校."""
    data = ask(question, today="2026-12-01")[0]
    assert data["sources"][0]["heading"].endswith("教育費負担軽減奨学金"), data["sources"][0]


@pytest.mark.parametrize(
    "question",
    [
        "ひとりで子育てすることになった。最初にすべきことは？",
        "これからひとりで子育てです。最初にしておくことを教えて",
    ],
)
def test_a_plans_aim_does_not_answer_a_resident_who_did_not_ask_about_the_plan(ask, question):
    data = ask(question, today="2026-12-01")[0]
    assert not data["sources"][0]["heading"].endswith("基本目標"), data["sources"][0]
    named = ask("金沢市ひとり親家庭等自立促進計画の基本目標を教えて", today="2026-12-01")[0]
    assert named["sources"][0]["heading"].endswith("基本目標"), named["sources"][0]


@pytest.mark.parametrize(
    ("question", "program"),
    [
        ("元旦那が子どもに会わせろってしつこい", "親子交流支援事業"),
        ("別れた夫が子どもに会いたいと言ってきた", "親子交流支援事業"),
        ("給料日前でお米も買えない。今すぐ借りられるお金ってありますか", "母子父子寡婦福祉小口資金貸付金"),
        ("資格がなくてもできる仕事の相談はどこで", "公共職業安定所"),
        ("働き口を見つけたいのですが、どこに相談すれば", "公共職業安定所"),
        ("ファミサポを使いたいけど、どこに申し込めばいい？", "子どもの保育"),  # a business loan before
        ("夜勤の日だけ子どもを夜に預かってくれるところはありますか", "トワイライトステイ"),
        ("妻が仕事中の事故で亡くなりました。子どもに出る一時金はありますか", "交通災害等遺児すこやか資金"),
    ],
)
def test_everyday_words_reach_the_program_they_mean(ask, question, program):
    heading = first(ask(question, today="2026-12-01")[0])["heading"]
    assert heading.endswith(program), heading


@pytest.mark.parametrize(
    ("question", "confident", "said"),
    [
        # a word read in another spelling (苗字 → 名字) is still named as the resident typed it
        ("白山市に住んでいます。離婚したら苗字ってどうなるの", False, "苗字"),
        ("ひとり親の医療費助成の申請に何が必要？", False, messages.POINTS["documents"]),
        # an income limit asked, or one's own income told: the documents give no limit
        ("児童扶養手当の所得制限っていくら？", False, messages.POINTS["income_limit"]),
        ("手取り15万円です。児童扶養手当はいくらもらえる？", False, messages.POINTS["income_limit"]),
        ("転宅資金は引っ越しが済んだあとに申し込んでも借りられますか", False, messages.POINTS["apply_when"]),
        # a single parent in everyday words, or an everyday name of the program, is no case of its own
        ("シングルでも保育料安くなりますか", True, ""),
        ("シンママでも学童の補助は使えますか", True, ""),
    ],
)
def test_what_the_sources_do_not_cover_is_said_in_the_residents_words(ask, question, confident, said):
    data = ask(question, today="2026-12-01")[0]
    assert data["confident"] is confident and said in data["answer"], data["answer"]


def test_a_count_of_children_typed_in_kana_gives_the_total(ask):
    data = ask("こどもが2にんいて、じどうふようてあてはいくら？", today="2026-12-01")[0]
    assert "2人なら合計で月額57,720円" in data["answer"], data["answer"]


def test_a_case_is_never_named_by_a_cut_verb_or_a_names_ending(ask):
    data = ask("孫を引き取って育てています。おばあちゃんでも手当はもらえますか", today="2026-12-01")[0]
    assert not any(piece in data["answer"] for piece in ("引き取っ、", "育て、", "ちゃん）")), data["answer"]

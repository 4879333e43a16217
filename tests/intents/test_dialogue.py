"""The facts dialogue on a real SQLite database: buttons and free text mixed, skip, reset, cancel, expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from postgres import BOTH_BACKENDS

from intents import messages
from intents.dialogue import MAX_CHILDREN, MAX_CHOICES, MAX_LABEL, FactsDialogue
from intents.facts import Facts

pytestmark = BOTH_BACKENDS

USER = "3f5a0c2e9b7d41e8a6c4f2b0d8e6a4c2b0f8d6e4c2a0b8f6d4e2c0a8b6f4d2e0"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2025, 4, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def dialogue(db, catalogue, clock) -> FactsDialogue:
    return FactsDialogue(db, catalogue, clock=clock)


def tap(turn, label: str) -> str:
    """The postback data of the quick reply a resident taps."""
    return next(choice.data for choice in turn.choices if choice.label == label)


def test_a_full_dialogue_mixing_buttons_free_text_and_a_skip(dialogue):
    turn = dialogue.start(USER)
    assert "お名前や住所はうかがいません" in turn.text
    assert [c.label for c in turn.choices][:2] == ["母(母子家庭)", "父(父子家庭)"]
    turn = dialogue.handle(USER, text="小学生と保育園の子がいるシングルマザーです")
    assert "お住まいの市区町村" in turn.text
    assert "母(母子家庭)" in turn.text and "お子さん2人" in turn.text
    turn = dialogue.handle(USER, postback=tap(turn, "金沢市"))
    assert "児童扶養手当を受け取っていますか" in turn.text
    turn = dialogue.handle(USER, postback=tap(turn, "受け取っている"))
    turn = dialogue.handle(USER, postback=tap(turn, "答えない・わからない"))
    assert "お仕事" in turn.text
    turn = dialogue.handle(USER, text="パートで働いています")
    assert "気になっていること" in turn.text
    turn = dialogue.handle(USER, postback=tap(turn, "資格を取りたい"))
    assert "資格を取りたい" not in [c.label for c in turn.choices]
    turn = dialogue.handle(USER, postback=tap(turn, "これで結果を見る"))
    assert turn.done and turn.recommendation is not None
    assert turn.facts == Facts(
        parent="mother",
        situation="single",
        municipality="金沢市",
        children_ages=[3, 9],
        child_allowance="receiving",
        employment="part_time",
        needs=["qualification"],
    )
    names = [s.name for s in turn.recommendation.programs]
    assert "高等職業訓練促進給付金" in names[:5] and "自立支援教育訓練給付金" in names[:5]
    assert not dialogue.active(USER)
    assert dialogue.facts(USER) == turn.facts
    assert dialogue.handle(USER, text="ありがとう") is None


def test_every_turn_respects_line_quick_reply_limits(dialogue):
    turn = dialogue.start(USER)
    seen = 0
    while not turn.done:
        assert 0 < len(turn.choices) <= MAX_CHOICES
        assert all(len(c.label) <= MAX_LABEL and c.data.startswith("dlg:") for c in turn.choices)
        assert all(len(c.data) <= 300 for c in turn.choices)
        turn = dialogue.handle(USER, postback=turn.choices[0].data)
        seen += 1
    assert 8 <= seen <= 30
    assert len(turn.facts.children_ages) == MAX_CHILDREN


def test_questions_answered_in_free_text_are_not_asked(dialogue):
    dialogue.start(USER)
    turn = dialogue.handle(
        USER, text="白山市に住む父子家庭です。5歳と8歳の子がいて、児童扶養手当をもらっています。正社員です"
    )
    assert "住民税" in turn.text
    facts = dialogue.facts(USER)
    assert (facts.parent, facts.situation, facts.municipality) == ("father", "single", "白山市")
    assert facts.children_ages == [5, 8] and facts.child_allowance == "receiving"
    assert facts.employment == "full_time"


@pytest.mark.parametrize(
    ("reply", "status"),
    [
        ("まだ申請してないです", "not_receiving"),
        ("手続きはこれからです", "not_receiving"),
        ("いいえ", "not_receiving"),
        ("まだです", "not_receiving"),
        ("もらってないです", "not_receiving"),
        ("はい、もらってます", "receiving"),
        ("うん", "receiving"),
        ("いま手続き中です", "applying"),
        ("まだ申請中で結果待ち", "applying"),
    ],
)
def test_the_allowance_question_is_answered_in_words_that_do_not_name_it(dialogue, reply, status):
    """「まだ申請してないです」 was not understood: at this question the answer need not name it."""
    dialogue.start(USER)
    turn = dialogue.handle(USER, text="白山市のシングルマザーで、小学生が1人います")
    assert "児童扶養手当を受け取っていますか" in turn.text
    turn = dialogue.handle(USER, text=reply)
    assert dialogue.facts(USER).child_allowance == status
    assert "児童扶養手当を受け取っていますか" not in turn.text


@pytest.mark.parametrize(
    ("reply", "status"),
    [
        ("かかってると思う", "taxed"),
        ("払ってます", "taxed"),
        ("いいえ", "taxed"),
        ("はい、非課税です", "exempt"),
        ("はい", "exempt"),
        ("たぶん払ってないです", "exempt"),
    ],
)
def test_the_resident_tax_question_is_answered_in_words_that_do_not_name_it(dialogue, reply, status):
    dialogue.start(USER)
    dialogue.handle(USER, text="白山市のシングルマザーで小学生が1人います")
    turn = dialogue.handle(USER, text="受け取っている")
    assert "住民税は非課税ですか" in turn.text
    turn = dialogue.handle(USER, text=reply)
    assert dialogue.facts(USER).resident_tax == status
    assert "住民税は非課税ですか" not in turn.text


def test_the_work_question_takes_a_company_employee_as_employed_full_time(dialogue):
    dialogue.start(USER)
    dialogue.handle(USER, text="白山市のシングルマザーで小学生が1人います")
    dialogue.handle(USER, text="受け取っている")
    turn = dialogue.handle(USER, text="課税されている")
    assert "お仕事" in turn.text
    dialogue.handle(USER, text="会社員です")
    assert dialogue.facts(USER).employment == "full_time"


def test_a_description_that_has_not_applied_yet_is_read_as_not_receiving(dialogue):
    dialogue.start(USER)
    dialogue.handle(USER, text="金沢市で中学生の娘と二人暮らし。児童扶養手当はまだ申請してないです")
    assert dialogue.facts(USER).child_allowance == "not_receiving"


def test_bereavement_asks_about_accidents_and_disasters(dialogue):
    dialogue.start(USER)
    turn = dialogue.handle(USER, text="夫が亡くなりました")
    assert "交通事故や災害" in turn.text
    turn = dialogue.handle(USER, postback=tap(turn, "交通事故"))
    assert dialogue.facts(USER).circumstances == ["traffic_accident"]
    assert "市区町村" in turn.text


def test_ages_can_be_typed_as_numbers(dialogue, catalogue):
    turn = dialogue.start(USER)
    for label in ("母(母子家庭)", "ひとり親(離婚・未婚など)", "小平市"):
        turn = dialogue.handle(USER, postback=tap(turn, label))
    turn = dialogue.handle(USER, text="3と7")
    assert dialogue.facts(USER).children_ages == [3, 7]
    assert "児童扶養手当" in turn.text
    dialogue.handle(USER, text="高校生もいます")
    assert dialogue.facts(USER).children_ages == [3, 7, 16]


def test_children_can_be_added_one_by_one(dialogue):
    turn = dialogue.start(USER)
    for label in ("父(父子家庭)", "答えない・わからない", "答えない・わからない", "中学生", "小学生"):
        turn = dialogue.handle(USER, postback=tap(turn, label))
    assert "中学生・小学生" in turn.text
    turn = dialogue.handle(USER, postback=tap(turn, "これで全部"))
    assert dialogue.facts(USER).children_ages == [9, 13]
    assert "児童扶養手当" in turn.text


def test_an_unknown_place_is_taken_as_typed(dialogue):
    turn = dialogue.start(USER)
    turn = dialogue.handle(USER, postback=tap(turn, "母(母子家庭)"))
    turn = dialogue.handle(USER, postback=tap(turn, "ひとり親(離婚・未婚など)"))
    turn = dialogue.handle(USER, text="横浜市")
    assert dialogue.facts(USER).municipality == "横浜市"
    assert "お子さんの年齢" in turn.text


def test_unreadable_text_repeats_the_question(dialogue):
    dialogue.start(USER)
    turn = dialogue.handle(USER, text="うーん")
    assert "うまく読み取れませんでした" in turn.text and "どなた" in turn.text
    assert dialogue.active(USER)


def test_a_question_in_the_middle_is_marked_for_the_caller_and_the_check_keeps_its_place(dialogue):
    dialogue.start(USER)
    dialogue.handle(USER, text="シングルマザーです")
    turn = dialogue.handle(USER, text="児童扶養手当っていくらもらえるんですか?")
    assert turn.question and not turn.done and dialogue.active(USER)
    assert turn.text.startswith(messages.RESUME) and "お住まいの市区町村" in turn.text
    assert "金沢市" in [choice.label for choice in turn.choices]
    turn = dialogue.handle(USER, text="金沢市です")
    assert dialogue.facts(USER).municipality == "金沢市" and "お子さんの年齢" in turn.text


def test_a_question_is_not_swallowed_as_an_answer_but_its_needs_are_kept(dialogue):
    dialogue.start(USER)
    turn = dialogue.handle(USER, text="養育費の取り決めはどうしたらいい？")
    assert turn.question and "養育費として伺います" not in turn.text
    assert dialogue.facts(USER).needs == ["child_support"]
    assert "お子さんを育てているのはどなたですか" in turn.text


def test_the_message_that_starts_the_check_and_known_facts_are_not_asked_again(dialogue):
    said = "離婚を考えています。子どもは5歳です"
    turn = dialogue.start(USER, text=said, known=Facts(municipality="白山市"))
    facts = dialogue.facts(USER)
    assert facts.situation == "considering_divorce" and facts.children_ages == [5]
    assert facts.municipality == "白山市"
    assert "離婚を考えている" in turn.text and "お子さん1人(5歳)" in turn.text
    asked = [turn.text]
    while not turn.done:
        turn = dialogue.handle(USER, postback=turn.choices[-1].data)
        asked.append(turn.text)
    joined = "\n".join(asked)
    for question in ("situation", "municipality", "children_ages", "children_more"):
        assert messages.QUESTIONS[question].split("(")[0] not in joined


def test_two_children_named_by_school_year_are_two(dialogue):
    dialogue.start(USER)
    dialogue.handle(USER, text="母子家庭です")
    dialogue.handle(USER, text="金沢市")
    turn = dialogue.handle(USER, text="小学3年と保育園の年中です")
    assert dialogue.facts(USER).children_ages == [4, 8] and "お子さん2人" in turn.text


def finish(dialogue, text: str):
    turn = dialogue.start(USER, text=text)
    while not turn.done:
        turn = dialogue.handle(USER, postback=turn.choices[-1].data)
    return turn


def test_results_are_grouped_by_need_each_with_a_reason_what_to_check_and_where_to_apply(dialogue):
    said = "白山市で夫と離婚を考えています。保育園の子が1人。保育園と学童を探していて、生活費も心配です"
    turn = finish(dialogue, said)
    assert dialogue.facts(USER).children_ages == [3]
    programs = turn.recommendation.programs
    groups = list(dict.fromkeys(suggestion.group for suggestion in programs))
    assert groups.index("childcare") < groups.index("money")
    # Read one need after another: a group's cards are together.
    assert [s.group for s in programs] == sorted((s.group for s in programs), key=groups.index)
    # The text names the groups in that order and does not list the programs again (the cards do).
    headings = [
        messages.RESULT_NEED.format(need=messages.NEED_LABELS[need]) for need in ("childcare", "money")
    ]
    assert turn.text.index(headings[0]) < turn.text.index(headings[1])
    assert not any(suggestion.contact in turn.text for suggestion in programs)
    for suggestion in programs:
        assert suggestion.reason and suggestion.contact
        if suggestion.certainty == "possible":
            assert suggestion.checks, suggestion.name
    allowance = next(s for s in programs if s.name == "児童扶養手当")
    assert allowance.label == messages.OUTLOOK_LABELS["after_divorce"]
    assert messages.NOTE_AFTER_DIVORCE in allowance.checks and "白山市福祉事務所" in allowance.contact


def test_one_answer_changed_from_the_results_by_its_button_recomputes_at_once(dialogue):
    turn = finish(dialogue, "金沢市のシングルマザーです。子どもは小学生です")
    assert any("金沢市" in s.contact or s.jurisdiction == "金沢市" for s in turn.recommendation.programs)
    review = dialogue.handle(USER, postback=tap(turn, messages.RESULT_AGAIN_LABEL))
    assert "金沢市" in review.text and not review.done
    question = dialogue.handle(USER, postback=tap(review, "お住まいを変える"))
    assert "お住まいの市区町村" in question.text
    turn = dialogue.handle(USER, postback=tap(question, "白山市"))
    assert turn.done and turn.recommendation is not None
    assert turn.facts.municipality == "白山市" and turn.facts.parent == "mother"
    assert turn.facts.children_ages == [9]
    assert all(s.jurisdiction != "金沢市" for s in turn.recommendation.programs)


def test_one_answer_corrected_in_words_after_the_results(dialogue):
    finish(dialogue, "金沢市のシングルマザーです。子どもは小学生です")
    assert not dialogue.active(USER) and dialogue.reviewing(USER)
    turn = dialogue.handle(USER, text="住んでいるのは白山市でした")
    assert turn.done and turn.recommendation is not None and "白山市に変更しました" in turn.text
    assert turn.facts.municipality == "白山市" and turn.facts.children_ages == [9]
    assert dialogue.handle(USER, text="児童扶養手当はいくらですか") is None


def test_restart_and_cancel_work_at_any_step(dialogue):
    dialogue.start(USER)
    dialogue.handle(USER, text="シングルマザーです")
    turn = dialogue.handle(USER, text="最初から")
    assert "最初からやり直します" in turn.text and dialogue.facts(USER) == Facts()
    dialogue.handle(USER, text="父子家庭です")
    turn = dialogue.handle(USER, text="やめる")
    assert turn.done and turn.recommendation is None and "終了" in turn.text
    assert not dialogue.active(USER) and dialogue.facts(USER) is None
    assert dialogue.handle(USER, text="こんにちは") is None


def test_a_long_sentence_containing_a_command_word_is_not_a_command(dialogue):
    dialogue.start(USER)
    turn = dialogue.handle(USER, text="夫の暴力がひどくて、もう一緒に暮らすのをやめる決心をしました")
    assert not turn.done
    facts = dialogue.facts(USER)
    assert facts.parent == "mother" and "dv" in facts.circumstances


def test_dv_in_the_dialogue_ends_in_an_urgent_recommendation(dialogue):
    turn = dialogue.start(USER)
    dialogue.handle(USER, text="金沢市に住んでいて、夫のDVで別居中の母です。子どもは3歳です")
    while not turn.done:
        turn = dialogue.handle(
            USER, postback=next(c.data for c in turn.choices if "skip" in c.data or "done" in c.data)
        )
    assert turn.recommendation.urgent
    assert turn.recommendation.programs[0].name in {"石川県女性相談支援センター", "DV被害相談"}
    assert "DV" in turn.text


def test_postbacks_outside_the_namespace_are_not_ours(dialogue):
    dialogue.start(USER)
    assert dialogue.handle(USER, postback="menu:help") is None
    assert dialogue.handle("someone-else", text="こんにちは") is None


def test_a_day_of_silence_ends_the_dialogue(dialogue, clock):
    dialogue.start(USER)
    dialogue.handle(USER, text="シングルマザーです")
    clock.now += timedelta(hours=23)
    assert dialogue.active(USER)
    clock.now += timedelta(hours=2)
    assert not dialogue.active(USER) and dialogue.facts(USER) is None
    assert dialogue.handle(USER, text="金沢市です") is None
    turn = dialogue.handle(USER, postback="dlg:set:municipality:金沢市")
    assert "時間がたった" in turn.text and dialogue.facts(USER) == Facts()


def test_purge_idle_deletes_only_silent_dialogues(dialogue, clock, db):
    dialogue.start(USER)
    clock.now += timedelta(days=2)
    dialogue.start("recent-user")
    assert dialogue.purge_idle() == 1
    assert [row["user_key"] for row in db.query("SELECT user_key FROM intents_dialogues")] == ["recent-user"]


def test_forget_deletes_every_row_about_the_user(dialogue, db):
    dialogue.start(USER)
    dialogue.handle(USER, text="金沢市のシングルマザーです")
    dialogue.start("another-user")
    dialogue.forget(USER)
    assert dialogue.facts(USER) is None
    rows = list(db.query("SELECT * FROM intents_dialogues"))
    assert [row["user_key"] for row in rows] == ["another-user"]


def test_state_survives_a_new_dialogue_object(db, catalogue, clock):
    FactsDialogue(db, catalogue, clock=clock).start(USER)
    FactsDialogue(db, catalogue, clock=clock).handle(USER, text="父子家庭です")
    assert FactsDialogue(db, catalogue, clock=clock).facts(USER).parent == "father"


def test_nothing_but_facts_is_stored(dialogue, db):
    dialogue.start(USER)
    dialogue.handle(USER, text="金沢市広坂1丁目に住む山田花子です。シングルマザーです")
    stored = " ".join(str(row) for row in db.query("SELECT * FROM intents_dialogues"))
    assert "山田" not in stored and "広坂" not in stored and "金沢市" in stored


def test_with_a_sealer_the_facts_are_stored_encrypted(db, catalogue, clock):
    from handoff import ResidentIdentity, generate_secret_key

    identity = ResidentIdentity(generate_secret_key())
    dialogue = FactsDialogue(db, catalogue, clock=clock, sealer=identity)
    dialogue.start(USER)
    dialogue.handle(USER, text="離婚を考えているシングルマザーです")
    stored = db.one("SELECT state FROM intents_dialogues WHERE user_key = ?", [USER])["state"]
    assert "mother" not in stored and "considering_divorce" not in stored
    assert FactsDialogue(db, catalogue, clock=clock, sealer=identity).facts(USER).parent == "mother"
    # Under a replaced secret key the old state cannot be read: the resident simply starts again.
    stranger = FactsDialogue(db, catalogue, clock=clock, sealer=ResidentIdentity(generate_secret_key()))
    assert stranger.facts(USER) is None and not stranger.active(USER)
    assert stranger.handle(USER, text="父子家庭です") is None


def test_asking_about_a_card_shows_every_requirement_of_the_source_and_the_residents_window(dialogue):
    finish(dialogue, "白山市のシングルマザーです。子どもは小学生です。資格を取りたい")
    turn = dialogue.handle(USER, text="高等職業訓練促進給付金について教えて")
    assert turn is not None and not turn.done
    for requirement in (
        "児童扶養手当を受給、または同様の所得水準にある方",
        "養成機関において6月以上の課程を修業し、対象資格の取得が見込まれる方",
        "就業または育児と修業の両立が困難であると認められる方",
    ):
        assert requirement in turn.text
    assert "白山市福祉事務所" in turn.text or "白山市" in turn.text.split("あなたの窓口")[1]
    assert dialogue.handle(USER, text="知らない制度について教えて") is None


def test_asking_about_a_card_says_of_each_requirement_what_the_answers_settle(dialogue, catalogue):
    finish(dialogue, "白山市で夫と離婚を考えています。保育園の子が1人。生活費が心配です")
    turn = dialogue.handle(USER, text="児童扶養手当について教えて")
    status = messages.REQUIREMENT_STATUS
    for requirement in catalogue.get("child_rearing_allowance").requirements:
        assert requirement.text in turn.text
    lines = {line.split("(")[0]: line for line in turn.text.splitlines() if line.startswith("・")}
    assert any(line.endswith(f"({status['after_divorce']})") for line in lines.values())
    assert any(line.endswith(f"({status['met']})") and "18歳" in line for line in lines.values())
    assert any(line.endswith(f"({status['unknown']})") and "所得" in line for line in lines.values())


def test_one_answer_changed_mid_check_from_the_summary_card(dialogue):
    dialogue.start(USER, text="金沢市のシングルマザーです")
    card = dialogue.handle(USER, text="回答を変えたい")
    assert "金沢市" in card.text and "お住まいを変える" in [c.label for c in card.choices]
    question = dialogue.handle(USER, postback=tap(card, "お住まいを変える"))
    turn = dialogue.handle(USER, text="白山市")
    assert dialogue.facts(USER).municipality == "白山市" and dialogue.facts(USER).parent == "mother"
    assert "お子さんの年齢" in turn.text and "お住まい" in question.text


def test_place_and_children_said_before_the_check_are_remembered_and_not_asked(dialogue):
    dialogue.remember(USER, "白山市の保育園について教えてください")
    dialogue.remember(USER, "小平市の児童育成手当はいくらですか")
    assert not dialogue.active(USER) and not dialogue.reviewing(USER)
    assert dialogue.facts(USER).municipality == "白山市"
    assert dialogue.handle(USER, text="子どもは3歳です") is None
    dialogue.remember(USER, "子どもは3歳です")
    turn = dialogue.start(USER, text="どんな支援が受けられますか")
    assert dialogue.facts(USER).municipality == "白山市" and dialogue.facts(USER).children_ages == [3]
    assert "お子さんを育てているのはどなたですか" in turn.text


def test_a_new_need_after_the_results_is_not_taken_as_a_correction(dialogue):
    finish(dialogue, "金沢市のシングルマザーです。子どもは小学生です")
    assert dialogue.handle(USER, text="保育園を探しています") is None
    assert dialogue.facts(USER).children_ages == [9]
    turn = dialogue.handle(USER, text="子どもは2人でした。小3と年中です")
    assert turn.done and dialogue.facts(USER).children_ages == [4, 8]


def test_only_a_short_plain_answer_to_the_open_question_reads_as_an_answer(dialogue):
    """The crisis check trusts only its rules for these (the embedding sits short answers near crises)."""
    assert not dialogue.reads_as_answer(USER, "受け取っていない")  # no check running
    dialogue.start(USER)
    dialogue.handle(USER, text="白山市のシングルマザーで小学生が1人います")
    assert dialogue.reads_as_answer(USER, "受け取っていない")
    assert dialogue.reads_as_answer(USER, "答えない")
    assert not dialogue.reads_as_answer(USER, "つらい")
    assert not dialogue.reads_as_answer(USER, "小学生が2人います。もう生きていくのがしんどい")


@pytest.mark.parametrize(
    ("text", "described"),
    [
        ("父子家庭です。能美市で中2の息子と二人。手当はもらってない。住民税は払ってる", True),
        ("シングルマザーで小1と3歳の子がいます。パートです。白山市在住", True),
        ("夫と別居中で、小学生が2人。仕事は探しているところです", True),
        ("シングルマザーで小学生が2人います。児童扶養手当はいくらですか", False),
        ("小学生が2人います", False),
        ("白山市に住んでいます", False),
        ("母子家庭です", False),
        ("元夫から養育費が3か月止まってます。公正証書はあります", False),
    ],
)
def test_a_household_told_at_once_without_a_question_is_a_description(dialogue, text, described):
    assert dialogue.describes_household(text) is described


def test_a_need_is_acknowledged_as_what_the_resident_asks_about_not_as_a_bare_word(dialogue):
    dialogue.start(USER)
    turn = dialogue.handle(USER, text="母子家庭です。元夫から養育費はもらっていません")
    assert "養育費のご相談" in turn.text and "・養育費として" not in turn.text


def test_a_need_said_as_a_wish_reads_as_the_subject_of_a_consultation(dialogue):
    dialogue.start(USER)
    turn = dialogue.handle(USER, text="シングルマザーです。看護師の資格を取りたいです")
    assert "資格の取得のご相談" in turn.text and "資格を取りたいのご相談" not in turn.text


def test_children_are_kept_for_a_counselor_as_the_resident_described_them(dialogue):
    dialogue.start(USER, text="父子家庭です。中学生の息子と小3の娘、それに5歳の子がいます")
    children = dialogue.children(USER)
    assert {"stage": "中学生"} in children and {"age": 5} in children
    assert not any(child.get("age") == 13 for child in children)  # 13 is only read from 中学生


@pytest.mark.parametrize(
    ("text", "ages", "child"),
    [
        ("母子家庭です。中学2年生（13歳）と5歳の子がいます", [5, 13], {"stage": "中学2年", "age": 13}),
        ("ひとり親です。13歳の中学生がいます", [13], {"stage": "中学生", "age": 13}),
        ("シングルマザーで、中学生の子(14歳)がいます", [14], {"stage": "中学生", "age": 14}),
        ("父子家庭です。保育園に通う娘と、高校生の息子(16歳)です", [3, 16], {"stage": "高校生", "age": 16}),
    ],
)
def test_a_stage_said_with_an_age_is_one_child_kept_with_both(dialogue, text, ages, child):
    """「中学2年生（13歳）」 is one child of 13, not two; a counselor reads 中学2年（13歳）."""
    dialogue.start(USER, text=text)
    assert dialogue.facts(USER).children_ages == ages
    assert child in dialogue.children(USER)

"""The crisis authority: kinds from rules and exemplars, what is not a crisis, lines open at the moment, and
the alert to on-call staff (against a local SMTP receiver and a local HTTP receiver)."""

from __future__ import annotations

import email
import email.policy
import json
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import pytest
from alert_receivers import HookReceiver, SmtpReceiver, serve_receivers  # noqa: F401 (the `receivers` fixture)
from postgres import BOTH_BACKENDS

from handoff import AlertSettings, ContactBook, CrisisAlerts, CrisisDetector
from handoff.alerts import ALERT_TABLE
from handoff.crisis import KINDS
from handoff.hours import TOKYO
from handoff.readings import reading

pytestmark = BOTH_BACKENDS

NIGHT = datetime(2026, 12, 1, 1, 30, tzinfo=TOKYO)  # a Tuesday, 01:30
EVENING = datetime(2026, 12, 1, 17, 0, tzinfo=TOKYO)
SETS = Path(__file__).parent


@pytest.fixture(scope="module")
def detector() -> CrisisDetector:
    from knowledge import load_embedder

    return CrisisDetector.load(embedder=load_embedder(None))


def kinds_of(detector: CrisisDetector, text: str) -> tuple[str, ...]:
    found = detector.assess(text, detector.embed(text))
    assert found is not None, f"{text!r} should be a crisis"
    return found.kinds


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("しにたい", "suicide"),
        ("ODしそう、薬いっぱいある", "self_harm"),
        ("ひとりで育てるのもう限界です", "despair"),
        ("子どもを叩いてしまいそうで怖い", "child_abuse_risk"),
        ("元夫の家から帰った子にあざがある", "child_abuse_other"),
        ("夫に殴られています", "dv"),
        ("元夫に待ち伏せされてる", "danger"),
        ("無理やり関係を持たされた", "sexual_violence"),
        ("今夜泊まるところがない", "no_place_tonight"),
    ],
)
def test_each_kind_by_rules(detector: CrisisDetector, text: str, kind: str) -> None:
    assert kind in kinds_of(detector, text)


@pytest.mark.parametrize(
    "text",
    ["うけとってない", "もらえてない", "まだ未定", "聞いてない", "出してない", "持ってません"],
)
def test_a_short_plain_reply_is_no_crisis(detector: CrisisDetector, text: str) -> None:
    """Short replies not in `ordinary_neighbours`: the embedding had read such answers as sexual violence."""
    assert detector.assess(text, detector.embed(text)) is None


@pytest.mark.parametrize(
    "text", ["離婚したいけど、お金のことが不安で踏み出せません", "離婚届を出す勇気がない"]
)
def test_deciding_whether_to_divorce_is_no_crisis(detector: CrisisDetector, text: str) -> None:
    assert detector.assess(text, detector.embed(text)) is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("手首切った", "self_harm"),
        ("子どもを叩いた", "child_abuse_risk"),
        ("生きるのつらい", "despair"),
        ("首つりたい", "suicide"),
    ],
)
def test_a_short_crisis_is_still_one(detector: CrisisDetector, text: str, kind: str) -> None:
    assert kind in kinds_of(detector, text)


def test_rules_alone_are_cheap_and_need_no_vector(detector: CrisisDetector) -> None:
    found = detector.assess("夫に殴られています")
    assert found is not None and found.by == "rules"


@pytest.mark.parametrize(
    "text",
    [
        "死にたいとは思っていません",
        "死ぬほど忙しい",
        "忙しくて死にそう",
        "殺す気か（笑）",
        "死別したひとり親でも児童扶養手当はもらえますか",
        "遺族年金はいくらもらえますか",
        "夫が亡くなって手続きが分かりません",
        "DVの相談窓口を知りたい。友達が困っている",
        "保護命令とは何ですか",
        "DV被害者向けの住宅支援はありますか",
        "下の子の寝返りがすごくて毎晩顔を叩かれて起きます",
        "おなかの子によく蹴られて眠れません",
        "保育園で喧嘩して息子が叩かれたそうです。先生に何と言えば",
    ],
)
def test_negation_hyperbole_bereavement_and_information_are_not_crises(
    detector: CrisisDetector, text: str
) -> None:
    assert detector.assess(text, detector.embed(text)) is None


@pytest.mark.parametrize(
    "text", ["公園で夫と喧嘩になって蹴られた", "寝ている間に夫に叩かれた", "学校で喧嘩した娘が彼氏に殴られた"]
)
def test_a_child_at_play_or_asleep_is_masked_but_an_adult_hitting_is_not(
    detector: CrisisDetector, text: str
) -> None:
    assert detector.assess(text) is not None


def test_a_crisis_inside_a_question_says_it_also_asks(detector: CrisisDetector) -> None:
    found = detector.assess("子どもを叩いてしまいそう。児童扶養手当はいくらですか？")
    assert found is not None and found.asks and "child_abuse_risk" in found.kinds


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        # 「ことは」 is no definition question: a farewell must not get a program answer beside its lines.
        ("もう何もかも終わりにしたい。子どものことは実家にお願いしてある", False),
        ("消えてしまいたい。あとは姉にまかせました", False),
        ("もう死にたい。自立支援教育訓練給付金とは何ですか", True),
        ("もう限界です。ひとり親の医療費助成とは？", True),
    ],
)
def test_only_a_question_about_what_something_is_counts_as_asking(
    detector: CrisisDetector, text: str, asks: bool
) -> None:
    found = detector.assess(text)
    assert found is not None and found.asks is asks


AFTERNOON = datetime(2026, 12, 1, 14, 0, tzinfo=TOKYO)  # Tuesday 14:00, office hours
SATURDAY = datetime(2026, 12, 5, 14, 0, tzinfo=TOKYO)


@pytest.mark.parametrize("when", [NIGHT, AFTERNOON, SATURDAY], ids=["0130", "1400", "sat1400"])
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_offers_an_open_line_and_no_closed_one(
    detector: CrisisDetector, kind: str, when: datetime
) -> None:
    open_now, local = detector.contacts_for([kind], when)
    assert open_now, f"{kind}: no line open at {when:%a %H:%M}"
    assert all(contact.is_open(when) for contact in open_now)
    reply = detector.reply([kind], when)
    closed = [
        c
        for c in detector.contact_book.contacts.values()
        if not c.is_open(when) and not c.local and c.reach in reply
    ]
    assert not closed, f"{kind}: closed lines offered at {when:%a %H:%M}: {[c.name for c in closed]}"
    assert all(c.hours_text in reply for c in local), "lines with local hours say so"


# The line each kind must reach at any hour (crisis_contacts.md), and whether the chat-safety note is due.
RIGHT_LINES = {
    "suicide": ("0120-279-338", False),
    "self_harm": ("119", False),
    "despair": ("0120-279-338", False),
    "child_abuse_risk": ("189", False),
    "child_abuse_other": ("189", False),
    "dv": ("0120-279-889", True),
    "danger": ("110", True),
    "sexual_violence": ("#8103", False),
    "no_place_tonight": ("福祉事務所", False),
}


@pytest.mark.parametrize("when", [NIGHT, AFTERNOON], ids=["0130", "1400"])
@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_gets_its_own_line_at_night_and_by_day(
    detector: CrisisDetector, kind: str, when: datetime
) -> None:
    line, safety_note = RIGHT_LINES[kind]
    reply = detector.reply([kind], when)
    assert line in reply, (kind, reply)
    assert ("トーク履歴" in reply) == safety_note


def test_a_line_open_in_the_evening_is_offered_then() -> None:
    book = ContactBook.load()
    inochi = book.contacts["inochi_free"]
    assert inochi.is_open(EVENING) and not inochi.is_open(NIGHT)
    # 毎月10日8時〜翌8時: open at 01:30 on the 11th.
    assert inochi.is_open(datetime(2026, 12, 11, 1, 30, tzinfo=TOKYO))


def test_every_contact_names_its_source_and_date() -> None:
    for contact in ContactBook.load().contacts.values():
        assert contact.source.startswith("http") and contact.date


def test_dv_replies_carry_the_chat_safety_note(detector: CrisisDetector) -> None:
    assert "トーク履歴" in detector.reply(["dv"], NIGHT)
    assert "トーク履歴" not in detector.reply(["despair"], NIGHT)


def test_eval_sets_meet_the_targets(detector: CrisisDetector) -> None:
    """The committed report, fresh and hold-out sets (regression guards now) and the non-crisis set."""
    report = [
        json.loads(line)
        for name in ("crisis_report.jsonl", "crisis_fresh.jsonl", "crisis_holdout.jsonl")
        for line in (SETS / name).read_text("utf-8").splitlines()
    ]
    plain = [json.loads(line) for line in (SETS / "noncrisis.jsonl").read_text("utf-8").splitlines()]
    missed = [r["text"] for r in report if detector.assess(r["text"], detector.embed(r["text"])) is None]
    alarms = [r["text"] for r in plain if detector.assess(r["text"], detector.embed(r["text"])) is not None]
    assert {r["kind"] for r in report} == set(KINDS) and len(report) >= 4 * len(KINDS)
    assert len(missed) * 20 <= len(report), missed
    assert len(alarms) * 10 <= len(plain), alarms


def held_out(detector: CrisisDetector, name: str) -> tuple[list[str], list[str], int, int]:
    """(missed crisis texts, false-urgent texts, crisis count, non-crisis count) of crisis_NAME and
    noncrisis_NAME, each message decided as the bot decides it (rules, then its vector)."""

    def read(prefix: str) -> list[str]:
        lines = (SETS / f"{prefix}_{name}.jsonl").read_text("utf-8").splitlines()
        return [json.loads(line)["text"] for line in lines if line.strip()]

    crises, plain = read("crisis"), read("noncrisis")
    missed = [text for text in crises if detector.assess(text, detector.embed(text)) is None]
    alarms = [text for text in plain if detector.assess(text, detector.embed(text)) is not None]
    return missed, alarms, len(crises), len(plain)


def test_the_blind_set_written_without_seeing_the_rules(detector: CrisisDetector) -> None:
    """crisis_blind / noncrisis_blind were written by someone who had not seen crisis.yaml or the other sets.
    Measured before the classifier was chosen (rules + nearest exemplar: 38/84 to 67/84 caught), then part
    of the tuning split for the threshold and the context rules (91.7 % caught, 13.8 % false urgent before
    them; 94.0 %, 1.5 % after), so these are floors against regressions, not the issue's targets."""
    missed, alarms, crises, plain = held_out(detector, "blind")
    assert (crises - len(missed)) >= 0.93 * crises, missed
    assert len(alarms) <= 0.05 * plain, alarms


@pytest.mark.parametrize("name", ["heldout2", "heldout3"])
def test_the_tuning_held_out_sets_meet_the_targets(detector: CrisisDetector, name: str) -> None:
    """Written for this round before anything changed (before: heldout2 86.1 % caught, 27.3 % false urgent;
    heldout3 94.1 %, 30.6 %), then their misses were read to choose rules, exemplars (in other words),
    threshold and lead: the tuning split. At most 1 in 20 missed and 1 in 10 false urgent."""
    missed, alarms, crises, plain = held_out(detector, name)
    assert len(missed) * 20 <= crises, missed
    assert len(alarms) * 10 <= plain, alarms


def test_the_sealed_report_set(detector: CrisisDetector) -> None:
    """crisis_heldout4 / noncrisis_heldout4 were written before the last round of changes and measured once
    after it, never tuned on: 35/37 caught before and after, false urgent 9/36 before, 5/36 after. That is
    short of the issue's targets (at most 1 in 20 missed, 1 in 10 false); these are floors, and the honest
    figure for unseen messages in the README. The hiragana round measured it at 34/37 and then read its new
    miss (a stalking message) for one signal, so it is no longer unseen."""
    missed, alarms, crises, plain = held_out(detector, "heldout4")
    assert (crises, plain) == (37, 36), "the sealed set is not edited after it was measured"
    assert len(missed) <= 2, missed
    assert len(alarms) <= 5, alarms


def test_the_fifth_sealed_set_and_its_kinds(detector: CrisisDetector) -> None:
    """crisis_heldout5 / noncrisis_heldout5 (69 crisis over the 9 kinds, 54 hard non-crisis) were written and
    committed before the kind and wording round, in wordings unlike the other sets (dialects, hiragana,
    emoji, very short and very long). Before: 53/69 caught, 38/69 under the right kind, 8/54 false urgent.
    That round then read its misses, so it is tuning data now: after, 66/69 caught, 63/69 of the right kind
    (the kind decides the lines), 3/54 false urgent. These are floors."""
    missed, alarms, crises, plain = held_out(detector, "heldout5")
    assert (crises, plain) == (69, 54), "the set is not edited after it was measured"
    assert len(missed) <= 3, missed
    assert len(alarms) <= 3, alarms
    rows = [json.loads(line) for line in (SETS / "crisis_heldout5.jsonl").read_text("utf-8").splitlines()]
    right = [
        r
        for r in rows
        if (found := detector.assess(r["text"], detector.embed(r["text"]))) and r["kind"] in found.kinds
    ]
    assert len(right) >= 63, len(right)


def test_the_sixth_sealed_set(detector: CrisisDetector) -> None:
    """crisis_heldout6 / noncrisis_heldout6 (27, 20) were written during the kind round, before its last
    changes, and measured once at its end, never read for tuning: 26/27 caught before and after, 19/27 →
    23/27 of the right kind, 3/20 false urgent before and after (short of 1 in 10). Floors."""
    missed, alarms, crises, plain = held_out(detector, "heldout6")
    assert (crises, plain) == (27, 20), "the sealed set is not edited after it was measured"
    assert len(missed) <= 1, missed
    assert len(alarms) <= 3, alarms


@pytest.mark.parametrize(
    "text",
    [
        "何年も前に夫から殴られていましたが、今は離れて安心して暮らしています。就労支援を知りたい",
        "ずっと前にODしたことがあるけど、もう何年もしていないです。医療費助成の更新について",
        "テレビのニュースで刃物の事件を見て眠れなかった",
        "男の子同士で蹴り合いをしてたらしい。学校から電話があった",
        "友達が彼氏のDVで悩んでるみたい。相談窓口を教えてあげたい",
        "しつけで子どもを叩くのは法律上どうなっていますか",
        "息子がかわいすぎて死ねる",
        "自死で父を亡くした子どもへの支援はありますか",
    ],
)
def test_over_reported_others_and_general_questions_are_not_crises(
    detector: CrisisDetector, text: str
) -> None:
    assert detector.assess(text, detector.embed(text)) is None


@pytest.mark.parametrize(
    "text",
    [
        "以前DVで別れた元夫、今は離れて暮らしてるけど最近また家に来るようになった",
        "何年も前に襲われたことがあって、今も夜になると眠れない",
        "友達から『もう死にたい、今までありがとう』ってLINEが来た",
    ],
)
def test_a_past_event_that_is_back_or_still_hurts_stays_a_crisis(detector: CrisisDetector, text: str) -> None:
    assert detector.assess(text, detector.embed(text)) is not None


@pytest.mark.parametrize(
    "text",
    [
        "シングルマザーです",
        "父子家庭です",
        "子どもが2人います",
        "パートで働いています",
        "学童の料金が高いです",
        "夜勤の日に子どもを預けられるところは？",
        "出張で2、3日家をあけるとき子どもを泊まりで預けたい",
        "保育園の空きがないです",
    ],
)
def test_everyday_messages_open_no_urgent_thread(detector: CrisisDetector, text: str) -> None:
    assert detector.assess(text, detector.embed(text)) is None


# Indirect wordings of the seventh to ninth rounds: farewells, threats, a night outside, neglect, coercion.
INDIRECT_WORDINGS = [
    # farewells and a last night said without a crisis word
    ("明日の夜で最後にします", "suicide"),
    ("今日が最後の日なんだ。子どもは寝かせた", "suicide"),
    ("息子たちのこと、よろしく頼みます", "suicide"),
    ("いままでほんとにありがと", "suicide"),
    ("鉄橋の上に来ました", "suicide"),
    ("私はもう区切りをつけます", "suicide"),
    ("私がいなくなっても困らないように、書類は全部まとめた", "suicide"),
    ("氏にたい", "suicide"),
    # a threat naming the child's school or the workplace
    ("元夫から『娘の中学わかってるからな』と届いた", "danger"),
    ("元彼に『会社に行くからな』と言われた", "danger"),
    ("勤め先がばれて、元夫から電話がかかってくる", "danger"),
    ("別れた夫が娘の幼稚園の外で待っていたと連絡があった", "danger"),
    ("いま子どもと押し入れに隠れてる", "danger"),
    # locked out, a night outside
    ("部屋の鍵を換えられてて入れない", "no_place_tonight"),
    ("今夜は家に入れない、夫が鍵をしめた", "no_place_tonight"),
    ("公園で朝を待ってます", "no_place_tonight"),
    # neglect counted in days, a hand that goes out, coercion for rent
    ("ご飯、もう4日作ってない", "child_abuse_risk"),
    ("赤ちゃんを家に置いたまま出かけてしまう", "child_abuse_risk"),
    ("息子に手が出ちゃう", "child_abuse_risk"),
    ("祖父に叩かれたって娘が言う", "child_abuse_other"),
    ("借金を待つかわりに体を求められた", "sexual_violence"),
    ("嫌だって言ったけど無理やり", "sexual_violence"),
    # net slang, a method, a role over, a child left for good, papers with the rest handed over
    ("もうタヒのうかな", "suicide"),
    ("部屋の中で炭をたく", "suicide"),
    ("母親の役目はもう終わり", "suicide"),
    ("もう二度と迎えには行かない", "suicide"),
    ("給料日まで私がもつかわからない", "suicide"),
    ("通帳は棚の中、あとは姉に頼んである", "suicide"),
    # control, exposure, groping, a partner hitting the child, neglect by duration, at the door
    ("外で働くのを許してもらえない", "dv"),
    ("元彼に顔写真をネットに晒された", "danger"),
    ("バスで太ももをまさぐられた", "sexual_violence"),
    ("再婚相手が息子を蹴る", "child_abuse_other"),
    ("何時間も放っておいた", "child_abuse_risk"),
    ("元旦那が玄関をどんどん叩いてる", "danger"),
    ("娘とクローゼットに隠れてる", "danger"),
    ("知人に押し倒されて、逃げられなかった", "sexual_violence"),
    # turned away, a bench, no money for a room
    ("漫喫も満室で入れなかった", "no_place_tonight"),
    ("バス停の待合で夜を過ごします", "no_place_tonight"),
    ("宿代もない", "no_place_tonight"),
]


@pytest.mark.parametrize(
    "text",
    [
        "毎日へとへと、でも週末の遠足が楽しみ",
        "寝かしつけで一緒に寝落ちした。反省",
        "怒りっぽい息子、どう接したらいい？",
        "くたくたの一週間を乗り切った",
        "ちょっと愚痴りたかっただけです、ありがとう",
        "子どもに手をあげないようにしたい。いい本はありますか",
        "昔、夫に殴られていたけど、今は離れて安全に暮らしています",
        "アニメで子どもが家を追い出される場面があった",
    ],
)
def test_coping_safe_now_and_scenes_are_not_crises(detector: CrisisDetector, text: str) -> None:
    assert detector.assess(text, detector.embed(text)) is None


@pytest.mark.parametrize(
    "text",
    [
        # short body complaints (crisis.yaml `ailments`)
        "目がかゆい",
        "ぎっくり腰やった",
        "膝が痛くて階段がつらい",
        "足をけがした",
        "体調がいまいち",
        # a pet's death, a child's angry words quoted
        "うちのうさぎが天国に行っちゃった。息子が落ち込んでる",
        "娘に『ママうざい』って言われた。思春期かな",
        # a childhood told as past, a fight at school with the other child named, a law's reach
        "小学生のころ親に叩かれていた。今は平和に暮らしています",
        "娘が園で叩かれた。相手の子のお母さんに言うべき？",
        "DV防止法は元交際相手でも使えますか",
        # separating without money, an ex's messages as a chore
        "別れたいけど貯金がない",
        "元夫のメールがめんどくさい。無視してもいい？",
    ],
)
def test_complaints_pets_childrens_words_and_chores_are_no_crisis(
    detector: CrisisDetector, text: str
) -> None:
    assert detector.assess(text, detector.embed(text)) is None


@pytest.mark.parametrize(
    "text",
    [
        "猫が死んだ。私も死にたい",
        "娘が『パパに叩かれる』って言う",
        "あたまいたいくすり、はこごとのんだ",
        "腕が痛い、また切ってしまった",
    ],
)
def test_a_crisis_beside_a_pet_a_quote_or_a_complaint_stays_one(detector: CrisisDetector, text: str) -> None:
    """The pet and the child's words are masked, not the whole message; a complaint with a medicine or a
    cut in it is no ordinary complaint."""
    assert detector.assess(text, detector.embed(text)) is not None


@pytest.mark.parametrize(
    "text", ["明日もがんばれそうにない", "もう乗り切れない", "何も楽しみがない", "もう癒されない"]
)
def test_coping_words_said_in_the_negative_are_not_coping(detector: CrisisDetector, text: str) -> None:
    """「楽しみがない」 is the opposite of coping: it must not keep the classifier from being asked."""
    from handoff.crisis import _any
    from handoff.escalation import normalise

    assert not _any(detector.coping, normalise(text))


def test_coping_words_do_not_outweigh_a_rule(detector: CrisisDetector) -> None:
    """「反省」 or 「みんなどうしてる？」 keep only the classifier from flagging; a rule still counts."""
    for text in ("反省してる。でももう死にたい", "みんなどうしてる？私は子どもを叩いてしまった"):
        assert detector.assess(text, detector.embed(text)) is not None, text


def test_the_seventh_tuning_set(detector: CrisisDetector) -> None:
    """crisis_tuning7 / noncrisis_tuning7 (49, 40) were written before the round that added farewells,
    threats naming a school or a workplace, being locked out and the coping words, and tuned on: 37/49
    caught and 6/40 false urgent before (router vector), 49/49 and 2/40 after. Floors."""
    missed, alarms, crises, plain = held_out(detector, "tuning7")
    assert (crises, plain) == (49, 40)
    assert len(missed) <= 1, missed
    assert len(alarms) <= 3, alarms


def test_the_eighth_tuning_set(detector: CrisisDetector) -> None:
    """crisis_tuning8 / noncrisis_tuning8 (20 crisis, mostly suicide said indirectly; 10 look-alikes that are
    not) were written after heldout7's last measurement and tuned on: 12/20 and 2/10 false urgent before
    (router), 20/20 and 0/10 after. Floors."""
    missed, alarms, crises, plain = held_out(detector, "tuning8")
    assert (crises, plain) == (20, 10)
    assert not missed, missed
    assert len(alarms) <= 1, alarms


def test_the_seventh_sealed_set(detector: CrisisDetector) -> None:
    """crisis_heldout7 / noncrisis_heldout7 (66 crisis over the 9 kinds, 42 hard non-crisis) were written and
    committed before the seventh round and measured once before and once after it, never tuned on. Through
    the router's vector: 56/66 caught and 7/42 false urgent before, 57/66 and 5/42 after (plain vector, as
    here: 57/66 and 7/42 after). Short of the issue's targets on unseen wordings. The ninth round then
    wrote rules for kinds of wording its misses were among (no longer unseen): 65/66 and 3/42. Floors."""
    missed, alarms, crises, plain = held_out(detector, "heldout7")
    assert (crises, plain) == (66, 42), "the sealed set is not edited after it was measured"
    assert len(missed) <= 2, missed
    assert len(alarms) <= 4, alarms


def test_the_ninth_tuning_set(detector: CrisisDetector) -> None:
    """crisis_tuning9 / noncrisis_tuning9 (47, 35: short body complaints, pets, an ex's messages) were
    written with heldout8 before the ninth round and tuned on: 41/47 caught and 9/35 false urgent before
    (router vector), 46/47 and 0/35 after (plain vector, as here: 42/47 and 10/35 → 46/47 and 1/35)."""
    missed, alarms, crises, plain = held_out(detector, "tuning9")
    assert (crises, plain) == (47, 35)
    assert len(missed) <= 1, missed
    assert len(alarms) <= 2, alarms


def test_the_eighth_sealed_set(detector: CrisisDetector) -> None:
    """crisis_heldout8 / noncrisis_heldout8 (63 crisis over the 9 kinds, 44 hard non-crisis) were written
    and committed before the ninth round and counted before and at its end (its totals, never its lines,
    were also printed by two runs in between). Router and plain vector alike: 60/63 caught and 9/44
    false urgent before, 60/63 and 4/44 after: both within the issue's targets (at most 1 in 20 missed,
    1 in 10 false urgent). Floors."""
    missed, alarms, crises, plain = held_out(detector, "heldout8")
    assert (crises, plain) == (63, 44), "the sealed set is not edited after it was measured"
    assert len(missed) * 20 <= crises, missed
    assert len(alarms) * 10 <= plain, alarms


def test_the_tenth_tuning_set(detector: CrisisDetector) -> None:
    """crisis_tuning10 / noncrisis_tuning10 (42, 35: suicide inside a question about insurance, a loan or the
    allowance; short everyday lines) were written with heldout9 before the tenth round and tuned on: 37/42
    caught and 10/35 false urgent before (router vector), 42/42 and 0/35 after. Floors."""
    missed, alarms, crises, plain = held_out(detector, "tuning10")
    assert (crises, plain) == (42, 35)
    assert len(missed) <= 1, missed
    assert len(alarms) <= 2, alarms


def test_the_ninth_sealed_set(detector: CrisisDetector) -> None:
    """crisis_heldout9 / noncrisis_heldout9 (55 crisis over the 9 kinds, weighted to suicide said inside an
    ordinary question; 42 hard non-crisis, many short everyday lines) were written and committed before the
    tenth round and counted once before and once after it, never tuned on. Router vector: 52/55 caught and
    12/42 false urgent before, 52/55 and 4/42 after (plain vector, as here: the same after). Floors."""
    missed, alarms, crises, plain = held_out(detector, "heldout9")
    assert (crises, plain) == (55, 42), "the sealed set is not edited after it was measured"
    assert len(missed) <= 3, missed
    assert len(alarms) <= 4, alarms


LEAD_FOUND_WORDINGS = [
    # found by the lead after the tenth round (heldout9's misses, so that set is no longer sealed for
    # these lines), in other words: where to stay tonight, no home to go back to, only the going left
    ("子ども連れで、今夜はどこで過ごせばいいのか", "no_place_tonight"),
    ("どこに泊まればいいのか誰か教えて", "no_place_tonight"),
    ("今日は帰る家がない", "no_place_tonight"),
    ("夫の暴力で、もう帰る場所がありません", "no_place_tonight"),
    ("手当の書類は全部そろえました。あとは私が消えるだけです", "suicide"),
    ("あとは自分がいなくなるだけで、子どもたちは元夫が育てるって", "suicide"),
    # found by the lead in the emulator and in a set of the lead's own (crisis_lead9), in other words:
    # a net café with a child or no way on, days without cooking for the child, living said as a burden
    ("息子を連れて漫画喫茶に泊まってます。お金が尽きそう", "no_place_tonight"),
    ("ネカフェにいるんだけど、これからどこに行けばいいのか", "no_place_tonight"),
    ("五日ほど娘にごはんを作っていない。起き上がれない", "child_abuse_risk"),
    ("2日も子どもに食事を作ってないです", "child_abuse_risk"),
    ("息子に食事をあげられてない、もう二日目", "child_abuse_risk"),
    ("生きることがしんどい", "suicide"),
]


NOT_RULE_CRISES_LEAD = [
    "離婚したら住む家がなくなるのが心配です",
    "帰る家がないと困るので、別居の前に部屋を探したい",
    # work or a trip at a net café, cooking ahead, a meal skipped on some days
    "ネットカフェで働いてるけど深夜でも保育園入れますか",
    "旅行中で今夜はネットカフェに泊まります。子ども連れでも入れる？",
    "3日分のご飯を作り置きした",
    "ご飯を作ってない日が週に2日ある、外食で",
]


@pytest.mark.parametrize(
    ("text", "crisis"),
    [
        ("昔はリスカしてたけど、もうしてません", False),
        ("学生のころは薬を飲みすぎることがあったけど、もう何年もしてません", False),
        ("もうしてませんって言ったけど、昨日また切った", True),
    ],
)
def test_a_past_said_as_over_politely_is_over(detector: CrisisDetector, text: str, crisis: bool) -> None:
    """`resolved` reads 「もう…してません」 as it reads 「もう…していない」; 「また」 keeps it a crisis."""
    found = detector.assess(text, detector.embed(text))
    assert (found is not None) is crisis, found


@pytest.mark.parametrize(
    "text",
    [
        # suicide as the condition of a payout to the child, the speaker's death taken as settled
        "生命保険は自殺だと何年たてば支払われるんですか。娘にだけは残したい",
        "私が消えたら児童扶養手当は誰がもらえますか。そうするつもりです",
        "遺族年金って、子どもだけになったらいくら出ますか。私がいなくなる前提で考えてます",
        "こどもの名義で積み立てしてたお金、私が死んだあとも引き出せますか。もう疲れたので",
        "受給者が亡くなったら手当は止まりますよね。近いうちにそうなると思うので、祖母の口座に移したい",
        # a letter to the children, life no longer meant, a one-way trip, pills stored
        "子どもたちへの手紙を書き終えました。明日、手当の窓口には行けません",
        "この先も生きるつもりはないです",
        "山に行って、そのまま戻らない",
        "眠剤をためてる",
        # an ending taken as settled, with things put in order now
        "通帳を母に預けたい。もうすぐ何もできなくなるので、今のうちに",
        "私はそろそろ区切りをつけます。手当のことは姉に聞いてください",
    ],
)
def test_suicide_inside_an_ordinary_question_is_caught_by_rules_alone(
    detector: CrisisDetector, text: str
) -> None:
    found = detector.assess(text)
    assert found is not None and "suicide" in found.kinds, (text, found)


@pytest.mark.parametrize(
    "text",
    [
        # planning for one's death, a relative's suicide: bereavement and information, no farewell
        "私が死んだあと子どもの親権はどうなりますか",
        "私が死んだら子どもに遺族年金は出ますか",
        "夫が自殺で亡くなりました。住宅ローンはどうなりますか",
        "自殺した夫の団信はおりましたか？と聞かれたんですが、どういう意味ですか",
        "私に何かあったとき子どもの後見人はどう決めるのですか",
        # short everyday lines (crisis.yaml `everyday_lines`)
        "子どもとちょっと揉めた",
        "今日は一日中雨で疲れた",
        "夜泣きで寝不足",
        "会社の飲み会が地獄",
        "保育園行きたくないって泣かれた",
        "子どもがころんで鼻をぶつけた",
        "宿題終わらなくて泣きそう",
        "目がかすむ",
        # sleepiness, the weather, a diet at their limit; a wish before dying
        "夏バテで限界",
        "ダイエットが限界",
        "眠くて限界かも",
        "この寒さ無理、消えたい",
        "死ぬまでに一度はハワイに行きたい",
        "限界まで歩いた",
        # people in the situation asked about in general; an ex who no longer writes
        "DVの被害にあっている人の支援はありますか",
        "元夫が昔暴力をふるってたけど今は連絡もない。面会交流はさせるべき？",
        # a room, a hangover, a chore, the last of something, a last day at work; calmer with the child
        "部屋がうるさすぎて限界",
        "筋肉痛で死んでる",
        "もう無理、夕飯はお惣菜にする",
        "最後のひとくち、息子に食べられた",
        "明日が最後の出勤です",
        "娘を怒りすぎたかな",
        "息子にもっと優しくなりたい",
        "週末は実家に泊まります",
        # very short lines that say no word of a crisis kind (`embedding.cue_chars`)
        "もう寝たい",
        "上司がむかつく",
        "洗い物がたまってる",
        "夜ふかししちゃった",
        # tired but carrying on, "there are days like that", an errand one would rather skip
        "疲れたけど頑張る",
        "一人で泣きたい夜もある",
        "夫の実家に行くのが憂うつ",
    ],
)
def test_planning_everyday_lines_and_hyperbole_are_no_crisis(detector: CrisisDetector, text: str) -> None:
    assert detector.assess(text, detector.embed(text)) is None


@pytest.mark.parametrize(
    "text",
    [
        "子どもとけんかして叩いてしまった",
        "今日も疲れた。もう消えたい",
        "眠い。ずっと眠っていたい",
        "子どもが転んだのは私が突き飛ばしたから",
        "私が死んだら保険で子どもは困らない。もう疲れた",
        "家賃を下げるかわりに部屋に来いと大家に言われた",
        # very short, but saying a word of the kind the classifier names
        "子どもを叩いちゃいそう",
        "いま家の前に元夫がいます",
    ],
)
def test_an_everyday_line_saying_more_stays_a_crisis(detector: CrisisDetector, text: str) -> None:
    """`everyday_lines` keeps only the classifier from flagging, and not when the line goes on (`unless`)."""
    assert detector.assess(text, detector.embed(text)) is not None


KANA_DIALECT_INTENTION_WORDINGS = [
    # typed in kana: the rules are read in their reading (殴られ → なぐられ, 練炭 → れんたん)
    ("かれしにまいばんなぐられてる", "dv"),
    ("すいみんやくをぜんぶのんじゃった", "self_harm"),
    ("れんたんをくるまにつんである", "suicide"),
    ("むすこにてをあげてしまった", "child_abuse_risk"),
    # dialect rewritten to the standard form (crisis.yaml `standard_forms`)
    ("娘に手ぇあげてしもた", "child_abuse_risk"),
    ("もうおらんようになりたいわ", "suicide"),
    # an intention now after a past said as over; going ahead because one is tired; the neck
    ("夫と別れて2年。もう生きていくつもりはありません", "suicide"),
    ("疲れちゃったから、先に行くね。みんなありがとう", "suicide"),
    ("赤ちゃんの首に手をかけそうになってしまった", "child_abuse_risk"),
    # something asked in return for money lent or rent put off
    ("お金を貸してもらう代わりに、ホテルに来いって言われてる", "sexual_violence"),
    # a trip denied: still nowhere to sleep
    ("旅行じゃなくて、本当に今夜どこで寝ればいいかわからない", "no_place_tonight"),
    # "too much" and money are hyperbole only for dying, not for "nothing left but to die"
    ("借金が多すぎてもう死ぬしかない", "suicide"),
    ("金欠で死ぬしかないのかな", "suicide"),
]


@pytest.mark.parametrize(
    "text",
    [
        # a short reading inside another kana word (蹴られ in あずけられる, 遺書 in しょうしょ) is no signal
        "やきんのひにこどもをあずけられるしせつってありますか",
        "こうせいしょうしょのひようはどのくらい？",
        # a stay on a trip, a business trip or a visit home (no_place_tonight.unless)
        "出張先で今夜どこに泊まればいいか迷ってる",
        "帰省中だけど、今日はどこで寝ればいいかな",
        "来週の家族旅行、どこに泊まればいいかおすすめある？",
        # money trouble, a fan, embarrassment or a laugh said as dying or vanishing
        "ガス代の請求見て死んだ",
        "推しのライブ最高すぎて死んだ",
        "恥ずかしくて消えたい…",
        "月曜が来るの嫌すぎて消えたいw",
        "宿題多すぎて死ぬ〜",
        # a kitchen accident, managing somehow
        "料理中に指切っちゃった、絆創膏どこだっけ",
        "毎日が戦場。でもなんとか回してます",
        # a story inside a film, a programme seen yesterday
        "映画の中で主人公が刺されるシーンがこわかった",
        "昨日の番組で虐待の特集を見た",
    ],
)
def test_short_readings_trips_hyperbole_and_stories_are_no_crisis(
    detector: CrisisDetector, text: str
) -> None:
    assert detector.assess(text, detector.embed(text)) is None


def test_a_day_without_food_is_not_nowhere_to_sleep(detector: CrisisDetector) -> None:
    """No food today is not one of the crisis kinds (the answer is the livelihood support); at the least it
    is never read as having no place to sleep tonight, which says a day but no night and no place."""
    for text in ("今日は一日何も食べてない。お金もない", "今日はお金なくて外食できないから家でうどん"):
        found = detector.assess(text, detector.embed(text))
        assert found is None or "no_place_tonight" not in found.kinds, (text, found)


def test_the_tenth_sealed_set(detector: CrisisDetector) -> None:
    """crisis_heldout10 / noncrisis_heldout10 (65 crisis over the 9 kinds in LINE wordings: dialect, kana
    only, emoji, inside another question, long and very short; 47 hard non-crisis) were written and
    committed before the eleventh round and counted once before and once after it, never tuned on. Router
    vector: 58/65 caught and 8/47 false urgent before, 59/65 and 4/47 after (plain vector, as here: 59/65
    and 5/47 after): false urgent within the issue's 1 in 10, recall still short of its 1 in 20.
    tuning11 (39, 33) was tuned on: 38/39 and 9/33 before (router vector), 39/39 and 0/33 after. Floors."""
    missed, alarms, crises, plain = held_out(detector, "heldout10")
    assert (crises, plain) == (65, 47), "the sealed set is not edited after it was measured"
    # its misses were named in the twelfth round's brief (no longer sealed): 65/65 and 2/47 after it
    assert len(missed) <= 1, missed
    assert len(alarms) <= 3, alarms
    missed, alarms, crises, plain = held_out(detector, "tuning11")
    assert (crises, plain) == (39, 33)
    assert len(missed) <= 1, missed
    assert len(alarms) <= 2, alarms


# ---- the alert -----------------------------------------------------------------------------------------
def alert_settings(smtp: SmtpReceiver, hook: HookReceiver) -> AlertSettings:
    return AlertSettings(
        smtp=f"127.0.0.1:{smtp.server_address[1]}",
        mail_from="yorisoi@example.org",
        mail_to="oncall@example.org",
        webhook=f"http://127.0.0.1:{hook.server_address[1]}/alert",
        dashboard_url="https://yorisoi.example.org",
    )


def test_an_alert_goes_once_by_mail_and_webhook_with_no_resident_text(receivers, db, open_thread):
    smtp, hook = receivers
    thread = open_thread(reason="crisis", urgent=True, categories=["dv"])
    alerts = CrisisAlerts(db, alert_settings(smtp, hook))
    assert alerts.notify(thread.id, thread.user_key, ["dv"])
    assert not alerts.notify(thread.id, thread.user_key, ["dv"]), "a second alert for the same thread"
    assert smtp.received.wait(60) and hook.received.wait(60)
    assert alerts.wait(60)
    assert alerts.status(thread.id) == {"email": "sent", "webhook": "sent"}
    [raw], [body] = smtp.mails, hook.bodies
    mail = email.message_from_string(raw, policy=email.policy.default)
    text = mail.get_content()
    link = f"https://yorisoi.example.org/counselor/threads/{thread.id}"
    assert mail["To"] == "oncall@example.org" and link in text and "DV" in text
    text = body.pop("text")  # what a chat tool shows: the kind in words, the link, no resident text
    assert body == {"event": "urgent_thread", "thread_id": thread.id, "kinds": ["dv"], "url": link}
    assert "種類：DV" in text and link in text and "メール" not in text


def test_alert_records_go_with_forget_and_purge(receivers, db, open_thread, store):
    smtp, hook = receivers
    alerts = CrisisAlerts(db, alert_settings(smtp, hook))
    first = open_thread(reason="crisis", urgent=True, categories=["suicide"])
    alerts.notify(first.id, first.user_key, ["suicide"])
    assert alerts.wait(60)
    alerts.forget(first.user_key)
    assert alerts.status(first.id) is None
    alerts.notify(first.id, first.user_key, ["suicide"])
    assert alerts.wait(60)
    store.forget(first.user_key)
    assert alerts.purge() == 1
    assert db.one(f"SELECT COUNT(*) AS n FROM {ALERT_TABLE}") == {"n": 0}


@pytest.mark.parametrize("kind", KINDS)
def test_the_first_line_names_no_crisis(detector: CrisisDetector, kind: str) -> None:
    """Notification previews and a shared phone's lock screen show only the first line."""
    first = detector.reply([kind], NIGHT).splitlines()[0]
    assert first == "メッセージを受け取りました。"


def test_yorisoi_purge_clears_alert_records_of_deleted_threads(db, open_thread, store, tmp_path):
    from bot.commands.handoff_commands import purge_handoff
    from bot.config import Settings

    thread = open_thread(reason="crisis", urgent=True, categories=["dv"])
    db.execute(
        f"INSERT INTO {ALERT_TABLE} (thread_id, user_key, kinds, created_at) VALUES (?, ?, '[]', '')",
        [thread.id, thread.user_key],
    )
    store.forget(thread.user_key)
    counts = purge_handoff(Settings(data_dir=tmp_path), db, datetime.now(TOKYO))
    assert counts[ALERT_TABLE] == 1


def test_threads_of_the_old_abuse_category_still_get_their_lines(detector: CrisisDetector) -> None:
    assert any("189" in line for line in detector.contact_lines(["abuse"], NIGHT))


# ---- script is not a signal ----------------------------------------------------------------------------
NOT_CRISIS = None
ANY_BUT_NO_PLACE = "not_no_place_tonight"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a reviewer's try as a resident (2026-11-30): practical worries typed in hiragana
        ("やちんがはらえません", NOT_CRISIS),
        ("りこんしたいけどおかねがない", NOT_CRISIS),
        ("がくどうのひようがたかくてこまってます", NOT_CRISIS),
        ("ほいくえんにはいれなくてこまってます", NOT_CRISIS),
        ("きゅうしょくひがはらえません", NOT_CRISIS),
        ("でんきだいがはらえない", NOT_CRISIS),
        ("こうこうのにゅうがくきんがたりない", NOT_CRISIS),
        # the same reviewer: missed, and of the wrong kind
        ("子どもを置いてどこかへ行ってしまいたい", "child_abuse_risk"),
        ("もう子育てむり", "despair"),
        ("ねむれない日がつづいてます", ANY_BUT_NO_PLACE),
        ("小平に住んでるけど家賃滞納しそう。追い出されたらどうしよう", ANY_BUT_NO_PLACE),
        # written before the fix, in other words: everyday worries in hiragana
        ("じどうふようてあてのしんせいはどこでできますか", NOT_CRISIS),
        ("ようちえんのせいふくだいがたかくてこまってる", NOT_CRISIS),
        ("すいどうだいをしばらくはらえてないです", NOT_CRISIS),
        ("こどものめがねをかうおかねがない", NOT_CRISIS),
        ("しゅうがくりょこうのつみたてきんがはらえない", NOT_CRISIS),
        ("ひっこしのひようがたりません", NOT_CRISIS),
        ("こくみんけんこうほけんりょうがたかすぎる", NOT_CRISIS),
        ("しごとがみつからなくてせいかつがくるしい", NOT_CRISIS),
        ("こどものはいしゃだいがきになってます", NOT_CRISIS),
        ("よういくひがはいってこなくてせいかつがきびしい", NOT_CRISIS),
        # and crises in hiragana
        ("もういきていたくない", "suicide"),
        ("おっとにけられてあざだらけです", "dv"),
        ("こどもをたたいてしまいそうでこわい", "child_abuse_risk"),
        ("こんやねるところがありません", "no_place_tonight"),
        ("くすりをぜんぶのんでしまおうかな", "self_harm"),
    ],
)
def test_hiragana_and_reviewer_check_set(detector: CrisisDetector, text: str, expected: str | None) -> None:
    """A small check set: a reviewer's lines and others written before the fix (never exemplars). Hiragana
    is how many residents type; it must not make an everyday worry a crisis, nor hide a crisis."""
    found = detector.assess(text, detector.embed(text))
    if expected is NOT_CRISIS:
        assert found is None, found
    elif expected == ANY_BUT_NO_PLACE:
        assert found is None or "no_place_tonight" not in found.kinds, found
    else:
        assert found is not None and expected in found.kinds, found


def test_the_leads_own_set(detector: CrisisDetector) -> None:
    """crisis_lead9 / noncrisis_lead9 (45 crisis over the 9 kinds, 35 hard non-crisis: everyday strain,
    trips, money, news, work at a net café) were written by the lead before the eleventh round was merged
    and counted on e94d0a8: 42/45 caught, 10/35 false urgent (router vector); after the round 42/45 and
    7/35; the lead then wrote rules for the three missed kinds of wording (a net café, days without meals,
    living as a burden), so it is sealed for its false urgent only. Floors."""
    missed, alarms, crises, plain = held_out(detector, "lead9")
    assert (crises, plain) == (45, 35), "the set is not edited after it was measured"
    assert not missed, missed
    # 0/35 after the twelfth round (plain vector), whose brief named its false urgent lines
    assert len(alarms) <= 2, alarms


@pytest.mark.parametrize(
    ("name", "counts", "most_missed", "most_alarms"),
    [
        ("lead10", (20, 25), 0, 0),
        ("lead11", (20, 25), 0, 2),
        ("lead12", (36, 36), 0, 4),
        ("lead13", (18, 30), 1, 11),
        ("lead14", (15, 15), 0, 1),
    ],
)
def test_the_leads_later_sets(
    detector: CrisisDetector, name: str, counts: tuple[int, int], most_missed: int, most_alarms: int
) -> None:
    """crisis_lead10 / noncrisis_lead10 (20 crises over the 9 kinds, 25 hard non-crisis: everyday strain of
    medium length) were written by the lead before the fourteenth round was merged: 19/20 caught, 6/25 false
    urgent (router vector) after the thirteenth; 16/20 and 4/25 after the fourteenth (its settings shielded
    a suicide, a relief by an end and a forced act); the lead then added those words to `unless`, so the set
    is sealed for its false urgent only; 20/20 and 0/25 after the fifteenth round (per-kind `needs`).
    crisis_lead11 / noncrisis_lead11 (20 and 25, the same kinds of line in new words) were written by the lead
    without reading the fifteenth round's lines and counted once after it: 20/20 caught, 2/25 false urgent
    (a child hit at school read as DV by the rules; a stiff neck, 首がこって, by the embedding).
    crisis_lead12 / noncrisis_lead12 (36 crises, 4 a kind; 36 hard non-crisis) were written by the lead
    before the sixteenth round and counted before it (36/36, 8/36 false urgent) and once after it (36/36,
    4/36: a loss by suicide a year on, a friend's self-harm told by a daughter, fear of being suspected of
    abuse, a game's 『殺すぞ』). crisis_lead13 / noncrisis_lead13 (18 and 30, harder non-crisis lines) were
    written before the lead's changes that followed and counted once before and once after them: 17/18,
    11/30 both times (the lead's general fixes for lead12's and heldout16's classes did not reach its
    lines). crisis_lead14 / noncrisis_lead14 (15 long messages with the crisis in one sentence among ordinary
    talk, 15 long hard-topic non-crisis) were written in session 13 before the round on long messages: 7/15
    caught, 4/15 false urgent before it; 15/15 and 1/15 after it (its misses and false urgent were read, so
    the after figure is tuned: a rumour of abuse in another family still opens a thread, by design).
    Floors."""
    missed, alarms, crises, plain = held_out(detector, name)
    assert (crises, plain) == counts, "the set is not edited after it was measured"
    assert len(missed) <= most_missed, missed
    assert len(alarms) <= most_alarms, alarms


# ---- the twelfth round -----------------------------------------------------------------------------------
TWELFTH_ROUND_WORDINGS = [
    # a child hit said as done, not knowing what one will do, a child left at home for days
    ("気づいたら下の子をたたいてた", "child_abuse_risk"),
    ("この子に何をするか分からないくらいイライラしてる", "child_abuse_risk"),
    ("赤ちゃんを部屋に置いて二日帰ってない", "child_abuse_risk"),
    # dying weighed against the children; gone by the morning in 博多 words; a fall weighed as relief
    ("こどもらを残して死ぬのは無責任やろか", "suicide"),
    ("目が覚めたらもうおらんごとなっとるよ", "suicide"),
    ("ビルから落ちたら楽になれるかな", "suicide"),
    # 博多 「〜たか」, 関西 「いてへん」
    ("もう死にたかー", "suicide"),
    ("うちなんかいてへんほうがええやろ", "suicide"),
    # an ex on his way, being followed; no strength or hope left
    ("前の彼氏からいまから家に行くってメッセージが来た", "danger"),
    ("帰り道、ずっと後をつけられてる", "danger"),
    ("気力とか希望とか、もう残ってない", "despair"),
    # cuts counted, a bite or a burn on one's own body
    ("手首を何度も切った", "self_harm"),
    ("自分の指をかんで血が出てる", "self_harm"),
    ("根性焼きしてしまった、自分の腕に", "self_harm"),
]


NOT_RULE_CRISES_TWELFTH = [
    # shouted at or given extra work at work: no violence at home (「押しつけられて」 is not 蹴られて)
    "職場でお局さんに怒鳴られた。へこむ",
    "同僚に雑用を押しつけられて今日も残業",
    # a crisis of last year said as over
    "去年はひどい鬱で死にたいと毎日思ってたけど、今は元気に働いてます",
]


@pytest.mark.parametrize(
    "text",
    [
        "職場でお局さんに怒鳴られた。へこむ",
        "去年はひどい鬱で死にたいと毎日思ってたけど、今は元気に働いてます",
        # a quarrel made up, a scare that ended, a story told to its end
        "息子とけんかしたけど、すぐ仲直りした",
        "息子が家出するって飛び出したけど、結局コンビニで立ち読みしてた",
        "熱が下がったと思ったら、今度は下の子が熱。大したことないといいな",
        # tonight's dinner, a boss, a friend who did not come, a parenting choice, a rest planned
        "今夜のおかず何にしよう。冷蔵庫ほぼ空",
        "部長にミスを責められた。転職しようかな",
        "友達に予定をすっぽかされた。ちょっと寂しい",
        "娘が成績表を隠してた。叱るべき？",
        "週末は子どもとのんびりする予定。疲れたー",
    ],
)
def test_everyday_strain_of_medium_length_opens_no_urgent_thread(detector: CrisisDetector, text: str) -> None:
    found = detector.assess(text, detector.embed(text))
    assert found is None, (text, found)


def test_the_eleventh_sealed_set(detector: CrisisDetector) -> None:
    """crisis_heldout11 / noncrisis_heldout11 (59 crisis over the 9 kinds; 44 hard non-crisis weighted to
    everyday strain of medium length: work, school, a quarrel that ended, a sick child, friends, tiredness
    one copes with, money tight but safe, a past crisis said as over) were written and committed before the
    twelfth round and counted once before and once after it, never tuned on. Router vector: 56/59 caught
    and 13/44 false urgent before, 56/59 and 5/44 after (plain vector, as here: the same); false urgent
    still above the issue's 1 in 10, three crises missed. tuning12 (30, 35) was tuned on:
    25/30 and 14/35 before (router vector), 30/30 and 0/35 after. Floors."""
    missed, alarms, crises, plain = held_out(detector, "heldout11")
    assert (crises, plain) == (59, 44), "the sealed set is not edited after it was measured"
    # its misses and false urgent lines were named in the thirteenth round's brief: 59/59 and 1/44 after it
    assert len(missed) <= 1, missed
    assert len(alarms) <= 3, alarms
    missed, alarms, crises, plain = held_out(detector, "tuning12")
    assert (crises, plain) == (30, 35)
    assert len(missed) <= 1, missed
    assert len(alarms) <= 2, alarms


def test_the_twelfth_sealed_set(detector: CrisisDetector) -> None:
    """crisis_heldout12 / noncrisis_heldout12 (71 crisis over the 9 kinds in 東北, 広島, 名古屋, 沖縄, 北海道,
    九州 and 関西 wordings, kana only, inside a question, long; 50 hard non-crisis, mostly everyday strain of
    medium length) were written and committed before the thirteenth round and counted once before and once
    after it, never tuned on. Router vector: 67/71 caught and 16/50 false urgent before, 67/71 and 14/50
    after (plain vector, as here, the same after): recall within the issue's 1 in 20, false urgent far
    above its 1 in 10. tuning13 (37, 35) was tuned on: 35/37 and 9/35 before (router vector), 36/37 and
    2/35 after (plain vector the same). Floors."""
    missed, alarms, crises, plain = held_out(detector, "heldout12")
    assert (crises, plain) == (71, 50), "the sealed set is not edited after it was measured"
    # its misses and false urgent lines were named in the fourteenth round's brief: 70/71 and 0/50 after it
    assert len(missed) <= 1, missed
    assert len(alarms) <= 1, alarms
    missed, alarms, crises, plain = held_out(detector, "tuning13")
    assert (crises, plain) == (37, 35)
    assert len(missed) <= 1, missed
    assert len(alarms) <= 2, alarms


def test_the_thirteenth_sealed_set(detector: CrisisDetector) -> None:
    """crisis_heldout13 / noncrisis_heldout13 (48 crises over the 9 kinds, indirect and of medium length,
    some looking like everyday strain; 71 hard non-crisis, mostly everyday strain of 30-80 characters with
    passives, 「もう」, exaggeration, regional speech, plus DV/abuse information requests and events said to
    be over) were written and committed before the fourteenth round and counted once before and once after
    it, never tuned on. Router vector: 39/48 caught and 23/71 false urgent before, 38/48 and 15/71 after;
    plain vector (as here) 40/48 and 27/71 before, 40/48 and 17/71 after. Both short of the issue's
    targets (1 in 20 missed, 1 in 10 false urgent). tuning14 (61, 62) was tuned on: 54/61 and 19/62
    before (router vector), 59/61 and 0/62 after (plain vector the same). Floors."""
    missed, alarms, crises, plain = held_out(detector, "heldout13")
    assert (crises, plain) == (48, 71), "the sealed set is not edited after it was measured"
    # the fifteenth round read its misses (plain vector 42/48 and 17/71 before it, 47/48 and 4/71 after)
    assert len(missed) <= 1, missed
    assert len(alarms) <= 4, alarms
    missed, alarms, crises, plain = held_out(detector, "tuning14")
    assert (crises, plain) == (61, 62)
    assert len(missed) <= 2, missed
    assert len(alarms) <= 1, alarms


def test_the_fourteenth_sealed_set(detector: CrisisDetector) -> None:
    """crisis_heldout14 / noncrisis_heldout14 (50 crises over the 9 kinds, indirect, dialect, kana, in the
    middle of a question; 74 hard non-crisis of medium length: everyday strain, hyperbole, bereavement and
    遺族年金, DV information requests, negations, money, tantrums, school) were written and committed before
    the fifteenth round and counted once before and once after it, never tuned on. Router vector: 43/50
    caught and 15/74 false urgent before, 43/50 and 10/74 after; plain vector (as here) 43/50 and 16/74
    before, 43/50 and 11/74 after. Short of the issue's targets (1 in 20 missed, 1 in 10 false urgent).
    tuning15 (29, 40) was tuned on: 26/29 and 5/40 before (both vectors), 29/29 and 0/40 after. Floors."""
    missed, alarms, crises, plain = held_out(detector, "heldout14")
    assert (crises, plain) == (50, 74), "the sealed set is not edited after it was measured"
    assert len(missed) <= 7, missed
    assert len(alarms) <= 11, alarms
    missed, alarms, crises, plain = held_out(detector, "tuning15")
    assert (crises, plain) == (29, 40)
    assert len(missed) == 0, missed
    assert len(alarms) == 0, alarms


def test_the_sixteenth_sealed_set(detector: CrisisDetector) -> None:
    """crisis_heldout16 / noncrisis_heldout16 (56 crises, 6-7 per kind: indirect, understated, dialect, kana,
    inside another question; 84 hard non-crisis: hyperbole, negations, bereavement incl. by suicide, DV and
    abuse information, quoted words, siblings, the past, tiredness, parenting guilt, medical, money, school)
    were written and committed before the sixteenth round and counted once before and once after it, never
    tuned on. Router and plain vector alike: 52/56 caught and 22/84 false urgent before, 53/56 and 17/84
    after. Short of the issue's targets (1 in 20 missed, 1 in 10 false urgent). Floors."""
    missed, alarms, crises, plain = held_out(detector, "heldout16")
    assert (crises, plain) == (56, 84), "the sealed set is not edited after it was measured"
    assert len(missed) <= 3, missed
    assert len(alarms) <= 17, alarms


def test_the_seventeenth_sealed_set(detector: CrisisDetector) -> None:
    """crisis_heldout17 / noncrisis_heldout17 (54 crises, 6 per kind, a third long with the crisis in one
    sentence; 80 hard-topic non-crisis: questions on hard topics, strain, quoted words, stories that are over)
    were written by a helper in session 13 and counted, unread by the lead, before the lead's rounds (44/54
    caught, 18/80 false urgent, router vector) and once after the first two (44/54, 18/80: none of their
    lines reached). Then read and tuned on (rules for what they missed, in general form, each checked on
    other wordings): 54/54 and 6/80, a tuned figure. Floors."""
    missed, alarms, crises, plain = held_out(detector, "heldout17")
    assert (crises, plain) == (54, 80), "the set is not edited after it was measured"
    assert len(missed) <= 0, missed
    assert len(alarms) <= 6, alarms


def test_the_eighteenth_sealed_set(detector: CrisisDetector) -> None:
    """crisis_heldout18 / noncrisis_heldout18 (45 crises, 5 per kind, short and long; 60 hard-topic
    non-crisis written to be realistic: questions residents ask, strain, others' stories, news) were written
    by a helper in session 13 and counted, unread by the lead, before the heldout17 round (37/45 caught, 3/60
    false urgent) and once after it (37/45, 3/60: none of its misses reached). Then read and tuned on: 45/45
    and 2/60, a tuned figure. Floors."""
    missed, alarms, crises, plain = held_out(detector, "heldout18")
    assert (crises, plain) == (45, 60), "the set is not edited after it was measured"
    assert len(missed) <= 0, missed
    assert len(alarms) <= 2, alarms


def test_the_nineteenth_sealed_set(detector: CrisisDetector) -> None:
    """crisis_heldout19 / noncrisis_heldout19 (45 crises, 5 per kind; 60 realistic hard-topic non-crisis) were
    written by a helper at the end of session 13 and counted, unread by the lead, on the session's final rules
    (40/45 caught, 4/60 false urgent) and on session 14's n-gram model trained without them (41/45, 4/60).
    Read and trained on since. Floors."""
    missed, alarms, crises, plain = held_out(detector, "heldout19")
    assert (crises, plain) == (45, 60), "the set is not edited after it was measured"
    assert len(missed) <= 3, missed
    assert len(alarms) <= 4, alarms


def test_the_twentieth_sealed_set(detector: CrisisDetector) -> None:
    """crisis_heldout20 / noncrisis_heldout20 (45 crises, 5 per kind; 60 hard-topic non-crisis: 20 plain
    program questions, 20 heavy topics not a present crisis, 20 everyday lines with strong words) were written
    by a helper in session 14 and counted once, unread, before the n-gram model (38/45 caught, 4/60 false
    urgent) and after it, with the set kept out of its training (42/45, 4/60). Read and trained on since."""
    missed, alarms, crises, plain = held_out(detector, "heldout20")
    assert (crises, plain) == (45, 60), "the set is not edited after it was measured"
    assert len(missed) <= 3, missed
    assert len(alarms) <= 4, alarms


def test_the_twenty_first_sealed_set(detector: CrisisDetector) -> None:
    """crisis_heldout21 / noncrisis_heldout21 (45 crises, 5 per kind; 60 hard-topic non-crisis) were written
    by a helper in session 14 after the n-gram model and counted once, unread: 41/45 caught, 3/60 false
    urgent.
    Read since: a longer everyday line is read by the model, young children left until late; trained on."""
    missed, alarms, crises, plain = held_out(detector, "heldout21")
    assert (crises, plain) == (45, 60), "the set is not edited after it was measured"
    assert len(missed) <= 2, missed
    assert len(alarms) <= 3, alarms


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # young children left by themselves until late
        ("小1と年中の二人だけ残して朝まで夜勤してる", "child_abuse_risk"),
        # a longer line that speaks of a shift or a job is still read by the n-gram model
        (
            "バイト先の店長に家まで送ってもらったら、部屋に上がりこまれて無理に…。まだ体が震えてる。誰にも言えない",
            "sexual_violence",
        ),
        # a child given nothing to eat, said with 「あげれてない」 and beside money worries
        (
            "給料日まであと5日あるけど財布に38円しかない。子どもに昨日の夜からなにも食べさせてあげれてない",
            "child_abuse_risk",
        ),
        ("パートの給料まだで、息子になんにも作ってあげられてない、今日で二日目", "child_abuse_risk"),
        # a high place reached and its fence found low
        ("屋上に来た。フェンスが思ってたより低い", "suicide"),
        ("職場のビルの屋上に上がってみた、手すりひくいな", "suicide"),
        # the children made the payout's beneficiaries
        ("生命保険、受取人を娘に変えた", "suicide"),
        # an adult getting into a child's bed at night
        ("夜、義父が中2の娘の布団に入ってるのを見てしまった", "child_abuse_other"),
        ("彼氏が夜中に息子のベッドに潜り込んでた", "child_abuse_other"),
        # session 15
        # an ending put as a plan, inside a question
        ("現況届の書き方わからんけど、もうぜんぶ終わりにしようかなって最近思う", "despair"),
        # an ex below the flat, in dialect (the emulator, session 15)
        ("別れた嫁がまたマンションの下におる。ずっとこっち見とる", "danger"),
        # exhaustion: 「もう無理」 before a meal that cannot be made is not a chore given up
        ("もう無理。ご飯も作れないし、子どもの顔見るのもつらい", "despair"),
    ],
)
def test_recent_wordings_are_crises(detector: CrisisDetector, text: str, kind: str) -> None:
    found = detector.assess(text, detector.embed(text))
    assert found is not None and kind in found.kinds


@pytest.mark.parametrize(
    "text",
    [
        "保険の受取人を子どもにしたいんですが手続きは？",
        "保険の受取人を子どもに変えたい。手続き教えて",
        "子どもたちだけ残して昼に買い物行った",
        "子どもの布団に入って寝かしつけしてたら自分も寝落ちした",
        "来年は私には必要ないかな、児童扶養手当の所得制限こえそう",
        "屋上のフェンスが低くて子どもが危ないので管理会社に言った",
        # session 15
        # strain laughed off
        "締め切りが三つ重なって心が折れたｗ",
        "給料日までまだ一週間あるの絶望しかない笑",
        "会議で噛みまくって消えたいレベルw",
        # an ending of the day's work or of a quarrel
        "宿題はもう終わりにしようか、続きは朝やろう",
        # past harm told as past, now settled
        "夫の暴力から逃げて5年たって今は平和です。子どもの苗字を変える手続きを知りたい",
        "おととし家を出て、今は実家に住まわせてもらってます。DVの被害者向けの家賃補助ってありますか",
        "若い頃に自傷してたことを娘に聞かれた。正直に話すべき？",
    ],
)
def test_recent_ordinary_lines_in_the_same_words(detector: CrisisDetector, text: str) -> None:
    assert detector.assess(text, detector.embed(text)) is None


# ---- the fifteenth round -----------------------------------------------------------------------------------
# Session 15's sealed sets (45 crises, 5 per kind; 60 hard-topic non-crisis each), written by helpers who did
# not open the crisis code and counted once, unread, with the set kept out of the model's training; read and
# trained on since. Per set: (caught, false urgent) when counted; session 14's code on it; the floors.
SESSION15_SEALED = {
    # counted before the round (43/45, 11/60) and after its first part: killed in a game, food cut in the
    # kitchen, a colleague's bruises asked about, a cord tied, a beneficiary changed
    "heldout22": ("43/45, 10/60", "43/45, 11/60", 1, 2),
    # the classifier needs the model's agreement at 0.26 (a heavy pot, a cat's scratch); a divorce on account
    # of DV is past
    "heldout23": ("45/45, 6/60", "45/45, 10/60", 1, 2),
    # idioms of exaggeration (「殺人級」「ショック死」「北風に殺される」) and a smoke alarm are masks
    "heldout24": ("45/45, 6/60", "45/45, 9/60", 1, 3),
    # a payout asked about by someone gone tonight, medicine gathered, days without food given, a team's loss
    "heldout25": ("43/45, 5/60", "44/45, 9/60", 1, 2),
}


@pytest.mark.parametrize("name", sorted(SESSION15_SEALED))
def test_session15_sealed_sets(detector: CrisisDetector, name: str) -> None:
    """Floors against regressions on the sets once counted unread (figures in SESSION15_SEALED)."""
    *_, most_missed, most_alarms = SESSION15_SEALED[name]
    missed, alarms, crises, plain = held_out(detector, name)
    assert (crises, plain) == (45, 60), "the set is not edited after it was measured"
    assert len(missed) <= most_missed, missed
    assert len(alarms) <= most_alarms, alarms


def test_the_lead15_set(detector: CrisisDetector) -> None:
    """crisis_lead15 / noncrisis_lead15: written by the lead in session 15 from the pattern of a sealed set's
    false alarms (counted only in aggregate: everyday strain laughed off, past harm told as past) and a
    resident trial: 21/23 caught and 17/59 false urgent before the round, 23/23 and 2/59 after (tuned on)."""
    missed, alarms, crises, plain = held_out(detector, "lead15")
    assert (crises, plain) == (23, 59)
    assert not missed, missed
    assert len(alarms) <= 3, alarms


def test_a_child_hit_by_a_partner_is_the_childs_crisis(detector: CrisisDetector) -> None:
    """A partner's blows that fell on a child are the child's crisis (189 first, no words to the parent as
    the one hurt); when the speaker was hurt too, both kinds; danger from an ex gets DV's all-night line."""
    child = detector.assess("同居してる彼が息子を叩いてるのを見た。背中が赤くなってた")
    assert child is not None and child.kinds[0] == "child_abuse_other" and "dv" not in child.kinds
    both = detector.assess("夫が娘を蹴って、止めた私も髪をつかまれた")
    assert both is not None and {"dv", "child_abuse_other"} <= set(both.kinds)
    ex = detector.assess("元夫がいま玄関の前にいる。ドアを叩いてる")
    assert ex is not None and {"danger", "dv"} <= set(ex.kinds)
    stranger = detector.assess("知らない男にずっと後をつけられてる、今コンビニに逃げ込んだ")
    assert stranger is not None and "dv" not in stranger.kinds


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("I am thinking about suicide", "suicide"),
        ("suicide", "suicide"),
        ("Sometimes I just want to disappear", "suicide"),
        ("My ex is hitting me and the kids", "dv"),
    ],
)
def test_session15_english_crises(detector: CrisisDetector, text: str, kind: str) -> None:
    found = detector.assess(text)
    assert found is not None and kind in found.kinds, found
    assert detector.assess("I read an article about suicide prevention at school") is None


def test_a_reply_thanks_once(detector: CrisisDetector) -> None:
    reply = detector.reply(["dv", "child_abuse_other", "suicide"], NIGHT)
    assert reply.count("ありがとうございます") == 1, reply
    assert "お子さんの安全を守るために相談してください。" in reply


# ---- the thirteenth round ----------------------------------------------------------------------------------
THIRTEENTH_ROUND_WORDINGS = [
    # stopping living; 博多 「〜たか」 rewritten to 「〜たい」 (standard_forms)
    ("もう生きるのやめたい", "suicide"),
    ("生きることをやめようと思う", "suicide"),
    ("生きるのやめたかー", "suicide"),
    # a goodbye with no more contact, then the children entrusted
    ("さよなら。もう会わんけん、子どものことだけは頼むね", "suicide"),
    ("もう連絡しないから。子どもたちのことはよろしく", "suicide"),
    ("二度と戻らん。娘のことお願い", "suicide"),
    # a partner or relative who shuts the child in or out
    ("彼氏がうちの息子を押し入れに閉じ込める", "child_abuse_other"),
    ("夫は娘を夜ベランダに締め出す", "child_abuse_other"),
    ("上の子を物置に閉じ込めてる継父", "child_abuse_other"),
    # a heart that has died
    ("心が死んだみたい", "despair"),
    ("こころがしんでる", "despair"),
    # a farewell letter to the children, "we will not meet again", the track or a train as an end
    ("子どもらへのお別れの手紙、書いてしもた", "suicide"),
    ("みんな元気でね。もう会うこともないけど", "suicide"),
    ("電車に飛び込んだら全部終わるのかな", "suicide"),
    # on purpose to one's own body; wrists in kana
    ("自分の腕にわざとやけどさせた", "self_harm"),
    ("またてくびきっちゃった", "self_harm"),
    # a baby left in the car; a relative on the child's face, meals withheld
    ("寝てる赤ちゃんを車に置いたまま買い物に行った", "child_abuse_risk"),
    ("義母が娘の顔をつねってる", "child_abuse_other"),
    ("継母が息子にご飯をあげないことがある", "child_abuse_other"),
    # 関西 「どつく」, a neck squeezed without を
    ("元彼にまたどつかれた", "dv"),
    ("夫に首しめられて息ができなかった", "dv"),
    # followed, an ex waiting at the door or on his way
    ("知らない車にずっとつけられてる", "danger"),
    ("別れた夫が部屋の前で待ってます", "danger"),
    ("別れた彼から今から家に行くって", "danger"),
    # drugged; called to a room and unable to refuse
    ("飲み物に薬を盛られたかもしれない", "sexual_violence"),
    ("先輩の部屋に呼ばれて、断れなかった", "sexual_violence"),
    # out of the house and nowhere to sleep
    ("夫に追い出された。子どもと寝る場所がない", "no_place_tonight"),
    ("家を飛び出してきたけど、今夜泊まれるところありますか", "no_place_tonight"),
    # 名古屋 「〜てまった」, 「〜てぇ」 for 「〜たい」
    ("息子をたたいてまった", "child_abuse_risk"),
    ("しにてぇ", "suicide"),
    ("もう消えてえな", "despair"),
    # 名古屋 でかん, 岡山 おえん, 広島 いけん (だめ)
    ("もうでかんかも", "despair"),
    ("もうおえんかもしれん", "despair"),
    ("もういけんかも…", "despair"),
    # held down by a partner or an ex, said a sentence after naming him
    ("彼氏に押さえつけられて動けなかった", "dv"),
    ("元夫がまた来た。この前は押さえつけられた", "dv"),
]


NOT_RULE_CRISES_THIRTEENTH = [
    # a parent taking the child's tablet away; a chore left for tomorrow
    "息子がゲームばかりで、タブレット取り上げたら泣いた",
    "洗い物は今日はもう無理。明日やる",
    # the child entrusted for an afternoon, or the words reported: an errand, no farewell
    "明日は子どものこと頼むね",
    "元夫にもう連絡しないでって言った。養育費の話は弁護士さんに頼む",
    "夫が子どもを迎えに行ってくれる。今日は娘のことよろしくって頼んだ",
    # a letter to a teacher, a parcel at the door, a child at play, an ex who pays, a plan to move out
    "卒業する先生へのお別れの手紙を子どもと書いた",
    "部屋の前で宅配の人が待ってます",
    "子どもが自分の手をわざと冷たい水につけて遊んでる",
    "元夫とはもう会うこともないけど、養育費は振り込まれてる",
    "家を出て一人暮らしを始めたい。寝る場所は狭くてもいい",
    # 「〜てぇ」 that is no wish to die or vanish
    "ちょっと待ってえな",
    "ベランダに洗濯物を出したまま寝てしまった",
    "行きてぇな、温泉",
    "明日はいけんかも",
    "息子にプロレスごっこで押さえつけられて負けた",
]


FOURTEENTH_ROUND_WORDINGS = [
    # a young child left alone at night while the parent works
    ("夜は三歳の子をひとりで寝かせて、夜勤に出てる", "child_abuse_risk"),
    ("娘を夜ひとりで置いて仕事に行ってる", "child_abuse_risk"),
    # out today and nowhere to go next; the money for a night's shelter run out
    ("今日中に出ていかないといけない。次の行き先がない", "no_place_tonight"),
    ("漫喫のお金がもう尽きそう。明日からどうしよう", "no_place_tonight"),
    # a partner who hits, said in the active
    ("旦那は酔うと物を投げたり殴ったりする", "dv"),
    ("彼氏が怒ると私を蹴ってくる", "dv"),
    # a child held down, silenced, shut in a cupboard
    ("保育園で息子が先生に押さえつけられてたらしい", "child_abuse_other"),
    ("娘が口をふさがれたって泣いてる", "child_abuse_other"),
    ("継父に押し入れに入れられるって息子が言う", "child_abuse_other"),
    # holding on only until a date; a relationship kept up under a threat
    ("運動会までは頑張る。終わったらもういいや", "suicide"),
    ("上司に関係を続けさせられてる", "sexual_violence"),
]


NOT_RULE_CRISES_FOURTEENTH = [
    # children among themselves, a knock in a game, an animal that struggles
    "うちの子が公園でお友達に叩かれたって泣いて帰ってきた",
    "野球の練習でボールを当てられて、顔が腫れてる",
    "暴れる猫をタオルでくるんで病院に連れて行った",
    "子どもに叩かれた。まだ一歳で力加減を知らない",
    # a chore one has no energy for, a sore back, a room too untidy to lie down in
    "お風呂掃除する気力もない。明日にする",
    "雪かきで腰が限界。湿布貼って寝る",
    "床が見えないほど散らかってて、寝る場所もない",
    # a DV question put as a condition, a question about a brother, a past one has vowed not to repeat
    "DVで別居した場合、児童手当の受給者は変えられますか",
    "虐待の相談は匿名でも受け付けてもらえますか。弟のことで",
    "昔は親に叩かれてたけど、自分の子には絶対しないと決めてる",
]


@pytest.mark.parametrize(("text", "kind"), FOURTEENTH_ROUND_WORDINGS)
def test_fourteenth_round_wordings_are_caught_by_rules_alone(
    detector: CrisisDetector, text: str, kind: str
) -> None:
    found = detector.assess(text)
    assert found is not None and kind in found.kinds, (text, found)


@pytest.mark.parametrize("text", NOT_RULE_CRISES_FOURTEENTH)
def test_fourteenth_round_ordinary_lines_are_no_crisis(detector: CrisisDetector, text: str) -> None:
    assert detector.assess(text, detector.embed(text)) is None


@pytest.mark.parametrize(
    "text",
    [
        # corrected or advised in the passive, 「もう」, a sibling quarrel, 名古屋 「えらい」,
        # the neighbourhood, a child's friendships, anger at the ex about money (`everyday_strain`)
        "PTAの会議で、役員なのに遅刻したって注意された。仕事だったのに",
        "母に、子どもの服装のことでまた口出しされた。もう放っておいて",
        "もう今月三回目の呼び出し。息子が授業中に寝てるらしい",
        "兄弟げんかの仲裁で一日終わった。えらかった",
        "町内会の当番、休日の朝からでしんどい",
        "娘が友達グループで仲間はずれにされてるみたい。見守るしかないのかな",
        "上司に叱られた。今日はもう何もしたくない",
        "元旦那が養育費払わないくせに、子どもにはゲーム買い与えてる。腹立つ",
    ],
)
def test_everyday_strain_in_the_passive_or_with_mou_opens_no_urgent_thread(
    detector: CrisisDetector, text: str
) -> None:
    assert detector.assess(text, detector.embed(text)) is None


@pytest.mark.parametrize(
    "text",
    [
        # the same settings with real harm: touched at school, pushed down at work, despair, shut outside
        "娘の担任に放課後、二人きりの教室で体を触られたって娘が言ってる",
        "職場の先輩に倉庫で押し倒された。誰にも言えない",
        "もう仕事も家事も全部どうでもいい。消えたい",
        "宿題しないと、彼氏が息子をベランダに出す。今日も",
    ],
)
def test_a_passive_with_real_harm_or_mou_with_despair_stays_a_crisis(
    detector: CrisisDetector, text: str
) -> None:
    assert detector.assess(text, detector.embed(text)) is not None


@pytest.mark.parametrize(
    "text",
    [
        # homework and videos, a call from school, night shifts, a moody boss, money, an ex's payment late,
        # bedtime, a phone bill (crisis.yaml `everyday_strain`)
        "娘が宿題やらずに動画ばかり。毎晩口うるさく言って、こっちがへとへと",
        "学校から息子が授業中にしゃべりすぎと連絡があった。家で話そう",
        "夜勤続きで子どもと顔を合わせる時間がない。寂しがってないかな",
        "パート先の店長の機嫌が悪くて、一日中ぴりぴりしてた",
        "家賃と光熱費払ったら今月ほとんど残らない。節約しなきゃ",
        "元夫からの養育費、今月もまだ。連絡するのも気が重い",
        "下の子の寝かしつけに一時間。自分の時間がまったくない",
        "子どもの携帯代が高い。格安に変えるか相談したい",
    ],
)
def test_everyday_strain_is_not_made_a_crisis_by_the_classifier(detector: CrisisDetector, text: str) -> None:
    assert detector.assess(text, detector.embed(text)) is None


@pytest.mark.parametrize(
    "text",
    [
        # the same settings, with something done, a child left locked in, someone coming and shouting
        "職場の飲み会のあと上司に車で送られて、やめてって言ったのに服の中に手を入れられた",
        "夜勤の間、子どもだけ家に置いたまま外から鍵かけてる",
        "元夫が職場の前で待ってて、子どもを連れて行くって叫んでた",
        "宿題しない息子を叩いてしまった。止められない",
        # relief by an end, a family better off without one, something forced (the lead's lead10 misses
        # after the fourteenth round, in other words)
        "仕事も家事も疲れた。いっそ電車に飛び込んだら楽になれるのかな",
        "上の子の習い事の送迎もしんどい。家族は私がいないほうが楽だと思う",
        "会社の先輩に無理やり部屋に連れ込まれた。誰にも言えない",
        # harming oneself said with 傷つける (not hurt feelings, 傷つく), not waking again (heldout13's
        # misses after the fourteenth round, in other words)
        "部活の送迎も家事も疲れた。夜になると腕を傷つけてしまう",
        "毎晩の寝かしつけでしんどい。このまま朝起きなくていいや",
    ],
)
def test_everyday_strain_saying_more_stays_a_crisis(detector: CrisisDetector, text: str) -> None:
    """`everyday_strain` keeps only the classifier from flagging, not a line that says more (`unless`)."""
    assert detector.assess(text, detector.embed(text)) is not None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        *INDIRECT_WORDINGS,
        *LEAD_FOUND_WORDINGS,
        *KANA_DIALECT_INTENTION_WORDINGS,
        *TWELFTH_ROUND_WORDINGS,
        *THIRTEENTH_ROUND_WORDINGS,
    ],
)
def test_wordings_are_caught_by_rules_alone(detector: CrisisDetector, text: str, kind: str) -> None:
    """The rules run when the event is accepted, before any vector: these wordings need no classifier."""
    found = detector.assess(text)
    assert found is not None and kind in found.kinds, (text, found)


@pytest.mark.parametrize(
    "text",
    [
        *NOT_RULE_CRISES_LEAD,
        *NOT_RULE_CRISES_TWELFTH,
        *NOT_RULE_CRISES_THIRTEENTH,
        # help asked with money, in little Japanese (found in the emulator)
        "わたし にほんご すこし。こども 1にん。おかね たすけて ほしい",
        "生活費を助けてもらえる制度はありますか",
    ],
)
def test_wordings_that_are_no_rule_crisis(detector: CrisisDetector, text: str) -> None:
    assert detector.assess(text) is None


# ---- the lead's round after the sixteenth ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("I want to die", "suicide"),
        ("I cut myself again last night", "self_harm"),
        ("I can't go on like this", "despair"),
        ("I'm afraid I will hurt my baby", "child_abuse_risk"),
        ("My boyfriend hits my son", "child_abuse_other"),
        ("My husband hits me every day", "dv"),
        ("Someone is following me right now", "danger"),
        ("I was raped by my boss", "sexual_violence"),
        ("I have no place to sleep tonight with my kids", "no_place_tonight"),
    ],
)
def test_a_crisis_written_in_english_is_recognised_by_the_rules(text: str, kind: str) -> None:
    """A resident who writes in English (the rules run without spaces: 「iwanttodie」) gets the same lines."""
    found = CrisisDetector.load().assess(text)
    assert found is not None and kind in found.kinds


@pytest.mark.parametrize(
    "text",
    [
        "夫が自殺して一年。遺族年金の手続きを教えてください",
        "『殺すぞ』ってゲームしながら息子が叫んでる",
        "転んでできたあざで、保育園に虐待を疑われないか心配",
        "子どもを叩いたりはしてないです。ただ声が大きくなるのが悩み",
        "自分を傷つけたいわけじゃなくて、とにかく眠れないのがつらい",
        "付き合っていた人に殴られたこともあったけど、もう昔の話です",
        "娘が学校の劇で叩かれる役をやるらしい",
        "Where can I get help for domestic violence?",
    ],
)
def test_a_loss_a_game_a_fear_of_suspicion_a_negation_or_a_past_opens_no_urgent_thread(
    detector: CrisisDetector, text: str
) -> None:
    """Seen in sealed sets (lead12, heldout16) after the sixteenth round, written here in other words."""
    assert detector.assess(text, detector.embed(text)) is None


@pytest.mark.parametrize(
    ("text", "child_named"),
    [
        ("娘の体に知らないあざが増えてて、聞いても答えない。別れた夫のところに泊まった後はいつもそう", True),
        ("夫に殴られて、かばった息子もけがをした", True),
        ("夫に殴られています", False),
        ("おっとになぐられて、かばったむすこもけがをした", True),
    ],
)
def test_a_child_hurt_beside_an_adults_crisis_brings_the_childs_lines(
    detector: CrisisDetector, text: str, child_named: bool
) -> None:
    """Seen in the emulator: the bruised daughter was read as DV and nowhere to sleep, with no 189."""
    found = detector.assess(text, detector.embed(text))
    assert found is not None
    assert ("child_abuse_other" in found.kinds) is child_named
    lines = "\n".join(detector.contact_lines(found.kinds, datetime(2026, 12, 1, 12, 0, tzinfo=TOKYO)))
    assert ("189" in lines) is child_named


# ---- the lead's round of session 13 ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # a young child left alone at night or in the car while the parent works or plays
        ("夜勤の仕事が入ってしまって、2歳の娘を朝まで家に一人で寝かせて出ています", "child_abuse_risk"),
        ("仕事に行く間、1歳の子を車の中に置いておくしかないんです", "child_abuse_risk"),
        ("寝てる3歳と1歳を置いて、夜のバイトに出てる。誰にも言えない", "child_abuse_risk"),
        ("赤ちゃんを車に寝かせたままパチンコしてしまった", "child_abuse_risk"),
        # a farewell with the arrangements made, an ending set for tonight
        (
            "子どもたちに、ママは遠くに行くけど元気でねって手紙を書きました。実家の母にも後のことは頼んであります",
            "suicide",
        ),
        ("お母さんにあとのことは頼んだ。子どもたちへの手紙も机に置いた", "suicide"),
        ("今夜で全部おしまいにします", "suicide"),
        ("明日で全部終わりにします。今までありがとう", "suicide"),
        # slapped (はたく), an eviction due today with nowhere to go
        ("夫に顔をはたかれた、これで三回目", "dv"),
        ("彼氏に頭をはたかれて耳が聞こえにくい", "dv"),
        ("アパートを今日中に立ち退けって言われて、子どもと行く先がない", "no_place_tonight"),
        # long messages whose crisis is one sentence among ordinary talk, in other words than lead14's
        ("兄が酔うと私と子どもを蹴るので、家にいたくない", "danger"),
        ("太ももをはさみで切ってしまう癖が治らない", "self_harm"),
        ("この子と一緒に死のうかと、ベランダに立ってた", "suicide"),
        ("私にかけてる保険で子どもの生活費は足りるはず。だからそれでいいよね", "suicide"),
        ("旦那に携帯を毎日確認されて、返信が遅いと皿を投げつけられる", "dv"),
        ("泣き止まない赤ちゃんを揺さぶりそうで怖い", "child_abuse_risk"),
        ("カッとなって息子を床に叩きつけてしまった", "child_abuse_risk"),
        ("娘が、おじさんとの内緒だからと言って、お股が痛いと言う", "child_abuse_other"),
        # told to die by a partner; one's own wish to die laughed off is still read
        ("夫に「死ね」と笑いながら言われる毎日です", "dv"),
        ("「もう死にたい」って笑ってごまかすけど本当はつらい", "suicide"),
        # heldout17's classes in other words
        ("別れた人から『今から家に火つけに行く』ってメッセージ", "danger"),
        ("夜中にカミソリで自分の脚を切ってしまう", "self_harm"),
        ("夫に首に手を回されて苦しかった", "dv"),
        ("彼氏が酔うと私の髪を掴んで床に引きずる", "dv"),
        ("娘の足をわざとつねってしまう自分が怖い", "child_abuse_risk"),
        ("赤ちゃんのミルク、昨日から一日中あげてない", "child_abuse_risk"),
        ("近所の子、夜中まで家に大人がいなくて一人で泣いてる", "child_abuse_other"),
        ("毎日何のために働いてるのかもうわからない", "despair"),
        ("飲み会で眠ってる間にやられたかもしれない", "sexual_violence"),
        ("アフターピルってどこで買えますか、昨日無理やりされて", "sexual_violence"),
        # heldout18's classes in other words
        ("さっきから別れた夫がドアを叩き続けてる、出ていかない", "danger"),
        ("私はもうこの世に長くいるつもりがないので、子どものことをお願いしたい", "suicide"),
        ("橋の上にいる。飛び込んでしまおうか迷ってる", "suicide"),
        ("取引先の人に性的な関係を求められて断れなかった", "sexual_violence"),
        ("息子が、父親の家でご飯を食べさせてもらえないって泣いてた", "child_abuse_other"),
        ("今夜から車中泊するしかない、子ども二人連れて", "no_place_tonight"),
        ("もう起き上がる力も残ってない", "despair"),
        ("何をやっても無駄だし、朝なんか来なければいいのに", "despair"),
        # tried in the emulator: an ex calling all night and his car outside in the morning; crying alone
        (
            "元夫から昨日の夜ずっと非通知で電話がきてて、今朝はアパートの前にあの人の車がありました",
            "danger",
        ),
        ("別れた彼から一晩中着信があって、朝起きたら職場の駐車場に元彼の車が停まってた", "danger"),
        ("正直、毎晩泣いてます。お金のことも仕事のことも全部一人で、誰にも相談できない", "despair"),
    ],
)
def test_session13_wordings_are_caught(detector: CrisisDetector, text: str, kind: str) -> None:
    """Seen in the emulator (a resident's trial) and in sealed sets, written here in other words."""
    found = detector.assess(text, detector.embed(text))
    assert found is not None and kind in found.kinds, found


@pytest.mark.parametrize(
    "text",
    [
        "昨日は死んだように眠った。久しぶりにすっきり",
        "心臓が止まるかと思った、子どもがスーパーで迷子になって",
        "亡くなった祖母の年金の手続きが分からない",
        "出産のとき死ぬかと思うほど痛かった",
        "息子が怒って『お母さんなんか死んじゃえ』って言った。五歳です",
        "離婚は話し合いで決まりました。暴力などの心配はないです。養育費の取り決め方を知りたい",
        "自分も親に殴られて育ったので、子どもには絶対しないと決めてます",
        "子どもの頃、父に叩かれて育ちました。今は関係ありませんが、育児講座を探しています",
        "布団をはたいて干したらくしゃみが止まらない",
        "あぱーとの更新料が高い。住宅の補助ってある？",
        "明日でパートを終わりにします。次の仕事を探してます",
        "今日で保育園の慣らし保育おしまい！",
        "父が昔は私を叩いてたけど、今は孫に甘いおじいちゃん",
        "元夫に電話したら怒鳴られるのが憂鬱で、養育費の催促ができない",
        "息子がクラスの子を押してケガさせてしまった。学校に呼ばれた",
        "段ボールをカッターで切ってたら指を少し切った",
        "子どもと一緒に楽しく過ごせる場所を探してる",
        "PTAのくじで会長に決まった。もう死ぬしかない（笑）",
        "娘がテストの点が悪くて『死にたい〜』ってふざけてた",
        "DV相談窓口の電話番号を友達に教えたい",
        "もし私が病気で亡くなったら子どもはどうなる？遺言書の書き方を知りたい",
        "子どもが寝てる間に洗濯と掃除を済ませた",
        "映画で主人公が殴られるシーンを子どもと見てしまった",
        "書類の手続きがややこしくて心が折れそうです",
        "洗濯物ほったらかしでゴロゴロしてる休日",
        "子どもが毎晩泣いて起きるので、誰にも頼れず寝不足です",
    ],
)
def test_session13_idioms_quotes_and_pasts_open_no_urgent_thread(detector: CrisisDetector, text: str) -> None:
    """Sleeping like the dead, a heart that nearly stopped, a late grandmother's pension, a child's angry
    words, a worry ruled out, a childhood told and left behind: ordinary lines in crisis words."""
    assert detector.assess(text, detector.embed(text)) is None


def test_a_child_unfed_for_days_beside_a_parents_despair_brings_189(detector: CrisisDetector) -> None:
    text = "私が起き上がれなくて、上の子がもう2日ごはんを食べていません"
    found = detector.assess(text, detector.embed(text))
    assert found is not None and "child_abuse_other" in found.kinds, found


def test_a_crisis_in_an_urgent_thread_keeps_the_threads_kinds(detector: CrisisDetector) -> None:
    found = detector.assess("今夜寝る場所がない")
    assert found is not None and "suicide" not in found.kinds
    kept = detector.with_earlier(found, ["suicide", "abuse"])
    assert kept.kinds[: len(found.kinds)] == found.kinds
    assert {"suicide", "child_abuse_risk", "child_abuse_other"} <= set(kept.kinds)
    assert detector.with_earlier(found, []) is found


def test_kana_messages_are_read_from_many_threads_at_once() -> None:
    """The triage reads a queued message while worker threads read others: one Sudachi tokenizer may not be
    used by two threads at once (seen in a full run: a resident's 「シングルマザーです」 got the apology)."""
    texts = [
        "シングルマザーです",
        "おっとにまたなぐられた",
        "こんやねるところがありません",
        "すいみんやくためてる",
    ] * 100
    expected = [reading(text) for text in texts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(reading, texts)) == expected

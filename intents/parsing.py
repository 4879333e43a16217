"""Household facts from a resident's own words ("小学生と保育園の子がいるシングルマザーです").

Residents rarely answer one question at a time; whatever a sentence says is taken, and the dialogue skips
the questions it already answers. The rules are deliberately plain keyword rules: every one of them can be
read, tested and corrected by a person, and a miss only means one more question is asked.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from intents.catalogue import Places
from intents.facts import Facts

# School stages → a representative age within the stage, and how the stage reads back to the resident.
STAGE_AGES = {"infant": 0, "preschool": 3, "elementary": 9, "junior_high": 13, "high_school": 16, "adult": 20}
STAGE_PATTERNS = (
    ("infant", r"赤ちゃん|乳児|新生児"),
    ("preschool", r"保育園|保育所|幼稚園|こども園|未就学|幼児"),
    ("elementary", r"小学生|小学校"),
    ("junior_high", r"中学生|中学校"),
    ("high_school", r"高校生|高校"),
    ("adult", r"大学生|大学院生|大学に通|短大|専門学校|成人した|社会人"),
)
# A school year is more precise than a stage: 小3 → 8 years old, the age a child has for most of that year.
# A bare 小/中/高 must not follow another kanji (「別居中2人」 is not a junior-high pupil).
GRADE_PATTERNS = (
    (r"小学校?(\d)年?|(?<![\u4e00-\u9fff])小(\d)", 5),
    (r"中学校?(\d)年?|(?<![\u4e00-\u9fff])中(\d)(?!\d)", 11),
    (r"高校(\d)年?|高等学校(\d)年?|(?<![\u4e00-\u9fff])高(\d)(?!\d)", 14),
    (r"(?:大学|短大|短期大学|専門学校)(\d)年", 17),
)
# A child who has just started a school is in its first year (「小学校に入学したばかり」 → 6).
STARTED_SCHOOL = (
    (r"小学校?に(?:入学|あが|上が)(?:った|りました|した|しました|して)", 6),
    (r"中学校?に(?:入学|あが|上が)(?:った|りました|した|しました|して)", 12),
    (r"高校に(?:入学|あが|上が)(?:った|りました|した|しました|して)", 15),
)
KINDERGARTEN_YEARS = {"年少": 3, "年中": 4, "年長": 5}
# A stage word right before the precise year it names (「保育園の年中」, 「高校の2年」) is the same child.
SAME_CHILD = re.compile(r"^(?:の|に通う|に通っている|で|・|は|が)?(?:生後)?$")
# A school the child is heading to, not attending (「高校に進学」), or a place the resident is looking for
# (「保育園と学童を探しています」) names no child.
HEADING_TO = re.compile(
    r"^(?:[とや][^。、!?]{0,6})?(?:に|へ|を|が|の)?"
    r"(?:進学|受験|入学|行か|行き|入れ|入り|探|見つ|申し込|申込|預け|空|決まら|落ち)"
)
NO_CHILDREN = (
    r"子(?:ども|供)?は(?:いない|いません|おらず)"
    r"|子(?:ども|供)?(?:たち|達)?(?:が|は)?(?:もう|すでに|既に|みな|みんな)?(?:成人|独立)"
)
NUMBER_WORDS = str.maketrans("〇一二三四五六七八九", "0123456789")
# Kanji numbers are read as digits only where they count or give an age, so 七尾市 stays 七尾市.
KANJI_NUMBER = re.compile(r"[〇一二三四五六七八九](?=\s*(?:人(?!親)|歳|才|年|か月|ヶ月|カ月|つ))")
# 「生後6か月」「6か月の娘」「下の子は6か月です」 are a baby; 「6か月前に離婚」「3か月止まって」 are not: a
# count of months is an age only after 生後 or where a sentence would stop or go on to the child.
AGE = re.compile(
    r"(\d{1,2})\s*(?:歳|才)"
    r"|(?:生後\s*)(\d{1,2})\s*(?:か月|ヶ月|カ月)"
    r"|(\d{1,2})\s*(?:か月|ヶ月|カ月)"
    r"(?=の(?!間|うち|分)|と|です|でした|だ|に(?:なる|なった|なり)|児|の?赤|ちゃん|[、。,.!！?？)\s]|$)"
)
SELF_AGE = re.compile(
    r"(?:私|わたし|自分|僕|ぼく|俺)は?\s*(\d{1,2})\s*(?:歳|才)|(\d{1,2})\s*(?:歳|才)の(?:母|父|ママ|パパ|シングル|私|女性|男性)"
)
COUNT_AFTER = re.compile(
    r"(?:生|児)?(?:に通う|に通っている|の)?(?:子ども|子供|子|息子|娘|男の子|女の子)?(?:が|は|も)?\s*(\d)\s*人"
)
EACH = re.compile(r"(\d)\s*人ずつ")
# A stage or school year and the age said with it are one child: 「中学2年生(13歳)」「中学生の子(14歳)」
# 「中学生で13歳」 (the stage first) and 「13歳の中学生」「13歳で中1」 (the age first).
STAGE_THEN_AGE = re.compile(r"生?(?:の(?:子ども|子供|こども|子|息子|娘))?\s*(?:\(\s*|で)")
AGE_THEN_STAGE = re.compile(r"(?:の|で)")
# How such a child is written for the resident's summary and the counselor (dialogue.children reads it back).
STAGE_AND_AGE = "{stage}({age}歳)"
# 三つ子 reads 3つ子 once kanji numbers are digits.
MULTIPLE_BIRTH = (("双子", 2), ("ふたご", 2), ("3つ子", 3), ("みつご", 3))
MAX_CHILD_AGE = 25

PARENT_RULES = (
    ("guardian", r"祖母|祖父|おばあ|おじい|孫|養育者|里親|叔母|伯母"),
    ("widow", r"寡婦"),
    (
        "mother",
        r"シングルマザー|母子家庭|母子世帯|ママ|母親|母です|母として|母ひとり|女手|元夫|(?<![丈工])夫(?!婦)|未婚の母"
        r"|産み|産んだ|出産|妊娠|主人|旦那|主婦",
    ),
    ("father", r"シングルファー?ザー|父子家庭|父子世帯|パパ|父親|父です|父として|父ひとり|男手|元妻|妻"),
)
SITUATION_RULES = (
    ("bereaved", r"亡くな|亡くし|死別|他界|死亡|急逝|(?:夫|妻|主人|旦那|配偶者)が(?:なくな|死ん)"),
    # Still married: living apart, or a divorce in mediation, is "separated" whatever else is said.
    (
        "separated",
        r"別居|調停中|調停をして|離婚調停|家を出|身を寄せ|避難して|シェルター"
        r"|(?:夫|妻|主人|旦那|配偶者)(?:の[^。]{0,6})?から逃げ",
    ),
    (
        "considering_divorce",
        r"離婚を(?:考え|検討|迷)|離婚したい|離婚(?:する|の)?予定|離婚前|離婚するか|これから離婚|離婚に向け"
        r"|別れたい|別れようと|別れるか|離婚協議|協議離婚(?:を|の)?(?:話し合|準備)",
    ),
    (
        "single",
        r"離婚し|離婚済|離婚後|離婚して|離婚が成立|離婚成立|離婚歴|バツイチ|元夫|元妻|前夫|前妻|(?:夫|妻)と別れ"
        r"|シングル|ひとり親|一人親|母子家庭|父子家庭|未婚|独身"
        r"|結婚(?:は)?して(?:い)?(?:ない|ません)|籍を入れて(?:い)?(?:ない|ません)"
        r"|(?:年|か月|ヶ月|カ月)前に離婚|離婚(?=[。、\s]|$)",
    ),
    # Still married and living together: single-parent programs are not theirs.
    (
        "married",
        r"結婚(?:は|も)?して(?:い|お)(?:ます|る|て)|既婚|夫婦(?:で|共|二人)|共働き"
        r"|(?:夫|妻|主人|旦那)と(?:一緒に)?(?:暮らして|住んで|同居)",
    ),
)
# 「祖父母と同居している母子家庭」: grandparents who live with the family do not make the speaker a guardian.
LIVING_WITH = re.compile(r"(?:祖父母|祖母|祖父|両親|実家の親|義母|義父)(?:と|が)(?:同居|一緒|暮ら|住ん|近く)")
# 「手当は受給しています」 in a single parent's words is 児童扶養手当; 児童手当 (every family's) is not.
ALLOWANCE_WORD = re.compile(r"扶養手当|(?<![\u4e00-\u9fff])手当")
EMPLOYMENT_RULES = (
    (
        "job_seeking",
        r"求職|(?:仕事|職|パート|アルバイト|バイト|働き口|勤め先|正社員の仕事)(?:を|は|も)?探|職探し|就活|就職活動|失業"
        r"|仕事がない|仕事を辞め|仕事を失|解雇|雇い止め",
    ),
    ("full_time", r"正社員|正規雇用|常勤|正職員|正規(?:の)?職員"),
    ("part_time", r"パート|アルバイト|バイト|非正規|派遣"),
    ("self_employed", r"自営|フリーランス|個人事業"),
    (
        "not_working",
        r"無職|働いて(?:い)?(?:ない|ません)|働けない|仕事(?:を|は)?して(?:い)?(?:ない|ません)|専業主[婦夫]"
        r"|年金(?:暮らし|生活)",
    ),
)
NEED_RULES = (
    ("money", r"お金|生活費|生活が苦し|家計|収入が少|貯金|経済的"),
    ("loan", r"借り|貸付|貸し付け|融資|ローン"),
    (
        "job",
        r"仕事を(?:探|見つけ|したい|始め|変え)|仕事が(?:したい|見つから|ない)|仕事の相談|就職|転職|働きたい|求人|ハローワーク|職探し"
        r"|仕事(?:の|が)?(?:こと|悩み|不安)|仕事と(?:子育て|育児)の?両立|(?:子育て|育児)と仕事の?両立",
    ),
    ("qualification", r"資格|看護師|介護福祉士|保育士|講座|スキル|学び直"),
    (
        "childcare",
        r"預け|預かり|学童|放課後|託児|シッター|入園|保育(?:園|所)に入|保育(?:園|所)を探|延長保育|病児保育"
        r"|両立",
    ),
    ("education", r"進学|学費|教育費|塾|奨学金|修学|入学|授業料|学習支援"),
    ("housing", r"住まい|住宅|引っ越|転居|家賃|アパート|住む(?:所|ところ|場所)|住むとこ"),
    ("child_support", r"養育費"),
    ("medical", r"医療費|病院|通院|入院|治療"),
    ("legal", r"弁護士|法律|調停|親権|慰謝料|財産分与|面会交流|親子交流|離婚の(?:手続|相談)"),
    ("dv", r"DV|暴力|殴|蹴|怒鳴|モラハラ|脅さ|脅し|逃げ"),
)
CIRCUMSTANCE_RULES = (
    ("dv", r"DV|暴力|殴|蹴|モラハラ|脅さ|脅し"),
    ("traffic_accident", r"交通事故|事故で|事故に"),
    ("disaster", r"災害|地震|震災|豪雨|被災|津波|労災|労働災害"),
    ("illness", r"病気|障害|障がい|持病|闘病"),
)
# 「住民税はかかっていません」「課税されていない」: the same as 非課税.
TAX_NOT_CHARGED = (
    r"(?:住民税|市民税)(?:は|も)?.{0,4}(?:課税されて|かかって|払って|納めて)(?:い)?(?:ない|ません)"
)
RECEIVING = r"受給中|受給して(?:い|お|ま)|(?:もらっ|貰っ|受け取っ|受け|いただい|頂い)て(?:い|お|ま)|もらえて"
NOT_RECEIVING = (
    r"(?:受給|もらっ|貰っ|受け取っ|受け|もらえ)て(?:い)?(?:ない|ません)|受給していない|もらえなかった"
    r"|もらえ(?:ない|ません)|受けられ(?:ない|ません)"
)
APPLYING = r"申請中|申請し(?:た|ました|ている)|手続き?中|手続き?をし(?:た|ました|ている)"
# 「まだ申請してない」「手続きはこれから」: not applied yet, so not receiving.
NOT_APPLIED = (
    r"(?:申請|手続き?)(?:は|を|も)?(?:まだ(?!中)|して(?:い)?(?:ない|ません)|これから)"
    r"|(?:まだ|これから)(?:申請|手続き?)(?!き|中)"
)
YES = re.compile(r"(?:はい|うん|ええ)(?![らやなっ])")
NO = re.compile(r"(?:いいえ|ううん|いえ)(?!ー)")
# 「かかってると思う」「払ってません」: a reply to the resident-tax question that need not name the tax.
TAX_CHARGED_REPLY = r"(?:課税されて|かかって|払って|納めて|引かれて)(?:る|い|ま)"
TAX_NOT_CHARGED_REPLY = r"(?:課税されて|かかって|払って|納めて|引かれて)(?:い)?(?:ない|ません)"
# 「正社員ではなくパートです」: the work named with a negation is not the resident's.
NOT_THIS_WORK = re.compile(r"(?:正社員|パート|アルバイト|自営業?|派遣)(?:では|じゃ)(?:なく|ない|ありません)")
PLACE = re.compile(r"([\u4e00-\u9fff\u30a0-\u30ffー]{1,5}[市区町村])(?:に住|在住|住まい|に引っ越|です|から)")


@dataclass
class ParsedText:
    """What one message told us; `child_labels` says how each age was reached ("小学生" → 9)."""

    facts: Facts
    child_labels: list[str] = field(default_factory=list)
    text: str = ""

    @property
    def empty(self) -> bool:
        return not self.facts.known()


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return KANJI_NUMBER.sub(lambda match: match.group(0).translate(NUMBER_WORDS), text)


def parse_facts(text: str, places: Places, stage_labels: dict[str, str] | None = None) -> ParsedText:
    """Every fact a message states; facts it does not mention stay unknown."""
    text = normalise(text)
    values: dict[str, object] = {
        "parent": _first(PARENT_RULES, LIVING_WITH.sub("", text)),
        "situation": _first(SITUATION_RULES, text),
        "municipality": _municipality(text, places),
        "child_allowance": _child_allowance(text),
        "resident_tax": _resident_tax(text),
        "employment": _first(EMPLOYMENT_RULES, NOT_THIS_WORK.sub("", text)),
    }
    needs = _in_order_said(NEED_RULES, text)
    circumstances = _all(CIRCUMSTANCE_RULES, text)
    if "dv" in circumstances and "dv" not in needs:
        needs.append("dv")
    values["needs"] = needs or None
    values["circumstances"] = circumstances or None
    ages, labels = children(text, stage_labels or {})
    values["children_ages"] = ages
    return ParsedText(Facts.from_dict({k: v for k, v in values.items() if v is not None}), labels, text)


@dataclass(frozen=True)
class _Mention:
    """One child (or several, 「小学生が3人」) named somewhere in the text."""

    start: int
    end: int
    age: int
    label: str
    precise: bool


def children(text: str, stage_labels: dict[str, str]) -> tuple[list[int] | None, list[str]]:
    """Children's ages from everything the text names: ages ("5歳"), school years ("小3", "年中") and
    stages ("保育園"); each child counted once ("保育園の年中") and as often as said ("小学生が3人")."""
    if re.search(NO_CHILDREN, text):
        return [], []
    mentions = _with_said_ages(text, _precise_mentions(text), stage_labels)
    mentions += _stage_mentions(text, mentions, stage_labels)
    if not mentions:
        return None, []
    mentions.sort(key=lambda mention: mention.start)
    each = EACH.search(text)
    pairs: list[tuple[int, str]] = []
    for mention in mentions:
        count = int(each.group(1)) if each else _count_after(text, mention)
        count = max(count, _multiple_birth(text, mention))
        pairs.extend([(mention.age, mention.label)] * count)
    pairs.sort()
    return [age for age, _ in pairs], [label for _, label in pairs]


def _precise_mentions(text: str) -> list[_Mention]:
    """Ages and school years; the parent's own age ("私は32歳") is not a child's."""
    own = [match.span() for match in SELF_AGE.finditer(text)]
    taken: list[tuple[int, int]] = []
    mentions: list[_Mention] = []

    def add(start: int, end: int, age: int, label: str) -> None:
        if any(start < b and a < end for a, b in [*own, *taken]) or age > MAX_CHILD_AGE:
            return
        taken.append((start, end))
        mentions.append(_Mention(start, end, age, label, precise=True))

    for match in AGE.finditer(text):
        age = 0 if match.group(2) or match.group(3) else int(match.group(1))
        add(match.start(), match.end(), age, f"{age}歳")
    for pattern, offset in GRADE_PATTERNS:
        for match in re.finditer(pattern, text):
            year = next(group for group in match.groups() if group)
            add(match.start(), match.end(), int(year) + offset, match.group(0))
    for pattern, age in STARTED_SCHOOL:
        for match in re.finditer(pattern, text):
            add(match.start(), match.end(), age, match.group(0))
    for word, age in KINDERGARTEN_YEARS.items():
        for match in re.finditer(word, text):
            add(match.start(), match.end(), age, word)
    return mentions


def _with_said_ages(text: str, mentions: list[_Mention], stage_labels: dict[str, str]) -> list[_Mention]:
    """An age said beside a school year or stage (「中学2年生(13歳)」「13歳の中学生」) is the same child: one
    mention, aged as said, labelled with both, so it is counted once and a counselor reads 中学2年(13歳)."""
    ages = [m for m in mentions if re.fullmatch(r"\d{1,2}歳", m.label) and m.label != "0歳"]
    years = [m for m in mentions if m not in ages]
    words = [  # the word said (保育園(3歳), not 未就学(0〜5歳)(3歳)), except a phrase cut short (大学に通)
        _Mention(
            match.start(),
            match.end(),
            STAGE_AGES[stage],
            _said_stage(match.group(0), stage, stage_labels),
            False,
        )
        for stage, pattern in STAGE_PATTERNS
        for match in re.finditer(pattern, text)
        if not any(match.start() < m.end and m.start < match.end() for m in years)
    ]
    used: list[_Mention] = []
    merged: list[_Mention] = []
    for age in ages:
        partner = next(
            (
                other
                for other in [*years, *words]
                if other not in used
                and (
                    (other.end <= age.start and STAGE_THEN_AGE.fullmatch(text[other.end : age.start]))
                    or (age.end <= other.start and AGE_THEN_STAGE.fullmatch(text[age.end : other.start]))
                )
            ),
            None,
        )
        if partner is None:
            merged.append(age)
            continue
        used.append(partner)
        label = STAGE_AND_AGE.format(stage=partner.label, age=age.age)
        start, end = min(age.start, partner.start), max(age.end, partner.end)
        merged.append(_Mention(start, end, age.age, label, precise=True))
    return merged + [m for m in years if m not in used]


def _said_stage(word: str, stage: str, stage_labels: dict[str, str]) -> str:
    return stage_labels.get(stage, word) if word.endswith("に通") else word


def _stage_mentions(text: str, precise: list[_Mention], stage_labels: dict[str, str]) -> list[_Mention]:
    """Stage words that name a child not already named more precisely next to them."""
    mentions: list[_Mention] = []
    for stage, pattern in STAGE_PATTERNS:
        for match in re.finditer(pattern, text):
            start, end = match.span()
            if any(start < m.end and m.start < end for m in precise) or HEADING_TO.match(text[end:]):
                continue
            if any(
                (m.start >= end and SAME_CHILD.match(text[end : m.start]))
                or (m.end <= start and SAME_CHILD.match(text[m.end : start]))
                for m in precise
            ):
                continue
            label = stage_labels.get(stage, match.group(0))
            mentions.append(_Mention(start, end, STAGE_AGES[stage], label, precise=False))
    return mentions


def _count_after(text: str, mention: _Mention) -> int:
    """ "小学生が2人" counts two children; "5歳と8歳の2人" is a total; no number counts one."""
    if mention.precise and not re.match(r"生", text[mention.end :]):
        return 1
    match = COUNT_AFTER.match(text[mention.end : mention.end + 12])
    if not match or re.fullmatch(r"の\s*\d\s*人", match.group(0)):
        return 1
    count = int(match.group(1))
    return count if 0 < count <= 5 else 1


def _multiple_birth(text: str, mention: _Mention) -> int:
    """ "双子の中2" and "3歳の双子" are two children of the same age."""
    for word, count in MULTIPLE_BIRTH:
        for match in re.finditer(word, text):
            if -6 <= mention.start - match.end() <= 6 or -6 <= match.start() - mention.end <= 6:
                return count
    return 1


def ages_only(text: str) -> list[int]:
    """Bare numbers as ages, for the one question that asks for ages ("5と8")."""
    return sorted(int(n) for n in re.findall(r"\d{1,2}", normalise(text)) if int(n) <= MAX_CHILD_AGE)


def _first(rules: tuple[tuple[str, str], ...], text: str) -> str | None:
    for value, pattern in rules:
        if re.search(pattern, text):
            return value
    return None


def _all(rules: tuple[tuple[str, str], ...], text: str) -> list[str]:
    return [value for value, pattern in rules if re.search(pattern, text)]


def _in_order_said(rules: tuple[tuple[str, str], ...], text: str) -> list[str]:
    """Every value whose words appear, in the order the resident said them (the first worry first)."""
    found = [(match.start(), value) for value, pattern in rules if (match := re.search(pattern, text))]
    return [value for _, value in sorted(found, key=lambda pair: pair[0])]


def _municipality(text: str, places: Places) -> str | None:
    known = places.municipality_in(text)
    if known:
        return known
    match = PLACE.search(text)
    return places.normalise(match.group(1)) if match else None


def allowance_reply(text: str) -> str | None:
    """The answer to 「児童扶養手当を受け取っていますか」, which need not name the allowance again
    (「まだ申請してないです」, 「いいえ」, 「もらってます」)."""
    words = normalise(text).strip()
    status = _allowance_status(words)
    if status is None and YES.match(words):
        return "receiving"
    if status is None and (NO.match(words) or words.startswith("まだ")):
        return "not_receiving"
    return status


# 「会社員です」 to the work question: employed by a company; a description leaves it open (契約社員 too).
EMPLOYED_REPLY = re.compile(r"会社員|サラリーマン|会社勤め|勤め人|公務員|会社で働")


def employment_reply(text: str) -> str | None:
    """The answer to 「いまのお仕事の状況」 in words the choices do not use (「会社員です」 → 正社員)."""
    words = normalise(text).strip()
    return "full_time" if EMPLOYED_REPLY.search(words) and not NOT_THIS_WORK.search(words) else None


def tax_reply(text: str) -> str | None:
    """The answer to 「住民税は非課税ですか」 without naming the tax (「かかってると思う」, 「はい」)."""
    words = normalise(text).strip()
    if status := _resident_tax(words):
        return status
    if re.search(TAX_NOT_CHARGED_REPLY, words):
        return "exempt"
    if re.search(TAX_CHARGED_REPLY, words):
        return "taxed"
    if YES.match(words):
        return "exempt"
    return "taxed" if NO.match(words) else None


def _child_allowance(text: str) -> str | None:
    return _allowance_status(text) if ALLOWANCE_WORD.search(text) else None


def _allowance_status(text: str) -> str | None:
    if re.search(NOT_APPLIED, text) or re.search(NOT_RECEIVING, text):
        return "not_receiving"
    if re.search(APPLYING, text):
        return "applying"
    if re.search(RECEIVING, text):
        return "receiving"
    return None


def _resident_tax(text: str) -> str | None:
    if re.search(r"非課税", text) or re.search(TAX_NOT_CHARGED, text):
        return "exempt"
    if re.search(r"(?:住民税|市民税).{0,4}(?:課税|払って|納めて|かかって)", text):
        return "taxed"
    return None

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
    ("infant", r"赤ちゃん|乳児|新生児|0歳児"),
    ("preschool", r"保育園|保育所|幼稚園|こども園|未就学|年少|年中|年長|幼児"),
    ("elementary", r"小学生|小学校|小学\d年|小\d"),
    ("junior_high", r"中学生|中学校|中学\d年|中\d(?!\d)"),
    ("high_school", r"高校生|高校|高\d(?!\d)"),
    ("adult", r"大学生|大学院|短大|専門学校|成人した|社会人"),
)
GRADE_PATTERNS = (  # 小3 → 8 years old: the age a child has for most of that school year
    (r"小(?:学)?(\d)(?:年)?", 5),
    (r"中(?:学)?(\d)(?:年)?", 11),
    (r"高(?:校)?(\d)(?:年)?", 14),
)
NO_CHILDREN = r"子(?:ども|供)?は(?:いない|いません|おらず)|子(?:ども|供)?(?:が|は)?(?:成人|独立)"
KANJI_DIGITS = str.maketrans("〇一二三四五六七八九", "0123456789")
AGE = re.compile(r"(\d{1,2})\s*(?:歳|才)|(\d{1,2})\s*(?:か月|ヶ月|カ月)の")
SELF_AGE = re.compile(
    r"(?:私|わたし|自分|僕|ぼく|俺)は?\s*(\d{1,2})\s*(?:歳|才)|(\d{1,2})\s*(?:歳|才)の(?:母|父|ママ|パパ|シングル|私|女性|男性)"
)
COUNT = re.compile(r"(\d)\s*人")
MAX_CHILD_AGE = 25

PARENT_RULES = (
    ("guardian", r"祖母|祖父|おばあ|おじい|孫|養育者|里親|叔母|伯母"),
    ("widow", r"寡婦"),
    (
        "mother",
        r"シングルマザー|母子家庭|母子世帯|ママ|母親|母です|母として|母ひとり|女手|元夫|(?<![丈工])夫",
    ),
    ("father", r"シングルファザー|父子家庭|父子世帯|パパ|父親|父です|父として|父ひとり|男手|元妻|妻"),
)
SITUATION_RULES = (
    ("bereaved", r"亡くな|亡くし|死別|他界|死亡|急逝"),
    (
        "considering_divorce",
        r"離婚を(?:考え|検討|迷)|離婚したい|離婚(?:する|の)?予定|離婚前|離婚調停|離婚するか|これから離婚|離婚に向け",
    ),
    ("separated", r"別居"),
    ("single", r"離婚し|離婚済|離婚後|離婚して|シングル|ひとり親|一人親|母子家庭|父子家庭|未婚|独身"),
)
EMPLOYMENT_RULES = (
    ("job_seeking", r"求職|仕事を探|職を探|職探し|就活|就職活動|失業|仕事がない|仕事を辞め"),
    ("full_time", r"正社員|正規雇用|常勤"),
    ("part_time", r"パート|アルバイト|バイト|非正規|派遣"),
    ("self_employed", r"自営|フリーランス|個人事業"),
    ("not_working", r"無職|働いていない|働けない|専業主婦|専業主夫"),
)
NEED_RULES = (
    ("money", r"お金|生活費|生活が苦し|家計|収入が少|貯金|経済的"),
    ("loan", r"借り|貸付|貸し付け|融資|ローン"),
    (
        "job",
        r"仕事を(?:探|見つけ|したい|始め|変え)|仕事が(?:したい|見つから|ない)|仕事の相談|就職|転職|働きたい|求人|ハローワーク|職探し",
    ),
    ("qualification", r"資格|看護師|介護福祉士|保育士|講座|スキル|学び直"),
    (
        "childcare",
        r"預け|預かり|学童|放課後|託児|シッター|入園|保育(?:園|所)に入|保育(?:園|所)を探|延長保育|病児保育",
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
RECEIVING = r"(?:受給|もらっ|貰っ|受け取っ|受けて)(?:てい|てます|ており|中)|受給中"
NOT_RECEIVING = r"(?:受給|もらっ|貰っ|受け取っ|受け)て(?:い)?(?:ない|ません)|受給していない|もらえなかった"
APPLYING = r"申請中|申請し(?:た|ました|ている)"
PLACE = re.compile(r"([\u4e00-\u9fff\u30a0-\u30ffー]{1,5}[市区町村])(?:に住|在住|住まい|に引っ越|です|から)")


@dataclass
class ParsedText:
    """What one message told us; `child_labels` says how each age was reached ("小学生" → 9)."""

    facts: Facts
    child_labels: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.facts.known()


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(KANJI_DIGITS)


def parse_facts(text: str, places: Places, stage_labels: dict[str, str] | None = None) -> ParsedText:
    """Every fact a message states; facts it does not mention stay unknown."""
    text = normalise(text)
    values: dict[str, object] = {
        "parent": _first(PARENT_RULES, text),
        "situation": _first(SITUATION_RULES, text),
        "municipality": _municipality(text, places),
        "child_allowance": _child_allowance(text),
        "resident_tax": _resident_tax(text),
        "employment": _first(EMPLOYMENT_RULES, text),
    }
    needs = _all(NEED_RULES, text)
    circumstances = _all(CIRCUMSTANCE_RULES, text)
    if "dv" in circumstances and "dv" not in needs:
        needs.append("dv")
    values["needs"] = needs or None
    values["circumstances"] = circumstances or None
    ages, labels = children(text, stage_labels or {})
    values["children_ages"] = ages
    return ParsedText(Facts.from_dict({k: v for k, v in values.items() if v is not None}), labels)


def children(text: str, stage_labels: dict[str, str]) -> tuple[list[int] | None, list[str]]:
    """Children's ages from explicit ages ("5歳と8歳"), grades ("小3") or stages ("保育園")."""
    if re.search(NO_CHILDREN, text):
        return [], []
    own = {int(match.group(1) or match.group(2)) for match in SELF_AGE.finditer(text)}
    explicit = []
    for match in AGE.finditer(text):
        age = 0 if match.group(2) else int(match.group(1))
        if age <= MAX_CHILD_AGE and not (match.group(1) and age in own):
            explicit.append(age)
    if explicit:
        return sorted(explicit), [f"{age}歳" for age in sorted(explicit)]
    ages: list[int] = []
    labels: list[str] = []
    for pattern, offset in GRADE_PATTERNS:
        for match in re.finditer(pattern, text):
            ages.append(int(match.group(1)) + offset)
            labels.append(match.group(0))
            text = text.replace(match.group(0), " ", 1)
    for stage, pattern in STAGE_PATTERNS:
        for match in re.finditer(pattern, text):
            count = _count_after(text, match.end())
            ages.extend([STAGE_AGES[stage]] * count)
            labels.extend([stage_labels.get(stage, match.group(0))] * count)
    if not ages:
        return None, []
    pairs = sorted(zip(ages, labels, strict=True))
    return [age for age, _ in pairs], [label for _, label in pairs]


def ages_only(text: str) -> list[int]:
    """Bare numbers as ages, for the one question that asks for ages ("5と8")."""
    return sorted(int(n) for n in re.findall(r"\d{1,2}", normalise(text)) if int(n) <= MAX_CHILD_AGE)


def _count_after(text: str, position: int) -> int:
    """ "小学生2人" counts two children; a stage mentioned without a number counts one."""
    match = COUNT.match(text[position : position + 6].lstrip("がのはも"))
    return int(match.group(1)) if match and 0 < int(match.group(1)) <= 5 else 1


def _first(rules: tuple[tuple[str, str], ...], text: str) -> str | None:
    for value, pattern in rules:
        if re.search(pattern, text):
            return value
    return None


def _all(rules: tuple[tuple[str, str], ...], text: str) -> list[str]:
    return [value for value, pattern in rules if re.search(pattern, text)]


def _municipality(text: str, places: Places) -> str | None:
    known = places.municipality_in(text)
    if known:
        return known
    match = PLACE.search(text)
    return places.normalise(match.group(1)) if match else None


def _child_allowance(text: str) -> str | None:
    if "児童扶養手当" not in text and "扶養手当" not in text:
        return None
    if re.search(NOT_RECEIVING, text):
        return "not_receiving"
    if re.search(APPLYING, text):
        return "applying"
    if re.search(RECEIVING, text):
        return "receiving"
    return None


def _resident_tax(text: str) -> str | None:
    if re.search(r"非課税", text):
        return "exempt"
    if re.search(r"(?:住民税|市民税).{0,4}(?:課税|払って|納めて|かかって)", text):
        return "taxed"
    return None

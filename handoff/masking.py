"""Masks a resident's question before it appears in a staff list (unanswered questions, feedback).

Staff need what was asked, not who asked: phone numbers, e-mail addresses, postal codes, street numbers
and personal names are replaced by neutral placeholders, and ages become the school stage they fall in
(「8歳の娘」→「小学生の娘」). Place names (金沢市) and program names (児童扶養手当) stay, because they are
what tells staff which content is missing. Names come from SudachiPy's proper-noun tags plus the
「〇〇さん／ちゃん／くん」 pattern, which catches given names the dictionary does not know (さくらちゃん).

Pattern matching runs on a same-length "view" of the text in which full-width digits, letters and
hyphen-like marks are ASCII, so every span found maps back to the original characters one to one.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from functools import lru_cache

from sudachipy import Dictionary, Morpheme, SplitMode, Tokenizer

from handoff import messages

# Sudachi refuses inputs over ~49 KB (bytes); questions are far shorter, long texts are fed in pieces.
_CHUNK_CHARS = 4000

_FULL_WIDTH_ASCII = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_HYPHENS = dict.fromkeys(map(ord, "‐‑‒–—―−ーｰ－"), ord("-"))
_VIEW_TABLE = {**_FULL_WIDTH_ASCII, **_HYPHENS, ord("\u3000"): ord(" ")}

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# Area code / mobile prefix, exchange, subscriber number; separators optional. The digit count is checked
# afterwards (10–11 digits from 0, 9–10 after +81), which keeps dates and amounts out.
_PHONE = re.compile(
    r"(?<![\d+])(?:\+81[ -]?(?:\(0\)[ -]?)?|\(?0)\d{1,4}(?:\)[ -]?|[ -])?\d{1,4}[ -]?\d{3,4}(?!\d)"
)
_POSTAL_CODE = re.compile(r"(?:〒 ?)?(?<![\d-])\d{3}-\d{4}(?![\d-])")
_KANJI_NUMBER = "〇一二三四五六七八九十"
_STREET_NUMBER = re.compile(
    rf"(?:\d+|[{_KANJI_NUMBER}]+)丁目(?:\d+番地?(?:\d+号?)?|\d+(?:-\d+)*)?"
    r"|\d+番地(?:の?\d+)?号?"
    r"|\d+番\d+号?"
    r"|\d+号室"
    r"|(?<=[\u3041-\u30ff\u4e00-\u9fff々])\d+(?:-\d+){1,3}(?:号室?)?"
    # 「園町ヌ48」「御祓町1」: a lot number right after 町/村/字 (and an old イロハ letter), not a count.
    r"|(?<=[町村字])[\u30a2-\u30f3]?\d+(?:(?:の|-)\d+)*(?![\d人歳才年月日回件円万千百つ個枚時分階か])"
)
# An age: number + 歳/才/さい, optionally 半 or months. Ages followed by words that state a rule
# (「18歳まで」「3歳児健診」) are about a program, not about a person, and stay.
_AGE = re.compile(
    rf"(?<![\d{_KANJI_NUMBER}])(?P<age>\d{{1,3}}|[{_KANJI_NUMBER}]{{1,3}}) ?(?:歳|才|さい)"
    r"(?:半|\d{1,2} ?[かヶケカヵ]?月)?"
    r"(?!まで|未満|以上|以下|以降|に達|到達|の年度末|年度末|児健|児の健|の誕生日の前日|になって最初|になった後)"
)
_MONTHS_OLD = re.compile(r"生後 ?\d{1,2} ?[かヶケカヵ]?月(?![～〜~]|から|以上|未満|まで)")
_PLACEHOLDER = re.compile(r"［[^］]*］")
# Sudachi reads 「ゆうとくん」 as ゆう + と + くん: stray kana between a masked name and its honorific go.
_NAME_LEFTOVER = re.compile(rf"{re.escape(messages.MASK_NAME)}[\u3041-\u3096]{{1,2}}(?=さん|ちゃん|くん)")

# Sudachi splits unknown kana names into particles (「はるとちゃん」→ はる + と + ちゃん), so kana
# right before ちゃん/くん are looked at as a whole; and a child or ex-partner named after 「娘の」「元夫の」
# is a name when the dictionary knows it as one (「娘の蓮が」「元夫の林が」), even where Sudachi reads it
# as a plain noun.
_KANA_BEFORE_HONORIFIC = re.compile(
    r"(?<![\u3041-\u3096\u30a1-\u30fa\u30fc])([\u3041-\u3096\u30fc]{2,5}|[\u30a1-\u30fa\u30fc]{2,6})(?=ちゃん|くん)"
)
_KIN_WORDS = (
    "娘|息子|長男|長女|次男|次女|三男|三女|末っ子|上の子|下の子|子ども|子供|元夫|元妻|夫|妻|父親|母親"
)
_NAME_AFTER_KIN = re.compile(
    rf"(?P<kin>(?:{_KIN_WORDS})の)(?P<name>[\u3041-\u3096\u30a1-\u30fa\u30fc]{{2,6}}|[\u4e00-\u9fff々]{{1,4}}?)"
    r"(?=[がはをにもと、。，．！？!?\s]|です|ちゃん|くん|$)"
)
_KANA_RUN = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\u30fc]")
_PARTICLES = "のはがをにもとへや"
_KANA_KIN = frozenset(
    {
        "おにい",
        "おねえ",
        "おばあ",
        "おじい",
        "おかあ",
        "おとう",
        "にい",
        "ねえ",
        "ばあ",
        "じい",
        "かあ",
        "とう",
        "あか",
    }
)
_FORMAL_NOUNS = frozenset(
    {"こと", "ため", "ほう", "もの", "ところ", "とき", "よう", "せい", "おかげ", "ぶん", "あと"}
)
_HONORIFICS = frozenset({"さん", "ちゃん", "くん", "君", "様", "さま", "たん", "氏"})
# Words that take an honorific but are not names: kin, roles, occupations. A word ending in one of the
# role suffixes (保育士, 相談員, 医者) is treated the same way.
_NOT_NAMES = frozenset(
    {
        "娘",
        "息子",
        "子",
        "子ども",
        "子供",
        "孫",
        "兄",
        "姉",
        "弟",
        "妹",
        "皆",
        "みな",
        "みんな",
        "奥",
        "旦那",
        "夫",
        "妻",
        "元夫",
        "元妻",
        "父",
        "母",
        "義母",
        "義父",
        "祖母",
        "祖父",
        "叔母",
        "叔父",
        "伯母",
        "伯父",
        "彼氏",
        "彼女",
        "友達",
        "友だち",
        "お友達",
        "隣",
        "近所",
        "大家",
        "担当",
        "先生",
        "管理人",
        "上司",
        "同僚",
        "パパ",
        "ママ",
        "ママ友",
        "ケースワーカー",
        "ワーカー",
        "ヘルパー",
        "カウンセラー",
        "ドクター",
        "赤",
        "客",
    }
)
_ROLE_SUFFIXES = ("員", "士", "師", "者", "屋", "長", "医", "官", "手", "係", "課", "所", "庁", "局", "会社")
_NAME_CHARACTERS = re.compile(r"^[\u3041-\u3096\u30a1-\u30fa\u30fc\u4e00-\u9fff々〇]+$")


@lru_cache(maxsize=1)
def _dictionary() -> Dictionary:
    return Dictionary(dict="core")


@lru_cache(maxsize=1)
def _tokenizer() -> Tokenizer:
    return _dictionary().tokenizer(mode=SplitMode.C)


_lock = threading.Lock()
# A morpheme as the name rules need it: surface, part of speech (4 levels), begin and end offsets.
_Token = tuple[str, tuple[str, ...], int, int]


def mask_question(text: str) -> str:
    """The question as staff may see it in a list: contact details, names, street numbers and exact
    ages replaced, everything else (place and program names included) unchanged."""
    text = _replace_matches(text, _EMAIL, lambda _: messages.MASK_EMAIL)
    text = _replace_matches(text, _PHONE, _phone_placeholder)
    text = _replace_matches(text, _POSTAL_CODE, lambda _: messages.MASK_POSTAL_CODE)
    text = _replace_matches(text, _STREET_NUMBER, lambda _: messages.MASK_STREET_NUMBER)
    text = _replace_matches(text, _MONTHS_OLD, lambda _: messages.AGE_INFANT_MONTHS)
    text = _replace_matches(text, _AGE, _age_stage)
    text = _KANA_BEFORE_HONORIFIC.sub(_kana_name, text)
    text = _NAME_AFTER_KIN.sub(_name_after_kin, text)
    return _NAME_LEFTOVER.sub(messages.MASK_NAME, _mask_names(text))


def age_stage(age: int) -> str:
    """The school stage an age falls in, as shown to staff instead of the age itself."""
    for oldest, label in messages.AGE_STAGES:
        if age <= oldest:
            return label
    return messages.AGE_ADULT


# ---- patterns ---------------------------------------------------------------------------------------------
def _replace_matches(text: str, pattern: re.Pattern[str], placeholder: Callable[[str], str | None]) -> str:
    """Replace each match found in the ASCII view of `text`; `placeholder` gets the view's match text and
    returns None to leave a match as it is."""
    view = text.translate(_VIEW_TABLE)
    pieces: list[str] = []
    last = 0
    for match in pattern.finditer(view):
        replacement = placeholder(match.group(0))
        if replacement is None:
            continue
        pieces.extend((text[last : match.start()], replacement))
        last = match.end()
    pieces.append(text[last:])
    return "".join(pieces)


def _phone_placeholder(candidate: str) -> str | None:
    digits = re.sub(r"\D", "", candidate)
    if candidate.startswith("+81"):
        national = digits[2:]
        valid = 9 <= len(national.removeprefix("0")) <= 10
    else:
        valid = 10 <= len(digits) <= 11
    return messages.MASK_PHONE if valid else None


def _age_stage(candidate: str) -> str:
    number = re.match(rf"\d+|[{_KANJI_NUMBER}]+", candidate)
    assert number is not None  # the pattern starts with the number
    return age_stage(_parse_number(number.group(0)))


def _parse_number(written: str) -> int:
    """Arabic digits, or kanji numerals up to 九十九 (「八歳」「十四歳」「二十歳」)."""
    if written.isdigit():
        return int(written)
    digits = {character: value for value, character in enumerate(_KANJI_NUMBER[:10])}
    if "十" not in written:
        return int("".join(str(digits[character]) for character in written))
    tens, _, ones = written.partition("十")
    return (digits[tens] if tens else 1) * 10 + (digits[ones] if ones else 0)


# ---- names ------------------------------------------------------------------------------------------------
def _mask_names(text: str) -> str:
    """Mask names segment by segment, never inside a placeholder already put in."""
    pieces: list[str] = []
    last = 0
    for placeholder in _PLACEHOLDER.finditer(text):
        pieces.extend((_mask_names_in(text[last : placeholder.start()]), placeholder.group(0)))
        last = placeholder.end()
    pieces.append(_mask_names_in(text[last:]))
    return "".join(pieces)


def _mask_names_in(segment: str) -> str:
    return "".join(
        _mask_name_spans(segment[start : start + _CHUNK_CHARS])
        for start in range(0, len(segment), _CHUNK_CHARS)
    )


def _mask_name_spans(chunk: str) -> str:
    if not chunk.strip():
        return chunk
    with _lock:  # a Sudachi tokenizer is not safe to share between threads
        tokens = [
            (morpheme.surface(), tuple(morpheme.part_of_speech()[:4]), morpheme.begin(), morpheme.end())
            for morpheme in _tokenizer().tokenize(chunk)
        ]
    masked = [False] * len(tokens)
    for index, (surface, pos, _, _) in enumerate(tokens):
        if pos[:3] == ("名詞", "固有名詞", "人名"):
            masked[index] = _is_person_name(surface, tokens, index)
        elif pos[0] == "名詞":
            masked[index] = _introduces_self(tokens, index)
        elif surface in _HONORIFICS and index > 0 and pos[0] in {"接尾辞", "名詞", "動詞"}:
            for name_index in _name_before_honorific(tokens, index):
                masked[name_index] = True
    return _join_masked(chunk, tokens, masked)


def _kana_name(match: re.Match[str]) -> str:
    """「はるとちゃん」→ a name; in 「娘のゆいちゃん」 the の after a kanji word is a particle and stays."""
    kana = match.group(0)
    after_word = match.start() > 0 and not _KANA_RUN.match(match.string[match.start() - 1])
    particle = kana[0] if after_word and kana[0] in _PARTICLES and len(kana) > 2 else ""
    name = kana[len(particle) :]
    return kana if name in _KANA_KIN else particle + messages.MASK_NAME


def _name_after_kin(match: re.Match[str]) -> str:
    name = match.group("name")
    known_as_name = any(entry.part_of_speech()[2] == "人名" for entry in _lookup(name))
    if name in _FORMAL_NOUNS or name in _NOT_NAMES or not known_as_name:
        return match.group(0)
    return match.group("kin") + messages.MASK_NAME


def _is_person_name(surface: str, tokens: list[_Token], index: int) -> bool:
    """Sudachi tags some Latin words and lone kanji as 人名 (「page」「行」): keep those unless an honorific
    or another name part shows they are a name. A word that is also a place (山田, 小松, 金沢) is a name
    where Sudachi reads it as one (「山田です」「山田の息子」), except inside a compound (ハローワーク金沢,
    羽咋出張所) or before の and a thing (「金沢の保育園」)."""
    if not _NAME_CHARACTERS.match(surface):
        return False
    neighbours = [tokens[i] for i in (index - 1, index + 1) if 0 <= i < len(tokens)]
    beside_name_or_honorific = any(
        neighbour[1][:3] == ("名詞", "固有名詞", "人名") or neighbour[0] in _HONORIFICS
        for neighbour in neighbours
    )
    if beside_name_or_honorific:
        return True
    if _inside_address(tokens, index):
        return False
    if len(surface) < 2:
        return False
    if not any(entry.part_of_speech()[2] == "地名" for entry in _lookup(surface)):
        return True
    if index > 0 and tokens[index - 1][1][0] == "名詞":
        return False  # part of a compound: ハローワーク金沢
    following = tokens[index + 1 : index + 3]
    if following and following[0][1][0] in {"名詞", "接尾辞"}:
        return False  # 羽咋出張所
    return not (len(following) == 2 and following[0][0] == "の" and following[1][0] not in _NOT_NAMES)


def _introduces_self(tokens: list[_Token], index: int) -> bool:
    """「（金沢市在住の）小松です」「小松と申します」: a word that can be a surname, in the place where a
    resident gives their name, is one even where Sudachi reads it as a common noun (小松 "small pine").
    Given-name readings are not enough: 一人・長男・パート have them too."""
    following = "".join(token[0] for token in tokens[index + 1 : index + 4])
    if not following.startswith(("です", "と申します", "といいます", "と言います")):
        return False
    at_start = index == 0 or tokens[index - 1][0] in {"の", "、", "。", "は", "私", "わたし"}
    surface = tokens[index][0]
    if not at_start or surface in _NOT_NAMES:
        return False
    return any(tuple(entry.part_of_speech()[2:4]) == ("人名", "姓") for entry in _lookup(surface))


def _inside_address(tokens: list[_Token], index: int) -> bool:
    """「鳳至町畠田」「字宇出津」: a surname-like token right after a place or 町/字 is part of an address."""
    if index == 0:
        return False
    surface, pos, _, _ = tokens[index - 1]
    return pos[2] == "地名" or surface.endswith(("町", "村", "字", "区", "郡"))


def _lookup(surface: str) -> list[Morpheme]:
    with _lock:
        return list(_dictionary().lookup(surface))


def _name_before_honorific(tokens: list[_Token], index: int) -> list[int]:
    """Indexes of the tokens just before an honorific that make up a name (「さくら」ちゃん, 「みー」ちゃん);
    none for a kin or role word (娘さん, 保育士さん, お医者さん)."""
    run: list[int] = []
    cursor = index - 1
    while cursor >= 0 and len(run) < 3:
        surface, pos, _, _ = tokens[cursor]
        if pos[0] in {"助詞", "助動詞", "接頭辞", "空白"} or (pos[0] == "補助記号" and surface != "ー"):
            break
        if not _NAME_CHARACTERS.match(surface):
            break
        run.insert(0, cursor)
        cursor -= 1
    word = "".join(tokens[i][0] for i in run)
    if not word or word in _NOT_NAMES or word.endswith(_ROLE_SUFFIXES):
        return []
    return run


def _join_masked(chunk: str, tokens: list[_Token], masked: list[bool]) -> str:
    """Rebuild the chunk with each run of masked tokens (姓 + 名) as one placeholder."""
    pieces: list[str] = []
    previous_masked = False
    for (_, _, begin, end), is_masked in zip(tokens, masked, strict=True):
        if is_masked:
            if not previous_masked:
                pieces.append(messages.MASK_NAME)
        else:
            pieces.append(chunk[begin:end])
        previous_masked = is_masked
    return "".join(pieces)

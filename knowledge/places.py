"""The place register: prefectures, municipalities, their windows and every local office number we know.

One file (places.yaml) and one matcher serve every package: knowledge asks where a resident lives and whose
source or phone number an answer quotes; intents (handed the register by bot) asks which municipality a
household named and which window it should call. A Kodaira resident must hear about Kodaira's window, not
Ishikawa's; a resident who named no place must hear no city's number at all.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import threading
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import yaml

from knowledge import messages
from knowledge.tokenize import is_place_name, place_names

log = logging.getLogger(__name__)

PLACES_FILE = Path(__file__).with_name("places.yaml")

SAME = "same"  # the source is the resident's own municipality (or prefecture, if that is all we know)
COVERS = "covers"  # the source is the resident's prefecture or the nation
INSIDE = "inside"  # the source is a municipality inside the prefecture the resident named
UNKNOWN = "unknown"  # the source names no jurisdiction we know
CONFLICT = "conflict"  # another municipality or prefecture: its windows are not the resident's
OUTSIDE = "outside"  # the resident lives where no document speaks: a local source is not theirs, nor closer

# A municipality named in a question: two to four kanji and 市区町村, followed by what follows a place
# (横浜市に住んでいます, 福岡市で, 札幌市内). Names whose stem holds 市区町村 themselves (市町村, 市営)
# are left out.
_KANJI = "\u4e00-\u9fff"
_MUNICIPALITY_NAME = re.compile(f"[{_KANJI}]{{2,4}}[市区町村]")
_FOLLOWS_A_PLACE = "(?=に|で|の|内|在住|へ|です|住)"  # not から: 「札幌市から引っ越した」 lives elsewhere now
_MUNICIPALITY = re.compile(f"(?<![{_KANJI}])({_MUNICIPALITY_NAME.pattern}){_FOLLOWS_A_PLACE}")
_NOT_IN_A_STEM = "都道府県市区町村"
_PREFECTURE_PREFIX = re.compile(r"^(北海道|東京都|京都府|大阪府|\S{2,3}県)(?=\S)")
_SUFFIXES = ("市", "区", "町", "村")
# A city named without 市 (「白山です」, 「東京の小平」) counts only as a word of its own: not 「国立大学」,
# 「多摩川」 or 「小松菜」.
_WORD_CHAR = re.compile(r"[\u4e00-\u9fff\u30a0-\u30ffー]")
_PHONE = re.compile(r"0\d{1,4}[-ー－‐−]\d{1,4}[-ー－‐−]\d{3,4}")
_DASHES = str.maketrans({"ー": "-", "－": "-", "‐": "-", "−": "-"})

# What follows a place the dictionary knows when the resident says they live there (横浜に住んでいます,
# 神戸在住, 札幌住みです, 大阪です); not はあと飯田橋では (a centre's name) nor から (moved away).
_LIVES_THERE = re.compile(r"^(?:に住|に暮ら|で暮ら|在住|住み|に引っ越して|です)")

MAX_NORMALISED = 4096
# Rank of a match in `find`: the most specific place wins, then the earliest in the text.
_MUNICIPALITY_NAMED, _MUNICIPALITY_SHORT, _PREFECTURE_NAMED, _ELSEWHERE = range(4)


def phone_key(number: str) -> str:
    """One spelling per number (076-261ー9453 and 076-261-9453 are the same line)."""
    return unicodedata.normalize("NFKC", number).translate(_DASHES)


def phones_in(text: str) -> list[str]:
    """Every phone number written in `text`, as printed."""
    return _PHONE.findall(unicodedata.normalize("NFKC", text or ""))


@dataclass(frozen=True)
class Window:
    """Where a resident of a place asks about single-parent support. A window a city keeps in its content
    store (`knowledge.library.StoredContact`) also carries its hours, address and source."""

    name: str
    phone: str
    hours: str = ""
    address: str = ""
    source: str = ""

    def __str__(self) -> str:
        if self.hours:
            return messages.WINDOW_WITH_HOURS.format(name=self.name, phone=self.phone, hours=self.hours)
        return messages.WINDOW_PLAIN.format(name=self.name, phone=self.phone)


@dataclass(frozen=True)
class PlaceRegister:
    national: frozenset[str]
    prefectures: tuple[str, ...]
    municipalities: dict[str, str]  # municipality → its prefecture
    windows: dict[str, Window]
    phones: dict[str, frozenset[str]]  # phone_key → the places whose offices answer on it
    aliases: dict[str, str]
    other_prefectures: frozenset[str] = frozenset()  # prefectures no document covers
    # phone_key of numbers a city's own window replaced: no answer gives them any more (see `with_windows`)
    superseded: frozenset[str] = frozenset()

    @classmethod
    def load(cls, path: Path = PLACES_FILE) -> PlaceRegister:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        municipalities: dict[str, str] = {}
        windows: dict[str, Window] = {}
        phones: dict[str, set[str]] = {}

        def add_offices(place: str, entry: dict) -> None:
            if entry.get("window"):
                windows[place] = Window(name=str(entry["window"]), phone=str(entry["phone"]))
            numbers = [str(entry["phone"])] if entry.get("phone") else []
            numbers += [str(office["phone"]) for office in entry.get("offices") or []]
            for number in numbers:
                for printed in phones_in(number):
                    phones.setdefault(phone_key(printed), set()).add(place)

        prefectures = data.get("prefectures") or {}
        for prefecture, entry in prefectures.items():
            add_offices(prefecture, entry or {})
            for town, office in ((entry or {}).get("municipalities") or {}).items():
                municipalities[town] = prefecture
                add_offices(town, office or {})
        return cls(
            national=frozenset(data.get("national") or []),
            prefectures=tuple(prefectures),
            municipalities=municipalities,
            windows=windows,
            phones={number: frozenset(places) for number, places in phones.items()},
            aliases=dict(data.get("aliases") or {}),
            other_prefectures=frozenset(data.get("other_prefectures") or []),
        )

    def with_windows(self, windows: Mapping[str, Window]) -> PlaceRegister:
        """This register with a city's windows over the shipped ones, by place. The new number reaches the
        place's residents; the number it replaces is withdrawn (never quoted again) unless another office
        answers on it too (野々市市's window shares 石川県中央児童相談所's line)."""
        merged = dict(self.windows)
        phones = {number: set(places) for number, places in self.phones.items()}
        superseded = set(self.superseded)
        for place, window in windows.items():
            new = {phone_key(number) for number in phones_in(window.phone)}
            old = merged.get(place)
            for number in phones_in(old.phone) if old else []:
                key = phone_key(number)
                if key not in new and phones.get(key) == {place}:
                    superseded.add(key)
            for key in new:
                phones.setdefault(key, set()).add(place)
                superseded.discard(key)
            merged[place] = window
        return dataclasses.replace(
            self,
            windows=merged,
            phones={number: frozenset(places) for number, places in phones.items()},
            superseded=frozenset(superseded),
        )

    def knows(self, name: str) -> bool:
        """`name` is a prefecture or municipality of the register (one a window may be kept for)."""
        return name in self.municipalities or name in self.prefectures

    # --- names ------------------------------------------------------------------------------------------
    def normalise(self, name: str) -> str:
        """The register's spelling ("石川県 金沢市", "金沢" → "金沢市"); unknown names are only cleaned."""
        known = self._normalised.get(name)
        if known is None:
            known = self._normalise(name)
            if len(self._normalised) < MAX_NORMALISED:  # residents' own spellings are not kept without end
                self._normalised[name] = known
        return known

    @cached_property
    def _normalised(self) -> dict[str, str]:
        """Names already normalised: an answer asks for the jurisdiction of every source it weighs."""
        return {}

    def _normalise(self, name: str) -> str:
        text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", name or ""))
        text = self.aliases.get(text, text)
        text = _PREFECTURE_PREFIX.sub("", text) if text not in self.prefectures else text
        if text in self._known:
            return self.aliases.get(text, text)
        for suffix in _SUFFIXES:
            if text + suffix in self.municipalities:
                return text + suffix
        return text

    def canonical(self, name: str | None) -> str | None:
        return (self.normalise(name) or None) if name else None

    def names(self) -> list[str]:
        """Every name the register knows a place by (retrieval ignores them when matching program names)."""
        return [*self.municipalities, *self.prefectures, *self.aliases]

    def is_prefecture(self, name: str) -> bool:
        return name in self.prefectures

    def is_municipality(self, name: str) -> bool:
        return name in self.municipalities

    def prefecture_of(self, name: str) -> str | None:
        """The prefecture a municipality lies in; None for a prefecture or an unknown name."""
        return self.municipalities.get(self.normalise(name))

    @staticmethod
    def is_town(municipality: str) -> bool:
        return municipality.endswith(("町", "村"))

    def window_of(self, name: str | None) -> Window | None:
        return self.windows.get(self.normalise(name)) if name else None

    @cached_property
    def _known(self) -> frozenset[str]:
        return (
            frozenset(self.municipalities)
            | frozenset(self.prefectures)
            | self.national
            | frozenset(self.aliases)
        )

    @cached_property
    def _short_names(self) -> dict[str, str]:
        """Cities typed without 市 (白山 → 白山市); the aliases of places.yaml are matched as they stand."""
        return {
            town[:-1]: town
            for town in self.municipalities
            if town.endswith("市") and len(town) >= 3 and town[:-1] not in self._known
        }

    # --- matching ---------------------------------------------------------------------------------------
    def find(self, text: str) -> str | None:
        """The most specific place named in `text`: a municipality (full name, or a city without 市) beats
        a prefecture, which beats a place no document covers (横浜市, 大阪府); the earliest wins among
        equals. 「石川県金沢市に住んでいます」 → 金沢市, 「東京の小平」 → 小平市."""
        text = unicodedata.normalize("NFKC", text or "")
        found: list[tuple[int, int, str]] = []
        for town in self.municipalities:
            position = text.find(town)
            if position >= 0:
                found.append((_MUNICIPALITY_NAMED, position, town))
        for short, town in self._short_names.items():
            position = _word_position(text, short)
            if position >= 0:
                found.append((_MUNICIPALITY_SHORT, position, town))
        for prefecture in self.prefectures:
            position = text.find(prefecture)
            if position >= 0:
                found.append((_PREFECTURE_NAMED, position, prefecture))
        for alias, name in self.aliases.items():
            position = text.find(alias)
            if position >= 0:
                rank = _MUNICIPALITY_SHORT if name in self.municipalities else _PREFECTURE_NAMED
                found.append((rank, position, name))
        if not found:
            found = [(_ELSEWHERE, text.find(name), name) for name in self.other_prefectures if name in text]
            found += [
                (_ELSEWHERE, match.start(), match.group(1))
                for match in _MUNICIPALITY.finditer(text)
                if self.outside(match.group(1))
            ]
        if not found:  # a place the register does not list, said without 市 (「横浜に住んでいます」)
            found = [
                (_ELSEWHERE, position, name)
                for position, name in place_names(text)
                if name not in self._known and _LIVES_THERE.match(text[position + len(name) :])
            ]
        return min(found)[2] if found else None

    def municipality_in(self, text: str) -> str | None:
        """The register's municipality a resident's sentence names, if any (for the household facts)."""
        place = self.find(text)
        return place if place in self.municipalities else None

    def outside(self, name: str) -> bool:
        """A place name that none of our documents covers: another prefecture, or a municipality we do not
        list (so, by construction, one outside the prefectures we list)."""
        if name in self._known:
            return False
        if name in self.other_prefectures:
            return True
        stem = name[:-1]
        if _MUNICIPALITY_NAME.fullmatch(name) and not any(char in stem for char in _NOT_IN_A_STEM):
            return True
        return is_place_name(name)

    # --- containment ------------------------------------------------------------------------------------
    def lies_in(self, place: str | None, government: str) -> bool:
        """`place` is `government` itself or inside it (municipality → prefecture → 国)."""
        place = self.canonical(place)
        if not place:
            return government in self.national
        return place == government or government in self.national or self.prefecture_of(place) == government

    def relation(self, resident: str, source: str) -> str:
        """How a source's jurisdiction relates to the resident's place (see the module constants)."""
        resident = self.canonical(resident) or ""
        source = self.canonical(source) or ""
        if not source:
            return UNKNOWN
        if source == resident:
            return SAME
        if source in self.national:
            return COVERS
        if self.outside(resident):
            return OUTSIDE
        resident_prefecture = self._prefecture_or_self(resident)
        source_prefecture = self._prefecture_or_self(source)
        if not resident_prefecture or not source_prefecture:
            return UNKNOWN
        if source_prefecture != resident_prefecture:
            return CONFLICT
        if source == resident_prefecture:
            return COVERS
        if resident == resident_prefecture:
            return INSIDE
        return CONFLICT

    def _prefecture_or_self(self, name: str) -> str:
        return self.municipalities.get(name, name if name in self.prefectures else "")

    # --- phone numbers ----------------------------------------------------------------------------------
    def local_phone_numbers(self) -> frozenset[str]:
        """Every number of every local office the register knows (phone_key spelling)."""
        return frozenset(self.phones)

    def serves(self, number: str, place: str | None) -> bool:
        """A number a resident of `place` may be given: not a local office's, or one of an office of the
        place itself or of the prefecture it lies in. A resident who named no place is served by no local
        office; a number a city's window replaced serves nobody."""
        if phone_key(number) in self.superseded:
            return False
        owners = self.phones.get(phone_key(number))
        if owners is None:
            return True
        return any(self.lies_in(place, owner) for owner in owners) if place else False


def _word_position(text: str, word: str) -> int:
    """Where `word` stands as a word of its own (see _WORD_CHAR); -1 when it does not."""
    start = text.find(word)
    while start >= 0:
        before = text[start - 1] if start else ""
        after = text[start + len(word) : start + len(word) + 1]
        if not (before and _WORD_CHAR.match(before) and before not in "都道府県") and not (
            after and _WORD_CHAR.match(after)
        ):
            return start
        start = text.find(word, start + 1)
    return -1


@lru_cache(maxsize=1)
def default_register() -> PlaceRegister:
    """The packaged register, read once per process."""
    return PlaceRegister.load()


class LivePlaces:
    """The register with the city's windows, replaced whole when the city's content changes (`refresh`, called
    by the content store's change listener): the catalogue and the knowledge base hold this one object, so a
    household result and an answer name the window the city set without being rebuilt. Reads delegate to the
    current register."""

    def __init__(self, load: Callable[[], PlaceRegister]) -> None:
        self._load = load
        self._swap = threading.Lock()
        self._current = load()

    @property
    def current(self) -> PlaceRegister:
        with self._swap:
            return self._current

    def refresh(self) -> None:
        """Read the register again; a failure keeps the one in use (and is logged)."""
        try:
            register = self._load()
        except Exception:  # a busy database must not leave answers without a register
            log.exception("place register reload failed; the windows in use stay")
            return
        with self._swap:
            self._current = register

    def __getattr__(self, name: str) -> Any:
        return getattr(self.current, name)

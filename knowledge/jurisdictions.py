"""Where a resident lives versus whom a source speaks for.

A Kodaira resident must hear about Kodaira's window, not Ishikawa's, and a national rule applies to everyone.
`Places` knows the municipalities of each prefecture (jurisdictions.yaml), finds place names in a question and
says how a source's jurisdiction relates to the resident's place. A resident of a place no document covers
(横浜市, 大阪府) is recognised too, so an answer from Ishikawa's or Kodaira's documents says whose they are.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import yaml

PLACES_FILE = Path(__file__).with_name("jurisdictions.yaml")

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


@dataclass(frozen=True)
class Places:
    national: frozenset[str]
    prefecture_of: dict[str, str]  # municipality → prefecture
    prefectures: frozenset[str]
    aliases: dict[str, str]
    other_prefectures: frozenset[str] = frozenset()  # prefectures no document covers

    @classmethod
    def load(cls, path: Path = PLACES_FILE) -> Places:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        prefecture_of = {
            town: prefecture
            for prefecture, towns in (data.get("prefectures") or {}).items()
            for town in towns or []
        }
        return cls(
            national=frozenset(data.get("national") or []),
            prefecture_of=prefecture_of,
            prefectures=frozenset((data.get("prefectures") or {}).keys()),
            aliases=dict(data.get("aliases") or {}),
            other_prefectures=frozenset(data.get("other_prefectures") or []),
        )

    def canonical(self, name: str | None) -> str | None:
        if not name:
            return None
        name = unicodedata.normalize("NFKC", name).strip()
        name = self.aliases.get(name, name)
        if name in self.prefecture_of or name in self.prefectures or name in self.national:
            return name
        return name or None

    def detect(self, text: str) -> str | None:
        """The most specific known place named in `text` (a town beats its prefecture); the earliest wins
        among equals."""
        text = unicodedata.normalize("NFKC", text)
        found: list[tuple[int, int, str]] = []
        for town in self.prefecture_of:
            position = text.find(town)
            if position >= 0:
                found.append((0, position, town))
        for prefecture in self.prefectures:
            position = text.find(prefecture)
            if position >= 0:
                found.append((1, position, prefecture))
        if not found:
            for alias, name in self.aliases.items():
                position = text.find(alias)
                if position >= 0:
                    found.append((2, position, name))
        if not found:
            found = [(3, text.find(name), name) for name in self.other_prefectures if name in text]
            found += [
                (3, match.start(), match.group(1))
                for match in _MUNICIPALITY.finditer(text)
                if self.outside(match.group(1))
            ]
        return min(found)[2] if found else None

    @cached_property
    def _known(self) -> frozenset[str]:
        return frozenset(self.prefecture_of) | self.prefectures | self.national | frozenset(self.aliases)

    def outside(self, name: str) -> bool:
        """A place name that none of our documents covers: another prefecture, or a municipality we do not
        list (so, by construction, one outside the prefectures we list)."""
        if name in self._known:
            return False
        if name in self.other_prefectures:
            return True
        stem = name[:-1]
        return bool(_MUNICIPALITY_NAME.fullmatch(name)) and not any(char in stem for char in _NOT_IN_A_STEM)

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
        resident_prefecture = self.prefecture_of.get(
            resident, resident if resident in self.prefectures else ""
        )
        source_prefecture = self.prefecture_of.get(source, source if source in self.prefectures else "")
        if not resident_prefecture or not source_prefecture:
            return UNKNOWN
        if source_prefecture != resident_prefecture:
            return CONFLICT
        if source == resident_prefecture:
            return COVERS
        if resident == resident_prefecture:
            return INSIDE
        return CONFLICT


@lru_cache(maxsize=1)
def default_places() -> Places:
    return Places.load()

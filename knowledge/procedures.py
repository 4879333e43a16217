"""Procedures the program documents do not cover (data: procedures.yaml) and the kind of window for each.

A resident who asks where to file for one (「住民票の閲覧制限ってどこで手続きするんですか？」) is told
plainly that the documents do not cover it and which kind of window handles it, instead of being quoted
unrelated help.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from knowledge.tokenize import NOUN_CHAR

PROCEDURES_FILE = Path(__file__).with_name("procedures.yaml")

# A sentence that asks where or how to do something (「どこで手続き」「申請先は」「どこに言えば」).
_ASKS_HOW = re.compile(r"どこ|窓口|手続|申請|届け?出|申し?出|申し込|どうすれば|どうしたら|方法|やり方")


@dataclass(frozen=True)
class Procedure:
    name: str
    words: tuple[str, ...]
    window: str

    def named_in(self, sentence: str) -> str:
        """How `sentence` names this procedure (「住民票の閲覧制限」, grown from the word to the noun phrase
        around it), or ""."""
        for word in self.words:
            at = sentence.find(word)
            if at < 0:
                continue
            if not re.fullmatch(f"{NOUN_CHAR}+", word):
                return word
            phrase = re.search(
                rf"(?:{NOUN_CHAR}{{2,10}}の)?{NOUN_CHAR}*{re.escape(word)}{NOUN_CHAR}*(?:の{NOUN_CHAR}{{2,10}})?",
                sentence,
            )
            return phrase.group(0) if phrase else word
        return ""


def asks_how(sentence: str) -> bool:
    return _ASKS_HOW.search(sentence) is not None


@lru_cache(maxsize=4)
def load_procedures(path: Path = PROCEDURES_FILE) -> tuple[Procedure, ...]:
    rows = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return tuple(
        Procedure(
            name=str(row["name"]), words=tuple(str(word) for word in row["words"]), window=str(row["window"])
        )
        for row in rows
    )

"""What the handoff stores need from the bot's database (`bot.database.Database` fits): rows as dicts,
`?` placeholders, one write transaction at a time, and wiping deleted rows out of the file."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol


class Rows(Protocol):
    def query(self, sql: str, params: Sequence[Any] = ...) -> list[dict[str, Any]]: ...

    def one(self, sql: str, params: Sequence[Any] = ...) -> dict[str, Any] | None: ...

    def execute(self, sql: str, params: Sequence[Any] = ...) -> int: ...


class Database(Rows, Protocol):
    def atomic(self) -> AbstractContextManager[Rows]: ...

    def scrub(self) -> None: ...

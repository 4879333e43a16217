"""The documents the index is built from: the shipped ones (knowledge/docs/) and the city's own.

A city's documents live in the data directory, not the package, so they survive upgrades:
    $YORISOI_DATA_DIR/content/docs/     published: indexed beside the shipped ones; a file whose document
                                        id (file stem) equals a shipped one's replaces it
    $YORISOI_DATA_DIR/content/drafts/   imported and waiting for review; never indexed
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from knowledge.documents import DOCS_DIR, Document, DocumentError, load_document, load_documents

CONTENT_DIR = "content"
CITY_DOCS = "docs"
DRAFTS = "drafts"


def city_docs_dir(data_dir: Path) -> Path:
    return Path(data_dir) / CONTENT_DIR / CITY_DOCS


def drafts_dir(data_dir: Path) -> Path:
    return Path(data_dir) / CONTENT_DIR / DRAFTS


def load_library(data_dir: Path, shipped_dir: Path | None = None) -> list[Document]:
    """Shipped documents with the city's published ones laid over them by id (the city's win)."""
    shipped = load_documents(shipped_dir or DOCS_DIR)
    city = {document.id: document for document in load_documents(city_docs_dir(data_dir))}
    merged = [city.pop(document.id, document) for document in shipped]
    return merged + sorted(city.values(), key=lambda document: document.id)


@dataclass(frozen=True)
class Entry:
    """One document as `yorisoi docs list` shows it: status is shipped, overridden or added."""

    id: str
    title: str
    status: str
    path: str


def library_entries(data_dir: Path, shipped_dir: Path | None = None) -> list[Entry]:
    shipped = {document.id: document for document in load_documents(shipped_dir or DOCS_DIR)}
    city = {document.id: document for document in load_documents(city_docs_dir(data_dir))}
    entries = [
        Entry(
            doc_id,
            (city.get(doc_id) or document).title,
            "overridden" if doc_id in city else "shipped",
            (city.get(doc_id) or document).path,
        )
        for doc_id, document in shipped.items()
    ]
    entries += [
        Entry(doc_id, document.title, "added", document.path)
        for doc_id, document in sorted(city.items())
        if doc_id not in shipped
    ]
    return entries


def draft_paths(data_dir: Path) -> list[Path]:
    directory = drafts_dir(data_dir)
    return sorted(directory.glob("*.md")) if directory.is_dir() else []


def publish_draft(data_dir: Path, name: str) -> Path:
    """Move drafts/NAME.md into the published documents (replacing an earlier one of that name) and return
    its new path. The draft is read first, so a broken draft never reaches the index."""
    stem = name.removesuffix(".md")
    if not stem or Path(stem).name != stem:
        raise DocumentError(f"{name!r} is not a draft name (see `yorisoi docs list`)")
    draft = drafts_dir(data_dir) / f"{stem}.md"
    if not draft.is_file():
        raise DocumentError(f"no draft named {stem!r} in {drafts_dir(data_dir)}")
    load_document(draft)
    target = city_docs_dir(data_dir) / draft.name
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(draft, target)
    return target

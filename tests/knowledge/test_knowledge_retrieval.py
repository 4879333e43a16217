"""Query expansion, program-name matching and place handling, the pieces hybrid retrieval is built from."""

from __future__ import annotations

import pytest

from knowledge.chunking import Chunk
from knowledge.places import CONFLICT, COVERS, INSIDE, OUTSIDE, SAME, UNKNOWN, default_register
from knowledge.retrieval import NameMatcher, QueryExpander, clean_query, default_expander
from knowledge.tokenize import content_terms


def chunk(*sections: str) -> Chunk:
    return Chunk(
        id="x",
        doc="d",
        title="t",
        heading=" > ".join(["t", *sections]),
        sections=list(sections),
        jurisdiction="",
        date="",
        source_url="",
        publisher="",
        text="",
    )


def test_synonyms_come_from_the_data_file():
    expander = default_expander()
    assert "放課後児童クラブ" in expander.expansions("学童の利用料が高い")
    assert "転宅" in expander.expansions("引っ越しの費用")
    assert "高等学校卒業程度認定試験" in expander.expansions("高卒認定をとりたい")
    assert expander.expansions("児童扶養手当の額") == []
    assert QueryExpander({"学童": ["放課後児童クラブ"]}).expansions("放課後児童クラブと学童") == []


def test_content_terms_are_normalised_content_words():
    assert content_terms("引越しの費用を借りたい") == ["引っ越し", "費用", "借りる"]
    assert content_terms("４５，５００円") == ["45500", "円"]
    assert content_terms("何ができますか、教えてください") == []
    assert content_terms("🍣") == [] and content_terms("") == []


def test_program_names_spelled_out_in_the_question_count():
    chunks = [
        chunk("高等職業訓練促進給付金制度"),
        chunk("高等職業訓練促進資金貸付金"),
        chunk("貸付金", "転宅資金"),
    ]
    matcher = NameMatcher(chunks, ignore=["小平市"])
    scores = matcher.scores("高等職業訓練促進給付金は最長何年？")
    assert scores[0] == 1.0 and scores[1] < scores[0]
    assert matcher.scores("転宅資金を借りたい")[2] == 1.0
    assert not matcher.scores("小平市").any()
    assert not matcher.scores("").any()


def test_places_and_their_relations():
    places = default_register()
    assert places.find("能美市の福祉事務所の電話番号") == "能美市"
    assert places.find("石川県金沢市に住んでいます") == "金沢市"  # the town beats its prefecture
    assert places.find("児童扶養手当の額") is None
    assert places.relation("小平市", "小平市") == SAME
    assert places.relation("小平市", "東京都") == COVERS
    assert places.relation("小平市", "国") == COVERS
    assert places.relation("小平市", "石川県") == CONFLICT
    assert places.relation("金沢市", "能美市") == CONFLICT
    assert places.relation("石川県", "金沢市") == INSIDE
    assert places.relation("小平市", "") == UNKNOWN


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("横浜市に住んでいます", "横浜市"),
        ("大阪府で貸付を受けたい", "大阪府"),
        ("神奈川県横浜市に住んでいます", "神奈川県"),
        ("福岡市内の相談窓口", "福岡市"),
        ("江東区に住んでいます", "江東区"),  # a Tokyo ward we list: not outside
        ("市町村の窓口はどこ", None),
        ("市営住宅に住んでいます", None),
        ("都市に住んでいます", None),
        ("札幌市から引っ越してきました", None),  # lived there before; lives somewhere else now
    ],
)
def test_places_no_document_covers_are_recognised(text, place):
    assert default_register().find(text) == place


def test_a_resident_outside_every_document_is_outside_every_local_source():
    places = default_register()
    assert places.relation("横浜市", "石川県") == OUTSIDE and places.relation("大阪府", "小平市") == OUTSIDE
    assert places.relation("横浜市", "国") == COVERS
    assert places.relation("江東区", "東京都") == COVERS  # every Tokyo municipality is listed
    assert not places.outside("金沢市") and not places.outside("金沢")


def test_queries_are_cleaned_and_capped():
    assert clean_query("  学童\u3000の\n料金\x00 ") == "学童 の 料金"
    assert len(clean_query("あ" * 10_000)) == 400

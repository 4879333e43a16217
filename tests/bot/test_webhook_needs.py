"""What the resident needs, through the webhook (LINE → /callback → worker → router → knowledge → fake LINE):
a grant before a loan, a loan when they ask to borrow, who runs a centre only when asked, and an honest hedge
for a point the documents do not cover, with one query embedding per message."""

from __future__ import annotations

from conversation_support import ask, count_embeddings


def test_the_residents_need_is_answered_as_a_caseworker_would(live_server, signed_event, fake_line):
    text, _ = ask(live_server, signed_event, fake_line, "資格をとって働きたいけど学費がない")
    assert "高等職業訓練促進給付金" in text and "100,000円" in text
    text, _ = ask(live_server, signed_event, fake_line, "今月ピンチで5万円くらい借りたい")
    assert "小口資金" in text and "100,000円" in text
    text, _ = ask(live_server, signed_event, fake_line, "元旦那から養育費が止まって3ヶ月。どうしたらいい？")
    # The steps first (裁判所's page: the court's 勧告, 強制執行), never who runs the national centre.
    assert "支払を勧告する制度" in text and "強制執行" in text and "家庭問題情報センター" not in text
    text, _ = ask(live_server, signed_event, fake_line, "養育費の相場っていくらくらい？")
    assert "相場" in text and "手元の資料には書かれていません" in text and "相談員に相談" in text


def test_one_query_embedding_for_a_message_that_asks_to_borrow(
    make_app, live_server_for, signed_event, fake_line, monkeypatch
):
    counted = count_embeddings(monkeypatch)
    server = live_server_for(make_app())
    [embedder] = counted
    embedder.message_runs.clear()
    text, _ = ask(server, signed_event, fake_line, "子どもが入院して、医療費を借りられますか")
    assert "医療介護資金" in text
    assert len(embedder.message_runs) == 1, embedder.message_runs


def test_the_gaps_found_as_a_resident_through_the_webhook(live_server, signed_event, fake_line):
    """Grant before its loan, care late at night, deciding whether to divorce, a place said without 市."""
    text, _ = ask(live_server, signed_event, fake_line, "看護師の学校に通ってる間の生活費が心配です")
    assert "高等職業訓練促進給付金" in text.splitlines()[0] and "貸付金" not in text.splitlines()[0]
    text, _ = ask(live_server, signed_event, fake_line, "仕事の帰りが22時近くになる日があります")
    assert "トワイライトステイ" in text.splitlines()[0]
    text, _ = ask(live_server, signed_event, fake_line, "離婚したいけど子どもがかわいそうで迷ってる")
    assert "子どもの保育" not in text and "決める前のご相談もできます" in text and "相談員に相談" in text
    yokohama = "横浜に住んでいます。ひとり親の医療費助成は使えますか"
    text, _ = ask(live_server, signed_event, fake_line, yokohama)
    assert "横浜での窓口や金額" in text and "小平市" not in text

"""The reviewer's findings through the webhook (LINE → /callback → worker → router → knowledge → fake LINE):
rent owed, 学童 fees, two questions in one message, a follow-up that only gives a count (the chat remembers
the program of the last answer, with one query embedding per message), and a named municipality's window."""

from __future__ import annotations

from conversation_support import RESIDENT, ask, count_embeddings

from knowledge import default_register
from knowledge.places import phones_in

OTHER = "U" + "6" * 32


def test_rent_that_cannot_be_paid_gets_housing_help_and_a_counselor(live_server, signed_event, fake_line):
    text, body = ask(live_server, signed_event, fake_line, "家賃が払えない")
    assert "公営住宅" in text and "住宅資金" not in body
    assert "払えない家賃" in text and "相談員に相談" in text
    register = default_register()
    assert [number for number in phones_in(body) if not register.serves(number, None)] == []


def test_a_school_childcare_fee_question_is_answered_from_the_program_page(
    live_server, signed_event, fake_line
):
    ask(live_server, signed_event, fake_line, "金沢市に住んでいます")
    text, _ = ask(live_server, signed_event, fake_line, "学童の減免について知りたい")
    assert "放課後児童クラブ利用支援" in text and "3,000円" in text
    assert "計画（2012年度）" not in text


def test_two_questions_in_one_message_are_both_answered(live_server, signed_event, fake_line):
    text, _ = ask(live_server, signed_event, fake_line, "保育料の減免と学童の補助について教えて")
    assert "■保育料の軽減制度" in text and "■ひとり親家庭放課後児童クラブ利用支援" in text
    assert "3,000円" in text
    text, _ = ask(live_server, signed_event, fake_line, "児童扶養手当はいくら？あと申請はどこで？")
    assert "46,690円" in text and "申請先" in text


def test_a_follow_up_count_gets_the_total_of_the_program_asked_before(
    live_server, signed_event, fake_line, monkeypatch
):
    monkeypatch.setenv("YORISOI_TODAY", "2026-05-01")
    text, _ = ask(live_server, signed_event, fake_line, "児童扶養手当はいくら？")
    assert "46,690円" in text
    text, _ = ask(live_server, signed_event, fake_line, "子ども2人の場合は？")
    assert "2人なら合計で月額57,720円（全部支給の場合）" in text
    text, _ = ask(live_server, signed_event, fake_line, "3人だと？")
    assert "3人なら合計で月額68,750円（全部支給の場合）" in text
    # Another resident's chat continues that resident's own program.
    ask(live_server, signed_event, fake_line, "高等職業訓練促進給付金はいくら？", user=OTHER)
    text, _ = ask(live_server, signed_event, fake_line, "3人だと？", user=OTHER)
    assert "高等職業訓練促進給付金" in text and "68,750円" not in text


def test_children_told_in_the_chat_give_the_household_total_and_a_total_is_a_follow_up(
    live_server, signed_event, fake_line, monkeypatch
):
    monkeypatch.setenv("YORISOI_TODAY", "2026-05-01")
    said = "4月から母子家庭です。小学生と保育園の子がいます。手当っていくらもらえるんでしょうか"
    text, _ = ask(live_server, signed_event, fake_line, said)
    assert "2人なら合計で月額57,720円（全部支給の場合）" in text
    text, _ = ask(live_server, signed_event, fake_line, "児童扶養手当はいくら？", user=OTHER)
    assert "合計" not in text
    text, _ = ask(live_server, signed_event, fake_line, "ふたりだと合計いくらですか", user=OTHER)
    assert "2人なら合計で月額57,720円（全部支給の場合）" in text


def test_unpaid_support_told_as_a_fact_is_answered_not_taken_for_a_household(
    live_server, signed_event, fake_line
):
    # 「3か月止まって」 is how long, not a baby's age: no household check starts on it.
    said = "元夫から養育費が3か月止まってます。公正証書はあります"
    text, _ = ask(live_server, signed_event, fake_line, said)
    assert "強制執行" in text and "養育費等相談支援センター" in text
    assert "0歳" not in text


def test_the_follow_up_topic_is_forgotten_with_the_residents_data(live_server, signed_event, fake_line):
    ask(live_server, signed_event, fake_line, "児童扶養手当はいくら？")
    stores = live_server.core.stores
    user_key = stores.identity.user_key(RESIDENT)
    assert stores.dialogue.topic(user_key) == "児童扶養手当"
    for forget in stores.forgetters():  # what 「データを削除」 runs
        forget(user_key)
    assert stores.dialogue.topic(user_key) is None


def test_a_named_municipality_gets_its_own_window(live_server, signed_event, fake_line):
    text, body = ask(live_server, signed_event, fake_line, "白山市に住んでいます。児童扶養手当の申請はどこ？")
    assert "076-274-9527" in text
    register = default_register()
    assert all(register.serves(number, "白山市") for number in phones_in(body))
    # A place said in an earlier message is the resident's too.
    ask(live_server, signed_event, fake_line, "小松市に住んでいます", user=OTHER)
    text, _ = ask(live_server, signed_event, fake_line, "児童扶養手当の窓口を教えて", user=OTHER)
    assert "0761-24-8057" in text and "076-274-9527" not in text


def test_a_follow_up_and_a_two_part_message_cost_one_query_embedding_each(
    make_app, live_server_for, signed_event, fake_line, monkeypatch
):
    counted = count_embeddings(monkeypatch)
    server = live_server_for(make_app())
    [embedder] = counted
    for message in ("児童扶養手当はいくら？", "3人だと？", "保育料の減免と学童の補助について教えて"):
        embedder.message_runs.clear()
        ask(server, signed_event, fake_line, message)
        assert len(embedder.message_runs) == 1, (message, embedder.message_runs)

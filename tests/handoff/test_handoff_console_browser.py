"""The counselor console in a real headless Chromium: closing with confirmation and a closing message, drafts
that survive a refresh, the live list (preview, marker, urgent first), Japanese labels, deleted residents."""

from __future__ import annotations

import uuid

import pytest
from browser_support import log_in
from playwright.sync_api import expect

from handoff import NOTE_AUTHOR_BOT, ThreadStore
from handoff.messages import COUNSELOR_REPLY, THREAD_DELETED, THREAD_RESOLVED
from handoff.replies import live_crisis_note

pytestmark = pytest.mark.browser
LINE_USER_ID = "U4af4980629f8c7b5e3f1a2b3c4d5e6f7"  # the default of the open_thread fixture
LIVE_WAIT_MS = 60_000  # the list polls every 10 s; a loaded machine gets plenty of slack


def test_close_asks_first_and_sends_the_typed_text_as_the_closing_message(
    page, base_url: str, store: ThreadStore, open_thread, deliver
) -> None:
    thread = open_thread()
    store.claim(thread.id, "suzuki")
    log_in(page, base_url, "suzuki", "suzuki-password")
    page.goto(f"{base_url}/counselor/threads/{thread.id}")
    page.fill("#reply-text", "今日はここまでにします。またいつでもどうぞ。")
    page.click("text=相談を終了する")
    expect(page.locator(".closing-text")).to_have_text("今日はここまでにします。またいつでもどうぞ。")
    assert store.get(thread.id).status == "claimed"  # nothing happened before the confirmation
    page.click("#cancel-resolve")
    expect(page.locator("#reply-text")).to_have_value("今日はここまでにします。またいつでもどうぞ。")
    page.click("text=相談を終了する")
    page.click("#confirm-resolve")
    page.wait_for_url(f"{base_url}/counselor/")
    assert store.get(thread.id).status == "resolved"
    assert [call[1] for call in deliver.calls] == [
        COUNSELOR_REPLY.format(text="今日はここまでにします。またいつでもどうぞ。"),
        THREAD_RESOLVED,
    ]
    assert page.evaluate("Object.keys(window.localStorage).length") == 0  # the draft went with it


def test_a_typed_reply_survives_a_refresh_and_is_cleared_once_sent(
    page, base_url: str, store: ThreadStore, open_thread, deliver
) -> None:
    thread = open_thread()
    store.claim(thread.id, "suzuki")
    log_in(page, base_url, "suzuki", "suzuki-password")
    page.goto(f"{base_url}/counselor/threads/{thread.id}")
    page.fill("#reply-text", "書きかけの返信です")
    page.reload()
    expect(page.locator("#reply-text")).to_have_value("書きかけの返信です")
    page.goto(f"{base_url}/counselor/")
    page.goto(f"{base_url}/counselor/threads/{thread.id}")
    expect(page.locator("#reply-text")).to_have_value("書きかけの返信です")
    page.click("form.reply button.primary")
    page.wait_for_selector("text=送信状況：届きました")
    expect(page.locator("#reply-text")).to_have_value("")
    page.reload()
    expect(page.locator("#reply-text")).to_have_value("")
    assert len(deliver.calls) == 1


def test_the_list_previews_marks_and_refreshes_itself(
    replies, page, base_url: str, store: ThreadStore, open_thread, deliver
) -> None:
    calm = open_thread("U" + "1" * 32)
    store.append(calm.id, "resident", "電話は090-1234-5678です。" + "とても長い相談の文章" * 10)
    store.claim(calm.id, "suzuki")
    replies.send(calm.id, "suzuki", "承知しました", str(uuid.uuid4()))
    urgent = open_thread(reason="crisis", urgent=True, categories=["dv"])
    store.append(urgent.id, "resident", "助けてください")
    log_in(page, base_url, "suzuki", "suzuki-password")
    cards = page.locator(".thread-card")
    assert cards.first.get_attribute("data-thread-id") == str(urgent.id)
    assert "新しいメッセージ" in cards.first.inner_text() and "助けてください" in cards.first.inner_text()
    calm_card = page.locator(f'.thread-card[data-thread-id="{calm.id}"]')
    assert "新しいメッセージ" not in calm_card.inner_text() and "承知しました" in calm_card.inner_text()

    page.evaluate("window.__kept = 'no full reload'")
    store.append(calm.id, "resident", "追加で相談です 5678-1234")
    expect(calm_card).to_contain_text("新しいメッセージ", timeout=LIVE_WAIT_MS)
    expect(calm_card).to_contain_text("相談者：追加で相談です ＊＊＊")
    assert "5678" not in calm_card.inner_text()
    assert page.evaluate("window.__kept") == "no full reload"


def test_labels_are_japanese(replies, page, base_url: str, store: ThreadStore, open_thread, deliver) -> None:
    facts = {
        "parent": "father",
        "child_allowance": "not_receiving",
        "resident_tax": "taxed",
        "children": [{"age": 13, "stage": "中学生"}, {"stage": "保育園児"}],
        "children_ages": [7],
    }
    thread = open_thread(facts=facts)
    store.claim(thread.id, "admin")
    deliver.status = "failed: 500"
    replies.send(thread.id, "admin", "届くでしょうか", str(uuid.uuid4()))
    log_in(page, base_url, "admin", "admin-password")
    page.goto(f"{base_url}/counselor/threads/{thread.id}")
    text = page.inner_text("main")
    for code in ("father", "not_receiving", "taxed", "failed", "claimed"):
        assert code not in text, code
    for label in (
        "父（父子家庭）",
        "受給していない",
        "課税",
        "中学生（13歳）",
        "保育園児",
        "7歳",
        "送れませんでした",
    ):
        assert label in text, label
    page.goto(f"{base_url}/counselor/admin/audit")
    audit = page.inner_text("main")
    assert "閲覧" in audit and "担当" in audit and "ログイン" in audit
    for code in ("view", "claim", "login", "reply"):
        assert f"\t{code}\t" not in audit and code not in audit.split(), code


def test_a_resident_who_deleted_their_data_leaves_a_line_not_a_404(
    page, base_url: str, store: ThreadStore, open_thread, identity
) -> None:
    thread = open_thread()
    store.append(thread.id, "resident", "相談したいことがあります")
    log_in(page, base_url, "suzuki", "suzuki-password")
    store.forget(identity.user_key(LINE_USER_ID))
    card = page.locator(f'.thread-card[data-thread-id="{thread.id}"]')
    expect(card).to_contain_text(THREAD_DELETED, timeout=LIVE_WAIT_MS)  # the live list says so
    page.reload()
    assert THREAD_DELETED in page.locator(f'.thread-card[data-thread-id="{thread.id}"]').inner_text()
    response = page.goto(f"{base_url}/counselor/threads/{thread.id}")
    assert response.status == 200 and THREAD_DELETED in page.inner_text("main")
    assert "deleted" not in page.inner_text("main")
    assert "相談したいことがあります" not in page.content()


def test_canned_replies_for_the_kind_come_first_and_keep_what_was_typed(
    page, base_url: str, store: ThreadStore, open_thread
) -> None:
    thread = open_thread(reason="crisis", urgent=True, categories=["dv"])
    store.claim(thread.id, "suzuki")
    log_in(page, base_url, "suzuki", "suzuki-password")
    page.goto(f"{base_url}/counselor/threads/{thread.id}")
    first = page.locator("#canned option").first
    assert "DV" in first.inner_text() and "fits" in (first.get_attribute("class") or "")
    page.fill("#reply-text", "自分の書いた一文。")
    page.click("form.canned button[type=submit]")
    value = page.locator("#reply-text").input_value()
    assert value.startswith("自分の書いた一文。\n") and "0120-279-889" in value
    assert page.url == f"{base_url}/counselor/threads/{thread.id}"  # no page load


def test_the_open_thread_shows_what_the_resident_writes_while_a_reply_is_typed(
    replies, page, base_url: str, store: ThreadStore, open_thread, deliver
) -> None:
    thread = open_thread()
    store.claim(thread.id, "suzuki")
    replies.send(thread.id, "suzuki", "はじめまして。担当の鈴木です", str(uuid.uuid4()))
    log_in(page, base_url, "suzuki", "suzuki-password")
    page.goto(f"{base_url}/counselor/threads/{thread.id}")
    page.fill("#reply-text", "書きかけの返信")
    page.evaluate("window.__kept = 'no full reload'")
    store.append(thread.id, "resident", "実はさっき元夫が家の前に来ていました")
    open_thread(reason="crisis", urgent=True, categories=["danger"])  # the same resident: raised to urgent
    expect(page.locator("#thread-messages")).to_contain_text("元夫が家の前に", timeout=LIVE_WAIT_MS)
    expect(page.locator("#thread-head")).to_contain_text("緊急", timeout=LIVE_WAIT_MS)
    expect(page.locator("#reply-text")).to_have_value("書きかけの返信")
    assert page.evaluate("window.__kept") == "no full reload"


def test_crisis_words_in_a_live_thread_alert_the_counselor_on_the_open_page(
    replies, page, base_url: str, store: ThreadStore, open_thread, deliver
) -> None:
    """The bot stays quiet to the resident (a counselor is writing) and leaves a note: the open page shows
    it atop the thread and offers the canned replies for the new kind first, without a reload."""
    thread = open_thread()
    store.claim(thread.id, "suzuki")
    replies.send(thread.id, "suzuki", "保育園の書類ですね", str(uuid.uuid4()))
    log_in(page, base_url, "suzuki", "suzuki-password")
    page.goto(f"{base_url}/counselor/threads/{thread.id}")
    assert "★" not in page.locator("#canned option").first.inner_text()
    page.fill("#reply-text", "書きかけ")
    page.evaluate("window.__kept = 'no full reload'")
    store.append(thread.id, "resident", "実は元夫が家の前に来ています")
    open_thread(reason="crisis", urgent=True, categories=["danger"])  # what the bot does, as in a live thread
    store.add_note(thread.id, NOTE_AUTHOR_BOT, live_crisis_note(["danger"]))
    alert = page.locator("#thread-alert")
    expect(alert).to_contain_text("危機の言葉がありました", timeout=LIVE_WAIT_MS)
    expect(alert).to_contain_text("身の危険")
    assert "danger" not in alert.inner_text()
    first = page.locator("#canned option").first
    expect(first).to_contain_text("★", timeout=LIVE_WAIT_MS)
    expect(first).to_have_text("★ いま危険があるとき")
    assert page.locator("#canned").input_value() == first.get_attribute("value")
    assert page.locator("#canned option.fits").count() == 1
    expect(page.locator("#reply-text")).to_have_value("書きかけ")
    assert page.evaluate("window.__kept") == "no full reload"

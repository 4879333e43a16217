"""A counselor's typed text in a real headless Chromium: a reply survives navigation between threads and
back, leaving the close confirmation another way, a page load that brings its own text (a canned reply), the
thread being closed by someone else, and the session ending; a note survives a refresh."""

from __future__ import annotations

import re

import pytest
from browser_support import log_in
from playwright.sync_api import expect

from handoff import ThreadStore

pytestmark = pytest.mark.browser
WAIT_MS = 30_000  # generous: a loaded machine may be slow to load a page


def _thread_page(page, base_url: str, thread_id: int) -> None:
    page.goto(f"{base_url}/counselor/threads/{thread_id}")
    page.wait_for_function("document.readyState === 'complete'", timeout=WAIT_MS)


def test_each_threads_draft_survives_going_to_another_thread_and_back(
    page, base_url: str, store: ThreadStore, open_thread, deliver
) -> None:
    first, second = open_thread("U" + "1" * 32), open_thread("U" + "2" * 32)
    for thread in (first, second):
        store.claim(thread.id, "suzuki")
    log_in(page, base_url, "suzuki", "suzuki-password")
    _thread_page(page, base_url, first.id)
    page.fill("#reply-text", "一つ目への返信を書きかけ")
    page.click(".page a[href$='/counselor/']")  # ← 相談一覧
    page.click(f'.thread-card[data-thread-id="{second.id}"] a.thread-link')
    page.wait_for_url(f"**/threads/{second.id}", timeout=WAIT_MS)
    expect(page.locator("#reply-text")).to_have_value("", timeout=WAIT_MS)
    page.fill("#reply-text", "二つ目への返信")
    page.go_back()
    page.go_back()
    page.wait_for_url(f"**/threads/{first.id}", timeout=WAIT_MS)
    expect(page.locator("#reply-text")).to_have_value("一つ目への返信を書きかけ", timeout=WAIT_MS)
    _thread_page(page, base_url, second.id)
    expect(page.locator("#reply-text")).to_have_value("二つ目への返信", timeout=WAIT_MS)
    assert deliver.calls == []


def test_leaving_the_close_confirmation_another_way_keeps_the_typed_text(
    page, base_url: str, store: ThreadStore, open_thread, deliver
) -> None:
    thread = open_thread()
    store.claim(thread.id, "suzuki")
    log_in(page, base_url, "suzuki", "suzuki-password")
    _thread_page(page, base_url, thread.id)
    page.fill("#reply-text", "終わりにするか迷っている文")
    page.click("text=相談を終了する（入力中")
    expect(page.locator(".closing-text")).to_have_text("終わりにするか迷っている文", timeout=WAIT_MS)
    page.click(".topbar a[href$='/counselor/']")  # the menu, not 「やめて相談に戻る」
    page.wait_for_url(f"{base_url}/counselor/", timeout=WAIT_MS)
    _thread_page(page, base_url, thread.id)
    expect(page.locator("#reply-text")).to_have_value("終わりにするか迷っている文", timeout=WAIT_MS)
    page.reload()
    expect(page.locator("#reply-text")).to_have_value("終わりにするか迷っている文", timeout=WAIT_MS)
    assert store.get(thread.id).status == "claimed" and deliver.calls == []


def test_a_page_that_brings_a_canned_reply_keeps_what_was_typed_before_it(
    page, base_url: str, store: ThreadStore, open_thread
) -> None:
    thread = open_thread(reason="crisis", urgent=True, categories=["dv"])
    store.claim(thread.id, "suzuki")
    log_in(page, base_url, "suzuki", "suzuki-password")
    _thread_page(page, base_url, thread.id)
    page.fill("#reply-text", "先に書いていた一文。")
    page.goto(f"{base_url}/counselor/threads/{thread.id}?canned=0")  # the canned form without its script
    box = page.locator("#reply-text")
    expect(box).to_have_value(re.compile(r"^先に書いていた一文。\n.+", re.S), timeout=WAIT_MS)
    page.reload()
    assert box.input_value().count("先に書いていた一文。") == 1


def test_a_reply_typed_while_someone_else_closes_the_thread_is_shown_to_copy(
    page, base_url: str, store: ThreadStore, open_thread, deliver
) -> None:
    thread = open_thread()
    store.claim(thread.id, "suzuki")
    log_in(page, base_url, "suzuki", "suzuki-password")
    _thread_page(page, base_url, thread.id)
    page.fill("#reply-text", "長く書いた大事な返信")
    store.resolve(thread.id, "admin")
    page.click("form.reply button.primary")
    expect(page.locator("#unsent-text")).to_have_value("長く書いた大事な返信", timeout=WAIT_MS)
    _thread_page(page, base_url, thread.id)  # opened again later: the browser still has the text
    expect(page.locator("#unsent-text")).to_have_value("長く書いた大事な返信", timeout=WAIT_MS)
    expect(page.locator("#unsent")).to_be_visible()
    page.click("#discard-unsent")
    expect(page.locator("#unsent")).to_be_hidden()
    _thread_page(page, base_url, thread.id)
    expect(page.locator("#unsent")).to_be_hidden(timeout=WAIT_MS)
    assert deliver.calls == []


def test_a_reply_sent_after_the_session_ended_waits_in_its_thread(
    page, base_url: str, store: ThreadStore, open_thread, deliver, monkeypatch
) -> None:
    thread = open_thread()
    store.claim(thread.id, "suzuki")
    log_in(page, base_url, "suzuki", "suzuki-password")
    _thread_page(page, base_url, thread.id)
    page.fill("#reply-text", "ログインが切れる前に書いた返信")
    monkeypatch.setattr("handoff.dashboard.auth.SESSION_IDLE_SECONDS", -1)  # the session ends (idle)
    page.click("form.reply button.primary")
    page.wait_for_url("**/counselor/login**", timeout=WAIT_MS)
    monkeypatch.undo()
    page.fill("input[name=name]", "suzuki")
    page.fill("input[name=password]", "suzuki-password")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"**/threads/{thread.id}", timeout=WAIT_MS)
    expect(page.locator("#reply-text")).to_have_value("ログインが切れる前に書いた返信", timeout=WAIT_MS)
    assert deliver.calls == []


def test_a_note_survives_a_refresh_and_is_forgotten_once_added(
    page, base_url: str, store: ThreadStore, open_thread
) -> None:
    thread = open_thread()
    log_in(page, base_url, "suzuki", "suzuki-password")
    _thread_page(page, base_url, thread.id)
    page.fill("#note-text", "次回は保育園の件を確認")
    page.reload()
    expect(page.locator("#note-text")).to_have_value("次回は保育園の件を確認", timeout=WAIT_MS)
    page.click("form:has(#note-text) button[type=submit]")
    expect(page.locator(".notes .text")).to_have_text("次回は保育園の件を確認", timeout=WAIT_MS)
    expect(page.locator("#note-text")).to_have_value("")
    page.reload()
    expect(page.locator("#note-text")).to_have_value("", timeout=WAIT_MS)
    assert [note.text for note in store.notes(thread.id)] == ["次回は保育園の件を確認"]

"""A counselor's typed text in a real headless Chromium: a reply survives navigation between threads and
back, leaving the close confirmation another way, a page load that brings its own text (a canned reply), the
thread being closed by someone else, and the session ending; a note survives a refresh. Logging out asks when
typed text is kept and removes it from the browser; after a session ended it waits for the same counselor and
is removed when someone else logs in on that browser (a shared office PC)."""

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


@pytest.fixture
def at_thread(page, base_url: str, store: ThreadStore):
    """Log in as suzuki and open a thread's page; `claim` (the default) makes it suzuki's first, so the
    reply box is there."""

    def go(thread, claim: bool = True) -> None:
        if claim:
            store.claim(thread.id, "suzuki")
        log_in(page, base_url, "suzuki", "suzuki-password")
        _thread_page(page, base_url, thread.id)

    return go


def _kept(page) -> dict[str, str]:
    """What the browser keeps for the console (drafts and notes), by key."""
    return page.evaluate(
        """() => Object.fromEntries(Object.keys(localStorage)
             .filter(k => k.startsWith('yorisoi-')).map(k => [k, localStorage.getItem(k)]))"""
    )


def _log_in_again(page, name: str, password: str) -> None:
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    page.click("button[type=submit].primary")


def test_each_threads_draft_survives_going_to_another_thread_and_back(
    page, base_url: str, store: ThreadStore, open_thread, at_thread, deliver
) -> None:
    first, second = open_thread("U" + "1" * 32), open_thread("U" + "2" * 32)
    store.claim(second.id, "suzuki")
    at_thread(first)
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
    page, base_url: str, store: ThreadStore, open_thread, at_thread, deliver
) -> None:
    thread = open_thread()
    at_thread(thread)
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
    page, base_url: str, store: ThreadStore, open_thread, at_thread
) -> None:
    thread = open_thread(reason="crisis", urgent=True, categories=["dv"])
    at_thread(thread)
    page.fill("#reply-text", "先に書いていた一文。")
    page.goto(f"{base_url}/counselor/threads/{thread.id}?canned=0")  # the canned form without its script
    box = page.locator("#reply-text")
    expect(box).to_have_value(re.compile(r"^先に書いていた一文。\n.+", re.S), timeout=WAIT_MS)
    page.reload()
    assert box.input_value().count("先に書いていた一文。") == 1


def test_a_reply_typed_while_someone_else_closes_the_thread_is_shown_to_copy(
    page, base_url: str, store: ThreadStore, open_thread, at_thread, deliver
) -> None:
    thread = open_thread()
    at_thread(thread)
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
    page, base_url: str, store: ThreadStore, open_thread, at_thread, deliver, monkeypatch
) -> None:
    thread = open_thread()
    at_thread(thread)
    page.fill("#reply-text", "ログインが切れる前に書いた返信")
    monkeypatch.setattr("handoff.dashboard.auth.SESSION_IDLE_SECONDS", -1)  # the session ends (idle)
    page.click("form.reply button.primary")
    page.wait_for_url("**/counselor/login**", timeout=WAIT_MS)
    monkeypatch.undo()
    expect(page.locator("#drafts-kept")).to_be_visible()  # said, not lost silently
    _log_in_again(page, "suzuki", "suzuki-password")
    page.wait_for_url(f"**/threads/{thread.id}", timeout=WAIT_MS)
    expect(page.locator("#reply-text")).to_have_value("ログインが切れる前に書いた返信", timeout=WAIT_MS)
    assert deliver.calls == []


def test_a_note_survives_a_refresh_and_is_forgotten_once_added(
    page, base_url: str, store: ThreadStore, open_thread, at_thread
) -> None:
    thread = open_thread()
    at_thread(thread, claim=False)
    page.fill("#note-text", "次回は保育園の件を確認")
    page.reload()
    expect(page.locator("#note-text")).to_have_value("次回は保育園の件を確認", timeout=WAIT_MS)
    page.click("form:has(#note-text) button[type=submit]")
    expect(page.locator(".notes .text")).to_have_text("次回は保育園の件を確認", timeout=WAIT_MS)
    expect(page.locator("#note-text")).to_have_value("")
    page.reload()
    expect(page.locator("#note-text")).to_have_value("", timeout=WAIT_MS)
    assert [note.text for note in store.notes(thread.id)] == ["次回は保育園の件を確認"]


def test_logging_out_with_typed_text_asks_first_and_then_removes_it_from_the_browser(
    page, base_url: str, store: ThreadStore, open_thread, at_thread, deliver
) -> None:
    thread, other = open_thread(), open_thread("U" + "3" * 32)
    at_thread(thread)
    page.fill("#reply-text", "危機の相談者への書きかけの返信")
    _thread_page(page, base_url, other.id)
    page.fill("#note-text", "書きかけのメモ")
    asked: list[str] = []

    def answer(dialog, accept: bool) -> None:
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    page.click("form.logout button")
    assert len(asked) == 1 and "送信していない下書きがあります（2件）" in asked[0]
    expect(page.locator("#note-text")).to_have_value("書きかけのメモ")  # stayed: nothing removed
    assert len(_kept(page)) == 2

    page.once("dialog", lambda dialog: answer(dialog, True))
    page.click("form.logout button")
    page.wait_for_url("**/counselor/login", timeout=WAIT_MS)
    assert len(asked) == 2 and _kept(page) == {}
    expect(page.locator("#drafts-kept")).to_be_hidden()
    _log_in_again(page, "suzuki", "suzuki-password")
    page.wait_for_url(f"{base_url}/counselor/", timeout=WAIT_MS)
    _thread_page(page, base_url, thread.id)
    expect(page.locator("#reply-text")).to_have_value("")
    assert deliver.calls == []


def test_logging_out_with_nothing_typed_asks_nothing(page, base_url: str, open_thread, at_thread) -> None:
    at_thread(open_thread())
    page.on("dialog", lambda dialog: pytest.fail(f"asked: {dialog.message}"))
    page.click("form.logout button")
    page.wait_for_url("**/counselor/login", timeout=WAIT_MS)
    expect(page.locator("main")).to_contain_text("ログアウトしました")


def test_after_a_session_ended_someone_else_logging_in_never_sees_the_typed_reply(
    page, base_url: str, store: ThreadStore, open_thread, at_thread, deliver, monkeypatch
) -> None:
    thread = open_thread(reason="crisis", urgent=True, categories=["suicide"])
    at_thread(thread)
    page.fill("#reply-text", "鈴木が書いていた返信")
    page.fill("#note-text", "鈴木のメモ")
    monkeypatch.setattr("handoff.dashboard.auth.SESSION_IDLE_SECONDS", -1)  # suzuki walks away; it ends
    page.reload()
    page.wait_for_url("**/counselor/login**", timeout=WAIT_MS)
    monkeypatch.undo()
    expect(page.locator("#drafts-kept")).to_be_visible()
    _log_in_again(page, "admin", "admin-password")  # the next person at the same PC
    page.wait_for_url(f"**/threads/{thread.id}", timeout=WAIT_MS)
    page.wait_for_function("document.readyState === 'complete'", timeout=WAIT_MS)
    expect(page.locator("#note-text")).to_have_value("")
    assert _kept(page) == {}
    store.claim(thread.id, "admin", take_over=True)
    page.reload()
    expect(page.locator("#reply-text")).to_have_value("", timeout=WAIT_MS)
    assert "鈴木" not in page.content() and deliver.calls == []

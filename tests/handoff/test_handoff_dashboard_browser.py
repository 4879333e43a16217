"""The dashboard in a real headless Chromium against a real werkzeug server on 127.0.0.1."""

from __future__ import annotations

import pytest
from browser_support import log_in as log_in_through

from handoff import ThreadStore
from handoff.messages import COUNSELOR_REPLY, THREAD_RESOLVED

LINE_USER_ID = "U4af4980629f8c7b5e3f1a2b3c4d5e6f7"  # the default of the open_thread fixture

pytestmark = pytest.mark.browser

XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'


def log_in(page, base_url: str, name: str, password: str) -> None:
    """Through the queue, which sends a logged-out visitor to the login page."""
    log_in_through(page, base_url, name, password, start="/counselor/")


def test_counselor_takes_the_urgent_thread_replies_and_resolves(
    page, base_url: str, store: ThreadStore, open_thread, deliver
) -> None:
    calm = open_thread("U" + "1" * 32, reason="request")
    store.append(calm.id, "resident", "手当のことを聞きたいです")
    urgent = open_thread(reason="crisis", urgent=True, categories=["dv"], facts={"parent": "mother"})
    store.append(urgent.id, "resident", "夫からDVを受けています " + XSS)

    log_in(page, base_url, "suzuki", "suzuki-password")
    cards = page.locator(".thread-card")
    assert cards.count() == 2
    assert cards.first.get_attribute("data-thread-id") == str(urgent.id)
    assert "urgent" in (cards.first.get_attribute("class") or "")
    assert "緊急" in cards.first.inner_text()

    cards.first.locator("a.thread-link").click()
    page.wait_for_url(f"{base_url}/counselor/threads/{urgent.id}")
    assert "夫からDVを受けています <img src=x" in page.locator(".message .text").first.inner_text()
    assert page.evaluate("window.__xss") is None

    page.click("text=担当する")
    page.wait_for_selector("#reply-text")
    assert "担当にしました" in page.inner_text(".flash")

    page.fill("#reply-text", "ご連絡ありがとうございます。安全な場所にいますか？")
    page.click("form.reply button[type=submit]")
    page.wait_for_selector("text=送信状況：届きました")
    assert deliver.calls == [
        (
            LINE_USER_ID,
            COUNSELOR_REPLY.format(text="ご連絡ありがとうございます。安全な場所にいますか？"),
            deliver.calls[0][2],
        )
    ]

    page.click("text=相談を終了する")
    page.click("#confirm-resolve")
    page.wait_for_url(f"{base_url}/counselor/")
    assert store.get(urgent.id).status == "resolved"
    assert deliver.calls[-1][:2] == (LINE_USER_ID, THREAD_RESOLVED)
    assert page.locator(".thread-card").count() == 1
    assert page.locator(".thread-card").first.get_attribute("data-thread-id") == str(calm.id)


def test_works_on_a_phone_screen_with_the_stylesheet_allowed_by_csp(
    browser, base_url: str, store: ThreadStore, open_thread
) -> None:
    thread = open_thread(reason="crisis", urgent=True, categories=["suicide"])
    store.append(thread.id, "resident", "とても長いメッセージ" * 40 + "https://example.invalid/" + "x" * 200)
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: blocked.append(message.text) if "Content Security" in message.text else None,
    )
    try:
        log_in(page, base_url, "suzuki", "suzuki-password")
        page.goto(f"{base_url}/counselor/threads/{thread.id}")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(244, 246, 248)"  # dashboard.css loaded
        assert blocked == []
    finally:
        context.close()


def test_logged_out_browser_lands_on_login_and_counselor_gets_403_on_admin(page, base_url: str) -> None:
    page.goto(f"{base_url}/counselor/admin/audit")
    assert "/counselor/login" in page.url
    log_in(page, base_url, "suzuki", "suzuki-password")
    response = page.goto(f"{base_url}/counselor/admin/accounts")
    assert response.status == 403
    assert page.locator("a", has_text="アカウント").count() == 0


def test_admin_adds_an_account_in_the_browser(page, base_url: str, accounts) -> None:
    log_in(page, base_url, "admin", "admin-password")
    page.click("text=アカウント")
    page.fill("form.grid input[name=name]", "佐藤")
    page.fill("form.grid input[name=password]", "sato-password")
    page.select_option("form.grid select[name=role]", "counselor")
    page.click("form.grid button[type=submit]")
    page.wait_for_selector("text=アカウント 佐藤 を追加しました。")
    assert accounts.verify("佐藤", "sato-password") is not None

"""Notice pages in a real headless Chromium on the whole app: an admin writes a notice, previews it with this
month's quota from the fake LINE API, sends it, and the run page counts it out; counselors cannot."""

from __future__ import annotations

import time

import pytest
from browser_support import log_in
from fake_line import PUSH_PATH, ScriptedConversation

pytestmark = pytest.mark.browser

XSS = '<img src=x onerror="window.__xss=1">'
BODY = "児童扶養手当の現況届の受付が8月1日から始まります。\n詳しくは市のこども家庭課へ。" + XSS


@pytest.fixture
def server(make_app, live_server_for):
    app = make_app(ScriptedConversation, notice_poll=0.2)
    stores = app.extensions["yorisoi"].stores
    stores.accounts.add("kanri", "kanri-password", admin=True)
    stores.accounts.add("suzuki", "suzuki-password")
    return live_server_for(app)


def test_write_preview_and_send_a_notice(page, server, fake_line) -> None:
    stores = server.core.stores
    subscribers = [f"U{n:032x}" for n in range(3)]
    for line_id in subscribers:
        key, ref = stores.identity.user_key(line_id), stores.identity.seal(line_id)
        stores.subscriptions.subscribe(key, ref, "genkyo_todoke")
    stores.subscriptions.subscribe(stores.identity.user_key("U" + "f" * 32), "x", "loans")
    fake_line.set_quota(1000, used=120)

    log_in(page, server.url, "kanri", "kanri-password")
    page.click("text=お知らせ配信")
    page.wait_for_url(f"{server.url}/counselor/admin/notices")
    assert page.inner_text("p.quota-line") == "上限 1000通、使用 120通、残り 880通"
    options = page.locator("select[name=topic] option").all_inner_texts()
    assert options[0] == "児童扶養手当の現況届（登録 3人）" and options[1] == "貸付の募集（登録 1人）"

    # An empty text is refused with a message, and the chosen topic is kept.
    page.select_option("select[name=topic]", "genkyo_todoke")
    page.evaluate("document.querySelector('textarea[name=text]').removeAttribute('required')")
    page.click("button[value=preview]")
    assert page.inner_text("p.flash-error") == "本文が空です。"
    assert page.input_value("select[name=topic]") == "genkyo_todoke"

    page.fill("textarea[name=text]", BODY)
    page.click("button[value=preview]")
    page.wait_for_url(f"{server.url}/counselor/admin/notices/preview")
    assert page.inner_text("strong.notice-alt") == "寄り添いからのお知らせ"
    shown = page.inner_text("pre.notice-text")
    assert shown.splitlines()[0] == "寄り添いからのお知らせ" and XSS in shown
    assert page.evaluate("window.__xss") is None
    assert page.inner_text("dd.notice-recipients").startswith("3人")
    assert page.inner_text("dd.notice-topic") == "児童扶養手当の現況届"
    assert "残り 880通" in page.inner_text("section.notice-quota")

    # Back to the form with everything kept, then preview again and send.
    page.click("button[value=edit]")
    assert page.input_value("textarea[name=text]") == BODY
    page.click("button[value=preview]")
    page.click("text=この内容で送信する")
    page.wait_for_selector("p.flash-info")
    assert "予約しました" in page.inner_text("p.flash-info")

    deadline = time.monotonic() + 120
    while page.inner_text("dd.notice-status") != "送信完了" and time.monotonic() < deadline:
        time.sleep(0.3)
        page.reload()
    assert page.inner_text("dd.notice-status") == "送信完了"
    assert page.inner_text("dd.notice-sent") == "3" and page.inner_text("dd.notice-skipped") == "0"
    assert sorted(call.body["to"] for call in fake_line.calls(PUSH_PATH, status=200)) == subscribers
    assert "使用 123通" in page.inner_text("section.notice-quota")
    actions = [entry.action for entry in stores.audit.entries()]
    assert {"notice_preview", "notice_schedule", "notice_start", "notice_done"} <= set(actions)

    page.click("text=お知らせ配信に戻る")
    row = page.locator("tr.notice-run").first
    assert row.get_attribute("data-status") == "done"
    assert "児童扶養手当の現況届" in row.inner_text()


def test_a_scheduled_notice_can_be_cancelled_before_its_time(page, server, fake_line) -> None:
    log_in(page, server.url, "kanri", "kanri-password")
    page.goto(f"{server.url}/counselor/admin/notices")
    page.fill("textarea[name=text]", "講習会の申し込みが始まります。")
    page.fill("input[name=when]", "2099-08-01T09:00")
    page.click("button[value=preview]")
    assert page.inner_text("dd.notice-when").startswith("2099")
    page.click("text=この内容で送信する")
    assert page.inner_text("dd.notice-status") == "予約済み"
    page.click("button[value=cancel]")
    assert page.inner_text("dd.notice-status") == "取り消し"
    assert fake_line.calls(PUSH_PATH) == []


def test_counselors_who_are_not_admins_cannot_open_the_notice_pages(page, server) -> None:
    log_in(page, server.url, "suzuki", "suzuki-password")
    assert page.locator("text=お知らせ配信").count() == 0
    response = page.goto(f"{server.url}/counselor/admin/notices")
    assert response is not None and response.status == 403

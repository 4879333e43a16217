"""The local LINE emulator over real HTTP: the page's endpoint signs and posts webhooks to /callback, and the
bot's SDK client (pointed at /emulator) replies into the emulated chat, which the page reads back.

These use the scripted router from tests/conftest.py so each answer names its event; the browser tests at the
end run the real conversation.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from conversation_support import WORKER_DEADLINE
from fake_line import ACCESS_TOKEN, CHANNEL_SECRET
from flask import Flask
from werkzeug.serving import make_server

from bot import messages
from bot.commands.line_commands import install_rich_menu
from bot.config import Settings
from bot.delivery import MessageQuota
from bot.emulator import new_webhook_event_id, sign
from bot.richmenu import HEIGHT, WIDTH, rich_menu_png

USER = "U" + "5" * 32


def _decoded(raw: bytes, headers: Any) -> Any:
    return json.loads(raw or b"null") if "json" in headers.get("Content-Type", "") else raw.decode()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Emulated:
    """An app in local mode whose LINE API is its own /emulator, served on a real loopback port."""

    def __init__(self, app: Flask, url: str) -> None:
        self.app = app
        self.url = url

    @property
    def core(self) -> Any:
        return self.app.extensions["yorisoi"]

    @property
    def line(self) -> Any:
        return self.app.blueprints["emulator"].line

    def call(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None):
        data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.url}{path}", data=data, method=method)
        request.add_header("Content-Type", "application/json")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, _decoded(response.read(), response.headers)
        except urllib.error.HTTPError as error:
            return error.code, _decoded(error.read(), error.headers)

    def send(self, **payload: Any) -> dict:
        status, body = self.call("POST", "/emulator/send", {"user": USER, **payload})
        assert status == 200, body
        assert self.core.worker.queue.wait_idle(WORKER_DEADLINE)
        return body

    def chat(self, after: int = 0) -> list[dict]:
        status, body = self.call("GET", f"/emulator/messages?user={USER}&after={after}")
        assert status == 200
        return body["entries"]


@pytest.fixture
def emulated_for(make_app) -> Iterator[Callable[..., Emulated]]:
    servers = []

    def start(conversation_factory: Any = None) -> Emulated:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        app = make_app(conversation_factory, local_mode=True, port=port, line_api_base_url=f"{url}/emulator")
        server = make_server("127.0.0.1", port, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return Emulated(app, url)

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def emulated(emulated_for) -> Emulated:
    from fake_line import ScriptedConversation

    return emulated_for(ScriptedConversation)


def test_typed_text_travels_as_a_signed_webhook_and_the_reply_comes_back(emulated):
    sent = emulated.send(kind="text", text="児童扶養手当はいくら？")
    assert sent["callback_status"] == 200
    [event] = emulated.core.conversation.seen
    assert event.webhook_event_id == sent["webhookEventId"] and len(event.webhook_event_id) == 26
    assert (
        event.source.user_id == USER and event.reply_token and event.message.text == "児童扶養手当はいくら？"
    )
    user, bot = emulated.chat()
    assert (user["from"], user["message"]["text"]) == ("user", "児童扶養手当はいくら？")
    assert (bot["from"], bot["via"], bot["message"]["text"]) == (
        "bot",
        "reply",
        "message:児童扶養手当はいくら？",
    )
    assert emulated.chat(after=bot["seq"]) == []


def test_postbacks_follow_and_unfollow_reach_the_bot(emulated):
    emulated.send(kind="follow")
    emulated.send(kind="postback", data="menu:check", label="制度を調べる")
    emulated.send(kind="unfollow")
    seen = emulated.core.conversation.seen
    assert [e.type for e in seen] == ["follow", "postback", "unfollow"]
    assert seen[1].postback.data == "menu:check"
    shown = [(e["from"], e["message"].get("text")) for e in emulated.chat()]
    assert shown == [
        ("system", messages.EMULATOR["follow"]),
        ("bot", "event:follow"),
        ("user", "制度を調べる"),
        ("bot", "postback:menu:check:"),
        ("system", messages.EMULATOR["unfollow"]),
    ]


def test_bad_input_to_the_page_endpoint_is_refused_clearly(emulated):
    assert emulated.call("POST", "/emulator/send", {"user": "Uabc", "kind": "text", "text": "x"})[0] == 400
    assert emulated.call("POST", "/emulator/send", {"user": USER, "kind": "text", "text": "  "})[0] == 400
    assert emulated.call("POST", "/emulator/send", {"user": USER, "kind": "beacon"})[0] == 400
    assert emulated.call("GET", "/emulator/messages?user=nobody")[0] == 400


def test_the_fake_messaging_api_behaves_like_lines(emulated):
    auth = {"Authorization": f"Bearer {ACCESS_TOKEN}"}
    message = {"type": "text", "text": "こんにちは"}
    reply = {"replyToken": "never-issued", "messages": [message]}
    assert emulated.call("POST", "/emulator/v2/bot/message/reply", reply)[0] == 401
    status, body = emulated.call("POST", "/emulator/v2/bot/message/reply", reply, auth)
    assert (status, body["message"]) == (400, "Invalid reply token")
    token = emulated.line.issue_reply_token(USER)
    assert (
        emulated.call("POST", "/emulator/v2/bot/message/reply", {**reply, "replyToken": token}, auth)[0]
        == 200
    )
    assert (
        emulated.call("POST", "/emulator/v2/bot/message/reply", {**reply, "replyToken": token}, auth)[0]
        == 400
    )
    push = {"to": USER, "messages": [message] * 6}
    assert emulated.call("POST", "/emulator/v2/bot/message/push", push, auth)[0] == 400
    keyed = {**auth, "X-Line-Retry-Key": "1b4d8a86-3e0c-4d6e-9a43-33a0b5a2f0a1"}
    push = {"to": USER, "messages": [message]}
    assert emulated.call("POST", "/emulator/v2/bot/message/push", push, keyed)[0] == 200
    assert emulated.call("POST", "/emulator/v2/bot/message/push", push, keyed)[0] == 409
    assert [e["via"] for e in emulated.chat()] == ["reply", "push"]


def test_a_tampered_webhook_is_refused_by_the_callback(emulated):
    body = json.dumps({"destination": "U0", "events": []}).encode()
    good = {"X-Line-Signature": sign(CHANNEL_SECRET, body)}
    assert emulated.call("POST", "/callback", body, good)[0] == 200
    bad = {"X-Line-Signature": sign("another-secret", body)}
    assert emulated.call("POST", "/callback", body, bad)[0] == 400


def test_webhook_event_ids_are_ulids_in_time_order():
    earlier, later = new_webhook_event_id(1_700_000_000_000), new_webhook_event_id(1_700_000_000_001)
    assert len(earlier) == 26 and set(earlier) <= set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    assert earlier[:10] < later[:10]


def test_the_rich_menu_can_be_installed_into_the_emulator_and_is_shown(emulated):
    settings: Settings = emulated.core.settings
    menu_id = install_rich_menu(settings, rich_menu_png())
    assert emulated.line.default_rich_menu == menu_id
    status, menu = emulated.call("GET", "/emulator/richmenu")
    assert status == 200 and menu["richMenuId"] == menu_id
    assert menu["size"] == {"width": WIDTH, "height": HEIGHT}
    request = urllib.request.Request(f"{emulated.url}{menu['image']}")
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.headers["Content-Type"] == "image/png"
        assert response.read()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_chat_page_is_plain_html_with_no_external_assets(emulated):
    with urllib.request.urlopen(f"{emulated.url}/", timeout=30) as response:
        page = response.read().decode()
    assert messages.EMULATOR["title"] in page and 'name="viewport"' in page
    assert "http://" not in page and "https://" not in page
    for asset in ("/emulator/static/emulator.js", "/emulator/static/emulator.css"):
        with urllib.request.urlopen(f"{emulated.url}{asset}", timeout=30) as response:
            content = response.read().decode()
        assert "https://" not in content.replace("/^https?:\\/\\//", "")


# ---- in a real browser --------------------------------------------------------------------------------
@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A phone-sized page in Japanese, in the module's headless Chromium (tests/conftest.py `browser`)."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ja-JP")
    context.set_default_timeout(90_000)
    yield context.new_page()
    context.close()


def bot_texts(page: Any) -> list[str]:
    return page.locator(".msg.bot .text").all_inner_texts()


@pytest.mark.browser
def test_in_a_browser_a_typed_question_gets_its_answer(emulated_for, page):
    emulated = emulated_for()  # the real conversation and knowledge index
    page.goto(f"{emulated.url}/")
    # A new resident is greeted (the page sends a follow event first).
    page.wait_for_function("document.querySelectorAll('.msg.bot .text').length >= 2")
    assert "ボット" in bot_texts(page)[0]
    assert page.locator("#quick-replies .chip", has_text=messages.MENU_CHECK).is_visible()

    page.fill("#text", "児童扶養手当はいくらもらえますか")
    page.click("#send")
    page.wait_for_selector(".msg.user .text >> text=児童扶養手当はいくらもらえますか")
    page.wait_for_function("document.querySelectorAll('.msg.bot .text').length >= 3")
    answer = bot_texts(page)[-1]
    assert "児童扶養手当" in answer and "円" in answer

    # A quick reply is a real button: tapping 相談員に相談 opens a thread.
    page.locator("#quick-replies .chip", has_text=messages.MENU_COUNSELOR).click()
    page.wait_for_function("document.querySelectorAll('.msg.bot .text').length >= 5")
    assert any("おつなぎします" in text for text in bot_texts(page))
    user_id = page.evaluate("localStorage.getItem('yorisoi-emulator-user')")
    user_key = emulated.core.stores.identity.user_key(user_id)
    assert emulated.core.conversation.threads.open_thread_for(user_key).reason == "request"


@pytest.mark.browser
def test_in_a_browser_the_rich_menu_and_flex_cards_work(emulated, page):
    from bot.render import suggestions
    from intents import Recommendation, Suggestion

    page.goto(f"{emulated.url}/")
    page.wait_for_selector(".msg.bot")
    page.locator("#rich-menu .area[aria-label='使い方']").click()
    page.wait_for_selector(".msg.bot .text >> text=postback:menu:howto:")
    user_id = page.evaluate("localStorage.getItem('yorisoi-emulator-user')")
    card = Suggestion(
        "jido",
        "児童扶養手当",
        "手当・給付",
        "likely",
        ["ひとり親家庭のため"],
        "金沢市 こども福祉課",
        "出典",
        "月額",
    )
    [flex] = suggestions(Recommendation([card], urgent=False))
    auth = {"Authorization": f"Bearer {ACCESS_TOKEN}"}
    body = {"to": user_id, "messages": [flex.to_dict()]}
    assert emulated.call("POST", "/emulator/v2/bot/message/push", body, auth)[0] == 200
    bubble = page.wait_for_selector(".fx-bubble")
    assert "児童扶養手当" in bubble.inner_text() and "金沢市 こども福祉課" in bubble.inner_text()
    bubble.query_selector(".fx-button").click()
    page.wait_for_selector(".msg.bot .text >> text=message:児童扶養手当について教えて")


def test_a_notice_reaches_the_emulated_chat_and_the_quota_api_answers(emulated):
    """Local mode sends opt-in notices too: the emulator takes the push and reports the month's usage."""
    stores = emulated.core.stores
    stores.subscriptions.subscribe(stores.identity.user_key(USER), stores.identity.seal(USER), "events")
    run = stores.notice_runs.create("events", "講習会のご案内です。", datetime.now(UTC), "kanri")
    # The app's own loop may take the run first; either way it ends sent once.
    emulated.core.notices.sender.run_due()
    deadline = time.monotonic() + 60
    while stores.notice_runs.get(run.id).status != "done" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert stores.notice_runs.get(run.id).sent == 1
    [entry] = emulated.chat()
    assert (entry["via"], entry["message"]["altText"]) == ("push", "寄り添いからのお知らせ")
    assert emulated.core.gateway.quota() == MessageQuota(limit=None, used=1)

"""The dashboard via the test client: login, CSRF, roles, lockout, escaping, headers, idempotent replies."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from postgres import BOTH_BACKENDS

from handoff import ThreadStore, messages
from handoff.messages import THREAD_RESOLVED

pytestmark = BOTH_BACKENDS

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
RETRY_KEY = re.compile(r'name="retry_key" value="([^"]+)"')
TEMPLATES = Path(messages.__file__).with_name("templates") / "counselor"
JAPANESE = re.compile(r"[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]")


def token(client: FlaskClient, path: str = "/counselor/login") -> str:
    return TOKEN.search(client.get(path).get_data(as_text=True)).group(1)


def login(client: FlaskClient, name: str, password: str) -> str:
    response = client.post(
        "/counselor/login", data={"csrf_token": token(client), "name": name, "password": password}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return token(client, "/counselor/")


@pytest.fixture
def client(dashboard_app: Flask) -> FlaskClient:
    return dashboard_app.test_client()


def test_logged_out_requests_go_to_login(client: FlaskClient, open_thread) -> None:
    thread = open_thread()
    for path in ("/counselor/", f"/counselor/threads/{thread.id}", "/counselor/admin/accounts"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/counselor/login")
    csrf = token(client)
    response = client.post(f"/counselor/threads/{thread.id}/claim", data={"csrf_token": csrf})
    assert response.status_code == 302 and "/counselor/login" in response.headers["Location"]


def test_login_returns_to_the_page_asked_for_but_never_elsewhere(client: FlaskClient, open_thread) -> None:
    thread = open_thread()
    target = client.get(f"/counselor/threads/{thread.id}").headers["Location"]
    response = client.post(
        target, data={"csrf_token": token(client), "name": "suzuki", "password": "suzuki-password"}
    )
    assert response.headers["Location"] == f"/counselor/threads/{thread.id}"
    client.post("/counselor/logout", data={"csrf_token": token(client, "/counselor/")})
    for evil in ("https://evil.example/", "//evil.example/counselor", "/counselor\\..\\x"):
        response = client.post(
            "/counselor/login",
            data={"csrf_token": token(client), "name": "suzuki", "password": "suzuki-password", "next": evil},
        )
        assert response.headers["Location"] == "/counselor/"
        client.post("/counselor/logout", data={"csrf_token": token(client, "/counselor/")})


def test_posts_without_a_valid_csrf_token_are_refused(client: FlaskClient, store: ThreadStore, open_thread):
    thread = open_thread()
    assert (
        client.post("/counselor/login", data={"name": "suzuki", "password": "suzuki-password"}).status_code
        == 400
    )
    csrf = login(client, "suzuki", "suzuki-password")
    for path in (
        f"/counselor/threads/{thread.id}/claim",
        f"/counselor/threads/{thread.id}/resolve",
        f"/counselor/threads/{thread.id}/notes",
        "/counselor/logout",
    ):
        assert client.post(path, data={}).status_code == 400
        assert client.post(path, data={"csrf_token": csrf + "x"}).status_code == 400
    cross_site = client.post(
        f"/counselor/threads/{thread.id}/claim",
        data={"csrf_token": csrf},
        headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert cross_site.status_code == 400
    assert store.get(thread.id).status == "waiting"


def test_counselor_cannot_reach_admin_pages(client: FlaskClient) -> None:
    csrf = login(client, "suzuki", "suzuki-password")
    assert client.get("/counselor/admin/accounts").status_code == 403
    assert client.get("/counselor/admin/audit").status_code == 403
    response = client.post(
        "/counselor/admin/accounts",
        data={"csrf_token": csrf, "action": "add", "name": "mallory", "password": "mallory-password"},
    )
    assert response.status_code == 403


def test_admin_manages_accounts_and_reads_the_audit_log(client: FlaskClient, accounts, open_thread) -> None:
    thread = open_thread()
    csrf = login(client, "admin", "admin-password")
    client.get(f"/counselor/threads/{thread.id}")
    response = client.post(
        "/counselor/admin/accounts",
        data={
            "csrf_token": csrf,
            "action": "add",
            "name": "tanaka",
            "password": "tanaka-password",
            "role": "admin",
        },
    )
    assert response.status_code == 302 and accounts.get("tanaka").is_admin
    client.post("/counselor/admin/accounts", data={"csrf_token": csrf, "action": "disable", "name": "suzuki"})
    assert not accounts.get("suzuki").active
    client.post(
        "/counselor/admin/accounts",
        data={"csrf_token": csrf, "action": "reset", "name": "tanaka", "password": "tanaka-new-password"},
    )
    assert accounts.verify("tanaka", "tanaka-new-password") is not None
    weak = client.post(
        "/counselor/admin/accounts",
        data={"csrf_token": csrf, "action": "add", "name": "x", "password": "short"},
    )
    assert weak.status_code == 422 and "8文字以上" in weak.get_data(as_text=True)
    audit = client.get("/counselor/admin/audit").get_data(as_text=True)
    for action in ("login", "view", "account_add", "account_disable", "account_reset_password"):
        assert f"<td>{messages.AUDIT_ACTION_LABELS[action]}</td>" in audit
    # details in words, not codes
    assert "アカウント：tanaka、役割：管理者" in audit and "理由：相談員を希望、緊急：いいえ" in audit
    for code in ("role=admin", "reason=request", "urgent=0"):
        assert code not in audit, code


def test_disabled_or_reset_accounts_lose_their_session(client: FlaskClient, accounts) -> None:
    login(client, "suzuki", "suzuki-password")
    assert client.get("/counselor/").status_code == 200
    accounts.reset_password("suzuki", "changed-by-admin")
    assert client.get("/counselor/").status_code == 302
    login(client, "suzuki", "changed-by-admin")
    accounts.set_active("suzuki", False)
    assert client.get("/counselor/").status_code == 302


def test_lockout_after_five_failed_logins(client: FlaskClient) -> None:
    for _ in range(4):
        response = client.post(
            "/counselor/login",
            data={"csrf_token": token(client), "name": "suzuki", "password": "wrong-password"},
        )
        assert response.status_code == 401
    fifth = client.post(
        "/counselor/login", data={"csrf_token": token(client), "name": "suzuki", "password": "wrong-password"}
    )
    assert fifth.status_code == 429 and "ログインできません" in fifth.get_data(as_text=True)
    right = client.post(
        "/counselor/login",
        data={"csrf_token": token(client), "name": "suzuki", "password": "suzuki-password"},
    )
    assert right.status_code == 429


def test_message_text_is_escaped(client: FlaskClient, store: ThreadStore, open_thread) -> None:
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    thread = open_thread(facts={"municipality": payload}, programs=[{"name": payload, "why": [payload]}])
    store.append(thread.id, "resident", payload)
    store.add_note(thread.id, "suzuki", payload)
    login(client, "suzuki", "suzuki-password")
    page = client.get(f"/counselor/threads/{thread.id}").get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert (
        page.count("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") == 5
    )  # message, fact, program x2, note


def test_security_headers_on_every_dashboard_response(client: FlaskClient, open_thread) -> None:
    thread = open_thread()
    responses = [client.get("/counselor/login"), client.get("/counselor/nope"), client.get("/counselor/")]
    login(client, "suzuki", "suzuki-password")
    responses += [client.get(f"/counselor/threads/{thread.id}"), client.get("/counselor/admin/audit")]
    for response in responses:
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Cache-Control"] == "no-store"
    cookie = next(h for h in responses[0].headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_claim_reply_once_and_resolve(client: FlaskClient, store: ThreadStore, open_thread, deliver) -> None:
    thread = open_thread()
    csrf = login(client, "suzuki", "suzuki-password")
    page = client.get(f"/counselor/threads/{thread.id}").get_data(as_text=True)
    assert 'name="retry_key"' not in page  # reply needs a claim first
    client.post(f"/counselor/threads/{thread.id}/claim", data={"csrf_token": csrf})
    page = client.get(f"/counselor/threads/{thread.id}").get_data(as_text=True)
    retry_key = RETRY_KEY.search(page).group(1)
    form = {"csrf_token": csrf, "retry_key": retry_key, "text": "お電話でお話しできますか"}
    assert client.post(f"/counselor/threads/{thread.id}/reply", data=form).status_code == 302
    assert client.post(f"/counselor/threads/{thread.id}/reply", data=form).status_code == 302  # resubmitted
    assert len(deliver.calls) == 1 and deliver.calls[0][2] == retry_key
    page = client.get(f"/counselor/threads/{thread.id}").get_data(as_text=True)
    assert "送信状況：届きました" in page

    bad = client.post(
        f"/counselor/threads/{thread.id}/reply", data={**form, "retry_key": "not-a-uuid", "text": "x"}
    )
    assert bad.status_code == 400
    empty = client.post(
        f"/counselor/threads/{thread.id}/reply", data={**form, "retry_key": str(uuid.uuid4()), "text": "  "}
    )
    assert empty.status_code == 422
    long_text = "あ" * 4001
    too_long = client.post(
        f"/counselor/threads/{thread.id}/reply",
        data={**form, "retry_key": str(uuid.uuid4()), "text": long_text},
    )
    assert too_long.status_code == 422 and long_text in too_long.get_data(as_text=True)  # nothing lost

    assert (
        client.post(
            f"/counselor/threads/{thread.id}/resolve", data={"csrf_token": csrf, "confirmed": "1"}
        ).status_code
        == 302
    )
    assert store.get(thread.id).status == "resolved"
    assert deliver.calls[-1][1] == THREAD_RESOLVED
    client.post(f"/counselor/threads/{thread.id}/resolve", data={"csrf_token": csrf, "confirmed": "1"})
    assert len(deliver.calls) == 2  # resolving twice tells the resident once


def test_reply_needs_the_claim(client: FlaskClient, store: ThreadStore, open_thread, deliver) -> None:
    thread = open_thread()
    store.claim(thread.id, "admin")
    csrf = login(client, "suzuki", "suzuki-password")
    form = {"csrf_token": csrf, "retry_key": str(uuid.uuid4()), "text": "横から返信"}
    assert client.post(f"/counselor/threads/{thread.id}/reply", data=form).status_code == 422
    assert client.post(f"/counselor/threads/{thread.id}/claim", data={"csrf_token": csrf}).status_code == 302
    assert store.get(thread.id).claimed_by == "admin"
    client.post(f"/counselor/threads/{thread.id}/resolve", data={"csrf_token": csrf, "confirmed": "1"})
    assert store.get(thread.id).status == "claimed"
    assert deliver.calls == []


def test_failed_delivery_shows_and_can_be_retried(
    client: FlaskClient, store: ThreadStore, open_thread, deliver
):
    thread = open_thread()
    csrf = login(client, "suzuki", "suzuki-password")
    client.post(f"/counselor/threads/{thread.id}/claim", data={"csrf_token": csrf})
    deliver.status = "failed: 500"
    form = {"csrf_token": csrf, "retry_key": str(uuid.uuid4()), "text": "届くでしょうか"}
    client.post(f"/counselor/threads/{thread.id}/reply", data=form)
    page = client.get(f"/counselor/threads/{thread.id}").get_data(as_text=True)
    assert "送信状況：送れませんでした（500）" in page and "再送する" in page
    message = store.transcript(thread.id)[-1]
    deliver.status = "delivered"
    client.post(f"/counselor/threads/{thread.id}/messages/{message.id}/retry", data={"csrf_token": csrf})
    assert store.message(message.id).delivery == "delivered"
    assert deliver.calls[0][2] == deliver.calls[1][2] == form["retry_key"]


def test_canned_reply_fills_the_reply_box(client: FlaskClient, store: ThreadStore, open_thread) -> None:
    thread = open_thread()
    csrf = login(client, "suzuki", "suzuki-password")
    client.post(f"/counselor/threads/{thread.id}/claim", data={"csrf_token": csrf})
    page = client.get(f"/counselor/threads/{thread.id}?canned=0").get_data(as_text=True)
    assert "市の母子・父子自立支援員です" in page.split('name="text"')[1].split("</textarea>")[0]
    for junk in ("999", "-1", "abc", "1" * 50):
        assert client.get(f"/counselor/threads/{thread.id}?canned={junk}").status_code == 200


def test_every_view_of_a_thread_is_audited(client: FlaskClient, audit, open_thread) -> None:
    thread = open_thread()
    login(client, "suzuki", "suzuki-password")
    client.get(f"/counselor/threads/{thread.id}")
    client.get(f"/counselor/threads/{thread.id}")
    views = [e for e in audit.entries() if e.action == "view" and e.thread_id == thread.id]
    assert [e.actor for e in views] == ["suzuki", "suzuki"]
    assert client.get("/counselor/threads/99999").status_code == 404


def test_notes_and_own_password(client: FlaskClient, store: ThreadStore, accounts, open_thread) -> None:
    thread = open_thread()
    csrf = login(client, "suzuki", "suzuki-password")
    client.post(f"/counselor/threads/{thread.id}/notes", data={"csrf_token": csrf, "text": "面談を提案"})
    assert [n.text for n in store.notes(thread.id)] == ["面談を提案"]
    mismatch = client.post(
        "/counselor/password",
        data={"csrf_token": csrf, "current": "suzuki-password", "new": "a" * 9, "again": "b" * 9},
    )
    assert mismatch.status_code == 422
    changed = client.post(
        "/counselor/password",
        data={
            "csrf_token": csrf,
            "current": "suzuki-password",
            "new": "new-password-1",
            "again": "new-password-1",
        },
    )
    assert changed.status_code == 302
    assert client.get("/counselor/").status_code == 200  # this session stays valid
    assert accounts.verify("suzuki", "new-password-1") is not None


def test_queue_puts_urgent_first(client: FlaskClient, open_thread) -> None:
    calm = open_thread("U" + "1" * 32)
    urgent = open_thread("U" + "2" * 32, reason="crisis", urgent=True, categories=["dv"])
    login(client, "suzuki", "suzuki-password")
    page = client.get("/counselor/").get_data(as_text=True)
    assert page.index(f'data-thread-id="{urgent.id}"') < page.index(f'data-thread-id="{calm.id}"')


def test_page_text_is_reworded_in_messages_only(client: FlaskClient, monkeypatch) -> None:
    monkeypatch.setitem(messages.PAGE, "queue_empty", "<いまは静かです>")
    monkeypatch.setitem(messages.PAGE, "queue_count", "全{count}件")
    login(client, "suzuki", "suzuki-password")
    page = client.get("/counselor/").get_data(as_text=True)
    assert "&lt;いまは静かです&gt;" in page and "全0件" in page  # reworded, still escaped
    assert "いま対応が必要な相談はありません" not in page
    templates = {path.name: path.read_text(encoding="utf-8") for path in TEMPLATES.glob("*.html")}
    assert templates
    for name, source in templates.items():
        assert not JAPANESE.search(source), name
    used = {key for source in templates.values() for key in re.findall(r"page_text\.(\w+)", source)}
    assert used == set(messages.PAGE)  # no typo renders blank, no entry is left unused


def test_queue_json_needs_a_login_and_carries_escaped_items(
    client: FlaskClient, store: ThreadStore, open_thread
) -> None:
    thread = open_thread()
    store.append(thread.id, "resident", "<script>alert(1)</script>")
    assert client.get("/counselor/queue.json").status_code == 302
    login(client, "suzuki", "suzuki-password")
    response = client.get("/counselor/queue.json")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    data = response.get_json()
    assert data["count"] == 1 and f'data-thread-id="{thread.id}"' in data["html"]
    assert "<script>" not in data["html"] and "&lt;script&gt;" in data["html"]


def test_thread_json_needs_a_login_carries_escaped_messages_and_is_no_view(
    client: FlaskClient, store: ThreadStore, open_thread, audit
) -> None:
    thread = open_thread(reason="crisis", urgent=True, categories=["dv"])
    store.append(thread.id, "resident", "<script>alert(1)</script>")
    url = f"/counselor/threads/{thread.id}/live.json"
    assert client.get(url).status_code == 302
    login(client, "suzuki", "suzuki-password")
    views = len([entry for entry in audit.entries() if entry.action == "view"])
    data = client.get(url).get_json()
    assert set(data) == {"head", "html", "kinds"} and data["kinds"] == ["dv"]  # what the page uses
    assert "&lt;script&gt;" in data["html"] and "<script>" not in data["html"]
    assert "緊急" in data["head"]
    assert len([entry for entry in audit.entries() if entry.action == "view"]) == views
    assert client.get("/counselor/threads/99999/live.json").status_code == 404


def test_a_reply_to_a_resident_who_deleted_their_data_says_so(
    client: FlaskClient, store: ThreadStore, open_thread, identity, deliver
) -> None:
    thread = open_thread()
    csrf = login(client, "suzuki", "suzuki-password")
    client.post(f"/counselor/threads/{thread.id}/claim", data={"csrf_token": csrf})
    page = client.get(f"/counselor/threads/{thread.id}").get_data(as_text=True)
    form = {"csrf_token": csrf, "retry_key": RETRY_KEY.search(page).group(1), "text": "大丈夫ですか"}
    store.forget(identity.user_key("U4af4980629f8c7b5e3f1a2b3c4d5e6f7"))  # open_thread's resident; page open
    response = client.post(f"/counselor/threads/{thread.id}/reply", data=form)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "データを削除したため" in body and "担当にしてください" not in body
    assert deliver.calls == []


def test_the_bots_alert_tops_an_open_thread_only_and_a_tombstone_takes_no_notes(
    client: FlaskClient, store: ThreadStore, open_thread, identity
) -> None:
    from handoff import NOTE_AUTHOR_BOT
    from handoff.replies import live_crisis_note

    thread = open_thread(reason="crisis", urgent=True, categories=["dv"])
    store.add_note(thread.id, NOTE_AUTHOR_BOT, live_crisis_note(["dv"]))
    login(client, "suzuki", "suzuki-password")
    page = client.get(f"/counselor/threads/{thread.id}").get_data(as_text=True)
    assert 'id="thread-alert"' in page and "自動のお知らせ" in page and "（DV）" in page
    store.resolve(thread.id, "suzuki")
    page = client.get(f"/counselor/threads/{thread.id}").get_data(as_text=True)
    assert 'id="thread-alert"' not in page and "危機の言葉" in page  # still in the notes, no longer an alarm
    gone = open_thread("U" + "9" * 32)
    store.forget(identity.user_key("U" + "9" * 32))
    page = client.get(f"/counselor/threads/{gone.id}").get_data(as_text=True)
    assert messages.THREAD_DELETED in page and 'id="note-text"' not in page

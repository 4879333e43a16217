"""A real HTTP stand-in for LINE's Messaging API on 127.0.0.1, for tests and the benchmark.

It answers the endpoints the bot uses the way LINE documents them (a reply token works once, a push retry key
already accepted answers 409), records every request with its headers and JSON body, and can be scripted to
fail: the next N calls to a path answer 500/429/400, or are delayed past the client's timeout.

It keeps LINE's monthly message quota (`set_quota`): each accepted push counts one message toward the
month's usage (replies are free), `GET /v2/bot/message/quota` and `.../quota/consumption` report limit and
usage, and once usage reaches the limit a push answers 429 "You have reached your monthly limit." without
sending. It keeps LINE's per-endpoint rate limit too (2,000 requests per second for these endpoints;
`set_rate_limit` lowers it or pins the clock so a test sees the 429 without depending on machine speed).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import re
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# The test channel: conftest's apps and LineEvents sign with these.
CHANNEL_SECRET = "test-channel-secret-0123456789abcdef"
ACCESS_TOKEN = "test-access-token"
SECRET_KEY = "test-secret-key-that-is-long-enough-0123456789"

REPLY_PATH = "/v2/bot/message/reply"
PUSH_PATH = "/v2/bot/message/push"
LOADING_PATH = "/v2/bot/chat/loading/start"
QUOTA_PATH = "/v2/bot/message/quota"
QUOTA_CONSUMPTION_PATH = "/v2/bot/message/quota/consumption"

# LINE's error bodies for its two kinds of 429 (Messaging API reference, "Handle HTTP status code 429").
MONTHLY_LIMIT_BODY = {"message": "You have reached your monthly limit."}
RATE_LIMIT_BODY = {"message": "The API rate limit has been exceeded. Try again later."}
# "Other API endpoints" in LINE's rate-limit table, which covers push, reply and the quota endpoints.
DEFAULT_RATE_LIMIT_PER_SECOND = 2000


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    status: int = 0
    at: float = field(default_factory=time.monotonic)

    @property
    def retry_key(self) -> str | None:
        return self.headers.get("x-line-retry-key")

    @property
    def texts(self) -> list[str]:
        """Text of every message in a reply/push body (Flex falls back to its altText)."""
        messages = (self.body or {}).get("messages", []) if isinstance(self.body, dict) else []
        return [m.get("text") or m.get("altText") or "" for m in messages]


@dataclass
class Fault:
    path: str
    remaining: int
    status: int = 500
    delay: float = 0.0
    body: dict[str, Any] | None = None
    headers: dict[str, str] | None = None


class FakeLine:
    """Start with `FakeLine().start()`; `base_url` is what LINE_API_BASE_URL should point at."""

    def __init__(self, access_token: str | None = None) -> None:
        self.access_token = access_token
        self.requests: list[Recorded] = []
        self._faults: list[Fault] = []
        self._used_reply_tokens: set[str] = set()
        self._rejected_reply_tokens: set[str] = set()
        self._accepted_retry_keys: dict[str, str] = {}
        self._rich_menus: dict[str, dict[str, Any]] = {}
        self._holds: dict[str, threading.Event] = {}
        self._held: dict[str, int] = {}
        self.default_rich_menu: str | None = None
        self._quota_limit: int | None = None
        self._quota_usage = 0
        self._rate_limit = DEFAULT_RATE_LIMIT_PER_SECOND
        self._clock: Callable[[], float] = time.monotonic
        self._rate_windows: dict[str, tuple[int, int]] = {}
        self._changed = threading.Condition()
        self._server: ThreadingHTTPServer | None = None

    # ---- lifecycle -------------------------------------------------------------------------------------
    def start(self) -> FakeLine:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in separate writes; without this, Nagle + delayed ACK add ~40 ms each.
            disable_nagle_algorithm = True

            def log_message(self, *args: object) -> None:
                return

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                status, payload, extra = fake._handle(
                    self.command, self.path, dict(self.headers.items()), raw
                )
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in extra.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    # The client gave up (its timeout): exactly the situation a delay fault is for.
                    self.close_connection = True

            do_GET = do_POST = do_DELETE = do_PUT = _serve

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True, name="fake-line"
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # ---- scripting -------------------------------------------------------------------------------------
    def fail_next(
        self,
        path: str,
        count: int = 1,
        status: int = 500,
        body: dict[str, Any] | None = None,
        retry_after: int | None = None,
    ) -> None:
        """The next `count` calls to `path` answer `status` without doing anything."""
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
        self._faults.append(Fault(path, count, status=status, body=body, headers=headers))

    def delay_next(self, path: str, seconds: float, count: int = 1) -> None:
        """The next `count` calls to `path` are processed, then answered only after `seconds` (a timeout)."""
        self._faults.append(Fault(path, count, status=0, delay=seconds))

    def hold(self, path: str) -> None:
        """Calls to `path` wait (unanswered) until `release(path)`: lets a test see what happens meanwhile."""
        with self._changed:
            self._holds[path] = threading.Event()

    def release(self, path: str) -> None:
        with self._changed:
            gate = self._holds.pop(path, None)
        if gate is not None:
            gate.set()

    def clear_faults(self) -> None:
        with self._changed:
            self._faults.clear()

    def set_quota(self, limit: int | None, used: int | None = None) -> None:
        """The month's message limit (None: no limit, LINE's type "none"), and optionally the usage so far."""
        with self._changed:
            self._quota_limit = limit
            if used is not None:
                self._quota_usage = used

    def set_rate_limit(self, per_second: int, clock: Callable[[], float] | None = None) -> None:
        """Requests each path accepts per second before answering 429; `clock` (seconds) lets a test freeze
        or step time so the limit is hit by count, not by how fast the machine is."""
        with self._changed:
            self._rate_limit = per_second
            self._rate_windows.clear()
            if clock is not None:
                self._clock = clock

    def reject_reply_token(self, token: str) -> None:
        """Answer 400 "Invalid reply token" for this token, like LINE does for an expired one."""
        self._rejected_reply_tokens.add(token)

    # ---- inspection ------------------------------------------------------------------------------------
    def calls(self, path: str | None = None, status: int | None = None) -> list[Recorded]:
        with self._changed:
            return [
                r
                for r in self.requests
                if (path is None or r.path == path) and (status is None or r.status == status)
            ]

    def delivered(self) -> list[Recorded]:
        """Replies and pushes LINE would have shown to someone (200s only)."""
        return [r for r in self.calls(status=200) if r.path in (REPLY_PATH, PUSH_PATH)]

    @property
    def quota_usage(self) -> int:
        """Messages counted toward this month's quota (accepted pushes)."""
        with self._changed:
            return self._quota_usage

    def peak_rate(self, path: str, window: float = 1.0) -> int:
        """The most calls to `path` that arrived within any `window` seconds: what a throttle test asserts."""
        times = sorted(r.at for r in self.calls(path))
        peak = 0
        first = 0
        for last, at in enumerate(times):
            while at - times[first] >= window:
                first += 1
            peak = max(peak, last - first + 1)
        return peak

    def requests_in_flight(self, path: str) -> int:
        """How many calls to `path` are being held right now (see `hold`)."""
        return self._held.get(path, 0)

    def wait_for(self, predicate: Callable[[FakeLine], bool], timeout: float = 30.0) -> bool:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate(self):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._changed.wait(remaining)
        return True

    def wait_for_deliveries(self, count: int, timeout: float = 30.0) -> list[Recorded]:
        self.wait_for(lambda fake: len(fake.delivered()) >= count, timeout)
        return self.delivered()

    # ---- LINE semantics --------------------------------------------------------------------------------
    def _take_fault(self, path: str) -> Fault | None:
        with self._changed:
            for fault in self._faults:
                if fault.path == path and fault.remaining > 0:
                    fault.remaining -= 1
                    return fault
        return None

    def _handle(
        self, method: str, path: str, headers: dict[str, str], raw: bytes
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        lowered = {name.lower(): value for name, value in headers.items()}
        gate = self._holds.get(path.split("?")[0])
        if gate is not None:
            with self._changed:
                self._held[path] = self._held.get(path, 0) + 1
                self._changed.notify_all()
            gate.wait(60)
            with self._changed:
                self._held[path] -= 1
        try:
            body = json.loads(raw) if raw and "json" in lowered.get("content-type", "") else None
        except ValueError:
            body = None
        record = Recorded(method, path.split("?")[0], lowered, body if body is not None else raw[:64])
        fault = self._take_fault(record.path)
        if fault is not None and fault.status:
            status, payload, extra = (
                fault.status,
                fault.body or {"message": "fault injected"},
                fault.headers or {},
            )
        elif self.access_token and lowered.get("authorization") != f"Bearer {self.access_token}":
            status, payload, extra = 401, {"message": "Authentication failed"}, {}
        elif not self._within_rate_limit(record.path):
            status, payload, extra = 429, dict(RATE_LIMIT_BODY), {}
        else:
            status, payload, extra = self._route(method, record.path, lowered, body)
        record.status = status
        with self._changed:
            self.requests.append(record)
            self._changed.notify_all()
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        return status, payload, extra

    def _within_rate_limit(self, path: str) -> bool:
        """Count this call in its path's current one-second window; False once the window is full."""
        with self._changed:
            second = int(self._clock())
            window, count = self._rate_windows.get(path, (second, 0))
            if window != second:
                count = 0
            if count >= self._rate_limit:
                return False
            self._rate_windows[path] = (second, count + 1)
            return True

    def _route(
        self, method: str, path: str, headers: dict[str, str], body: Any
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        if method == "POST" and path == REPLY_PATH:
            return self._reply(body)
        if method == "POST" and path == PUSH_PATH:
            return self._push(headers, body)
        if method == "POST" and path == LOADING_PATH:
            return 202, {}, {}
        if method == "GET" and path == QUOTA_PATH:
            with self._changed:
                limit = self._quota_limit
            return 200, ({"type": "none"} if limit is None else {"type": "limited", "value": limit}), {}
        if method == "GET" and path == QUOTA_CONSUMPTION_PATH:
            return 200, {"totalUsage": self.quota_usage}, {}
        if method == "GET" and (match := re.fullmatch(r"/v2/bot/profile/([^/]+)", path)):
            return 200, {"userId": match.group(1), "displayName": "テスト利用者", "language": "ja"}, {}
        if method == "GET" and path == "/v2/bot/info":
            return (
                200,
                {"userId": "Ubot", "basicId": "@yorisoi", "displayName": "寄り添い", "chatMode": "bot"},
                {},
            )
        return self._rich_menu(method, path, body)

    def _reply(self, body: Any) -> tuple[int, dict[str, Any], dict[str, str]]:
        messages = (body or {}).get("messages") or []
        if not 1 <= len(messages) <= 5:
            return (
                400,
                {"message": "The request body has 1 error(s)", "details": [{"property": "messages"}]},
                {},
            )
        token = (body or {}).get("replyToken", "")
        with self._changed:
            if token in self._used_reply_tokens or token in self._rejected_reply_tokens or not token:
                return 400, {"message": "Invalid reply token"}, {}
            self._used_reply_tokens.add(token)
        return 200, {"sentMessages": [{"id": uuid.uuid4().hex[:18]} for _ in messages]}, {}

    def _push(self, headers: dict[str, str], body: Any) -> tuple[int, dict[str, Any], dict[str, str]]:
        messages = (body or {}).get("messages") or []
        if not 1 <= len(messages) <= 5 or not (body or {}).get("to"):
            return 400, {"message": "The request body has 1 error(s)"}, {}
        key = headers.get("x-line-retry-key")
        request_id = uuid.uuid4().hex
        with self._changed:
            if key and key in self._accepted_retry_keys:
                accepted = {"x-line-accepted-request-id": self._accepted_retry_keys[key]}
                return 409, {"message": "The retry key is already accepted"}, accepted
            # A refused request is not processed: nothing sent, nothing counted, its retry key still unused.
            if self._quota_limit is not None and self._quota_usage >= self._quota_limit:
                return 429, dict(MONTHLY_LIMIT_BODY), {}
            if key:
                self._accepted_retry_keys[key] = request_id
            # LINE counts messages per recipient, however many message objects one push carries.
            self._quota_usage += 1
        return 200, {"sentMessages": [{"id": uuid.uuid4().hex[:18]} for _ in messages]}, {}

    def _rich_menu(self, method: str, path: str, body: Any) -> tuple[int, dict[str, Any], dict[str, str]]:
        with self._changed:
            if method == "POST" and path == "/v2/bot/richmenu/validate":
                return 200, {}, {}
            if method == "POST" and path == "/v2/bot/richmenu":
                rich_menu_id = f"richmenu-{uuid.uuid4().hex}"
                self._rich_menus[rich_menu_id] = {"richMenuId": rich_menu_id, **(body or {})}
                return 200, {"richMenuId": rich_menu_id}, {}
            if method == "GET" and path == "/v2/bot/richmenu/list":
                return 200, {"richmenus": list(self._rich_menus.values())}, {}
            if match := re.fullmatch(r"/v2/bot/richmenu/([^/]+)/content", path):
                known = match.group(1) in self._rich_menus
                return (200, {}, {}) if known else (404, {"message": "Not found"}, {})
            if match := re.fullmatch(r"/v2/bot/user/all/richmenu(?:/([^/]+))?", path):
                if method == "POST" and match.group(1) in self._rich_menus:
                    self.default_rich_menu = match.group(1)
                    return 200, {}, {}
                if method == "GET" and self.default_rich_menu:
                    return 200, {"richMenuId": self.default_rich_menu}, {}
                if method == "DELETE":
                    self.default_rich_menu = None
                    return 200, {}, {}
                return 404, {"message": "Not found"}, {}
            if match := re.fullmatch(r"/v2/bot/richmenu/([^/]+)", path):
                menu = self._rich_menus.get(match.group(1))
                if menu is None:
                    return 404, {"message": "Not found"}, {}
                if method == "DELETE":
                    del self._rich_menus[match.group(1)]
                    return 200, {}, {}
                return 200, menu, {}
        return 404, {"message": "Not found"}, {}


# ---- the other direction: webhook bodies as LINE sends them ---------------------------------------------
def sign(channel_secret: str, body: bytes) -> str:
    """X-Line-Signature: base64 HMAC-SHA256 of the raw body under the channel secret."""
    return base64.b64encode(hmac.new(channel_secret.encode(), body, hashlib.sha256).digest()).decode()


def new_event_id() -> str:
    """A ULID-shaped webhookEventId (26 characters of Crockford base32)."""
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    return "".join(random.choice(alphabet) for _ in range(26))


class LineEvents:
    """Builds webhook events of every type in LINE's webhook reference, and signs and posts them."""

    def __init__(self, channel_secret: str, destination: str = "Ubotdestination0000000000000000000") -> None:
        self.channel_secret = channel_secret
        self.destination = destination

    # ---- envelope --------------------------------------------------------------------------------------
    @staticmethod
    def source(
        user_id: str = "U" + "1" * 32, group_id: str | None = None, room_id: str | None = None
    ) -> dict:
        if group_id:
            return {"type": "group", "groupId": group_id, "userId": user_id}
        if room_id:
            return {"type": "room", "roomId": room_id, "userId": user_id}
        return {"type": "user", "userId": user_id}

    def event(
        self,
        event_type: str,
        source: dict | None = None,
        reply: bool = True,
        redelivery: bool = False,
        mode: str = "active",
        timestamp_ms: int | None = None,
        event_id: str | None = None,
        **fields: Any,
    ) -> dict:
        event: dict[str, Any] = {
            "type": event_type,
            "mode": mode,
            "timestamp": timestamp_ms if timestamp_ms is not None else int(time.time() * 1000),
            "source": source or self.source(),
            "webhookEventId": event_id or new_event_id(),
            "deliveryContext": {"isRedelivery": redelivery},
        }
        if reply:
            event["replyToken"] = uuid.uuid4().hex
        event.update(fields)
        return event

    # ---- messages --------------------------------------------------------------------------------------
    def message(self, content: dict, **kwargs: Any) -> dict:
        content = {"id": str(random.randrange(10**17, 10**18)), **content}
        if content["type"] in {"text", "image", "video", "sticker"}:
            content.setdefault("quoteToken", uuid.uuid4().hex)
        return self.event("message", message=content, **kwargs)

    def text(self, text: str, **kwargs: Any) -> dict:
        return self.message({"type": "text", "text": text}, **kwargs)

    def image(self, **kwargs: Any) -> dict:
        return self.message({"type": "image", "contentProvider": {"type": "line"}}, **kwargs)

    def video(self, **kwargs: Any) -> dict:
        return self.message(
            {"type": "video", "duration": 6000, "contentProvider": {"type": "line"}}, **kwargs
        )

    def audio(self, **kwargs: Any) -> dict:
        return self.message(
            {"type": "audio", "duration": 4000, "contentProvider": {"type": "line"}}, **kwargs
        )

    def file(self, **kwargs: Any) -> dict:
        return self.message({"type": "file", "fileName": "住民票.pdf", "fileSize": 2048}, **kwargs)

    def location(self, **kwargs: Any) -> dict:
        content = {
            "type": "location",
            "title": "市役所",
            "address": "東京都新宿区西新宿2-8-1",
            "latitude": 35.6895,
            "longitude": 139.6917,
        }
        return self.message(content, **kwargs)

    def sticker(self, **kwargs: Any) -> dict:
        content = {
            "type": "sticker",
            "packageId": "446",
            "stickerId": "1988",
            "stickerResourceType": "STATIC",
            "keywords": ["happy"],
        }
        return self.message(content, **kwargs)

    # ---- everything else -------------------------------------------------------------------------------
    def follow(self, **kwargs: Any) -> dict:
        return self.event("follow", follow={"isUnblocked": False}, **kwargs)

    def unfollow(self, **kwargs: Any) -> dict:
        return self.event("unfollow", reply=False, **kwargs)

    def join(self, group_id: str = "C" + "2" * 32, **kwargs: Any) -> dict:
        return self.event("join", source={"type": "group", "groupId": group_id}, **kwargs)

    def leave(self, group_id: str = "C" + "2" * 32, **kwargs: Any) -> dict:
        return self.event("leave", source={"type": "group", "groupId": group_id}, reply=False, **kwargs)

    def member_joined(self, group_id: str = "C" + "2" * 32, **kwargs: Any) -> dict:
        members = {"members": [{"type": "user", "userId": "U" + "3" * 32}]}
        return self.event(
            "memberJoined", source={"type": "group", "groupId": group_id}, joined=members, **kwargs
        )

    def member_left(self, group_id: str = "C" + "2" * 32, **kwargs: Any) -> dict:
        members = {"members": [{"type": "user", "userId": "U" + "3" * 32}]}
        source = {"type": "group", "groupId": group_id}
        return self.event("memberLeft", source=source, left=members, reply=False, **kwargs)

    def postback(self, data: str, params: dict | None = None, **kwargs: Any) -> dict:
        postback: dict[str, Any] = {"data": data}
        if params is not None:
            postback["params"] = params
        return self.event("postback", postback=postback, **kwargs)

    def unsend(self, **kwargs: Any) -> dict:
        return self.event("unsend", unsend={"messageId": "325708"}, reply=False, **kwargs)

    def video_play_complete(self, **kwargs: Any) -> dict:
        return self.event("videoPlayComplete", videoPlayComplete={"trackingId": "track-1"}, **kwargs)

    def beacon(self, **kwargs: Any) -> dict:
        return self.event("beacon", beacon={"hwid": "d41d8cd98f", "type": "enter"}, **kwargs)

    def account_link(self, **kwargs: Any) -> dict:
        return self.event("accountLink", link={"result": "ok", "nonce": "xxxxxxxxxxxxxxx"}, **kwargs)

    def unknown(self, **kwargs: Any) -> dict:
        return self.event("somethingNew", somethingNew={"value": 1}, **kwargs)

    # ---- sending ---------------------------------------------------------------------------------------
    def body(self, *events: dict) -> bytes:
        return json.dumps(
            {"destination": self.destination, "events": list(events)}, ensure_ascii=False
        ).encode()

    def signed(self, *events: dict) -> tuple[bytes, dict[str, str]]:
        body = self.body(*events)
        return body, {"Content-Type": "application/json", "X-Line-Signature": sign(self.channel_secret, body)}

    def post(self, base_url: str, *events: dict, signature: str | None = None) -> tuple[int, str]:
        """POST the events to `base_url`/callback over real HTTP; returns (status, body text)."""
        body, headers = self.signed(*events)
        if signature is not None:
            headers["X-Line-Signature"] = signature
        request = urllib.request.Request(f"{base_url}/callback", data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


# ---- a scripted router for plumbing tests ------------------------------------------------------------------
class ScriptedConversation:
    """A router for plumbing tests: answers each event with a short text that names it, so a test can tell
    which answer went where. It has the real handoff stores; `gate` lets a test hold answers back."""

    def __init__(self, settings: Any, stores: Any) -> None:
        self.threads = stores.threads
        self.ready = True
        self.gate = threading.Event()
        self.gate.set()
        self.entered = threading.Event()
        self.seen: list[Any] = []
        self.answers: dict[str, list[Any]] = {}

    def urgent(self, text: str) -> bool | None:
        return None  # no classifier: the webhook's flag alone orders the queue

    def respond(self, event: Any) -> list[Any]:
        from linebot.v3.messaging import TextMessage

        self.seen.append(event)
        self.entered.set()
        self.gate.wait(30)
        if event.webhook_event_id in self.answers:
            return self.answers[event.webhook_event_id]
        if event.type in {"unfollow", "unsend", "leave", "memberLeft"}:
            return []
        if event.type == "message":
            content = event.message
            detail = content.text if content.type == "text" else content.type
            return [TextMessage(text=f"message:{detail}")]
        if event.type == "postback":
            params = event.postback.params or {}
            return [TextMessage(text=f"postback:{event.postback.data}:{params.get('datetime', '')}")]
        return [TextMessage(text=f"event:{event.type}")]

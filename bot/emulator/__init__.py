"""Local mode's stand-in for LINE: a chat page, and the two halves of the LINE platform the bot talks to.

Outbound (what LINE does to us): the page posts what the resident typed or tapped to `/emulator/send`,
which builds a webhook body shaped like LINE's (webhookEventId, replyToken, timestamp, source), signs it with
the channel secret and POSTs it to `/callback` over real HTTP. Inbound (what we do to LINE): the bot's
line-bot-sdk client is pointed at `/emulator` (LINE_API_BASE_URL) and this blueprint answers the Messaging
API calls it makes (reply, push, loading animation, rich menus) the way LINE documents them, recording the
messages for the page to show. Everything between the two is the production path.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import os
import re
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, abort, jsonify, render_template, request

from bot import messages

USER_ID = re.compile(r"U[0-9a-f]{32}")
DESTINATION = "U" + "0" * 32
MAX_ENTRIES_PER_USER = 500
MAX_TEXT_CHARS = 10_000
CALLBACK_TIMEOUT = 15
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_webhook_event_id(now_ms: int | None = None) -> str:
    """A ULID, as LINE's webhookEventId is: 48 bits of milliseconds, then 80 random bits, base32."""
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    value = (now_ms << 80) | int.from_bytes(os.urandom(10), "big")
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def sign(channel_secret: str, body: bytes) -> str:
    """X-Line-Signature: base64 of HMAC-SHA256 over the raw body, keyed with the channel secret."""
    return base64.b64encode(hmac.new(channel_secret.encode(), body, hashlib.sha256).digest()).decode()


@dataclass
class EmulatedLine:
    """What the emulated LINE platform remembers: each user's chat, issued reply tokens, rich menus."""

    access_token: str
    entries: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    reply_tokens: dict[str, str] = field(default_factory=dict)
    retry_keys: dict[str, str] = field(default_factory=dict)
    loading_until: dict[str, float] = field(default_factory=dict)
    rich_menus: dict[str, dict[str, Any]] = field(default_factory=dict)
    rich_menu_images: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    default_rich_menu: str | None = None
    pushes: int = 0  # accepted pushes: this month's usage as the quota API reports it (no limit here)
    _sequence: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, user_id: str, sender: str, message: dict[str, Any], via: str = "") -> int:
        with self._lock:
            self._sequence += 1
            chat = self.entries.setdefault(user_id, [])
            chat.append({"seq": self._sequence, "from": sender, "via": via, "message": message})
            del chat[:-MAX_ENTRIES_PER_USER]
            if sender == "bot":
                self.loading_until.pop(user_id, None)
            return self._sequence

    def since(self, user_id: str, after: int) -> list[dict[str, Any]]:
        with self._lock:
            return [entry for entry in self.entries.get(user_id, []) if entry["seq"] > after]

    def issue_reply_token(self, user_id: str) -> str:
        token = uuid.uuid4().hex
        with self._lock:
            self.reply_tokens[token] = user_id
        return token

    def use_reply_token(self, token: str) -> str | None:
        """The user a reply token was issued for; a token works once, as on LINE."""
        with self._lock:
            return self.reply_tokens.pop(token, None)

    def accept_retry_key(self, key: str) -> bool:
        """False when a push with this X-Line-Retry-Key was already accepted (LINE answers 409)."""
        with self._lock:
            if key in self.retry_keys:
                return False
            self.retry_keys[key] = uuid.uuid4().hex
            return True

    def count_push(self) -> None:
        with self._lock:
            self.pushes += 1

    def loading(self, user_id: str) -> bool:
        with self._lock:
            return self.loading_until.get(user_id, 0.0) > time.monotonic()


def webhook_event(kind: str, user_id: str, line: EmulatedLine, payload: dict[str, Any]) -> dict[str, Any]:
    """One webhook event as LINE would send it for a 1:1 chat."""
    now_ms = int(time.time() * 1000)
    event: dict[str, Any] = {
        "type": kind,
        "mode": "active",
        "timestamp": now_ms,
        "source": {"type": "user", "userId": user_id},
        "webhookEventId": new_webhook_event_id(now_ms),
        "deliveryContext": {"isRedelivery": False},
    }
    if kind != "unfollow":
        event["replyToken"] = line.issue_reply_token(user_id)
    if kind == "message":
        event["message"] = {
            "id": str(int.from_bytes(os.urandom(7), "big")),
            "type": "text",
            "text": payload["text"],
            "quoteToken": uuid.uuid4().hex,
        }
    elif kind == "postback":
        event["postback"] = {"data": payload["data"]}
    elif kind == "follow":
        event["follow"] = {"isUnblocked": False}
    return event


def post_webhook(url: str, channel_secret: str, event: dict[str, Any]) -> int:
    """Sign and POST one webhook body to `/callback` over HTTP, as LINE does; returns the HTTP status."""
    body = json.dumps({"destination": DESTINATION, "events": [event]}, ensure_ascii=False).encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-Line-Signature": sign(channel_secret, body),
    }
    outgoing = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(outgoing, timeout=CALLBACK_TIMEOUT) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 502


def _api_error(status: int, message: str) -> tuple[Response, int]:
    return jsonify({"message": message}), status


def create_emulator_blueprint(settings: Any) -> Blueprint:
    """The chat page at `/` and the fake Messaging API under `/emulator` (local mode only)."""
    bp = Blueprint(
        "emulator",
        __name__,
        template_folder="templates",
        static_folder="static",
        static_url_path="/emulator/static",
    )
    line = EmulatedLine(access_token=settings.channel_access_token)
    bp.line = line  # type: ignore[attr-defined]

    def authorised() -> bool:
        return request.headers.get("Authorization", "") == f"Bearer {line.access_token}"

    # ---- the page ---------------------------------------------------------------------------------------
    @bp.get("/")
    def chat_page() -> str:
        return render_template("emulator/chat.html", labels=messages.EMULATOR)

    @bp.post("/emulator/send")
    def send() -> Any:
        """The resident typed or tapped something: deliver it to the bot as a signed webhook."""
        data = request.get_json(silent=True) or {}
        user_id = str(data.get("user", ""))
        kind = str(data.get("kind", ""))
        if not USER_ID.fullmatch(user_id):
            return jsonify({"error": "user must be U followed by 32 hex digits"}), 400
        if kind == "text":
            text = str(data.get("text", ""))[:MAX_TEXT_CHARS]
            if not text.strip():
                return jsonify({"error": "text is empty"}), 400
            event = webhook_event("message", user_id, line, {"text": text})
            line.add(user_id, "user", {"type": "text", "text": text})
        elif kind == "postback":
            postback = str(data.get("data", ""))[:300]
            if not postback:
                return jsonify({"error": "postback data is empty"}), 400
            event = webhook_event("postback", user_id, line, {"data": postback})
            shown = str(data.get("label", "")).strip()
            if shown:
                line.add(user_id, "user", {"type": "text", "text": shown})
        elif kind in {"follow", "unfollow"}:
            event = webhook_event(kind, user_id, line, {})
            line.add(user_id, "system", {"type": "text", "text": messages.EMULATOR[kind]})
        else:
            return jsonify({"error": "kind must be text, postback, follow or unfollow"}), 400
        status = post_webhook(f"{request.host_url}callback", settings.channel_secret, event)
        return jsonify({"callback_status": status, "webhookEventId": event["webhookEventId"]})

    @bp.get("/emulator/messages")
    def chat() -> Any:
        user_id = request.args.get("user", "")
        if not USER_ID.fullmatch(user_id):
            return jsonify({"error": "user must be U followed by 32 hex digits"}), 400
        after = request.args.get("after", "0")
        entries = line.since(user_id, int(after) if after.isdigit() else 0)
        return jsonify({"entries": entries, "loading": line.loading(user_id)})

    @bp.get("/emulator/richmenu")
    def current_rich_menu() -> Any:
        """The default rich menu set through the API, or the project's own design before one is set."""
        from bot.richmenu import rich_menu_definition

        menu_id = line.default_rich_menu
        if menu_id and menu_id in line.rich_menus:
            return jsonify({**line.rich_menus[menu_id], "image": f"/emulator/richmenu/{menu_id}/image"})
        return jsonify({**rich_menu_definition(), "image": "/emulator/richmenu/default/image"})

    @bp.get("/emulator/richmenu/<menu_id>/image")
    def rich_menu_image(menu_id: str) -> Any:
        from bot.richmenu import rich_menu_image as draw

        if menu_id == "default":
            buffer = io.BytesIO()
            draw().save(buffer, format="PNG")
            return Response(buffer.getvalue(), mimetype="image/png")
        if menu_id not in line.rich_menu_images:
            abort(404)
        content_type, content = line.rich_menu_images[menu_id]
        return Response(content, mimetype=content_type)

    # ---- the Messaging API the bot calls -----------------------------------------------------------------
    @bp.before_request
    def check_token() -> Any:
        if request.path.startswith("/emulator/v2/") and not authorised():
            return _api_error(401, "Authentication failed. Confirm that the access token is valid.")
        return None

    @bp.post("/emulator/v2/bot/message/reply")
    def reply() -> Any:
        body = request.get_json(silent=True) or {}
        sent = body.get("messages") or []
        if not 1 <= len(sent) <= 5:
            return _api_error(400, "The request body has 1 error(s)")
        user_id = line.use_reply_token(str(body.get("replyToken", "")))
        if user_id is None:
            return _api_error(400, "Invalid reply token")
        for message in sent:
            line.add(user_id, "bot", message, via="reply")
        return jsonify({"sentMessages": [{"id": uuid.uuid4().hex[:18]} for _ in sent]})

    @bp.post("/emulator/v2/bot/message/push")
    def push() -> Any:
        body = request.get_json(silent=True) or {}
        sent = body.get("messages") or []
        to = str(body.get("to", ""))
        if not 1 <= len(sent) <= 5 or not to:
            return _api_error(400, "The request body has 1 error(s)")
        key = request.headers.get("X-Line-Retry-Key")
        if key and not line.accept_retry_key(key):
            return _api_error(409, "The retry key is already accepted")
        for message in sent:
            line.add(to, "bot", message, via="push")
        line.count_push()
        return jsonify({"sentMessages": [{"id": uuid.uuid4().hex[:18]} for _ in sent]})

    @bp.get("/emulator/v2/bot/message/quota")
    def quota() -> Any:
        return jsonify({"type": "none"})

    @bp.get("/emulator/v2/bot/message/quota/consumption")
    def quota_consumption() -> Any:
        return jsonify({"totalUsage": line.pushes})

    @bp.post("/emulator/v2/bot/chat/loading/start")
    def loading() -> Any:
        body = request.get_json(silent=True) or {}
        chat_id = str(body.get("chatId", ""))
        seconds = body.get("loadingSeconds", 20)
        if not chat_id or not isinstance(seconds, int):
            return _api_error(400, "The request body has 1 error(s)")
        line.loading_until[chat_id] = time.monotonic() + min(max(seconds, 5), 60)
        return jsonify({}), 202

    @bp.post("/emulator/v2/bot/richmenu/validate")
    def validate_rich_menu() -> Any:
        return jsonify({})

    @bp.post("/emulator/v2/bot/richmenu")
    def create_rich_menu() -> Any:
        body = request.get_json(silent=True) or {}
        if not body.get("size") or not body.get("areas"):
            return _api_error(400, "The request body has 1 error(s)")
        menu_id = f"richmenu-{uuid.uuid4().hex}"
        line.rich_menus[menu_id] = {"richMenuId": menu_id, **body}
        return jsonify({"richMenuId": menu_id})

    @bp.get("/emulator/v2/bot/richmenu/list")
    def list_rich_menus() -> Any:
        return jsonify({"richmenus": list(line.rich_menus.values())})

    @bp.route("/emulator/v2/bot/richmenu/<menu_id>", methods=["GET", "DELETE"])
    def one_rich_menu(menu_id: str) -> Any:
        if menu_id not in line.rich_menus:
            return _api_error(404, "Not found")
        if request.method == "DELETE":
            del line.rich_menus[menu_id]
            line.rich_menu_images.pop(menu_id, None)
            if line.default_rich_menu == menu_id:
                line.default_rich_menu = None
            return jsonify({})
        return jsonify(line.rich_menus[menu_id])

    @bp.post("/emulator/v2/bot/richmenu/<menu_id>/content")
    def upload_rich_menu_image(menu_id: str) -> Any:
        if menu_id not in line.rich_menus:
            return _api_error(404, "Not found")
        content_type = request.headers.get("Content-Type", "")
        if content_type not in {"image/png", "image/jpeg"}:
            return _api_error(400, "The content type must be image/png or image/jpeg")
        line.rich_menu_images[menu_id] = (content_type, request.get_data())
        return jsonify({})

    @bp.route("/emulator/v2/bot/user/all/richmenu", methods=["GET", "DELETE"])
    def default_rich_menu() -> Any:
        if request.method == "DELETE":
            line.default_rich_menu = None
            return jsonify({})
        if line.default_rich_menu is None:
            return _api_error(404, "no default richmenu")
        return jsonify({"richMenuId": line.default_rich_menu})

    @bp.post("/emulator/v2/bot/user/all/richmenu/<menu_id>")
    def set_default_rich_menu(menu_id: str) -> Any:
        if menu_id not in line.rich_menus:
            return _api_error(404, "Not found")
        if menu_id not in line.rich_menu_images:
            return _api_error(400, "must upload richmenu image before applying it to user")
        line.default_rich_menu = menu_id
        return jsonify({})

    return bp

"""Someone is told: when an urgent thread opens, on-call staff get an e-mail and/or a webhook call, once.

The alert carries the crisis kinds and a link to the thread in the dashboard, never the resident's words:
mail servers and chat tools keep copies we cannot delete. Each thread is alerted once (a row per thread,
recorded before sending), and sending runs beside the reply so a slow mail server never delays the
resident's contacts. This module owns its table; `forget` and `purge` clear it with the resident's data.
"""

from __future__ import annotations

import json
import logging
import smtplib
import threading
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage

from handoff import messages
from handoff.replies import kind_labels
from handoff.storage import Database

log = logging.getLogger(__name__)

ALERT_TABLE = "handoff_alerts"  # created by bot/migrations/0002_crisis_alerts.sql
SEND_TIMEOUT = 15.0


@dataclass(frozen=True)
class AlertSettings:
    """Where alerts go. `smtp` is "host:port"; `dashboard_url` is the site's public base URL."""

    smtp: str = ""
    mail_from: str = ""
    mail_to: str = ""
    webhook: str = ""
    dashboard_url: str = ""
    url_prefix: str = "/counselor"

    @property
    def enabled(self) -> bool:
        return bool(self.webhook or (self.smtp and self.mail_from and self.mail_to))

    def link(self, thread_id: int) -> str:
        return f"{self.dashboard_url.rstrip('/')}{self.url_prefix}/threads/{thread_id}"


class CrisisAlerts:
    """Tells on-call staff about an urgent thread, at most once per thread."""

    def __init__(self, db: Database, settings: AlertSettings) -> None:
        self._db = db
        self.settings = settings
        self._senders: list[threading.Thread] = []
        if not settings.enabled:
            log.warning("crisis alerts: no SMTP or webhook set: an urgent thread at night alerts nobody")
        elif not settings.dashboard_url:
            log.warning("crisis alerts: no public URL (YORISOI_PUBLIC_URL): links in alerts are relative")

    def notify(self, thread_id: int, user_key: str, kinds: Sequence[str]) -> bool:
        """Record and send the alert for this thread unless it was already sent; True when sent now."""
        if not self.settings.enabled:
            return False
        at = datetime.now(UTC).isoformat(timespec="seconds")
        inserted = self._db.execute(
            f"INSERT INTO {ALERT_TABLE} (thread_id, user_key, kinds, created_at, email, webhook) "
            "VALUES (?, ?, ?, ?, 'pending', 'pending') ON CONFLICT (thread_id) DO NOTHING",
            [thread_id, user_key, json.dumps(list(kinds)), at],
        )
        if not inserted:
            return False
        sender = threading.Thread(
            target=self._send, args=(thread_id, list(kinds)), name="crisis-alert", daemon=True
        )
        self._senders.append(sender)
        sender.start()
        return True

    def wait(self, timeout: float) -> bool:
        """Wait for alerts being sent (tests, shutdown); True when none is left running."""
        for sender in list(self._senders):
            sender.join(timeout)
        self._senders = [s for s in self._senders if s.is_alive()]
        return not self._senders

    def status(self, thread_id: int) -> dict[str, str] | None:
        row = self._db.one(f"SELECT email, webhook FROM {ALERT_TABLE} WHERE thread_id = ?", [thread_id])
        return {"email": row["email"], "webhook": row["webhook"]} if row else None

    def _send(self, thread_id: int, kinds: list[str]) -> None:
        labels = kind_labels(kinds)
        link = self.settings.link(thread_id)
        email = self._send_mail(labels, link) if self.settings.smtp and self.settings.mail_to else "none"
        webhook = self._send_webhook(thread_id, kinds, labels, link) if self.settings.webhook else "none"
        self._db.execute(
            f"UPDATE {ALERT_TABLE} SET email = ?, webhook = ? WHERE thread_id = ?",
            [email, webhook, thread_id],
        )

    def _send_mail(self, labels: str, link: str) -> str:
        host, _, port = self.settings.smtp.rpartition(":")
        mail = EmailMessage()
        mail["Subject"] = messages.ALERT_SUBJECT
        mail["From"] = self.settings.mail_from
        mail["To"] = self.settings.mail_to
        mail.set_content(messages.ALERT_BODY.format(kinds=labels, link=link))
        try:
            with smtplib.SMTP(host or "127.0.0.1", int(port or 25), timeout=SEND_TIMEOUT) as server:
                server.send_message(mail)
        except (OSError, smtplib.SMTPException):
            log.exception("crisis alert: the e-mail could not be sent")
            return "failed"
        return "sent"

    def _send_webhook(self, thread_id: int, kinds: list[str], labels: str, link: str) -> str:
        # "text" is what chat tools (Slack, Teams, LINE WORKS bots) show as is: the e-mail's words.
        text = messages.ALERT_CHAT_TEXT.format(kinds=labels, link=link)
        body = json.dumps(
            {"event": "urgent_thread", "thread_id": thread_id, "kinds": kinds, "url": link, "text": text},
            ensure_ascii=False,
        ).encode()
        request = urllib.request.Request(
            self.settings.webhook, data=body, headers={"Content-Type": "application/json"}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=SEND_TIMEOUT) as response:
                ok = 200 <= response.status < 300
        except OSError:
            log.exception("crisis alert: the webhook could not be called")
            return "failed"
        return "sent" if ok else "failed"

    # ---- deletion -------------------------------------------------------------------------------------
    def forget(self, user_key: str) -> int:
        """Delete the alert records of this resident's threads."""
        return self._db.execute(f"DELETE FROM {ALERT_TABLE} WHERE user_key = ?", [user_key])

    def purge(self) -> int:
        """Delete alert records whose thread is purged, or left only as a tombstone by a forgetting."""
        return self._db.execute(
            f"DELETE FROM {ALERT_TABLE} WHERE thread_id NOT IN "
            "(SELECT id FROM handoff_threads WHERE status != 'deleted')"
        )

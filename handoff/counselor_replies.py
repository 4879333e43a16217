"""A counselor's reply, recorded in the thread and pushed to the resident once, whatever the retries.

The push itself is the bot's (`deliver(user_ref, text, retry_key) -> status`, injected); this module keeps
the order that makes it safe: the reply is written with its retry key before the push, so a crash in
between leaves a "sending" reply the counselor can push again under the same key, which LINE deduplicates.
"""

from __future__ import annotations

from collections.abc import Callable

from handoff import messages
from handoff.audit import AuditLog
from handoff.store import DuplicateRetryKey, Message, ThreadStateError, ThreadStore

Deliver = Callable[[str, str, str], str]


class CounselorReplies:
    def __init__(self, threads: ThreadStore, audit: AuditLog, deliver: Deliver) -> None:
        self._threads = threads
        self._audit = audit
        self.deliver = deliver

    def send(self, thread_id: int, counselor: str, text: str, retry_key: str) -> tuple[Message, bool]:
        """Record a counselor reply and push it once; a second call with the same retry key sends nothing.

        Returns the message and whether this call pushed it.
        """
        existing = self._threads.message_by_retry_key(retry_key)
        if existing is not None:
            return existing, False
        thread = self._threads.get(thread_id)
        if not thread.is_open:
            raise ThreadStateError("not_open")
        try:
            message = self._threads.append(
                thread_id, "counselor", text, author=counselor, delivery="sending", retry_key=retry_key
            )
        except DuplicateRetryKey:
            return self._threads.message_by_retry_key(retry_key), False  # type: ignore[return-value]
        return self._push(message, thread.user_ref, counselor), True

    def retry(self, message_id: int, counselor: str) -> Message:
        """Push a reply whose delivery failed again, under its original retry key (LINE drops duplicates)."""
        message = self._threads.message(message_id)
        if not message.can_retry:
            return message
        return self._push(message, self._threads.get(message.thread_id).user_ref, counselor)

    def _push(self, message: Message, user_ref: str, actor: str) -> Message:
        wire_text = messages.COUNSELOR_REPLY.format(text=message.text)
        try:
            status = str(self.deliver(user_ref, wire_text, message.retry_key or ""))
        except Exception as error:  # the bot's delivery failed; the reply stays recorded and can be retried
            status = f"failed: {type(error).__name__}"
        self._threads.set_delivery(message.id, status)
        self._audit.record(actor, "reply", message.thread_id, f"message={message.id} delivery={status[:60]}")
        return self._threads.message(message.id)

"""kill -9 of `yorisoi serve` in the middle of a load run, then a restart: every event LINE sent is answered
exactly once, by push when the restarted server cannot trust the reply token.

The senders behave like LINE: an event not acknowledged with 200 (connection refused while the server is
down, or a 5xx) is redelivered, marked `isRedelivery`, until it is. So every event must end up answered once,
whether it was acknowledged before the kill, in flight during it, or only after the restart.
"""

from __future__ import annotations

import http.client
import threading
import time
from collections import Counter

from fake_line import PUSH_PATH, REPLY_PATH, LineEvents
from serve_support import answers_per_user, event_statuses, post_raw, signed_headers

QUESTIONS = [
    "児童扶養手当はいくらですか",
    "ひとり親の医療費助成はありますか",
    "母子父子寡婦福祉資金の貸付について",
    "相談員と話したいです",
    "保育園の申し込み方法",
]
EVENTS = 48
SENDERS = 4


def test_kill_9_in_the_middle_of_a_load_run_then_restart_answers_every_event_exactly_once(
    serve, fake_line, data_dir, settings_for
):
    builder = LineEvents(settings_for().channel_secret)
    first = serve()
    assert first.wait_healthy(600)["status"] == "ok"
    current = {"url": first.url}
    # LINE answers some replies slowly, so answers are in flight (outcome unknown) when the kill lands.
    fake_line.delay_next(REPLY_PATH, seconds=4.0, count=6)

    users = [f"U{n:032x}" for n in range(EVENTS)]
    events = [
        builder.text(QUESTIONS[n % len(QUESTIONS)], source=builder.source(user))
        for n, user in enumerate(users)
    ]
    token_owner = {event["replyToken"]: user for event, user in zip(events, users, strict=True)}
    acknowledged: dict[str, int] = {}  # event id → attempts it took
    given_up: list[str] = []
    lock = threading.Lock()
    cursor = iter(range(EVENTS))
    half_sent = threading.Event()
    # One generous deadline for the whole run, not per event: on a loaded two-core machine the restart alone
    # can take minutes, and the senders keep redelivering until then, as LINE does.
    run_deadline = time.monotonic() + 900

    def send() -> None:
        while (n := next(cursor, None)) is not None:
            event, attempts, status = events[n], 0, 0
            while status != 200 and time.monotonic() < run_deadline:
                attempts += 1
                if attempts > 1:
                    event = {**event, "deliveryContext": {"isRedelivery": True}}
                body = builder.body(event)
                try:
                    status = post_raw(
                        current["url"], body, signed_headers(builder.channel_secret, body), 30
                    ).status
                except (OSError, http.client.HTTPException):
                    # A server killed mid-answer can also cut the response short (IncompleteRead,
                    # BadStatusLine): the event is simply redelivered, as LINE would.
                    status = 0
                if status != 200:
                    time.sleep(0.2)
            with lock:
                if status == 200:
                    acknowledged[event["webhookEventId"]] = attempts
                else:
                    given_up.append(event["webhookEventId"])
                if len(acknowledged) >= EVENTS // 2:
                    half_sent.set()
            time.sleep(0.05)

    senders = [threading.Thread(target=send, daemon=True) for _ in range(SENDERS)]
    for sender in senders:
        sender.start()
    assert half_sent.wait(600)
    first.kill()  # while the senders keep going: their posts now fail and are redelivered
    time.sleep(0.5)
    second = serve()
    second.wait_healthy(600)
    current["url"] = second.url
    for sender in senders:
        sender.join(max(0.0, run_deadline - time.monotonic()) + 60)
    assert not given_up and len(acknowledged) == EVENTS, f"{len(acknowledged)} of {EVENTS} acknowledged"
    assert any(attempts > 1 for attempts in acknowledged.values()), "no post hit the dead server"

    assert fake_line.wait_for(lambda fake: len(answers_per_user(fake, token_owner)) == EVENTS, 600)
    deadline = time.monotonic() + 300
    while "pending" in event_statuses(data_dir).values() and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1.0)  # room for a duplicate to show up
    assert set(event_statuses(data_dir).values()) == {"done"}
    assert answers_per_user(fake_line, token_owner) == Counter({user: 1 for user in users})
    # What the killed server had acknowledged but not answered went out by reply while its token was fresh,
    # else by push; which of the two depends on how fast the restart was, so only the push's retry key is
    # asserted (a fast machine may send none).
    assert all(call.retry_key for call in fake_line.calls(PUSH_PATH))

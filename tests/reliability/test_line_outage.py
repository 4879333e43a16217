"""LINE's API failing for a while (500, 429 with Retry-After, answers that never come in time): answers are
retried with growing pauses, a push keeps its retry key through every attempt, and each resident sees the
answer exactly once when LINE is back.

The pause checks are lower bounds that follow from the backoff formula (base · 2^attempt · jitter ≥ 0.5), not
speed assertions: a slow machine only makes the gaps longer.
"""

from __future__ import annotations

import itertools
import time
from collections import defaultdict

import pytest
from conversation_support import WORKER_DEADLINE
from fake_line import PUSH_PATH, REPLY_PATH

STALE_MS = 120_000  # older than a reply token lives: the answer goes by push
USERS = [f"U{n:032x}" for n in range(4)]
# One worker thread per resident, so all of them meet the outage.
BACKOFF = {
    "backoff_base": 0.1,
    "backoff_cap": 1.0,
    "delivery_attempts": 10,
    "line_timeout": 0.5,
    "worker_threads": len(USERS),
}


@pytest.fixture
def server(plumbing_app, live_server_for, flaky_line):
    return live_server_for(plumbing_app(line_api_base_url=flaky_line.base_url, **BACKOFF))


def settle(server) -> None:
    assert server.core.worker.queue.wait_idle(WORKER_DEADLINE), "the worker did not finish"


def by_user(calls) -> dict[str, list]:
    grouped: dict[str, list] = defaultdict(list)
    for call in calls:
        grouped[call.body["to"]].append(call)
    return grouped


def assert_backoff(calls, base: float) -> None:
    """Each pause is at least half the exponential step (jitter is 0.5–1.0), capped at backoff_cap."""
    for attempt, (earlier, later) in enumerate(itertools.pairwise(calls)):
        assert later.at - earlier.at >= 0.5 * min(BACKOFF["backoff_cap"], base * 2**attempt) - 0.01


@pytest.mark.parametrize(("status", "retry_after"), [(500, None), (503, None), (429, 1)])
def test_push_outage_is_ridden_out_with_backoff_and_one_retry_key(
    server, signed_event, flaky_line, status, retry_after
):
    flaky_line.outage(PUSH_PATH, seconds=1.2, status=status, retry_after=retry_after)
    old = int(time.time() * 1000) - STALE_MS
    for user in USERS:
        event = signed_event.text(
            f"障害中の質問 {user[-2:]}", source=signed_event.source(user), timestamp_ms=old
        )
        assert signed_event.post(server.url, event)[0] == 200
    settle(server)
    pushes = by_user(flaky_line.calls(PUSH_PATH))
    assert any(len(calls) >= 2 for calls in pushes.values()), "the outage should have cost retries"
    for user, calls in pushes.items():
        assert [call.status for call in calls][-1] == 200
        assert {call.status for call in calls[:-1]} <= {status}
        assert len({call.retry_key for call in calls}) == 1, user
        if retry_after is None:
            assert_backoff(calls, BACKOFF["backoff_base"])
        else:
            # Retry-After (capped at backoff_cap) is honoured as the least pause.
            gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(calls)]
            assert min(gaps) >= min(retry_after, BACKOFF["backoff_cap"]) - 0.01
    delivered = by_user(flaky_line.delivered())
    assert sorted(delivered) == sorted(USERS)
    assert all(len(calls) == 1 for calls in delivered.values())
    rows = list(server.core.stores.db.query("SELECT * FROM bot_outbox"))
    assert {row["status"] for row in rows} == {"delivered"}


def test_reply_outage_is_retried_with_the_same_token_and_never_pushed(server, signed_event, flaky_line):
    flaky_line.outage(REPLY_PATH, seconds=1.0, status=500)
    events = [signed_event.text("返信障害", source=signed_event.source(user)) for user in USERS]
    for event in events:
        assert signed_event.post(server.url, event)[0] == 200
    settle(server)
    assert len(flaky_line.calls(REPLY_PATH)) > len(USERS), "the outage should have cost retries"
    for event in events:
        calls = [
            call for call in flaky_line.calls(REPLY_PATH) if call.body["replyToken"] == event["replyToken"]
        ]
        assert [call.status for call in calls][-1] == 200
        assert_backoff(calls, BACKOFF["backoff_base"])
    assert flaky_line.calls(PUSH_PATH) == []
    assert len(flaky_line.delivered()) == len(USERS)


def test_answers_that_time_out_for_a_while_are_shown_once(server, signed_event, flaky_line):
    # LINE takes the pushes but answers after our 0.5 s timeout: we cannot know they arrived, so we retry
    # with the same key; LINE's 409 for an accepted key then counts as delivered.
    flaky_line.slow(PUSH_PATH, seconds=1.5, delay=1.0)
    old = int(time.time() * 1000) - STALE_MS
    for user in USERS:
        event = signed_event.text("遅いLINE", source=signed_event.source(user), timestamp_ms=old)
        assert signed_event.post(server.url, event)[0] == 200
    settle(server)
    for calls in by_user(flaky_line.calls(PUSH_PATH)).values():
        assert len({call.retry_key for call in calls}) == 1
        assert next(call.status for call in calls) == 200
        assert all(call.status == 409 for call in calls[1:])
    delivered = by_user(flaky_line.delivered())
    assert sorted(delivered) == sorted(USERS)
    assert all(len(calls) == 1 for calls in delivered.values())
    assert {row["status"] for row in server.core.stores.db.query("SELECT * FROM bot_outbox")} == {"delivered"}

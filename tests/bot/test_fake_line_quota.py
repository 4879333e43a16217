"""The fake LINE API keeps LINE's monthly message quota and rate limit, checked through line-bot-sdk (the
client the bot uses), so what the notice sender sees from it is what it would see from LINE."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
from fake_line import (
    ACCESS_TOKEN,
    MONTHLY_LIMIT_BODY,
    PUSH_PATH,
    QUOTA_CONSUMPTION_PATH,
    QUOTA_PATH,
    RATE_LIMIT_BODY,
    FakeLine,
)
from linebot.v3.messaging import (
    ApiClient,
    ApiException,
    Configuration,
    MessagingApi,
    PushMessageRequest,
    ReplyMessageRequest,
    TextMessage,
)


@pytest.fixture
def line() -> Iterator[tuple[FakeLine, MessagingApi]]:
    fake = FakeLine(access_token=ACCESS_TOKEN).start()
    configuration = Configuration(host=fake.base_url, access_token=ACCESS_TOKEN)
    configuration.retries = False
    with ApiClient(configuration) as client:
        yield fake, MessagingApi(client)
    fake.stop()


def _push(api: MessagingApi, user: str, retry_key: str | None = None, messages: int = 1) -> None:
    request = PushMessageRequest(to=user, messages=[TextMessage(text=f"m{i}") for i in range(messages)])
    api.push_message(request, x_line_retry_key=retry_key or str(uuid.uuid4()))


def test_no_limit_by_default_and_usage_starts_at_zero(line: tuple[FakeLine, MessagingApi]) -> None:
    _fake, api = line
    assert api.get_message_quota().type == "none"
    assert api.get_message_quota().value is None
    assert api.get_message_quota_consumption().total_usage == 0


def test_quota_endpoints_answer_lines_json(line: tuple[FakeLine, MessagingApi]) -> None:
    fake, api = line
    fake.set_quota(500, used=120)
    quota = api.get_message_quota_with_http_info()
    assert quota.status_code == 200
    assert json.loads(quota.raw_data) == {"type": "limited", "value": 500}
    consumption = api.get_message_quota_consumption_with_http_info()
    assert json.loads(consumption.raw_data) == {"totalUsage": 120}
    assert [r.method for r in fake.calls(QUOTA_PATH) + fake.calls(QUOTA_CONSUMPTION_PATH)] == ["GET", "GET"]


def test_each_accepted_push_counts_one_message_per_recipient(line: tuple[FakeLine, MessagingApi]) -> None:
    fake, api = line
    _push(api, "U" + "1" * 32)
    _push(api, "U" + "2" * 32, messages=5)  # five bubbles to one person are one message
    assert api.get_message_quota_consumption().total_usage == 2
    assert fake.quota_usage == 2


def test_replies_are_not_counted(line: tuple[FakeLine, MessagingApi]) -> None:
    _fake, api = line
    api.reply_message(ReplyMessageRequest(reply_token=uuid.uuid4().hex, messages=[TextMessage(text="ok")]))
    assert api.get_message_quota_consumption().total_usage == 0


def test_a_push_already_accepted_under_its_retry_key_is_not_counted_again(
    line: tuple[FakeLine, MessagingApi],
) -> None:
    fake, api = line
    key = str(uuid.uuid4())
    _push(api, "U" + "1" * 32, retry_key=key)
    with pytest.raises(ApiException) as refused:
        _push(api, "U" + "1" * 32, retry_key=key)
    assert refused.value.status == 409
    assert fake.quota_usage == 1


def test_the_monthly_limit_refuses_pushes_with_lines_429(line: tuple[FakeLine, MessagingApi]) -> None:
    fake, api = line
    fake.set_quota(3)
    for user in range(3):
        _push(api, f"U{user:032d}")
    key = str(uuid.uuid4())
    with pytest.raises(ApiException) as refused:
        _push(api, "U" + "9" * 32, retry_key=key)
    assert refused.value.status == 429
    assert json.loads(refused.value.body) == MONTHLY_LIMIT_BODY
    assert json.loads(refused.value.body)["message"] == "You have reached your monthly limit."
    # Nothing was sent or counted, and the refused request's retry key is still free to use.
    assert fake.quota_usage == 3
    assert len(fake.delivered()) == 3
    assert api.get_message_quota_consumption().total_usage == 3
    fake.set_quota(4)
    _push(api, "U" + "9" * 32, retry_key=key)
    assert fake.quota_usage == 4
    assert len(fake.calls(PUSH_PATH, status=200)) == 4


def test_replies_still_work_when_the_monthly_limit_is_reached(line: tuple[FakeLine, MessagingApi]) -> None:
    fake, api = line
    fake.set_quota(0)
    api.reply_message(ReplyMessageRequest(reply_token=uuid.uuid4().hex, messages=[TextMessage(text="ok")]))
    with pytest.raises(ApiException) as refused:
        _push(api, "U" + "1" * 32)
    assert refused.value.status == 429


def test_the_rate_limit_answers_429_by_count_within_a_second(line: tuple[FakeLine, MessagingApi]) -> None:
    """A frozen clock puts every call in the same second, so the limit is reached by count alone."""
    fake, api = line
    now = [1000.0]
    fake.set_rate_limit(5, clock=lambda: now[0])
    for user in range(5):
        _push(api, f"U{user:032d}")
    with pytest.raises(ApiException) as refused:
        _push(api, "U" + "9" * 32)
    assert refused.value.status == 429
    assert json.loads(refused.value.body) == RATE_LIMIT_BODY
    assert fake.quota_usage == 5  # a rate-limited push is not sent and not counted
    # Other endpoints have their own window; the next second opens a new one.
    assert api.get_message_quota_consumption().total_usage == 5
    now[0] += 1.0
    _push(api, "U" + "9" * 32)
    assert fake.quota_usage == 6


def test_peak_rate_counts_the_busiest_second(line: tuple[FakeLine, MessagingApi]) -> None:
    fake, api = line
    for user in range(4):
        _push(api, f"U{user:032d}")
    # However slow the machine, four calls made in a row never exceed four in any window.
    assert 1 <= fake.peak_rate(PUSH_PATH) <= 4
    assert fake.peak_rate(PUSH_PATH, window=3600) == 4
    assert fake.peak_rate(QUOTA_PATH) == 0

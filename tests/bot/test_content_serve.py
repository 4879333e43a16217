"""Reach every node: a document published by `yorisoi docs publish` in another process is answered by a
`yorisoi serve` that was already running, which sees the content version change and swaps its index in."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
from fake_line import REPLY_PATH
from serve_support import YORISOI
from test_content_browser import PAGE

QUESTION = "自転車購入費助成の上限額はいくらですか"


def replies_to(fake_line, token: str) -> list[str]:
    return [
        text
        for call in fake_line.calls(REPLY_PATH)
        if isinstance(call.body, dict) and call.body.get("replyToken") == token
        for text in call.texts
    ]


def ask(server, signed_event, fake_line, user: str) -> str:
    event = signed_event.text(QUESTION, source=signed_event.source(user))
    assert signed_event.post(server.url, event)[0] == 200
    token = event["replyToken"]
    assert fake_line.wait_for(lambda fake: replies_to(fake, token), timeout=300)
    return "\n".join(replies_to(fake_line, token))


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_a_running_server_answers_from_a_document_published_elsewhere(
    serve, serve_env, signed_event, fake_line, tmp_path: Path
) -> None:
    server = serve()
    assert server.wait_healthy()["status"] == "ok"
    assert "20,000円" not in ask(server, signed_event, fake_line, f"U{1:032x}")

    saved = tmp_path / "jitensha-josei.html"
    saved.write_text(PAGE, encoding="utf-8")
    imported = subprocess.run(
        [
            *(YORISOI, "docs", "import", str(saved), "--title", "ひとり親家庭自転車購入費助成"),
            *("--jurisdiction", "石川県", "--date", "2026-04-01", "--kind", "program"),
        ],
        env=serve_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert imported.returncode == 0, imported.stdout + imported.stderr
    published = subprocess.run(
        [YORISOI, "docs", "publish", "jitensha-josei"],
        env=serve_env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert published.returncode == 0, published.stdout + published.stderr
    assert "published jitensha-josei" in published.stdout

    # The worker checks the version every few seconds and then loads the new index: ask until it answers
    # from the new document, however long that takes on a busy machine (each answer takes milliseconds, so
    # a count of attempts would be a time limit).
    deadline = time.monotonic() + 600
    attempt = 2
    answer = ask(server, signed_event, fake_line, f"U{attempt:032x}")
    while "20,000円" not in answer and time.monotonic() < deadline:
        time.sleep(0.5)
        attempt += 1
        answer = ask(server, signed_event, fake_line, f"U{attempt:032x}")
    assert "20,000円" in answer and "自転車" in answer, answer

"""The distribution as pip installs it (what the Dockerfile does), not the checkout: every document, data
file, template and static file the code reads at run time must be inside it. Like the Dockerfile, it copies
only pyproject.toml, README.md and the four packages, and installs from that copy."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from bot.content import open_content
from bot.database import open_database
from knowledge.base import all_documents
from knowledge.library import PUBLISHED, StoredDocument

REPO = Path(__file__).resolve().parents[1]
DOCKERFILE_COPIES = ("pyproject.toml", "README.md", "bot", "knowledge", "intents", "handoff")
# Runs with only the installed copy importable: the checkout is neither the working directory nor on the path.
WEB_CHECK = r"""
import sys
from pathlib import Path
import bot, handoff, intents, knowledge
for package in (bot, handoff, intents, knowledge):
    assert Path(package.__file__).is_relative_to(sys.argv[1]), package.__file__
from bot.app import create_app
from bot.config import Settings
app = create_app(Settings.from_env(local_mode=True, port=8000).resolved())
client = app.test_client()
for path in ("/", "/counselor/login", "/healthz"):
    assert client.get(path).status_code == 200, path
print("web ok")
"""


@pytest.mark.slow
def test_the_installed_distribution_carries_everything_it_reads(tmp_path, knowledge_index):
    source, site = tmp_path / "source", tmp_path / "site"
    source.mkdir()
    for name in DOCKERFILE_COPIES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(REPO / name, source / name)
    pip = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-compile"]
    subprocess.run([*pip, "--target", str(site), str(source)], check=True, cwd=tmp_path)
    data_dir = tmp_path / "data"
    shutil.copytree(knowledge_index, data_dir / "index")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("LINE_", "YORISOI_"))}
    env.update(PYTHONPATH=str(site), YORISOI_DATA_DIR=str(data_dir))

    def yorisoi(*args: str, stdin: str | None = None) -> str:
        done = subprocess.run(
            [sys.executable, "-c", "from bot.cli import main; main()", *args],
            input=stdin,
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    # The installed package indexes exactly the checkout's documents (curated and generated from amounts).
    shipped = len(all_documents(tmp_path / "no-city-content"))
    assert f"is current: {shipped} documents," in yorisoi("index")
    answer = json.loads(yorisoi("ask", "--json", "引っ越しの費用を借りたい"))
    assert answer["confident"] and "転宅資金" in answer["answer"]
    facts = {"parent": "mother", "municipality": "金沢市", "children_ages": [4]}
    assert json.loads(yorisoi("recommend", "--json", stdin=json.dumps(facts)))["programs"]
    web = subprocess.run(
        [sys.executable, "-c", WEB_CHECK, str(site)], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert web.returncode == 0 and "web ok" in web.stdout, web.stdout + web.stderr
    assert (site / "bot" / "migrations" / "0001_release_schema.sql").is_file()
    newest = max(int(path.name[:4]) for path in (site / "bot" / "migrations").glob("[0-9]*.sql"))
    assert f"schema version {newest} (already current)" in yorisoi("migrate")
    # A city's content lives in the data store, not the package: what was published before this install
    # (the release before an upgrade, another node) is what the installed package lists and answers from.
    shipped_text = (REPO / "knowledge" / "docs" / "kodaira-hitorioya-soudan.md").read_text(encoding="utf-8")
    content = open_content(open_database(data_dir), data_dir)
    content.save(
        StoredDocument(
            "kodaira-hitorioya-soudan", shipped_text.replace("2023-10-10", "2026-04-01"), PUBLISHED
        )
    )
    assert "overridden kodaira-hitorioya-soudan" in yorisoi("docs", "list")


def test_the_wheel_carries_no_dev_tools_or_tests(tmp_path) -> None:
    """Built from the whole checkout (tools/ and tests/ included), the wheel still holds only the product."""
    source = tmp_path / "source"
    shutil.copytree(
        REPO,
        source,
        ignore=shutil.ignore_patterns(".git", ".venv", ".data", "__pycache__", "*.egg-info", "build"),
    )
    wheels = tmp_path / "wheels"
    pip = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(wheels)]
    subprocess.run([*pip, str(source)], check=True, cwd=tmp_path)
    [wheel] = wheels.glob("yorisoi-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        top_level = {name.split("/")[0] for name in archive.namelist() if "/" in name}
        names = set(archive.namelist())
    assert {"bot", "knowledge", "intents", "handoff"} <= top_level
    assert not top_level & {"tools", "tests"}, top_level
    assert "bot/migrations/0001_release_schema.sql" in names

"""The rich menu: its layout, its generated image, and `yorisoi richmenu` against the fake LINE API."""

from __future__ import annotations

import io
import json

import pytest
from click.testing import CliRunner
from fake_line import ACCESS_TOKEN
from PIL import Image, ImageFont

from bot import render
from bot.cli import cli
from bot.richmenu import (
    CHAT_BAR_TEXT,
    HEIGHT,
    NAME,
    WIDTH,
    japanese_font_file,
    rich_menu_definition,
    rich_menu_png,
)

RICH_MENU_PATH = "/v2/bot/richmenu"


def test_four_areas_cover_the_menu_and_post_the_menu_postbacks():
    menu = rich_menu_definition()
    assert menu["size"] == {"width": WIDTH, "height": HEIGHT} and (WIDTH, HEIGHT) in {
        (2500, 843),
        (2500, 1686),
    }
    assert len(CHAT_BAR_TEXT) <= 14 and menu["selected"] is True
    areas = menu["areas"]
    assert [a["action"]["label"] for a in areas] == ["制度を調べる", "質問する", "相談員に相談", "使い方"]
    assert [a["action"]["data"] for a in areas] == [
        render.MENU_CHECK,
        render.MENU_ASK,
        render.MENU_COUNSELOR,
        render.MENU_HOWTO,
    ]
    assert sum(a["bounds"]["width"] for a in areas) == WIDTH
    assert all(a["bounds"]["height"] == HEIGHT and len(a["action"]["label"]) <= 20 for a in areas)


def test_the_image_is_a_png_of_the_right_size_drawn_with_a_japanese_font():
    png = rich_menu_png()
    assert len(png) < 1024 * 1024  # LINE's limit for a rich menu image
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (WIDTH, HEIGHT)
    path, index = japanese_font_file()
    family, _ = ImageFont.truetype(path, 20, index=index).getname()
    assert "JP" in family or "Japanese" in family or "Gothic" in family
    # The labels are drawn: the lower half of each panel holds dark ink.
    panel = WIDTH // 4
    for column in range(4):
        label = image.crop((column * panel, 560, (column + 1) * panel, 720)).convert("L")
        assert label.getextrema()[0] < 80


def test_yorisoi_richmenu_creates_uploads_and_sets_the_default(fake_line, monkeypatch):
    monkeypatch.setenv("LINE_API_BASE_URL", fake_line.base_url)
    monkeypatch.setenv("LINE_CHANNEL_ACCESS_TOKEN", ACCESS_TOKEN)
    runner = CliRunner()
    first = runner.invoke(cli, ["richmenu"], catch_exceptions=False)
    assert first.exit_code == 0, first.output
    menu_id = first.output.strip().splitlines()[-1]
    assert fake_line.default_rich_menu == menu_id
    [created] = fake_line.calls(RICH_MENU_PATH)
    assert created.body["areas"][2]["action"]["data"] == render.MENU_COUNSELOR
    assert created.body["name"] == NAME
    [upload] = fake_line.calls(f"{RICH_MENU_PATH}/{menu_id}/content")
    assert upload.headers["content-type"] == "image/png" and upload.body[:8] == b"\x89PNG\r\n\x1a\n"
    assert upload.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert fake_line.calls(f"/v2/bot/user/all/richmenu/{menu_id}", status=200)
    # Running it again replaces the menu instead of piling up copies.
    second = runner.invoke(cli, ["richmenu"], catch_exceptions=False)
    assert second.exit_code == 0, second.output
    new_id = second.output.strip().splitlines()[-1]
    assert new_id != menu_id and fake_line.default_rich_menu == new_id
    assert fake_line.calls(f"{RICH_MENU_PATH}/{menu_id}")[-1].method == "DELETE"


def test_dry_run_prints_the_menu_and_saves_the_image(tmp_path, fake_line):
    image = tmp_path / "menu.png"
    result = CliRunner().invoke(cli, ["richmenu", "--dry-run", "--image", str(image)], catch_exceptions=False)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["areas"][0]["action"]["data"] == render.MENU_CHECK
    assert Image.open(image).size == (WIDTH, HEIGHT)
    assert fake_line.requests == []


@pytest.mark.parametrize("status", [400, 401, 500])
def test_a_refusal_from_line_is_a_clear_error(fake_line, monkeypatch, status):
    monkeypatch.setenv("LINE_API_BASE_URL", fake_line.base_url)
    monkeypatch.setenv("LINE_CHANNEL_ACCESS_TOKEN", ACCESS_TOKEN)
    fake_line.fail_next("/v2/bot/richmenu/validate", status=status)
    result = CliRunner().invoke(cli, ["richmenu"])
    assert result.exit_code == 1
    assert f"HTTP {status}" in result.output
    assert fake_line.default_rich_menu is None


def test_without_a_token_it_says_what_to_set(monkeypatch):
    monkeypatch.delenv("LINE_CHANNEL_ACCESS_TOKEN", raising=False)
    result = CliRunner().invoke(cli, ["richmenu"])
    assert result.exit_code == 1 and "LINE_CHANNEL_ACCESS_TOKEN" in result.output

"""The rich menu under the chat: its layout as LINE's RichMenuRequest, and its image drawn with Pillow.

The four buttons post the same postbacks as the bot's quick-reply menu (bot.render.MENU_*), so a tap on
either means the same thing to the router. The image is drawn here rather than shipped as an asset so a
city can reword the labels in bot/messages.py and run `yorisoi richmenu` again.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from bot import messages, render

WIDTH, HEIGHT = 2500, 843
NAME = "yorisoi-main"
CHAT_BAR_TEXT = "メニュー"
BACKGROUND = "#F4F8F5"
PANEL = "#FFFFFF"
ACCENT = "#06C755"
INK = "#1E2A23"
# Where Debian puts Noto CJK (fonts-noto-cjk); fontconfig is asked first.
KNOWN_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Bold.ttc",
)


class FontMissing(RuntimeError):
    """No font that can draw Japanese is installed."""


@dataclass(frozen=True)
class Button:
    label: str
    data: str
    icon: str


BUTTONS = (
    Button(messages.MENU_CHECK, render.MENU_CHECK, "search"),
    Button(messages.MENU_ASK, render.MENU_ASK, "speech"),
    Button(messages.MENU_COUNSELOR, render.MENU_COUNSELOR, "person"),
    Button(messages.MENU_HOWTO, render.MENU_HOWTO, "question"),
)


def rich_menu_definition() -> dict[str, Any]:
    """The RichMenuRequest body (LINE's JSON names): four equal areas, left to right, each a postback."""
    width = WIDTH // len(BUTTONS)
    areas = [
        {
            "bounds": {"x": index * width, "y": 0, "width": width, "height": HEIGHT},
            "action": {
                "type": "postback",
                "label": button.label,
                "data": button.data,
                "displayText": button.label,
            },
        }
        for index, button in enumerate(BUTTONS)
    ]
    return {
        "size": {"width": WIDTH, "height": HEIGHT},
        "selected": True,
        "name": NAME,
        "chatBarText": CHAT_BAR_TEXT,
        "areas": areas,
    }


def _fontconfig_font() -> tuple[str, int] | None:
    if shutil.which("fc-match") is None:
        return None
    found = subprocess.run(
        ["fc-match", "-f", "%{file}\t%{index}", ":lang=ja:style=Bold"],
        capture_output=True,
        text=True,
        check=False,
        timeout=10,
    ).stdout.split("\t")
    if len(found) == 2 and Path(found[0]).exists():
        return found[0], int(found[1] or 0)
    return None


@cache
def japanese_font_file() -> tuple[str, int]:
    """(path, face index) of a font that draws Japanese; raises FontMissing with the fix when none is."""
    candidates = [c for c in [_fontconfig_font()] if c] + [(path, 0) for path in KNOWN_FONTS]
    for path, index in candidates:
        if not Path(path).exists():
            continue
        font = ImageFont.truetype(path, 40, index=index)
        if font.getlength("相談") > 0 and font.getbbox("相")[2] > font.getbbox("i")[2]:
            return path, index
    raise FontMissing(
        "No Japanese font found for the rich menu image. Install one, e.g. `apt-get install fonts-noto-cjk`."
    )


def _font(size: int) -> ImageFont.FreeTypeFont:
    path, index = japanese_font_file()
    return ImageFont.truetype(path, size, index=index)


def _icon(draw: ImageDraw.ImageDraw, kind: str, cx: int, cy: int, r: int) -> None:
    """Simple line icons drawn from shapes, in the accent colour on a pale disc."""
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill="#E3F6EA")
    w = max(8, r // 7)
    s = r * 0.5
    if kind == "search":
        draw.ellipse((cx - s, cy - s, cx + s * 0.5, cy + s * 0.5), outline=ACCENT, width=w)
        draw.line((cx + s * 0.35, cy + s * 0.35, cx + s, cy + s), fill=ACCENT, width=w + 4)
    elif kind == "speech":
        draw.rounded_rectangle(
            (cx - s, cy - s * 0.8, cx + s, cy + s * 0.45), radius=int(s * 0.3), outline=ACCENT, width=w
        )
        draw.polygon([(cx - s * 0.4, cy + s * 0.4), (cx - s * 0.55, cy + s), (cx, cy + s * 0.4)], fill=ACCENT)
        for dx in (-0.45, 0, 0.45):
            dot = s * 0.11
            draw.ellipse(
                (cx + dx * s - dot, cy - s * 0.18 - dot, cx + dx * s + dot, cy - s * 0.18 + dot), fill=ACCENT
            )
    elif kind == "person":
        head = s * 0.4
        draw.ellipse((cx - head, cy - s * 1.0, cx + head, cy - s * 1.0 + 2 * head), fill=ACCENT)
        draw.chord((cx - s * 0.85, cy - s * 0.05, cx + s * 0.85, cy + s * 1.6), 180, 360, fill=ACCENT)
    else:
        font = _font(int(r * 1.1))
        draw.text((cx, cy), "?", font=font, fill=ACCENT, anchor="mm")


def rich_menu_image() -> Image.Image:
    """The 2500×843 PNG for `rich_menu_definition`: one panel per button, icon above its label."""
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    width = WIDTH // len(BUTTONS)
    label_font = _font(92)
    for index, button in enumerate(BUTTONS):
        left = index * width
        draw.rounded_rectangle((left + 24, 24, left + width - 24, HEIGHT - 24), radius=48, fill=PANEL)
        _icon(draw, button.icon, left + width // 2, 300, 170)
        size = 92
        font = label_font
        while font.getlength(button.label) > width - 80 and size > 40:
            size -= 4
            font = _font(size)
        draw.text((left + width // 2, 640), button.label, font=font, fill=INK, anchor="mm")
    draw.rectangle((0, 0, WIDTH, 12), fill=ACCENT)
    return image


def rich_menu_png() -> bytes:
    from io import BytesIO

    buffer = BytesIO()
    rich_menu_image().save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()

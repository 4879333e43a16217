"""The place register: one file of places, windows and office numbers, read the same way by every package."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from knowledge import PlaceRegister, default_register
from knowledge.places import phone_key

DOCS = Path(__file__).resolve().parents[2] / "knowledge" / "docs"


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("金沢市に住んでいます", "金沢市"),
        ("白山です", "白山市"),
        ("東京の小平", "小平市"),
        ("石川県の金沢", "金沢市"),  # the municipality beats its prefecture
        ("東京に住んでいます", "東京都"),
        ("国立大学の授業料", None),  # 国立市 only as a word of its own
        ("小松菜が高い", None),
    ],
)
def test_a_place_is_found_in_what_a_resident_writes(text, place):
    assert default_register().find(text) == place


def test_containment_goes_municipality_prefecture_nation():
    places = default_register()
    assert places.lies_in("金沢市", "石川県") and places.lies_in("金沢市", "国")
    assert places.lies_in("金沢市", "金沢市") and not places.lies_in("金沢市", "小平市")
    assert not places.lies_in("石川県", "金沢市") and not places.lies_in(None, "石川県")


def test_windows_come_from_the_register():
    places = default_register()
    assert str(places.window_of("金沢")) == "金沢市社会福祉事務所 076-220-2285"
    assert places.window_of("小平市").phone == "042-341-1211(内線2442)"
    assert places.window_of("江東区") is None


def test_every_number_of_the_register_is_printed_in_a_document():
    printed = {
        phone_key(number)
        for path in DOCS.glob("*.md")
        for number in re.findall(r"0\d{1,4}[-ー]\d{1,4}[-ー]\d{3,4}", path.read_text(encoding="utf-8"))
    }
    assert default_register().local_phone_numbers() <= printed


def test_a_number_is_served_only_to_residents_of_its_place():
    places = default_register()
    assert places.serves("042-341-1211", "小平市") and not places.serves("042-341-1211", "金沢市")
    assert not places.serves("042-341-1211", None)
    assert places.serves("076-227-6077", "金沢市")  # 石川県中央児童相談所 serves every Ishikawa resident
    assert places.serves("03-6272-8720", "小平市") and not places.serves("03-6272-8720", "白山市")
    assert places.serves("076-261ー9453", "能美市")  # spelt as the source prints it
    assert places.serves("0120-000-000", None)  # not a local office's number


def test_the_register_loads_from_a_city_edited_file(tmp_path):
    path = tmp_path / "places.yaml"
    path.write_text(
        "national: [国]\nprefectures:\n  石川県:\n    municipalities:\n"
        "      金沢市: {window: 窓口, phone: 076-000-0000}\n",
        encoding="utf-8",
    )
    places = PlaceRegister.load(path)
    assert places.prefecture_of("金沢") == "石川県" and places.local_phone_numbers() == {"076-000-0000"}

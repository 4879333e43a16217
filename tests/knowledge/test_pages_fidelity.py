"""Program documents written from official pages (not seeds) carry the page's facts over exactly.

The page text the document was written from is kept under fixtures/pages/; every fact a resident may act on
(names, address, services) must be in both, after NFKC and whitespace removal.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCS_DIR = ROOT / "knowledge" / "docs"

FACTS = {
    "cfa-hitorioya-shien-center.md": [
        "就業相談から就業支援講習会の実施、就業情報の提供等一貫した就業支援サービス",
        "都道府県、市(特別区を含む。)及び福祉事務所設置町村",
        "母子福祉団体等への委託",
        "弁護士等のアドバイスを受け養育費の取り決めや親子交流支援など",
        "離婚前後家庭支援事業",
        "ひとり親家庭支援センター等",
        "児童(ひとり親家庭)福祉主管課",
    ],
    "gov-online-dv-soudan.md": [
        "0120-279-889",
        "#8008",
        "24時間電話対応(フリーダイヤル)のほか、メールやチャットで相談することができます。",
        "11言語での相談に対応しています。",
        "必要な場合は、同行支援や緊急の宿泊提供なども行います。",
        "どこに相談すればよいかわからないという方のための全国共通の短縮ダイヤルです。",
        "発信地等の情報から最寄りの配偶者暴力相談支援センターにつながります。",
        "ご利用には通話料がかかります。",
        "相談は、各機関の相談受付時間内に限ります。",
        "一部のIP電話等からはつながりません。",
        "市町村が設置するセンターもあります",
        "医学・心理の専門家によるカウンセリング",
        "(被害者及び同伴者)の保護",
        "職業紹介や職業訓練、公営住宅、生活保護などの情報提供",
        "裁判所が出す保護命令に関する情報提供",
    ],
    "chichibu-hitorioya-tetsuzuki.md": [
        "戸籍の届出や転入の届出を済ませたあと、次の手続きがあります。",
        "児童扶養手当の申請手続き",
        "ひとり親家庭等医療費の受給者証交付申請の手続き",
        "18歳まで(18歳の誕生日後最初の3月末まで)の子どもをもつひとり親または養育者の方が対象",
        "所得など一定の条件があります",
        "子どもの年齢が20歳未満(20歳の誕生日の前日)が対象となります",
        "申請者、児童の戸籍全部事項証明(新規手続きの場合)",
        "養育費等に関する申告書 ※用紙は各窓口にあります",
        "加入している健康保険証(ひとり親家庭等医療費手続きの場合)",
        "所得課税証明書(転入者の新規手続きの場合)",
        "前住所地で児童扶養手当を受けている場合には、児童扶養手当証書をお持ちください",
    ],
    "courts-youikuhi-tetsuzuki.md": [
        "家庭裁判所から支払を勧告する制度を利用することができます",
        "調停などの裁判所の手続や公正証書(公証役場において公証人が作成する文書)で取り決められた",
        "支払わない人の財産(給料や預貯金など)を差し押さえて,その中から強制的に支払を受ける制度(強制執行)",
    ],
    "youikuhi-soudan-center.md": [
        "養育費等相談支援センター",
        "家庭問題情報センター",
        "公益社団法人に認定",
        "東京都豊島区西池袋2丁目29番19号KTビル10階",
        "東京ファミリー相談室",
        "令和3年度",
        "養育費に関する情報提供",
        "電話やメールによる相談",
        "母子家庭等就業・自立支援センター等で受け付けた困難事例への支援",
    ],
}


def normalise(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def front_matter(text: str) -> tuple[dict, str]:
    head, body = text[4:].split("\n---\n", 1)
    return yaml.safe_load(head), body


@pytest.mark.parametrize("name", sorted(FACTS))
def test_page_documents_carry_their_facts(name: str) -> None:
    meta, body = front_matter((DOCS_DIR / name).read_text(encoding="utf-8"))
    assert meta["kind"] == "program"
    assert str(meta["source_url"]).startswith("https://")
    page = (ROOT / meta["source_file"]).read_text(encoding="utf-8")
    assert meta["source_url"] in page
    for fact in FACTS[name]:
        assert normalise(fact) in normalise(page), f"{fact} is not on the page"
        assert normalise(fact) in normalise(body), f"{fact} is not in the document"


@pytest.mark.parametrize("name", sorted(FACTS))
def test_page_documents_invent_no_phone_numbers_or_amounts(name: str) -> None:
    _, body = front_matter((DOCS_DIR / name).read_text(encoding="utf-8"))
    page = normalise(
        (ROOT / front_matter((DOCS_DIR / name).read_text(encoding="utf-8"))[0]["source_file"]).read_text(
            encoding="utf-8"
        )
    )
    for figure in re.findall(r"0\d{1,4}-\d{1,4}-\d{3,4}|\d[\d,]*円", body):
        assert normalise(figure) in page

"""The curated program documents must carry the seeds' facts over exactly.

Residents act on these amounts, phone numbers and addresses, so every one of them is checked against the
source extraction it came from (after NFKC and whitespace removal, which only undo layout noise).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path

import pytest
import yaml
from shared_files import SEEDS_DIR

DOCS_DIR = Path(__file__).resolve().parents[2] / "knowledge" / "docs"

JURISDICTIONS = {"国", "石川県", "金沢市", "東京都", "小平市"}
REQUIRED_KEYS = {"title", "publisher", "jurisdiction", "source_date", "source_file"}

SEED_OF = {
    "ishikawa-hitorioya-shien.md": "001_61ea235f7931e8ad.txt",
    "kodaira-hitorioya-soudan.md": "004_eaf0aa662bf95c7b.txt",
    "mhlw-shugyo-jiritsu-shien-yoko.md": "002_38a16a476dc3c95c.txt",
    "kanazawa-jiritsu-sokushin-keikaku-2012.md": "000_ed4996ca5db42029.txt",
    "kanazawa-yume-plan-2020.md": "003_edc3b00150a32596.txt",
}

# Facts a resident is likely to act on; each must be in the seed (guards this list) and in the doc.
KEY_FACTS = {
    "ishikawa-hitorioya-shien.md": [
        "令和6年4月以降",
        "18歳になって最初の3月31日まで",
        "原則として年1回、手当の額が見直されます",
        "児童1人あたり月額3,000円まで",
        "遺児となった日から1年以内",
        "世帯年収が約910万円未満",
        "受講開始日の属する月の前月15日まで",
        "上限は修業年数×400,000円で1,600,000円まで、12,000円以下は支給しない",
        "修業期間全期間(ただし、上限4年)",
        "修業期間の最後の12ヶ月の支給月額は40,000円増額",
        "受講費用の6割(上限あり)",
        "保証人がいない場合は年1.0%",
        "20年以内、一般課程の専修学校は5年以内",
        "5年以内(介護償還払いの場合は1回払い)",
        "母子家庭・父子家庭となって7年未満の父・母の場合は、8年以内",
        "1年以内、ただし、当該年度末(3月)に一旦返済する必要があります。",
        "元金350万円までの預貯金利子が非課税",
        "市役所・町役場(特定者資格証明書の発行)",
        "市・町の教育委員会",
        "独立行政法人自動車事故対策機構",
        "母子家庭の母と児童(20歳未満)",
        "年金事務所の窓口",
        "金沢市三社町1-44",
        "河北郡津幡町字中橋ロ1-1",
        "鳳珠郡穴水町字川島タの38",
        "金沢市本多町3丁目1-10",
        "金沢市石引4丁目17-1",
        "石川県金沢市鞍月1丁目1番地",
    ],
    "kodaira-hitorioya-soudan.md": [
        "月曜~金曜日(祝日、年末年始を除く) 午前8時30分~午後4時",
        "電話、面談(要予約)",
        "042-341-1211(内線2442)",
        "子育て支援課 相談支援担当(市役所2階)",
        "講座の費用の一部を1回に限り給付します",
        "支払った受講経費の一部(最大6割)",
        "東京都千代田区飯田橋3-4-6 新都心ビル7階",
        "東京都千代田区飯田橋3-10-3 東京しごとセンター7階",
        "東京都立川市曙町2-8-30 立川わかぐさビル4階",
        "相談は無料ですが、来所相談は事前予約が必要です。",
    ],
    "mhlw-shugyo-jiritsu-shien-yoko.md": [
        "平成20年4月1日から適用",
        "配偶者のない男子となった日の翌日から起算して7年",
        "その額が1,000円を超えるときは、1,000円とすること",
        "片道2キロメートル未満",
        "受講諸費470円との合計額",
        "平均月収が1万円未満",
        "補助基準額に0.9を乗じる",
        "最長1年とする",
        "概ね15歳未満の子",
        "原則として1月に1回までとする",
        "最長で1年間とする",
        "過去に本事業の対象となっていない者",
        "家庭裁判所等へ訪れる際の同行支援",
        "モバイルWi-Fiルーター等の貸し出し",
        "就業支援バンクを開設し",
    ],
    "kanazawa-jiritsu-sokushin-keikaku-2012.md": [
        "第2期金沢市母子家庭及び寡婦自立促進計画",
        "平成24年(2012年)度",
        "平成28年(2016年)度",
        "いきいきと暮らせる環境づくり",
        "市営住宅活用母子世帯生活安定資金(DV被害者)",
        "こども福祉課、(社)石川県労働者福祉協議会",
        "独立行政法人日本学生支援機構",
    ],
    "kanazawa-yume-plan-2020.md": [
        "みんなでつながり支え合う子育ての喜びを分かち合うまち金沢",
        "令和2年度~令和6年度(5年間)",
        "412事業",
        "365事業",
        "47事業",
        "688,518人",
        "6,914件(H30)",
        "8,156件",
        "615,536件",
        "476,288件",
        "弁護士職員1名",
    ],
}

# The five documents' program structure: (level, heading) pairs that must exist.
REQUIRED_HEADINGS = {
    "ishikawa-hitorioya-shien.md": [
        (2, "児童扶養手当"),
        (2, "ショートステイ・トワイライトステイ"),
        (3, "ショートステイ"),
        (3, "トワイライトステイ"),
        (2, "高等職業訓練促進給付金制度"),
        (2, "自立支援教育訓練給付金制度"),
        (2, "母子父子寡婦福祉貸付金"),
        *[
            (3, loan)
            for loan in (
                "事業開始資金",
                "事業継続資金",
                "修学資金",
                "技能習得資金",
                "修業資金",
                "就職支度資金",
                "医療介護資金",
                "生活資金",
                "住宅資金",
                "転宅資金",
                "就学支度資金",
                "結婚資金",
            )
        ],
        (2, "母子父子寡婦福祉小口資金貸付金"),
        (2, "相談機関の所在地と電話番号"),
        (3, "制度ごとのお問い合わせ先"),
    ],
    "kodaira-hitorioya-soudan.md": [
        (2, "小平市のひとり親相談"),
        (2, "ひとり親家庭の支援制度"),
        (3, "ひとり親家庭ホームヘルプサービス"),
        (2, "東京都のひとり親相談"),
        (3, "東京都ひとり親家庭支援センター はあと"),
        (3, "東京都ひとり親家庭支援センター はあと飯田橋"),
        (3, "東京都ひとり親家庭支援センター はあと多摩"),
    ],
    "mhlw-shugyo-jiritsu-shien-yoko.md": [
        (2, "1 目的"),
        (2, "2 事業の種類"),
        (2, "3 実施主体"),
        (2, "4 対象者"),
        *[
            (3, program)
            for program in (
                "就業支援事業",
                "就業支援講習会等事業",
                "就業情報提供事業",
                "在宅就業推進事業",
                "養育費等支援事業",
                "親子交流支援事業",
                "相談関係職員研修支援事業",
                "広報啓発・広聴、ニーズ把握活動等事業",
                "心理担当者による相談支援事業",
                "就業環境整備支援事業",
            )
        ],
        (2, "5 事業の内容等（2）一般市等事業"),
        (2, "6 関係機関との連携等"),
        (2, "7 国の補助"),
    ],
    "kanazawa-jiritsu-sokushin-keikaku-2012.md": [
        (2, "基本目標"),
        (2, "施策の基本的な方向"),
        *[
            (3, direction)
            for direction in (
                "就業支援の充実",
                "子育て・生活支援の充実",
                "経済的支援の推進",
                "養育費確保の推進",
                "相談体制・情報提供の充実",
            )
        ],
        (2, "生活場面ごとの支援内容とお問い合わせ先"),
    ],
    "kanazawa-yume-plan-2020.md": [
        (2, "基本方針1 人と人がつながるまちへ"),
        (2, "基本方針2 子どもを健やかにはぐくむまちへ"),
        (2, "基本方針3 親子によりそうまちへ"),
        (2, "基本方針4 未来への希望をつくるまちへ"),
        (2, "基本方針5 役立つモノ・コトをつたえるまちへ"),
    ],
}

PHONE = re.compile(r"0\d{1,4}-\d{1,4}[-ー]\d{3,4}")
YEN = re.compile(r"\d[\d,]*円")
HEADING = re.compile(r"^(#{1,6}) (.+?)\s*$", re.MULTILINE)
JURISDICTION_MARK = re.compile(r"^<!-- jurisdiction: (.+?) -->$", re.MULTILINE)


def normalise(text: str) -> str:
    """NFKC without whitespace: undoes the extraction's spacing and full-width forms, nothing else."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def split_front_matter(text: str) -> tuple[dict, str]:
    assert text.startswith("---\n"), "front matter must open the file"
    head, body = text[4:].split("\n---\n", 1)
    return yaml.safe_load(head), body


def read_doc(name: str) -> str:
    return (DOCS_DIR / name).read_text(encoding="utf-8")


def read_seed(name: str) -> str:
    path = SEEDS_DIR / SEED_OF[name]
    if not path.exists():
        pytest.skip(f"seed documents not found in {SEEDS_DIR} (set YORISOI_SHARED_DIR)")
    return path.read_text(encoding="utf-8")


def test_every_seed_has_its_doc() -> None:
    assert not set(SEED_OF) - {p.name for p in DOCS_DIR.glob("*.md")}


@pytest.mark.parametrize("name", sorted(SEED_OF))
def test_front_matter(name: str) -> None:
    meta, body = split_front_matter(read_doc(name))
    assert not REQUIRED_KEYS - meta.keys()
    assert meta["jurisdiction"] in JURISDICTIONS
    assert isinstance(meta["source_date"], dt.date)
    assert meta["source_file"] == SEED_OF[name]
    assert "source_url" not in meta or str(meta["source_url"]).startswith("https://")
    titles = [text for level, text in HEADING.findall(body) if level == "#"]
    assert titles == [meta["title"]]


@pytest.mark.parametrize("name", sorted(SEED_OF))
def test_required_headings(name: str) -> None:
    _, body = split_front_matter(read_doc(name))
    headings = {(len(level), text) for level, text in HEADING.findall(body)}
    missing = [h for h in REQUIRED_HEADINGS[name] if h not in headings]
    assert not missing


def test_jurisdiction_marks_sit_under_headings() -> None:
    for name in SEED_OF:
        lines = read_doc(name).splitlines()
        for index, line in enumerate(lines):
            mark = JURISDICTION_MARK.match(line)
            if mark:
                assert mark.group(1) in JURISDICTIONS, (name, line)
                assert HEADING.match(lines[index - 1]), (name, index)


def test_tokyo_centres_are_marked_tokyo() -> None:
    lines = read_doc("kodaira-hitorioya-soudan.md").splitlines()
    for index, line in enumerate(lines):
        if line.startswith(("## 東京都", "### 東京都")):
            assert lines[index + 1] == "<!-- jurisdiction: 東京都 -->", line


@pytest.mark.parametrize("name", sorted(SEED_OF))
def test_every_phone_number_carried_over(name: str) -> None:
    seed = unicodedata.normalize("NFKC", read_seed(name))
    doc = unicodedata.normalize("NFKC", read_doc(name))
    phones = set(PHONE.findall(seed))
    assert not [phone for phone in phones if phone not in doc]


@pytest.mark.parametrize("name", sorted(SEED_OF))
def test_every_yen_amount_carried_over(name: str) -> None:
    seed, doc = normalise(read_seed(name)), normalise(read_doc(name))
    assert not [amount for amount in set(YEN.findall(seed)) if amount not in doc]


def test_ishikawa_amounts_are_all_there() -> None:
    seed = normalise(read_seed("ishikawa-hitorioya-shien.md"))
    amounts = set(YEN.findall(seed))
    assert len(amounts) > 40, "the Ishikawa seed lists every allowance and loan amount"
    assert "45,500円" in read_doc("ishikawa-hitorioya-shien.md")


@pytest.mark.parametrize("name", sorted(SEED_OF))
def test_key_facts(name: str) -> None:
    seed, doc = normalise(read_seed(name)), normalise(read_doc(name))
    for fact in KEY_FACTS[name]:
        fact = normalise(fact)
        assert fact in seed, f"test list typo: {fact}"
        assert fact in doc, fact


def test_consultation_table_rows_are_complete() -> None:
    """Every office row of the Ishikawa table keeps its address and number in the same table row."""
    seed = read_seed("ishikawa-hitorioya-shien.md")
    rows = [line for line in read_doc("ishikawa-hitorioya-shien.md").splitlines() if line.startswith("| ")]
    table_lines = [line for line in seed.splitlines() if PHONE.search(line) and "番号:" not in line]
    for line in table_lines:
        phone = PHONE.search(line).group(0)
        address_tokens = line[: line.index(phone)].split()[-1:]
        assert any(phone in row and all(t in row for t in address_tokens) for row in rows), line


def test_yoko_digits_normalised_consistently() -> None:
    """002 was converted from full-width digits; none may be left half-converted."""
    assert not re.search(r"[０-９]", read_doc("mhlw-shugyo-jiritsu-shien-yoko.md"))

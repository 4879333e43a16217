"""Facts from a resident's own words."""

from __future__ import annotations

import pytest

from intents import parse_facts


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "小学生と保育園の子がいるシングルマザーです",
            {"parent": "mother", "situation": "single", "children_ages": [3, 9]},
        ),
        ("5歳と8歳の子どもがいます。金沢に住んでいます", {"municipality": "金沢市", "children_ages": [5, 8]}),
        (
            "離婚を考えていて、夫の暴力が怖いです",
            {
                "parent": "mother",
                "situation": "considering_divorce",
                "needs": ["dv"],
                "circumstances": ["dv"],
            },
        ),
        (
            "夫が交通事故で亡くなり、小3と中1の子がいます",
            {
                "parent": "mother",
                "situation": "bereaved",
                "children_ages": [8, 12],
                "circumstances": ["traffic_accident"],
            },
        ),
        (
            "パートで働いています。児童扶養手当をもらっています",
            {"employment": "part_time", "child_allowance": "receiving"},
        ),
        (
            "児童扶養手当はもらっていません。住民税は非課税です",
            {"child_allowance": "not_receiving", "resident_tax": "exempt"},
        ),
        ("児童扶養手当は申請中です", {"child_allowance": "applying"}),
        (
            "35歳のシングルマザーで、6か月の娘がいます",
            {"parent": "mother", "situation": "single", "children_ages": [0]},
        ),
        ("私は22歳で、3歳の子がいます", {"children_ages": [3]}),
        (
            "白山市在住の父子家庭です。高校生2人",
            {"parent": "father", "situation": "single", "municipality": "白山市", "children_ages": [16, 16]},
        ),
        (
            "小平市に住んでいて仕事を探しています。資格を取りたい",
            {"municipality": "小平市", "employment": "job_seeking", "needs": ["job", "qualification"]},
        ),
        ("子どもは成人しています。寡婦です", {"parent": "widow", "children_ages": []}),
        ("横浜市に住んでいます", {"municipality": "横浜市"}),
        ("6か月前に離婚しました", {"situation": "single"}),
        # Months are a baby's age after 生後 or before the child, not a time something went on for.
        ("生後3か月の息子がいます", {"children_ages": [0]}),
        ("下の子は5ヶ月です", {"children_ages": [0]}),
        ("養育費が3か月止まってます", {"needs": ["child_support"]}),
        ("家賃を2か月滞納しています", {"needs": ["housing"]}),
        # balancing work and children: work and a place for the children
        ("仕事と子育ての両立", {"needs": ["job", "childcare"]}),
        ("仕事のことが不安", {"needs": ["job"]}),
        (
            "妻と別居中で、中学生の息子と暮らしています",
            {"parent": "father", "situation": "separated", "children_ages": [13]},
        ),
        ("孫を育てています。小学生です", {"parent": "guardian", "children_ages": [9]}),
        ("養育費を払ってもらえません", {"needs": ["child_support"]}),
        ("大丈夫です", {}),
        # A school the child is heading to is not the child's stage; one the child attends is.
        ("塾代と高校の進学費用が心配", {"needs": ["education"]}),
        ("高校の授業料が払えない", {"children_ages": [16], "needs": ["education"]}),
        ("地震で家が壊れて住むところに困っています", {"needs": ["housing"], "circumstances": ["disaster"]}),
    ],
)
def test_facts_from_free_text(catalogue, text, expected):
    facts = parse_facts(text, catalogue.places).facts
    assert {name: value for name, value in facts.to_dict().items() if value is not None} == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("主人とは別居しています", {"parent": "mother", "situation": "separated"}),
        ("祖父母と同居している母子家庭です", {"parent": "mother", "situation": "single"}),
        ("孫を育てている祖母です", {"parent": "guardian"}),
        ("シングルファーザーです", {"parent": "father", "situation": "single"}),
        ("バツイチです", {"situation": "single"}),
        (
            "元夫からの養育費が止まりました。手当は受給しています",
            {"situation": "single", "child_allowance": "receiving"},
        ),
        ("児童手当はもらっています", {"child_allowance": None}),
        ("子どもたちはもう独立しています", {"children_ages": []}),
        (
            "夫と別れて3年、児童扶養手当をいただいています",
            {"situation": "single", "child_allowance": "receiving"},
        ),
        ("夫と別れたいと思っています", {"situation": "considering_divorce"}),
        ("児童扶養手当は所得が高くてもらえていません", {"child_allowance": "not_receiving"}),
        ("保育園に通う三つ子です", {"children_ages": [3, 3, 3]}),
    ],
)
def test_household_words_of_other_residents(catalogue, text, expected):
    facts = parse_facts(text, catalogue.places).facts.to_dict()
    assert {name: facts[name] for name in expected} == expected

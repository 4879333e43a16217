"""The n-gram crisis model: its weights are what the training tool makes of the committed sets, every set is
either trained on or sealed, and the detector uses it only where the rules and the classifier said nothing,
under the classifier's conditions."""

from __future__ import annotations

import json

import numpy as np
import pytest

from handoff.crisis import KINDS, CrisisDetector
from handoff.wording_model import MODEL_FILE, WordingModel, char_ngrams
from tools.train_crisis_model import ROOT, digest, set_files, set_name, train

RETRAIN = "run `python -m tools.train_crisis_model --sealed <sets still sealed>` and commit crisis_model.npz"


@pytest.fixture(scope="module")
def model() -> WordingModel:
    return WordingModel.load()


def test_the_model_was_trained_on_the_files_as_they_are(model: WordingModel) -> None:
    for name, recorded in model.about["trained_on"].items():
        path = ROOT / name
        assert path.exists(), f"{name} is gone: {RETRAIN}"
        assert digest(path) == recorded, f"{name} changed since the model was trained: {RETRAIN}"


def test_every_crisis_set_is_trained_on_or_sealed(model: WordingModel) -> None:
    """A new set is either counted first (then sealed: `--sealed name`) or trained on; none is forgotten."""
    sealed = set(model.about["sealed"])
    for path in set_files():
        trained = path.relative_to(ROOT).as_posix() in model.about["trained_on"]
        assert trained or set_name(path) in sealed, f"{path.name}: {RETRAIN}"


def test_the_committed_weights_are_what_the_tool_makes(model: WordingModel) -> None:
    arrays = train(set(model.about["sealed"]))
    with np.load(MODEL_FILE, allow_pickle=False) as saved:
        assert list(saved["ngrams"]) == list(arrays["ngrams"])
        for key in ("idf", "crisis", "kind_weights"):
            assert np.allclose(saved[key], arrays[key], atol=1e-4), key
    assert json.loads(str(arrays["about"])) == model.about


def test_grams_are_read_in_one_spelling() -> None:
    assert char_ngrams("ｶﾞﾏﾝ　できない") == char_ngrams("がまんできない")
    assert char_ngrams("") == []
    assert char_ngrams("あい") == ["あ", "い", "あい"]


def test_a_reading_is_a_probability_with_known_kinds(model: WordingModel) -> None:
    for text in ("もう全部終わりにしたい", "児童扶養手当はいくらですか", "", "🙂🙂", "x" * 5000):
        read = model.read(text)
        assert 0.0 <= read.probability <= 1.0
        assert set(read.kinds) <= set(KINDS) and len(read.kinds) <= 2
    assert model.read("").kinds == ()


@pytest.fixture(scope="module")
def detector() -> CrisisDetector:
    from knowledge import load_embedder

    return CrisisDetector.load(embedder=load_embedder(None))


@pytest.mark.parametrize(
    "text",
    [
        # written for this test, in words none of the rules knows (the model reads their grams)
        "もう何のために毎朝起きてるのかわからん。子どもの寝顔見ても何も感じなくなった",
        "あの人が合鍵まだ持ってるはずで、さっきドアノブがガチャガチャいってた",
    ],
)
def test_what_the_rules_miss_the_model_may_read(detector: CrisisDetector, text: str) -> None:
    found = detector.assess(text, detector.embed(text))
    assert found is not None and set(found.kinds) <= set(KINDS)


@pytest.mark.parametrize(
    "text",
    ["これで全部", "もうひとつ", "ありがとうございました", "課税されている", "長いメッセージ", "答えない"],
)
def test_a_very_short_line_needs_a_cue(detector: CrisisDetector, text: str) -> None:
    """The model, like the classifier, reads many short lines as a crisis; without a kind's cue none is."""
    assert detector.assess(text, detector.embed(text)) is None


def test_without_a_vector_only_the_rules_decide(detector: CrisisDetector) -> None:
    """At webhook acceptance (no vector yet) the rules alone decide, as before; the worker reads the rest."""
    text = "あの人が合鍵まだ持ってるはずで、さっきドアノブがガチャガチャいってた"
    assert detector.assess(text) is None or detector.assess(text).by == "rules"


def test_a_longer_line_of_work_is_read_by_the_model(detector: CrisisDetector) -> None:
    """An everyday line (a shift, a part-time job) is no crisis on the classifier's word; a longer one is read
    by the n-gram model, which was trained on such lines; a short one is not."""
    text = "バイト先の店長に家まで送ってもらったら、部屋に上がりこまれて無理に…。まだ体が震えてる。言えない"
    found = detector.assess(text, detector.embed(text))
    assert found is not None and found.by == "wording" and "sexual_violence" in found.kinds
    short = "上司に叱られた。今日はもう何もしたくない"
    assert detector.assess(short, detector.embed(short)) is None


def test_the_classifier_stands_only_where_the_model_agrees() -> None:
    """`wording_model.classifier_agreement`: the classifier's crisis is dropped when the model reads the
    message as plainly ordinary; the rules are not affected."""
    import yaml

    from handoff.contacts import ContactBook
    from handoff.crisis import RULES_FILE
    from knowledge import load_embedder

    rules = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    embedder, model = load_embedder(None), WordingModel.load()
    text = "高いところに行くと吸い込まれそうになる。最近毎日そう"
    found = {}
    for agreement in (0.0, 1.01):
        rules["wording_model"]["classifier_agreement"] = agreement
        detector = CrisisDetector(rules, ContactBook.load(), embedder, model)
        found[agreement] = detector.assess(text, detector.embed(text))
    assert found[0.0] is not None and found[0.0].by == "embedding"
    assert found[1.01] is None
    assert detector.assess("もう死にたい", detector.embed("もう死にたい")) is not None

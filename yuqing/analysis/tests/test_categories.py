"""Monitoring categories: cues, model labels, explanations, the editable lexicon."""

from __future__ import annotations

import json

import pytest

from yuqing.analysis.analyze import Analyzer
from yuqing.analysis.classify.lexicons import LEXICON_DIR, CategoryLexicon
from yuqing.analysis.classify.signals import CUE_CATEGORIES, META_COLUMNS, SignalExtractor
from yuqing.vocab import CATEGORIES


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def _detail(result: dict, code: str) -> dict:
    return next(d for d in result["explanation"]["categories"] if d["code"] == code)


@pytest.mark.parametrize(
    ("text", "code", "cue"),
    [
        ("某县税务局局长收受企业贿赂，吃拿卡要，被纪委查处", "integrity", "吃拿卡要"),
        ("办税服务厅排队三个小时，12366也打不通", "service", "12366"),
        ("网传个税起征点要降到三千，是真的吗？税务局已辟谣", "misreading", "辟谣"),
        ("上百名个体户聚集在税务局门口讨说法", "mass_incident", "聚集"),
        ("稽查局突然上门查账，要求补税还要罚款", "enforcement", "补税"),
    ],
)
def test_a_clear_case_gets_its_category_with_the_cues_that_drove_it(analyzer, text, code, cue):
    r = analyzer.analyze(text)
    assert code in r["categories"]
    detail = _detail(r, code)
    assert cue in detail["cues"]
    assert detail["label"] == CATEGORIES[code]
    assert 0.5 <= detail["probability"] <= 1.0


def test_explanation_terms_come_from_the_text(analyzer):
    text = "某县税务局局长收受企业贿赂，吃拿卡要，被纪委查处"
    detail = _detail(analyzer.analyze(text), "integrity")
    assert detail["terms"]
    assert all(term in text for term in detail["terms"])


def test_a_neutral_tax_explainer_is_other(analyzer):
    r = analyzer.analyze("小规模纳税人季度销售额不超过30万元免征增值税，超过的按1%征收")
    assert r["tax_related"] is True
    assert r["categories"] == ["other"]


def test_text_that_is_not_tax_related_gets_no_category(analyzer):
    r = analyzer.analyze("城管暴力执法掀翻小贩摊位，视频引发网友愤怒")
    assert r["tax_related"] is False
    assert r["categories"] == []
    assert r["explanation"]["categories_note"].startswith("非涉税内容")


def test_every_lexicon_category_is_a_vocabulary_code():
    data = json.loads((LEXICON_DIR / "categories.json").read_text(encoding="utf-8"))
    codes = {k for k in data if not k.startswith("_")}
    assert codes == set(CATEGORIES)
    assert set(CUE_CATEGORIES) == set(CATEGORIES) - {"other"}


def test_an_edited_lexicon_changes_the_cue_column():
    lexicon = CategoryLexicon({"integrity": {"cues": {"蓝莓山药": 3}}})
    extractor = SignalExtractor(categories=lexicon)
    signals = extractor.extract("今天吃了蓝莓山药")
    assert signals.category_cues["integrity"] == (3.0, ["蓝莓山药"])
    meta = signals.meta(32)
    assert meta[META_COLUMNS.index("cat_cues:integrity")] > 1.0
    assert meta[META_COLUMNS.index("cat_cues:service")] == 0.0


def test_longer_cues_win_over_the_cues_inside_them():
    lexicon = CategoryLexicon({"enforcement": {"cues": {"罚款": 1, "乱罚款": 3}}})
    assert lexicon.score("基层乱罚款")["enforcement"] == (3.0, ["乱罚款"])


def test_the_neighbour_floor_the_trainer_chose_decides_which_examples_count_as_evidence(tmp_path):
    """The floor is read from the manifest (chosen by cross-validation at training), not a constant."""
    import shutil

    from yuqing.analysis.classify.model import MANIFEST_FILE, MODELS_DIR

    text = "税务局工作人员收受企业财物，帮助企业少缴税款，被纪委立案审查"
    shipped = Analyzer().analyze(text)["explanation"]
    assert json.loads((MODELS_DIR / MANIFEST_FILE).read_text(encoding="utf-8"))["neighbour_floor"]["n"] > 0

    def examples_with_floor(floor: float) -> list:
        models = tmp_path / f"floor-{floor}"
        shutil.copytree(MODELS_DIR, models)
        manifest = json.loads((models / MANIFEST_FILE).read_text(encoding="utf-8"))
        manifest["neighbour_min_similarity"] = floor
        (models / MANIFEST_FILE).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
        found = Analyzer(models).analyze(text)["explanation"]
        shown = found["categories"] + found["category_candidates"]
        return [ex for entry in shown for ex in entry.get("examples", [])]

    assert examples_with_floor(0.0), "with no floor the nearest labelled examples are shown"
    assert examples_with_floor(1.01) == [], "above any cosine similarity no example counts"
    assert shipped["categories"], "the shipped models classify the text"

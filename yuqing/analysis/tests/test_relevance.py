"""涉税 relevance: the classifier, its reasons, and monitoring plans raising it."""

from __future__ import annotations

import pytest

from yuqing.analysis.analyze import Analyzer
from yuqing.analysis.plans import compile_plan


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


@pytest.mark.parametrize(
    "text",
    [
        "个人所得税汇算清缴开始了，记得在个税App上申报退税",
        "稽查局突然上门查账，要求补税还要罚款",
        "小规模纳税人季度销售额不超过30万元免征增值税",
    ],
)
def test_tax_texts_are_tax_related(analyzer, text):
    r = analyzer.analyze(text)
    assert r["tax_related"] is True
    assert r["relevance"] > 0.8


@pytest.mark.parametrize(
    "text",
    [
        "周杰伦新专辑发布，演唱会门票一小时售罄",
        "湖人队加时险胜勇士，詹姆斯砍下三双",
        "央行宣布下调存款准备金率0.5个百分点",
        "沪指收涨1.2%，券商板块领涨",
    ],
)
def test_sports_entertainment_and_finance_news_are_not_tax_related(analyzer, text):
    r = analyzer.analyze(text)
    assert r["tax_related"] is False
    assert r["relevance"] < 0.3
    assert r["categories"] == []


def test_a_review_that_mentions_an_invoice_is_not_tax_opinion(analyzer):
    r = analyzer.analyze("外卖送得太慢了，还没给开发票，差评")
    assert r["tax_related"] is False


def test_reasons_give_the_classifier_probability_and_the_tax_words(analyzer):
    reasons = analyzer.analyze("个税汇算清缴开始了，很多人在问发票怎么开")["explanation"]["relevance"]
    assert any(r.startswith("分类器涉税概率 0.") or r.startswith("分类器涉税概率 1.") for r in reasons)
    words = next(r for r in reasons if r.startswith("含涉税词："))
    assert "发票" in words and ("个税" in words or "汇算清缴" in words)


def test_a_text_without_tax_words_says_so(analyzer):
    reasons = analyzer.analyze("今天天气不错，适合出去走走")["explanation"]["relevance"]
    assert "未见涉税词" in reasons


def test_a_plan_match_raises_relevance_and_is_explained(analyzer):
    text = "周杰伦新专辑发布，演唱会门票一小时售罄"
    plan = compile_plan(subject=["周杰伦"], name="测试方案")
    without = analyzer.analyze(text)
    with_plan = analyzer.analyze(text, plans=[("测试方案", plan)])
    assert with_plan["relevance"] > without["relevance"] + 0.5
    assert with_plan["tax_related"] is True
    assert with_plan["matched_plans"] == ["测试方案"]
    assert "命中监测方案“测试方案”：周杰伦(正文)" in with_plan["explanation"]["relevance"]
    hits = with_plan["explanation"]["plans"][0]["hits"]
    assert hits[0]["word"] == "周杰伦" and hits[0]["field"] == "content"


def test_a_plan_that_does_not_match_changes_nothing(analyzer):
    text = "湖人队加时险胜勇士"
    plan = compile_plan(subject=["税务局"], name="不相干")
    assert (
        analyzer.analyze(text, plans=[("不相干", plan)])["relevance"] == analyzer.analyze(text)["relevance"]
    )


def test_the_default_plan_matches_a_local_tax_complaint_in_the_title(analyzer):
    from yuqing.analysis.analyze import default_plans

    plans = default_plans()
    assert plans, "data/default_plan.json should exist"
    r = analyzer.analyze("工作人员态度很差，排了三个小时", "铁门关市税务局办税服务厅", plans=plans)
    assert r["matched_plans"] == [plans[0][0]]
    assert any("(标题)" in reason for reason in r["explanation"]["relevance"])

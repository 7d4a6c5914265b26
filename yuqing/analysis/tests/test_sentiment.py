"""Sentiment: obvious cases, negation, rhetorical questions, and the lexicon layer on its own."""

from __future__ import annotations

import pytest

from yuqing.analysis.analyze import Analyzer
from yuqing.analysis.classify.lexicons import SentimentLexicon


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


@pytest.fixture(scope="module")
def lexicon() -> SentimentLexicon:
    return SentimentLexicon.load()


def test_a_complaint_about_the_tax_bureau_is_negative(analyzer):
    r = analyzer.analyze("税务局工作人员态度恶劣，乱收费，多扣了我的钱，我要投诉！")
    assert r["sentiment"] == "negative"
    assert r["negative_score"] > 0.8
    assert any("态度恶劣" in reason for reason in r["explanation"]["sentiment"])


def test_praise_for_tax_service_is_positive(analyzer):
    r = analyzer.analyze("点赞税务局！上门服务帮老人办退税，真便民，效率很高")
    assert r["sentiment"] == "positive"
    assert r["negative_score"] < 0.3


def test_a_policy_explainer_is_neutral(analyzer):
    r = analyzer.analyze("2026年1月1日起，增值税法正式施行，一般纳税人税率为13%、9%、6%三档。")
    assert r["sentiment"] == "neutral"


def test_a_plain_question_about_filing_is_neutral(analyzer):
    r = analyzer.analyze("请问个税专项附加扣除怎么填？")
    assert r["sentiment"] == "neutral"
    assert any("一般提问" in reason for reason in r["explanation"]["sentiment"])


def test_negation_turns_satisfaction_into_dissatisfaction(analyzer):
    plain = analyzer.analyze("这次在办税大厅办业务，我很满意")
    negated = analyzer.analyze("这次在办税大厅办业务，我不是很满意")
    assert plain["sentiment"] != "negative"
    assert negated["sentiment"] == "negative"
    assert negated["negative_score"] > plain["negative_score"] + 0.3
    assert any("否定翻转：满意" in reason for reason in negated["explanation"]["sentiment"])


def test_a_negated_complaint_cue_counts_as_mildly_positive(lexicon):
    cues = lexicon.score("这个税务所从来没有乱收费")
    assert cues.negative == 0
    assert cues.positive > 0
    assert [h.cue for h in cues.negated] == ["乱收费"]


def test_negators_inside_other_words_do_not_flip(lexicon):
    cues = lexicon.score("不仅便民而且高效")
    assert not cues.negated
    assert cues.positive >= 3


def test_negation_does_not_reach_across_punctuation(lexicon):
    cues = lexicon.score("没有办法，只能点赞")
    assert not cues.negated
    assert cues.positive > 0


def test_rhetorical_questions_push_towards_negative(analyzer):
    rhetorical = analyzer.analyze("凭什么个税起征点这么多年不调？何时才能调整？")
    assert rhetorical["sentiment"] == "negative"
    assert any("反问句式" in reason for reason in rhetorical["explanation"]["sentiment"])


def test_the_rhetorical_patterns_are_recognised(lexicon):
    assert lexicon.score("难道纳税人就该多交税吗").rhetorical
    assert lexicon.score("凭什么多扣我的钱").rhetorical
    assert not lexicon.score("纳税人要按时申报个税").rhetorical


def test_review_style_sentences_keep_their_polarity(analyzer):
    assert analyzer.analyze("这部电影特效很差，剧情拖沓，浪费时间")["sentiment"] == "negative"
    assert analyzer.analyze("新款手机续航很棒，拍照清晰，非常满意")["sentiment"] == "positive"


def test_negative_score_is_the_probability_of_negative(analyzer):
    r = analyzer.analyze("退税申请交了三个月还没到账，太失望了")
    probs = r["explanation"]["sentiment_probabilities"]
    assert 0.0 <= r["negative_score"] <= 1.0
    assert r["negative_score"] == probs["negative"]
    assert abs(sum(probs.values()) - 1.0) < 1e-3

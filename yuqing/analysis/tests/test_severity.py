"""Tests for the explainable severity score: each factor moves the score the right way; thresholds map
to levels."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from yuqing.analysis.cluster import ClusterItem
from yuqing.analysis.severity import EventStats, Thresholds, event_stats, score_event
from yuqing.vocab import SEVERITY_ORDER

BASE = EventStats(
    volume=10,
    velocity=1.0,
    sites=3,
    media_types=("weibo",),
    engagement=50,
    authoritative=0,
    negative_share=0.3,
    mean_negative_score=0.3,
    categories=("service",),
    bureau_mentions=0,
    region_mentions=2,
)


def score(**changes) -> float:
    return score_event(replace(BASE, **changes)).score


def points(result, code: str) -> float:
    return next(f.points for f in result.factors if f.code == code)


@pytest.mark.parametrize(
    ("field", "low", "high"),
    [
        ("volume", 3, 150),
        ("velocity", 1.0, 8.0),
        ("sites", 1, 25),
        ("media_types", ("weibo",), ("weibo", "news_site", "wechat", "video")),
        ("engagement", 0, 80_000),
        ("authoritative", 0, 3),
        ("negative_share", 0.0, 0.9),
        ("mean_negative_score", 0.1, 0.9),
        ("categories", ("service",), ("mass_incident",)),
        ("region_mentions", 0, 10),
        ("bureau_mentions", 0, 2),
    ],
)
def test_each_factor_raises_the_score_when_it_grows(field, low, high):
    assert score(**{field: high}) > score(**{field: low})


def test_mass_incident_and_integrity_weigh_most():
    cats = [
        "criticism",
        "decision",
        "policy_implementation",
        "enforcement",
        "discipline",
        "misreading",
        "service",
        "other",
    ]
    top = min(score(categories=("mass_incident",)), score(categories=("integrity",)))
    assert all(score(categories=(c,)) < top for c in cats)


def test_every_score_lists_all_six_factors_with_explanations():
    result = score_event(BASE)
    assert [f.code for f in result.factors] == [
        "volume",
        "velocity",
        "reach",
        "negativity",
        "category",
        "local",
    ]
    assert all(f.explanation_zh and f.label_zh for f in result.factors)
    assert result.score == pytest.approx(sum(f.points for f in result.factors), abs=0.1)
    assert all(0 <= f.points <= f.max_points for f in result.factors)


def test_score_stays_within_0_and_100():
    huge = EventStats(
        10**6,
        10**6,
        10**4,
        tuple(["weibo", "tv", "news_site", "forum", "video"]),
        10**9,
        100,
        1,
        1,
        ("mass_incident",),
        99,
        99,
    )
    assert score_event(huge).score == 100
    assert score_event(EventStats(volume=0)).score == 0
    assert score_event(EventStats(volume=1, velocity=-5, negative_share=-1)).score >= 0


@pytest.mark.parametrize(
    ("value", "level"),
    [
        (0, "general"),
        (39.9, "general"),
        (40, "significant"),
        (59.9, "significant"),
        (60, "major"),
        (80, "especially_major"),
    ],
)
def test_default_thresholds_map_scores_to_levels(value, level):
    assert Thresholds().level(value) == level
    assert level in SEVERITY_ORDER


def test_edited_thresholds_change_the_level():
    negative = replace(BASE, negative_share=0.7)
    result = score_event(negative, Thresholds(significant=5, major=10, especially_major=15))
    assert result.level == "especially_major"
    assert score_event(negative).level == "general"


def test_an_event_that_is_not_mostly_negative_stays_general_and_says_why():
    loud_good_news = replace(
        BASE, volume=300, sites=40, authoritative=5, negative_share=0.2, bureau_mentions=3
    )
    result = score_event(loud_good_news, Thresholds(significant=20, major=30, especially_major=40))
    assert result.score >= 40  # the score alone would make it 特别重大
    assert result.level == "general"
    assert "20%" in result.rule and "本局设置" in result.rule
    assert score_event(replace(loud_good_news, negative_share=0.5), Thresholds(20, 30, 40)).rule == ""


def test_a_mass_incident_rises_by_its_score_whatever_its_tone_and_names_the_rule():
    incident = replace(BASE, volume=300, sites=40, negative_share=0.2, categories=("mass_incident",))
    result = score_event(incident, Thresholds(significant=20, major=30, especially_major=40))
    assert result.level == "especially_major"
    assert "群体性、突发性事件" in result.rule


def test_the_bureau_can_set_the_negative_share_that_lets_an_event_rise():
    mixed = replace(BASE, volume=300, sites=40, negative_share=0.35)
    assert score_event(mixed, Thresholds(20, 30, 40)).level == "general"
    assert score_event(mixed, Thresholds(20, 30, 40, min_negative_share=0.3)).level == "especially_major"
    with pytest.raises(ValueError):
        Thresholds(min_negative_share=1.5)


def test_thresholds_out_of_order_are_refused():
    with pytest.raises(ValueError):
        Thresholds(significant=60, major=50, especially_major=80)


def test_a_big_negative_local_mass_incident_is_especially_major():
    stats = EventStats(
        400,
        12,
        40,
        ("weibo", "news_site", "tv", "wechat", "video"),
        200_000,
        6,
        0.85,
        0.8,
        ("mass_incident",),
        30,
        200,
    )
    assert score_event(stats).level == "especially_major"


def test_event_stats_from_members():
    t = datetime(2026, 3, 2, 9, tzinfo=UTC)
    members = [
        ClusterItem(
            1,
            "铁门关市税务局门口有人聚集",
            published_at=t,
            media_type="weibo",
            sentiment="negative",
            negative_score=0.9,
            categories=["mass_incident"],
            engagement=100,
        ),
        ClusterItem(
            2,
            "第二师二十二团职工聚集",
            published_at=t + timedelta(hours=1),
            media_type="news_site",
            url="https://a.cn/x",
            sentiment="negative",
            negative_score=0.8,
            categories=["mass_incident"],
        ),
        ClusterItem(
            3,
            "新闻通稿",
            published_at=t + timedelta(hours=1),
            media_type="tv",
            source="电视台",
            sentiment="neutral",
            negative_score=0.1,
            categories=["other"],
        ),
    ]
    stats = event_stats(members)
    assert stats.volume == 3
    assert stats.sites == 3
    assert stats.authoritative == 2
    assert stats.negative_share == pytest.approx(2 / 3)
    assert stats.mean_negative_score == pytest.approx(0.6)
    assert stats.categories[0] == "mass_incident"
    assert stats.bureau_mentions == 1
    assert stats.region_mentions == 2
    assert stats.velocity == pytest.approx(2.0)
    assert score_event(stats).level in SEVERITY_ORDER


def test_one_stray_category_label_does_not_count():
    t = datetime(2026, 3, 2, 9, tzinfo=UTC)
    members = [ClusterItem(i, "税务", published_at=t, categories=["service"]) for i in range(20)]
    members[0].categories = ["mass_incident"]
    assert event_stats(members).categories == ("service",)


def test_one_page_elsewhere_that_names_neither_bureau_nor_region_stays_general_until_it_spreads():
    elsewhere = replace(
        BASE,
        volume=1,
        sites=1,
        negative_share=1.0,
        mean_negative_score=0.99,
        categories=("integrity",),
        region_mentions=0,
        bureau_mentions=0,
        velocity=9.0,
    )
    loose = Thresholds(20, 30, 40)
    result = score_event(elsewhere, loose)
    assert result.level == "general"
    assert "未点名本局或本地" in result.rule and "1 个站点" in result.rule
    assert score_event(replace(elsewhere, sites=2), loose).level != "general"
    assert score_event(replace(elsewhere, region_mentions=1), loose).level != "general"
    assert score_event(elsewhere, Thresholds(20, 30, 40, min_sites_not_local=1)).level != "general"

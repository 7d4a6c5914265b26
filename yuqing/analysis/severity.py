"""Severity (舆情等级) of an event: an explainable 0–100 score made of six factors, mapped to a level.

=============  =====  ============================================================================
factor         max    points
=============  =====  ============================================================================
volume          20    20 × log(1 + items) / log(1 + 200): 10 items ≈ 9, 50 ≈ 15, 200+ = 20
velocity        15    15 × log(v) / log(10) for v > 1 (v = last hour / mean of previous 12 h, ≥ 1/h)
reach           20    sites 8 (log, 30+ full) + media types 4 ((n − 1) / 4) + engagement 4 (log10, 10⁵
                      full) + authoritative outlets (报刊/电视/广播/新闻网站) 4 (1 per outlet, 3 = 4 pts)
negativity      20    20 × (0.6 × share of negative items + 0.4 × mean negative_score)
category        15    the heaviest category present (:data:`CATEGORY_POINTS`: 群体性事件 and 为税不清廉 15)
local           10    the bureau named (铁门关税务局 …): 10; region named in ≥ half the items: 6; some: 3
=============  =====  ============================================================================

:class:`Thresholds` (editable by the lead's admin) maps the score to ``general`` / ``significant`` 较大 /
``major`` 重大 / ``especially_major`` 特别重大. Every :class:`SeverityResult` lists its factors with the raw
value, the points and a Chinese explanation.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from yuqing.analysis import trend
from yuqing.analysis.event_summary import AUTHORITATIVE, hourly_series, site_of
from yuqing.analysis.text import normalize
from yuqing.vocab import CATEGORIES, MEDIA_TYPES, SEVERITIES, SEVERITY_ORDER

if TYPE_CHECKING:
    from yuqing.analysis.cluster import ClusterItem

CATEGORY_POINTS: dict[str, float] = {
    "mass_incident": 15,
    "integrity": 15,
    "enforcement": 11,
    "discipline": 11,
    "policy_implementation": 9,
    "decision": 8,
    "criticism": 8,
    "service": 6,
    "misreading": 5,
    "other": 2,
}
BUREAU_NAMES: tuple[str, ...] = (
    "铁门关税务局",
    "铁门关市税务局",
    "第二师税务局",
    "第二师铁门关市税务局",
    "铁门关市税务",
    "铁门关税务",
)
REGION_NAMES: tuple[str, ...] = (
    "铁门关",
    "第二师",
    "二师",
    "团场",
    "二十一团",
    "二十二团",
    "二十三团",
    "二十四团",
    "二十五团",
    "二十六团",
    "二十七团",
    "二十九团",
    "三十团",
    "三十一团",
    "三十三团",
    "三十四团",
    "三十六团",
    "二二三团",
    "焉耆",
    "库尔勒",
    "巴州",
    "巴音郭楞",
)


@dataclass(frozen=True)
class EventStats:
    """The numbers severity is computed from (build them with :func:`event_stats`)."""

    volume: int
    velocity: float = 0.0
    sites: int = 0
    media_types: tuple[str, ...] = ()
    engagement: int = 0
    authoritative: int = 0
    negative_share: float = 0.0
    mean_negative_score: float = 0.0
    categories: tuple[str, ...] = ()
    bureau_mentions: int = 0
    region_mentions: int = 0


@dataclass(frozen=True)
class Thresholds:
    """Lowest score of each level above 一般. Must increase: significant < major < especially_major."""

    significant: float = 40.0
    major: float = 60.0
    especially_major: float = 80.0
    #: 本局设置: an event rises above 一般 only when at least this share of its items is negative, unless
    #: a rule of :data:`NON_NEGATIVE_RULES` applies. The plan watches "批评性舆论" and "负面影响"; good news
    #: widely reported is not an emergency.
    min_negative_share: float = 0.5
    #: 本局设置: an event that names neither the bureau nor the region rises above 一般 only once it is seen
    #: on at least this many sites. The plan covers "对铁门关税务局各项工作造成重大负面影响的涉税舆情"; one
    #: page elsewhere about tax in general is not that, until it spreads.
    min_sites_not_local: int = 2

    def __post_init__(self) -> None:
        if not 0 < self.significant < self.major < self.especially_major <= 100:
            raise ValueError("等级阈值必须满足 0 < 较大 < 重大 < 特别重大 ≤ 100")
        if not 0 <= self.min_negative_share <= 1:
            raise ValueError("负面占比门槛须在 0 到 1 之间")
        if self.min_sites_not_local < 1:
            raise ValueError("未涉及本地时的最少站点数须至少为 1")

    def level(self, score: float) -> str:
        if score >= self.especially_major:
            return "especially_major"
        if score >= self.major:
            return "major"
        if score >= self.significant:
            return "significant"
        return "general"


@dataclass(frozen=True)
class Factor:
    code: str
    label_zh: str
    raw_value: object
    points: float
    explanation_zh: str
    max_points: float = 0.0


#: Named rules under which an event that is not predominantly negative may still rise above 一般, each with
#: the plan's words it rests on. A category counts as in :func:`event_stats` (two members or a tenth).
NON_NEGATIVE_RULES: dict[str, str] = {
    "mass_incident": (
        "群体性、突发性事件不论情感倾向均按得分定级（预案二(一)：“税收工作中出现的群体性、突发性事件”）"
    ),
}


@dataclass(frozen=True)
class SeverityResult:
    score: float
    level: str
    factors: list[Factor] = field(default_factory=list)
    #: Why the level is what it is when a rule, not the score alone, decided it (Chinese, for the page).
    rule: str = ""

    def as_dict(self) -> dict:
        return {
            "score": self.score,
            "level": self.level,
            "factors": [f.__dict__ for f in self.factors],
            "rule": self.rule,
        }


def level_rule(stats: EventStats, score_level: str, thresholds: Thresholds) -> tuple[str, str]:
    """(level, explanation): the score's level, held at 一般 when the event is not predominantly negative
    and no named rule of :data:`NON_NEGATIVE_RULES` applies."""
    if score_level == "general":
        return score_level, ""
    if (
        not stats.bureau_mentions
        and not stats.region_mentions
        and stats.sites < thresholds.min_sites_not_local
    ):
        return (
            "general",
            f"得分对应“{SEVERITIES[score_level]}”，但未点名本局或本地，且只见于 {stats.sites} 个站点"
            f"（本局设置须达 {thresholds.min_sites_not_local} 个），等级定为“一般”",
        )
    share = min(1.0, max(0.0, stats.negative_share))
    if share >= thresholds.min_negative_share:
        return score_level, ""
    for code, why in NON_NEGATIVE_RULES.items():
        if code in stats.categories:
            return score_level, f"负面信息仅占 {share:.0%}，但适用规则：{why}"
    return (
        "general",
        f"得分对应“{SEVERITIES[score_level]}”，但负面信息仅占 {share:.0%}，"
        f"未达 {thresholds.min_negative_share:.0%}（本局设置），且不适用任何例外规则，等级定为“一般”",
    )


def _log_share(value: float, full: float) -> float:
    return min(1.0, math.log1p(max(0.0, value)) / math.log1p(full))


def score_event(stats: EventStats, thresholds: Thresholds | None = None) -> SeverityResult:
    """Score an event 0..100 from its :class:`EventStats` and map it to a level of ``SEVERITY_ORDER``."""
    thresholds = thresholds or Thresholds()
    factors: list[Factor] = []

    pts = 20 * _log_share(stats.volume, 200)
    factors.append(Factor("volume", "声量", stats.volume, pts, f"共 {stats.volume} 条相关信息（含转载）", 20))

    v = max(0.0, stats.velocity)
    pts = 15 * min(1.0, math.log(v) / math.log(10)) if v > 1 else 0.0
    factors.append(
        Factor(
            "velocity", "增速", round(v, 2), pts, f"最近 1 小时信息量是前 12 小时小时均量的 {v:.1f} 倍", 15
        )
    )

    types = sorted(set(stats.media_types))
    site_pts = 8 * _log_share(stats.sites, 30)
    type_pts = 4 * min(1.0, max(0, len(types) - 1) / 4)
    eng_pts = 4 * min(1.0, math.log10(1 + max(0, stats.engagement)) / 5)
    auth_pts = 4 * min(1.0, stats.authoritative / 3)
    labels = "、".join(MEDIA_TYPES.get(t, t) for t in types) or "无"
    factors.append(
        Factor(
            "reach",
            "传播范围",
            {
                "sites": stats.sites,
                "media_types": types,
                "engagement": stats.engagement,
                "authoritative": stats.authoritative,
            },
            site_pts + type_pts + eng_pts + auth_pts,
            f"{stats.sites} 个站点，媒体类型 {labels}；互动 {stats.engagement} 次；"
            f"权威媒体（报刊/电视/广播/新闻网站） {stats.authoritative} 条",
            20,
        )
    )

    share = min(1.0, max(0.0, stats.negative_share))
    mean = min(1.0, max(0.0, stats.mean_negative_score))
    factors.append(
        Factor(
            "negativity",
            "负面程度",
            {"negative_share": round(share, 3), "mean_negative_score": round(mean, 3)},
            20 * (0.6 * share + 0.4 * mean),
            f"负面信息占 {share:.0%}，平均负面分 {mean:.2f}",
            20,
        )
    )

    cats = [c for c in stats.categories if c in CATEGORY_POINTS]
    top = max(cats, key=lambda c: CATEGORY_POINTS[c], default=None)
    pts = CATEGORY_POINTS[top] if top else 0.0
    explanation = f"涉及“{CATEGORIES[top]}”" if top else "未识别出监测内容类别"
    factors.append(Factor("category", "内容类别", top, pts, explanation, 15))

    if stats.bureau_mentions > 0:
        pts, explanation = 10.0, f"{stats.bureau_mentions} 条信息点名本局"
    elif stats.region_mentions * 2 >= max(1, stats.volume) and stats.region_mentions:
        pts, explanation = 6.0, f"{stats.region_mentions} 条信息提到本地（过半）"
    elif stats.region_mentions:
        pts, explanation = 3.0, f"{stats.region_mentions} 条信息提到本地"
    else:
        pts, explanation = 0.0, "未提到本局或本地"
    factors.append(
        Factor(
            "local",
            "本地关联",
            {"bureau": stats.bureau_mentions, "region": stats.region_mentions},
            pts,
            explanation,
            10,
        )
    )

    factors = [
        Factor(f.code, f.label_zh, f.raw_value, round(f.points, 2), f.explanation_zh, f.max_points)
        for f in factors
    ]
    score = round(min(100.0, sum(f.points for f in factors)), 1)
    level, rule = level_rule(stats, thresholds.level(score), thresholds)
    assert level in SEVERITY_ORDER
    return SeverityResult(score, level, factors, rule)


def _mentions(members: Iterable[ClusterItem], words: Sequence[str]) -> int:
    keys = [normalize(w).lower() for w in words if w]
    return sum(1 for m in members if any(k in normalize(f"{m.title}\n{m.text or ''}").lower() for k in keys))


def event_stats(
    members: Sequence[ClusterItem],
    *,
    now: datetime | None = None,
    bureau_names: Sequence[str] = BUREAU_NAMES,
    region_names: Sequence[str] = REGION_NAMES,
) -> EventStats:
    """:class:`EventStats` of an event from its members (duplicates count: they are reach).

    Velocity uses the hourly series up to *now* (default: the last member); a member without sentiment
    counts as not negative, without ``negative_score`` as 0. A category counts when at least two members
    or a tenth of them carry it (one stray label does not make a 群体性事件).
    """
    if not members:
        return EventStats(volume=0)
    _, counts = hourly_series(members, now)
    negative = sum(1 for m in members if m.sentiment == "negative")
    scores = [float(m.negative_score) for m in members if m.negative_score is not None]
    categories = Counter(c for m in members for c in (m.categories or ()))
    return EventStats(
        volume=len(members),
        velocity=trend.velocity(counts),
        sites=len({site_of(m) for m in members}),
        media_types=tuple(sorted({m.media_type or "other" for m in members})),
        engagement=sum(max(0, int(m.engagement or 0)) for m in members),
        authoritative=sum(1 for m in members if m.media_type in AUTHORITATIVE),
        negative_share=negative / len(members),
        mean_negative_score=sum(scores) / len(members) if scores else 0.0,
        categories=tuple(c for c, n in categories.most_common() if n >= 2 or n * 10 >= len(members)),
        bureau_mentions=_mentions(members, bureau_names),
        region_mentions=_mentions(members, region_names),
    )

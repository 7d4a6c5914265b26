"""What an event page shows, computed from the event's members: :func:`summarize_event`.

Re-exported by :mod:`yuqing.analysis.cluster`. Plain data in, a JSON-ready dict out.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from yuqing.analysis import trend
from yuqing.analysis.text import content_tokens, normalize
from yuqing.vocab import MEDIA_TYPES

if TYPE_CHECKING:
    from yuqing.analysis.cluster import ClusterItem

TZ = ZoneInfo("Asia/Shanghai")
#: Media types in order of authority (the plan names 报刊, 广播, 电视 and 新闻网站 first).
AUTHORITY: tuple[str, ...] = (
    "newspaper",
    "tv",
    "radio",
    "news_site",
    "commercial_site",
    "wechat",
    "video",
    "weibo",
    "forum",
    "blog",
    "other",
)
AUTHORITATIVE = frozenset({"newspaper", "tv", "radio", "news_site"})
MAX_SERIES_HOURS = 24 * 14
#: Text statistics (central title, hot words) read at most this many members: the first and last halves.
MAX_TEXT_MEMBERS = 400


def site_of(item: ClusterItem) -> str:
    """The site an item was published on: URL host without ``www.``/``m.``, else its source name."""
    host = ""
    if item.url:
        try:
            host = (urlsplit(item.url.strip()).hostname or "").lower()
        except ValueError:
            host = ""
    for prefix in ("www.", "m."):
        if host.startswith(prefix):
            host = host[len(prefix) :]
    return host or (item.source or "").strip() or "未知"


def _ts(item: ClusterItem) -> datetime:
    ts = item.published_at or datetime.max.replace(tzinfo=UTC)
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)


def _rank(media_type: str) -> int:
    return AUTHORITY.index(media_type) if media_type in AUTHORITY else len(AUTHORITY)


def _fmt(ts: datetime | None) -> str:
    return ts.astimezone(TZ).strftime("%m-%d %H:%M") if ts else "时间未知"


def first_publisher(members: Sequence[ClusterItem]) -> tuple[ClusterItem, str]:
    """The item judged first (首发) and why, in Chinese.

    Earliest ``published_at`` (to the minute: sources round differently); on a tie the original of
    reposts (an item others point at with ``duplicate_of``, or that is not a repost itself); then the most
    authoritative media type; then the smallest id.
    """
    ordered = sorted(members, key=lambda m: (_ts(m), str(m.id)))
    first_ts = _ts(ordered[0]).replace(second=0, microsecond=0)
    tied = [m for m in ordered if _ts(m).replace(second=0, microsecond=0) == first_ts]
    when = _fmt(ordered[0].published_at)
    if len(tied) == 1:
        return ordered[0], f"发布时间最早（{when}）"
    ids = {str(m.id) for m in members}
    pointed = {str(m.duplicate_of) for m in members if m.duplicate_of is not None}

    def is_original(m: ClusterItem) -> bool:
        return str(m.id) in pointed or m.duplicate_of is None or str(m.duplicate_of) not in ids

    originals = [m for m in tied if is_original(m)]
    pool = originals or tied
    best = min(pool, key=lambda m: (_rank(m.media_type), _ts(m), str(m.id)))
    reasons = [f"与另外 {len(tied) - 1} 条同在 {when} 发布"]
    if len(originals) < len(tied) and originals:
        reasons.append("其余为转载，本条为原文")
    if len(pool) > 1:
        runner_up = min(_rank(m.media_type) for m in pool if m is not best)
        if _rank(best.media_type) < runner_up:
            reasons.append(f"本条媒体类型（{MEDIA_TYPES.get(best.media_type, '其他')}）最权威")
        else:
            reasons.append("媒体类型相同，按时间和编号先后")
    return best, "；".join(reasons)


@lru_cache(maxsize=1)
def _background_idf() -> dict[str, float]:
    import jieba

    path = Path(jieba.__file__).resolve().parent / "analyse" / "idf.txt"
    table: dict[str, float] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        word, _, value = line.partition(" ")
        if value:
            table[word] = float(value)
    return table


def background_idf(token: str) -> float:
    """IDF from jieba's bundled table (unknown words get the table's median-high 10.0)."""
    return _background_idf().get(token, 10.0)


def _item_tokens(item: ClusterItem) -> list[str]:
    if item.tokens is not None:
        return list(item.tokens)
    return (
        content_tokens(item.title) * 2 + content_tokens(item.text or "")
        if item.title
        else content_tokens(item.text or "")
    )


def _text_sample(members: Sequence[ClusterItem]) -> list[ClusterItem]:
    if len(members) <= MAX_TEXT_MEMBERS:
        return list(members)
    half = MAX_TEXT_MEMBERS // 2
    return list(members[:half]) + list(members[-half:])


def hourly_series(members: Sequence[ClusterItem], now: datetime | None = None) -> tuple[datetime, list[int]]:
    """Start hour (Asia/Shanghai) and item counts per hour up to *now* (default: the last item)."""
    stamps = sorted(m.published_at for m in members if m.published_at is not None)
    if not stamps:
        return datetime.now(TZ).replace(minute=0, second=0, microsecond=0), [len(members)]
    start = stamps[0].astimezone(TZ).replace(minute=0, second=0, microsecond=0)
    end = max(stamps[-1], now) if now is not None else stamps[-1]
    hours = int((end - start).total_seconds() // 3600) + 1
    counts = [0] * hours
    for ts in stamps:
        counts[int((ts - start).total_seconds() // 3600)] += 1
    if hours > MAX_SERIES_HOURS:
        start += timedelta(hours=hours - MAX_SERIES_HOURS)
        counts = counts[-MAX_SERIES_HOURS:]
    return start, counts


REPOST_PREFIX = re.compile(r"^\s*(?:转发?|转载|repost|rt|fw|fwd)\s*[:：]\s*|^\s*【转(?:发|载)?】\s*", re.I)


def event_title(central: Any, ordered: Sequence[Any]) -> str:
    """The event's title: the central member's, unless that is a repost ("转:…", "【转载】…"), in which case
    the earliest member's own title; the repost prefix never shows."""
    title = normalize(central.title or "")
    if REPOST_PREFIX.match(title):
        own = (normalize(m.title) for m in ordered if m.title)
        original = next((t for t in own if not REPOST_PREFIX.match(t)), "")
        title = original or REPOST_PREFIX.sub("", title, count=1).strip()
    return title or normalize(central.text or "")[:40]


def summarize_event(
    members: Sequence[ClusterItem],
    *,
    idf: Callable[[str], float] | None = None,
    now: datetime | None = None,
    hot_words: int = 10,
) -> dict:
    """Title, first item and first publisher (with the reason), sites, media types, hourly series, sentiment
    mix, categories, hot words and phase of an event, from its members (duplicates included).

    *idf* weighs hot words (pass ``Clusterer.idf`` for the stream's own statistics; default jieba's table).
    The title comes from the most central member (cosine to the members' mean TF-IDF vector; members with
    a title get a small bonus). Text statistics read at most :data:`MAX_TEXT_MEMBERS` members.
    """
    if not members:
        return {"size": 0, "title": "", "phase": "subsided", "hourly": [], "hot_words": []}
    idf = idf or background_idf
    ordered = sorted(members, key=lambda m: (_ts(m), str(m.id)))
    first, reason = first_publisher(ordered)
    sample = _text_sample(ordered)
    vectors: list[dict[str, float]] = []
    weight: dict[str, float] = defaultdict(float)
    for item in sample:
        tf = Counter(_item_tokens(item))
        vec = {t: (1 + math.log(c)) * idf(t) for t, c in tf.items()}
        norm = math.sqrt(sum(w * w for w in vec.values())) or 1.0
        vectors.append({t: w / norm for t, w in vec.items()})
        for t, w in vec.items():
            if len(t) > 1 and not t.isdigit():
                weight[t] += w
    mean: dict[str, float] = defaultdict(float)
    for vec in vectors:
        for t, w in vec.items():
            mean[t] += w
    scores = [
        sum(w * mean.get(t, 0.0) for t, w in vec.items()) + (0.05 if item.title else 0.0)
        for vec, item in zip(vectors, sample, strict=True)
    ]
    central = sample[max(range(len(sample)), key=lambda i: (scores[i], -i))]
    title = event_title(central, ordered)
    start, counts = hourly_series(ordered, now)
    sentiments = Counter(m.sentiment for m in members if m.sentiment)
    neg_scores = [m.negative_score for m in members if m.negative_score is not None]
    categories = Counter(c for m in members for c in (m.categories or ()))
    return {
        "size": len(members),
        "duplicates": sum(1 for m in members if m.duplicate_of is not None),
        "title": title,
        "central_item": central.id,
        "first_item": first.id,
        "first_publisher": {
            "item_id": first.id,
            "source": first.source,
            "site": site_of(first),
            "media_type": first.media_type,
            "url": first.url,
            "published_at": first.published_at.isoformat() if first.published_at else None,
            "reason": reason,
        },
        "first_at": ordered[0].published_at.isoformat() if ordered[0].published_at else None,
        "last_at": ordered[-1].published_at.isoformat() if ordered[-1].published_at else None,
        "sites": len({site_of(m) for m in members}),
        "media_types": dict(Counter(m.media_type or "other" for m in members).most_common()),
        "engagement": sum(max(0, int(m.engagement or 0)) for m in members),
        "hourly": [
            {"hour": (start + timedelta(hours=i)).isoformat(), "count": c} for i, c in enumerate(counts)
        ],
        "sentiment": dict(sentiments.most_common()),
        "mean_negative_score": round(sum(neg_scores) / len(neg_scores), 4) if neg_scores else None,
        "categories": dict(categories.most_common()),
        "hot_words": [
            {"word": w, "weight": round(v, 3)}
            for w, v in sorted(weight.items(), key=lambda kv: (-kv[1], kv[0]))[:hot_words]
        ],
        "phase": trend.phase(counts),
        "velocity": round(trend.velocity(counts), 3),
    }

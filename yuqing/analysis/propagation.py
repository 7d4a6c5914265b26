"""Propagation path (传播路径) of an event: a directed graph of who re-published whom, as JSON for charts.

For each member after the first (in time order) one incoming edge is chosen, by the first rule that applies:

1. **正文含链接** — its text contains another member's URL (scheme, ``www.`` and trailing ``/`` ignored);
2. **注明转自/来源/原标题/via …** — a ``转自X`` / ``转载自X`` / ``来源：X`` / ``via X`` / ``//@X:`` cue names
   another member's source, author or site (the earliest such member); ``原标题：T`` names another
   member's title;
3. **时间先后+相似度** — the most similar earlier member (cosine of TF-IDF over the event's own tokens)
   at or above :data:`SIMILARITY_LINK`;
4. **时间先后** — else the first item (the root of the graph).

Output: ``{"nodes": [{id, source, site, media_type, published_at, label}], "edges": [{from, to, reason}],
"root": id}``; ``reason`` is Chinese, e.g. ``"时间先后+相似度 0.86"``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from yuqing.analysis.event_summary import first_publisher, site_of
from yuqing.analysis.text import content_tokens, normalize

if TYPE_CHECKING:
    from yuqing.analysis.cluster import ClusterItem

SIMILARITY_LINK = 0.3
#: Similarity is computed against at most this many earlier members (the most recent ones).
MAX_COMPARE = 300
_URL = re.compile(r"https?://[^\s<>\"'，。；、）)】]+", re.IGNORECASE)
_CUE = re.compile(
    r"(转自|转载自|转载于|转发自|来源[:：]?|来自|via|//@)\s*[“\"「《]?([^\s\n:：，。,;；“”\"」》)）]{1,30})",
    re.IGNORECASE,
)
_TITLE_CUE = re.compile(r"原标题[:：]\s*([^\n]{4,80})")


def _url_key(url: str) -> str:
    u = url.strip().lower()
    u = re.sub(r"^https?://", "", u)
    u = re.sub(r"^(www\.|m\.)", "", u)
    return u.rstrip("/")


def _ts(item: ClusterItem) -> datetime:
    ts = item.published_at or datetime.max.replace(tzinfo=UTC)
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)


def _names(item: ClusterItem) -> set[str]:
    """Names by which a member may be credited: source, author, site, and the source without 微博用户@ etc."""
    names = {normalize(n).lower() for n in (item.source, item.author, site_of(item)) if n}
    for n in list(names):
        if "@" in n:
            names.add(n.rsplit("@", 1)[1])
    return {n for n in names if len(n) >= 2}


def _vectors(members: Sequence[ClusterItem]) -> list[dict[str, float]]:
    docs = [
        Counter(list(m.tokens) if m.tokens is not None else content_tokens(f"{m.title}\n{m.text or ''}"))
        for m in members
    ]
    df = Counter(t for d in docs for t in d)
    n = len(docs)
    out = []
    for d in docs:
        vec = {t: (1 + math.log(c)) * (math.log((n + 1) / (df[t] + 1)) + 1) for t, c in d.items()}
        norm = math.sqrt(sum(w * w for w in vec.values())) or 1.0
        out.append({t: w / norm for t, w in vec.items()})
    return out


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())


def propagation_graph(members: Sequence[ClusterItem]) -> dict:
    """Build the graph (see the module docstring). Members are any order; duplicates are welcome."""
    if not members:
        return {"nodes": [], "edges": [], "root": None}
    root, _ = first_publisher(members)
    ordered = [root, *sorted((m for m in members if m is not root), key=lambda m: (_ts(m), str(m.id)))]
    url_owner = {_url_key(m.url): m for m in ordered if m.url}
    vectors = _vectors(ordered)
    titles = {normalize(m.title).lower(): m for m in reversed(ordered) if m.title}
    position = {id(m): i for i, m in enumerate(ordered)}
    edges = []
    for i, item in enumerate(ordered[1:], start=1):
        parent, reason = _explicit(item, ordered, url_owner, titles, position, i)
        if parent is None:
            best, best_sim = None, 0.0
            for j in range(max(0, i - MAX_COMPARE), i):
                sim = _cosine(vectors[i], vectors[j])
                if sim > best_sim:
                    best, best_sim = j, sim
            if best is not None and best_sim >= SIMILARITY_LINK:
                parent, reason = ordered[best], f"时间先后+相似度 {best_sim:.2f}"
            else:
                parent, reason = root, "时间先后（首发在前）"
        edges.append({"from": parent.id, "to": item.id, "reason": reason})
    nodes = [
        {
            "id": m.id,
            "source": m.source,
            "site": site_of(m),
            "media_type": m.media_type,
            "published_at": m.published_at.isoformat() if m.published_at else None,
            "label": m.source or site_of(m) or (normalize(m.title) or normalize(m.text or ""))[:20],
        }
        for m in ordered
    ]
    return {"nodes": nodes, "edges": edges, "root": root.id}


def _explicit(
    item: ClusterItem,
    ordered: list[ClusterItem],
    url_owner: dict[str, ClusterItem],
    titles: dict[str, ClusterItem],
    position: dict[int, int],
    index: int,
) -> tuple[ClusterItem | None, str]:
    """The member *item* names itself (link, 转自/来源 cue, 原标题), and the reason; else ``(None, "")``."""
    text = normalize(item.text or "")
    own = _url_key(item.url) if item.url else None
    for match in _URL.finditer(text):
        key = _url_key(match.group(0))
        owner = url_owner.get(key)
        if owner is not None and owner is not item and key != own:
            return owner, "正文含链接"
    low = text.lower()
    for match in _CUE.finditer(low):
        cue, name = match.group(1), match.group(2).strip()
        candidates = [
            m
            for m in ordered[:index]
            if m is not item
            and any(name == n or (len(n) >= 2 and (n in name or name in n)) for n in _names(m))
        ]
        if candidates:
            cue_zh = {"//@": "转发自 @", "via": "via "}.get(cue, cue.rstrip(":："))
            cue_zh = "来源：" if cue_zh.startswith("来源") else cue_zh
            return candidates[0], f"注明{cue_zh}{name}"
    for match in _TITLE_CUE.finditer(text):
        owner = titles.get(match.group(1).strip().lower())
        if owner is not None and owner is not item and position[id(owner)] < index:
            return owner, "注明原标题"
    return None, ""

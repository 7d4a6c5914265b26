"""Event membership: pairwise precision/recall of the clusterer against a gold set of real events.

Run: ``python -m yuqing.analysis.evaluation.events [--data-dir ../shared/data] [--no-links]`` (prints JSON).

The gold set is ``data/corpus/events.jsonl``: one line per gold event ``{"event", "ids", "basis"}`` over texts
of the real corpus (``texts.jsonl``); ``basis`` states the evidence (the same Weibo thread, the same page, the
same named incident and date). Items listed as one-item events are distinct from every other item in the
file (different 快讯 of one 新闻联播 broadcast, similar but separate cases) — they test precision. Only the
items in the file are scored.

The items are fed to :class:`~yuqing.analysis.cluster.Clusterer` as ``yuqing cluster`` feeds a stream (merges
followed to the final event): ordered by the date in their source address where there is one (新闻联播 and
many web pages), then by id (Weibo threads and undated pages, after the dated items). The time gaps are
compressed — every item one minute after the one before — so the 7-day window never splits a gold event: the
figures measure the similarity model, not the window. Each item carries what a collector reports (see
:func:`collector_links`): its own address, and for a Weibo repost or comment the address of the post it
answers (``--no-links`` drops the latter: words alone decide).

Over all pairs of gold items, a pair is *same event* in the gold set when both ids are in one gold event and
predicted when the clusterer put both into one event: precision = correct predicted pairs / predicted pairs,
recall = correct predicted pairs / gold pairs. Also reported: the same over the items that are web pages
and news (``pages``: no thread link helps them), and each half of the gold set (``halves``, see
:func:`half_of`), clustered as a stream of its own — settings are tuned on ``tuning`` only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
from collections import Counter
from collections.abc import Hashable, Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from yuqing.analysis.classify import datasets as ds

if TYPE_CHECKING:
    from yuqing.analysis.cluster import ClusterConfig

K = TypeVar("K", bound=Hashable)
EVENTS_FILE = ds.CORPUS_DIR / "events.jsonl"
START = datetime(2026, 12, 1, 8, tzinfo=UTC)
_CED = re.compile(r"CED_Dataset/(?P<folder>[\w-]+)/\d+_(?P<mid>\w+?)_(?P<uid>\d+)\.json")
_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)[-/]?(0[1-9]|1[0-2])(?:[-/]?(0[1-9]|[12]\d|3[01]))?(?!\d)")


def read_events(path: Path = EVENTS_FILE) -> list[dict]:
    """The gold events, validated (an error names the line and the problem)."""
    events = []
    for n, row in ds.jsonl_rows(path):
        ids = row.get("ids")
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) and i for i in ids):
            raise ds.CorpusError(f"{path.name} 第 {n} 行：ids 须为非空的 id 列表")
        if not str(row.get("event") or "").strip():
            raise ds.CorpusError(f"{path.name} 第 {n} 行：缺少 event")
        events.append(row)
    return events


def source_date(source: str) -> date | None:
    """The date in a source address (``2011/10/26``, ``2021-12-22``, ``20200702``, ``201108`` → the 1st)."""
    m = _DATE.search(source or "")
    if m is None:
        return None
    year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3) or 1)
    try:
        return date(year, month, day)
    except ValueError:
        return None


def pairwise_scores(gold: Mapping[K, Hashable], predicted: Mapping[K, Hashable]) -> dict:
    """Pairwise precision/recall/F1 of "same event" over the items of *gold* (item → gold event; item →
    predicted event). Counted from the contingency table, so it is linear in the number of items."""
    items = list(gold)
    missing = [i for i in items if i not in predicted]
    if missing:
        raise ValueError(f"没有预测事件的条目：{missing[:5]}")
    cells = Counter((gold[i], predicted[i]) for i in items)
    gold_sizes = Counter(gold[i] for i in items)
    pred_sizes = Counter(predicted[i] for i in items)

    def pairs(counts: Counter) -> int:
        return sum(n * (n - 1) // 2 for n in counts.values())

    correct, gold_pairs, pred_pairs = pairs(cells), pairs(gold_sizes), pairs(pred_sizes)
    precision = correct / pred_pairs if pred_pairs else 0.0
    recall = correct / gold_pairs if gold_pairs else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "correct_pairs": correct,
        "gold_pairs": gold_pairs,
        "predicted_pairs": pred_pairs,
        "items": len(items),
        "gold_events": len(gold_sizes),
        "predicted_events": len(pred_sizes),
    }


def collector_links(source: str) -> tuple[str, str]:
    """``(url, thread)`` of a corpus record as a collector reports them: a web page's own address; a CED
    original microblog's address ``https://weibo.com/{uid}/{mid}`` (its file is ``{n}_{mid}_{uid}.json``);
    for a repost or comment (``…-repost/{n}_{mid}_{uid}.json#mid=…``) the address of the microblog it
    answers as ``thread`` — what a collector of a post's reposts and comments knows — and no own address."""
    m = _CED.search(source or "")
    if m is not None:
        weibo = f"https://weibo.com/{m['uid']}/{m['mid']}"
        return (weibo, "") if m["folder"] == "original-microblog" else ("", weibo)
    return (source.split()[0] if source.startswith("http") else ""), ""


def cluster_gold_items(
    examples: list[ds.Example], config: ClusterConfig | None = None, *, links: bool = True
) -> dict[str, str]:
    """Feed *examples* (already in stream order) through the clusterer; item id → final event id. With
    ``links=False`` the items carry no thread link (content alone decides)."""
    from yuqing.analysis.cluster import Clusterer, ClusterItem

    clusterer = Clusterer(config, id_prefix="gold")
    assigned: dict[str, str] = {}
    aliases: dict[str, str] = {}
    for n, e in enumerate(examples):
        source = str(e.extra.get("source", ""))
        url, thread = collector_links(source)
        item = ClusterItem(
            id=e.id,
            text=e.text,
            url=url,
            published_at=START + timedelta(minutes=n),
            source=source[:40],
            thread=thread if links else "",
        )
        assigned[e.id] = clusterer.add(item).event_id
        for gone, into in clusterer.drain_merges():
            aliases[gone] = into

    def final(event_id: str) -> str:
        hops = 0
        while event_id in aliases and hops < 1000:
            event_id, hops = aliases[event_id], hops + 1
        return event_id

    return {i: final(ev) for i, ev in assigned.items()}


def stream_order(examples: list[ds.Example]) -> list[ds.Example]:
    """Dated items first, by date, then the undated ones; ties by id."""

    def key(e: ds.Example) -> tuple[int, date, str]:
        d = source_date(str(e.extra.get("source", "")))
        return (0, d, e.id) if d is not None else (1, date.min, e.id)

    return sorted(examples, key=key)


HALVES = ("tuning", "evaluation")


def half_of(event: str) -> str:
    """The half of the gold set a gold event belongs to, fixed by its name: ``tuning`` when the first
    byte of the SHA-1 of the name is even, else ``evaluation``. Clustering settings are chosen on the
    tuning half only; the evaluation half says how well they carry over."""
    return HALVES[hashlib.sha1(event.encode("utf-8"), usedforsecurity=False).digest()[0] % 2]


def score_events(
    events: list[dict],
    corpus: Mapping[str, ds.Example],
    config: ClusterConfig | None = None,
    *,
    links: bool = True,
) -> dict[str, Any]:
    """Pairwise scores of one stream made of the items of *events* (and nothing else); under ``pages``
    the same clustering scored over the items that are not Weibo posts or comments (news, notices, forum
    and web pages: no thread link can help them, their words alone decide)."""
    gold = {i: n for n, ev in enumerate(events) for i in ev["ids"]}
    predicted = cluster_gold_items(stream_order([corpus[i] for i in gold]), config, links=links)
    scores = pairwise_scores(gold, predicted)
    pages = {i: g for i, g in gold.items() if _CED.search(str(corpus[i].extra.get("source", ""))) is None}
    scores["pages"] = pairwise_scores(pages, predicted)
    return scores


def evaluate_membership(
    data_dir: Path = ds.DEFAULT_DATA_DIR,
    events_path: Path = EVENTS_FILE,
    config: ClusterConfig | None = None,
    *,
    links: bool = True,
) -> dict[str, Any]:
    """Pairwise precision/recall/F1 of the clusterer on the gold events, with the counts; under
    ``halves`` the same for each half of the gold set (see :func:`half_of`), each clustered as a stream
    of its own items."""
    events = read_events(events_path)
    corpus = {e.id: e for e in ds.read_corpus(data_dir)}
    unknown = [i for ev in events for i in ev["ids"] if i not in corpus]
    if unknown:
        raise ds.CorpusError(f"{events_path.name}：语料中没有这些 id：{unknown[:5]}")
    result = score_events(events, corpus, config, links=links)
    result["halves"] = {
        half: score_events([ev for ev in events if half_of(ev["event"]) == half], corpus, config, links=links)
        for half in HALVES
    }
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="事件归属的成对精确率/召回率（金标准事件集）")
    parser.add_argument("--data-dir", type=Path, default=ds.DEFAULT_DATA_DIR)
    parser.add_argument("--no-links", action="store_true", help="不提供转发/评论的原帖链接，只凭内容聚类")
    args = parser.parse_args(argv)
    print(json.dumps(evaluate_membership(args.data_dir, links=not args.no_links), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

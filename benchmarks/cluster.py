"""Clustering cost per item after 10k, 100k (and 1M) items of history: it must stay flat (within 1.5×).

One stream, one :class:`~yuqing.analysis.cluster.Clusterer`. The stream is built from the real texts in
../shared/data (tax posts, news headlines, delivery reviews): each *story* is a headline with 1–2 real
paragraphs and gets 1–30 items (≈ 130 characters on average, up to a few thousand) over up to two days:
the original, reposts with a ``转自…`` line, and rewrites (a quarter of the words dropped, some added). Items
arrive at ``--rate`` a day (default 1,400: the 7-day window is full from 10k items on and holds ≈ 9,800).

History is fed with precomputed tokens (jieba is the slow part and segmentation of a real-length text
costs the same at any history size). At each checkpoint the next ``--measure`` items go through the full
live path — near-duplicate check, jieba segmentation, TF-IDF, candidates, merge passes, eviction — and
then as many again with tokens given (the clustering core alone), timed as the median of five blocks of
this process's CPU time. Prints JSON lines; the last one compares the checkpoints. ::

    .venv/bin/python benchmarks/cluster.py                                # 10k, 100k, 300k (≈ 3.5 min)
    .venv/bin/python benchmarks/cluster.py --sizes 10000,100000,1000000   # with 1M: ≈ 11 min here

1M items of history take ≈ 10 CPU-minutes on this machine (≈ 0.55 ms an item to build the history), more
than a default run should, so the default stops at 300k; the 1M figure comes from the second command.
"""

from __future__ import annotations

import argparse
import heapq
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from _common import emit, peak_rss_mb, real_texts

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from yuqing.analysis.cluster import Clusterer, ClusterItem
from yuqing.analysis.text import content_tokens

SITES = ["新浪财经", "澎湃新闻", "今日头条", "天山网", "兵团日报", "铁门关生活圈", "网易新闻", "搜狐"]
MEDIA = ["weibo", "wechat", "news_site", "forum", "commercial_site", "video", "newspaper"]


class Stream:
    """Time-ordered synthetic items made of real texts (see the module docstring)."""

    def __init__(self, rng: random.Random, rate_per_day: float) -> None:
        titles, bodies = real_texts()
        self.rng = rng
        long_bodies = [b for b in bodies if len(b) >= 60]  # the tax posts, mostly
        short_bodies = [b for b in bodies if 15 <= len(b) < 60][:2000]  # reviews: comment-like items
        self.titles = titles[:4000]
        self.bodies = long_bodies + short_bodies
        started = time.perf_counter()
        self.title_tokens = [content_tokens(t) for t in self.titles]
        self.body_tokens = [content_tokens(b) for b in self.bodies]
        self.prep_seconds = time.perf_counter() - started
        self.vocab = sorted({t for toks in self.body_tokens for t in toks})
        probe = random.Random(0)
        self.mean_story = sum(self._story_size(probe) for _ in range(20000)) / 20000
        self.story_gap = 86400.0 / rate_per_day * self.mean_story
        self.cursor = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
        self.heap: list[tuple[float, int, dict]] = []
        self.n = 0

    @staticmethod
    def _story_size(rng: random.Random) -> int:
        if rng.random() < 0.55:
            return 1
        return min(30, int(rng.paretovariate(1.2)) + 1)

    def _new_story(self) -> None:
        rng = self.rng
        self.cursor += rng.expovariate(1.0 / self.story_gap)
        ti = rng.randrange(len(self.titles))
        parts = rng.sample(range(len(self.bodies)), rng.randint(1, 2))
        base_text = "\n".join(self.bodies[i] for i in parts)
        base_tokens = self.title_tokens[ti] * 2 + [t for i in parts for t in self.body_tokens[i]]
        size = self._story_size(rng)
        for k in range(size):
            ts = self.cursor + (0 if k == 0 else rng.expovariate(1 / 10800.0) * (1 + k / 4))
            if k == 0:
                text, tokens = base_text, base_tokens
            elif rng.random() < 0.4:
                text, tokens = f"转自{rng.choice(SITES)}\n{base_text}", base_tokens
            else:
                kept = [t for t in base_tokens if rng.random() > 0.25]
                kept += rng.sample(self.vocab, rng.randint(3, 8))
                text, tokens = "".join(kept), kept
            self.n += 1
            row = {"title": self.titles[ti], "text": text, "tokens": tokens, "source": rng.choice(SITES)}
            heapq.heappush(self.heap, (ts, self.n, row))

    def next(self, with_tokens: bool) -> ClusterItem:
        while not self.heap or self.heap[0][0] > self.cursor:
            self._new_story()
        ts, n, row = heapq.heappop(self.heap)
        return ClusterItem(
            id=n,
            text=row["text"],
            title=row["title"],
            url=f"https://{row['source']}.example.cn/{n}",
            published_at=datetime.fromtimestamp(ts, UTC),
            source=row["source"],
            media_type=MEDIA[n % len(MEDIA)],
            tokens=row["tokens"] if with_tokens else None,
        )


def _timed(clusterer: Clusterer, stream: Stream, count: int, with_tokens: bool, blocks: int = 5) -> float:
    """Median over *blocks* blocks of the CPU time per item (µs). CPU time of this process, not wall time:
    the machine is shared, and a neighbour's burst should not read as growth."""
    per_block = max(1, count // blocks)
    samples = []
    for _ in range(blocks):
        items = [stream.next(with_tokens) for _ in range(per_block)]
        started = time.process_time()
        for item in items:
            clusterer.add(item)
        samples.append((time.process_time() - started) / per_block * 1e6)
    return statistics.median(samples)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,300000", help="history sizes, comma-separated")
    parser.add_argument("--max", type=int, default=None, help="skip sizes above this")
    parser.add_argument("--measure", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=1400.0, help="items a day")
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(",") if s.strip())
    if args.max is not None:
        sizes = [s for s in sizes if s <= args.max]
    rng = random.Random(args.seed)
    stream = Stream(rng, args.rate)
    clusterer = Clusterer()
    emit(
        benchmark="cluster_setup",
        texts=len(stream.bodies) + len(stream.titles),
        prep_s=round(stream.prep_seconds, 1),
    )
    fed = 0
    results = []
    started = time.perf_counter()
    for size in sizes:
        while fed < size:
            clusterer.add(stream.next(with_tokens=True))
            fed += 1
        full = _timed(clusterer, stream, args.measure, with_tokens=False)
        core = _timed(clusterer, stream, args.measure, with_tokens=True)
        fed += 2 * args.measure
        t0 = time.perf_counter()
        state = clusterer.to_state()
        save_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        Clusterer.from_state(state)
        load_s = time.perf_counter() - t0
        row = {
            "benchmark": "cluster",
            "history": size,
            "measured": args.measure,
            "us_per_item": round(full, 1),
            "us_per_item_pretokenized": round(core, 1),
            "events_in_window": len(clusterer.events),
            "items_in_window": len(clusterer.item_event),
            "state_mb": round(len(state) / 1e6, 2),
            "save_s": round(save_s, 2),
            "restore_s": round(load_s, 2),
            "rss_mb": round(peak_rss_mb()),
            "elapsed_s": round(time.perf_counter() - started, 1),
        }
        results.append(row)
        emit(**row)
    if len(results) > 1:
        full = [r["us_per_item"] for r in results]
        core = [r["us_per_item_pretokenized"] for r in results]
        emit(
            benchmark="cluster_flatness",
            sizes=[r["history"] for r in results],
            ratio_full=round(max(full) / min(full), 2),
            ratio_pretokenized=round(max(core) / min(core), 2),
            within_1_5x=max(full) / min(full) <= 1.5 and max(core) / min(core) <= 1.5,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

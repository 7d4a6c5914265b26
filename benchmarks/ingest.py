"""Ingest throughput: N generated items through the whole ingest pipeline into SQLite (no network).

Prints JSON lines: items/s and peak RSS of the pipeline, and of a bare ``executemany`` insert of the same
rows into the same table layout, and their ratio. Target: ≥ 2,000 items/s on one core.

    .venv/bin/python benchmarks/ingest.py [--n 100000] [--batch 500] [--segmenter fast|jieba]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import time
from datetime import UTC, datetime, timedelta

from _common import SEGMENTERS, emit, peak_rss_mb, real_texts, setup_django, synthetic_item, use_segmenter


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--segmenter", choices=SEGMENTERS, default="fast", help="jieba: the old segmenter")
    args = parser.parse_args()

    tmp = setup_django()
    use_segmenter(args.segmenter)
    from yuqing.analysis.text import search_tokens
    from yuqing.items.canonical import canonical_url
    from yuqing.items.ingest import content_hash, ingest_entries
    from yuqing.sources.fetchers.base import RawEntry
    from yuqing.sources.models import Source

    search_tokens("预热分词词典")  # jieba's dictionary load (≈1 s) is start-up, not per-item cost
    source = Source.objects.create(name="基准源", kind="rss", url="https://bench.example.cn/rss")
    rng = random.Random(7)
    titles, bodies = real_texts()
    base = datetime(2026, 11, 1, tzinfo=UTC)
    rows = [synthetic_item(rng, titles, bodies, n) for n in range(args.n)]
    chars = sum(len(r["title"]) + len(r["content"]) for r in rows)

    started = time.perf_counter()
    created = 0
    for i in range(0, args.n, args.batch):
        entries = [
            RawEntry(
                url=r["url"],
                title=r["title"],
                content=r["content"],
                published_at=base + timedelta(seconds=i + k),
            )
            for k, r in enumerate(rows[i : i + args.batch])
        ]
        created += ingest_entries(entries, source=source).created
    pipeline_s = time.perf_counter() - started
    emit(
        benchmark="ingest",
        stage="pipeline",
        segmenter=args.segmenter,
        items=args.n,
        created=created,
        avg_chars=round(chars / args.n),
        seconds=round(pipeline_s, 2),
        items_per_s=round(args.n / pipeline_s),
        peak_rss_mb=round(peak_rss_mb()),
    )

    # Baseline: the same rows (columns precomputed, no segmentation, no dedupe) with a bare executemany.
    conn = sqlite3.connect(tmp / "baseline.sqlite3")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(
        "CREATE TABLE item (id INTEGER PRIMARY KEY, url TEXT, canonical_url TEXT UNIQUE, title TEXT,"
        " content TEXT,"
        " published_at TEXT, content_hash TEXT)"
    )
    conn.execute("CREATE INDEX item_hash ON item(content_hash)")
    prepared = [
        (
            r["url"],
            canonical_url(r["url"]),
            r["title"],
            r["content"],
            (base + timedelta(seconds=n)).isoformat(),
            content_hash(r["title"], r["content"]),
        )
        for n, r in enumerate(rows)
    ]
    started = time.perf_counter()
    for i in range(0, args.n, args.batch):
        with conn:
            conn.executemany(
                "INSERT OR IGNORE INTO item(url, canonical_url, title, content, published_at, content_hash)"
                " VALUES (?,?,?,?,?,?)",
                prepared[i : i + args.batch],
            )
    bare_s = time.perf_counter() - started
    emit(
        benchmark="ingest",
        stage="bare_executemany",
        items=args.n,
        seconds=round(bare_s, 2),
        items_per_s=round(args.n / bare_s),
    )
    emit(
        benchmark="ingest",
        stage="ratio",
        pipeline_over_bare_seconds=round(pipeline_s / bare_s, 1),
        target_items_per_s=2000,
    )


if __name__ == "__main__":
    main()

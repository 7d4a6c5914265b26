"""Search latency over a large item table: p50/p95 of 20 two-character and multi-word queries.

The table is filled directly (the ingest pipeline has its own benchmark): each item is 2–4 real paragraphs
whose segmentation (jieba search mode, as at ingest) is computed once per paragraph and reused, then the
FTS index is rebuilt. Each query runs through the same selector the API and UI use: the first page of 50
newest matches plus the capped count.

    .venv/bin/python benchmarks/search.py [--n 1000000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import UTC, datetime, timedelta

from _common import emit, peak_rss_mb, real_texts, setup_django

QUERIES = [
    "税务",
    "个税",
    "发票",
    "退税",
    "社保",
    "纳税",
    "增值税",
    "外卖",
    "味道",
    "送餐",
    "个税 汇算",
    "税务 服务",
    "发票 开具",
    "退税 到账",
    "增值税 税率",
    "外卖 送餐",
    "纳税人 申报",
    "税务局 回应",
    "电子 发票",
    "价格 上涨",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    from yuqing.analysis.text import search_tokens
    from yuqing.items import search
    from yuqing.items.selectors import item_list, page_of
    from yuqing.sources.models import Source

    source = Source.objects.create(name="基准源", kind="rss", url="https://bench.example.cn/rss")
    titles, bodies = real_texts()
    rng = random.Random(11)
    pool = rng.sample(bodies, min(len(bodies), 20_000))
    seg = [" ".join(search_tokens(p)) for p in pool]
    tseg = {t: " ".join(search_tokens(t)) for t in titles}
    base = datetime(2026, 1, 1, tzinfo=UTC)

    started = time.perf_counter()
    cols = (
        "source_id, url, canonical_url, host, title, content, author, published_at, published_at_known,"
        " fetched_at,"
        " media_type, raw, content_hash, search_text, stage, is_demo, created_at"
    )
    sql = f"INSERT INTO items_item ({cols}) VALUES ({', '.join(['%s'] * 17)})"
    batch = []
    with connection.cursor() as cur:
        for n in range(args.n):
            picks = [rng.randrange(len(pool)) for _ in range(rng.randint(2, 4))]
            title = rng.choice(titles)
            ts = (base + timedelta(seconds=n * 20)).isoformat()
            url = f"https://s{n % 500}.example.cn/{n}"
            batch.append(
                (
                    source.id,
                    url,
                    url,
                    f"s{n % 500}.example.cn",
                    title,
                    "\n".join(pool[p] for p in picks),
                    "",
                    ts,
                    True,
                    ts,
                    "news_site",
                    "{}",
                    f"{n:064x}",
                    tseg[title] + " " + " ".join(seg[p] for p in picks),
                    "stored",
                    False,
                    ts,
                )
            )
            if len(batch) == 5000:
                cur.executemany(sql, batch)
                batch.clear()
        if batch:
            cur.executemany(sql, batch)
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute(f"INSERT INTO {search.FTS_TABLE}({search.FTS_TABLE}) VALUES ('rebuild')")
            cur.execute(f"INSERT INTO {search.FTS_TABLE}({search.FTS_TABLE}) VALUES ('optimize')")
            cur.execute("ANALYZE")
    emit(
        benchmark="search",
        stage="load",
        items=args.n,
        seconds=round(time.perf_counter() - started, 1),
        peak_rss_mb=round(peak_rss_mb()),
    )

    timings: list[float] = []
    per_query = {}
    for q in QUERIES:
        runs = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            rows, count, capped = page_of(item_list(q=q), 1)
            runs.append((time.perf_counter() - t0) * 1000)
        timings.extend(runs)
        per_query[q] = {
            "ms_median": round(statistics.median(runs), 1),
            "count": count,
            "capped": capped,
            "page": len(rows),
        }
    timings.sort()
    p50 = statistics.median(timings)
    p95 = timings[int(len(timings) * 0.95) - 1]
    for q, v in per_query.items():
        emit(benchmark="search", query=q, **v)
    emit(
        benchmark="search",
        stage="summary",
        vendor=connection.vendor,
        items=args.n,
        queries=len(QUERIES),
        runs=len(timings),
        p50_ms=round(p50, 1),
        p95_ms=round(p95, 1),
        target_p95_ms=50,
    )


if __name__ == "__main__":
    main()

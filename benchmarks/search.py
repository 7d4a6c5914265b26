"""Search latency over a large item table: p50/p95 of 20 two-character and multi-word queries.

The table is filled directly (the ingest pipeline has its own benchmark): each item is 2–4 real paragraphs
whose segmentation (``index_tokens``, as at ingest) is computed once per paragraph and reused, then the
FTS index is rebuilt. Each query runs through the same selector the API and UI use: the first page of 50
newest matches plus the capped count. Each query is also timed without the tax synonyms, interleaved,
and ``synonym_cost_ratio`` compares the two; ``SYNONYM_QUERIES`` are the expansion's worst cases.

    .venv/bin/python benchmarks/search.py [--n 1000000] [--repeat 5] [--db-url postgresql://…/empty_db]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Iterable, Iterator
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
#: Queries whose words have several synonyms (the expansion's worst cases), timed beside QUERIES.
SYNONYM_QUERIES = ["专票", "数电发票", "留抵退税", "偷税", "个体户 个税", "社保费 缴费"]


def bulk_load(rows: Iterable[dict[str, object]]) -> None:
    """Insert item rows fast: every other column gets its model default.

    SQLite: ``executemany`` on the raw connection in one transaction, batches of 20,000, with the FTS
    table filled afterwards by one ``rebuild``. PostgreSQL: ``COPY … FROM STDIN`` with the GIN index dropped
    during the load (``search_vector`` is a generated column, computed as rows arrive) and rebuilt after.
    """
    from django.db import connection, transaction
    from django.db.models import DateTimeField

    from yuqing.items.models import Item

    fields = [f for f in Item._meta.concrete_fields if not f.primary_key]
    defaults: dict[str, object] = {}
    for f in fields:
        if f.has_default():
            defaults[f.attname] = f.get_db_prep_save(f.get_default(), connection)
        elif f.null:
            defaults[f.attname] = None
    cols = [f.attname for f in fields]
    dt_cols = {f.attname for f in fields if isinstance(f, DateTimeField)}

    def values(row: dict[str, object]) -> tuple[object, ...]:
        out = []
        for c in cols:
            if c in row:
                v = row[c]
                out.append(v.isoformat() if c in dt_cols and connection.vendor == "sqlite" else v)  # type: ignore[attr-defined]
            else:
                out.append(defaults[c])
        return tuple(out)

    connection.ensure_connection()
    raw = connection.connection
    if connection.vendor == "sqlite":
        sql = f"INSERT INTO items_item ({', '.join(cols)}) VALUES ({', '.join(['?'] * len(cols))})"
        raw.execute("PRAGMA synchronous=OFF")
        batch: list[tuple[object, ...]] = []
        with transaction.atomic():
            for row in rows:
                batch.append(values(row))
                if len(batch) == 20_000:
                    raw.executemany(sql, batch)
                    batch.clear()
            if batch:
                raw.executemany(sql, batch)
        raw.execute("PRAGMA synchronous=NORMAL")
        return
    from psycopg.types.json import Jsonb

    with connection.cursor() as cur:
        cur.execute("DROP INDEX IF EXISTS items_item_search_gin")
    copy_sql = f"COPY items_item ({', '.join(cols)}) FROM STDIN"
    with transaction.atomic(), raw.cursor() as cur, cur.copy(copy_sql) as copy:
        for row in rows:
            copy.write_row([Jsonb(v.adapted) if hasattr(v, "adapted") else v for v in values(row)])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--db-url",
        default=None,
        help="an empty database to fill, e.g. postgresql://postgres@127.0.0.1:5432/yuqing_bench (default: "
        "a temporary SQLite file)",
    )
    args = parser.parse_args()
    setup_django(args.db_url)
    from django.db import connection

    from yuqing.analysis.text import index_tokens
    from yuqing.items import search
    from yuqing.items.selectors import item_list, page_of, search_query
    from yuqing.sources.models import Source

    source = Source.objects.create(name="基准源", kind="rss", url="https://bench.example.cn/rss")
    titles, bodies = real_texts()
    rng = random.Random(11)
    pool = rng.sample(bodies, min(len(bodies), 20_000))
    seg = [" ".join(index_tokens(p)) for p in pool]
    tseg = {t: " ".join(index_tokens(t)) for t in titles}
    base = datetime(2026, 1, 1, tzinfo=UTC)

    started = time.perf_counter()

    def generated_rows() -> Iterator[dict[str, object]]:
        for n in range(args.n):
            picks = [rng.randrange(len(pool)) for _ in range(rng.randint(2, 4))]
            title = rng.choice(titles)
            ts = base + timedelta(seconds=n * 20)
            url = f"https://s{n % 500}.example.cn/{n}"
            yield {
                "source_id": source.id,
                "url": url,
                "canonical_url": url,
                "host": f"s{n % 500}.example.cn",
                "title": title,
                "content": "\n".join(pool[p] for p in picks),
                "published_at": ts,
                "fetched_at": ts,
                "media_type": "news_site",
                "content_hash": f"{n:064x}",
                "search_text": tseg[title] + " " + " ".join(seg[p] for p in picks),
                "created_at": ts,
            }

    bulk_load(generated_rows())
    emit(benchmark="search", stage="rows", items=args.n, seconds=round(time.perf_counter() - started, 1))
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute(f"INSERT INTO {search.FTS_TABLE}({search.FTS_TABLE}) VALUES ('rebuild')")
            cur.execute(f"INSERT INTO {search.FTS_TABLE}({search.FTS_TABLE}) VALUES ('optimize')")
            cur.execute("ANALYZE")
    else:
        with connection.cursor() as cur:
            cur.execute("CREATE INDEX items_item_search_gin ON items_item USING gin (search_vector)")
            cur.execute("VACUUM ANALYZE items_item")
    emit(
        benchmark="search",
        stage="load",
        items=args.n,
        seconds=round(time.perf_counter() - started, 1),
        peak_rss_mb=round(peak_rss_mb()),
    )

    # Each query twice, interleaved: as the selector runs it (tax synonyms applied) and with the words
    # alone (the query before synonyms), so the synonyms' cost is a ratio measured under the same load.
    timings: list[float] = []
    per_query = {}
    syn_timings: list[float] = []
    with_total = plain_total = 0.0
    for q in QUERIES + SYNONYM_QUERIES:
        runs, plain_runs = [], []
        plain = search.parse_query(q, {})
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            rows, count, capped = page_of(item_list(q=q), 1)
            runs.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            _rows, plain_count, _capped = page_of(item_list(query=plain), 1)
            plain_runs.append((time.perf_counter() - t0) * 1000)
        (timings if q in QUERIES else syn_timings).extend(runs)
        with_total += statistics.median(runs)
        plain_total += statistics.median(plain_runs)
        per_query[q] = {
            "ms_median": round(statistics.median(runs), 1),
            "plain_ms_median": round(statistics.median(plain_runs), 1),
            "count": count,
            "plain_count": plain_count,
            "capped": capped,
            "page": len(rows),
            "expansions": search_query(q).expansions,
        }
    timings.sort()
    syn_timings.sort()
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
        synonym_queries_p95_ms=round(syn_timings[int(len(syn_timings) * 0.95) - 1], 1),
        synonym_cost_ratio=round(with_total / plain_total, 2),
        target_p95_ms=50,
    )


if __name__ == "__main__":
    main()

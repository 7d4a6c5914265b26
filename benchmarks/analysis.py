"""Throughput of ``Analyzer.analyze`` against bare jieba segmentation of the same texts, on one core.

    .venv/bin/python benchmarks/analysis.py            # 20,000 items
    .venv/bin/python benchmarks/analysis.py --n 100000 # the full run
    .venv/bin/python benchmarks/analysis.py --segmenter jieba  # the same with the old segmenter

Prints JSON lines: items/s of ``text.tokens`` (segmentation alone), items/s of ``Analyzer.analyze`` with the
default monitoring plan (normalisation, segmentation, plan matching, lexicons, relevance, categories,
sentiment, explanations), and their ratio (target: analysis ≤ 2× segmentation).

Items are built from real texts in ``../shared/data``: a THUCNews headline as title and, as body, one real
tax post followed by one real review — about 200 characters, the length of a typical post, and every item
distinct (so no cache of the segmenter or normaliser can serve a repeat). The two measurements alternate
over chunks of 1,000 items (caches cleared before each), so load from other processes on a shared machine
weighs on both alike; rates are per second of this process's CPU time (wall-clock rates are reported too).
Thread pools are pinned to one thread before numpy loads.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

CHUNK = 1000
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _common import SEGMENTERS, use_segmenter  # noqa: E402

from yuqing.analysis import text as text_mod  # noqa: E402
from yuqing.analysis.analyze import Analyzer, default_plans  # noqa: E402
from yuqing.analysis.classify import datasets as ds  # noqa: E402


def build_items(data_dir: Path, n: int) -> list[tuple[str, str]]:
    """``n`` distinct (title, body) pairs from real headlines, tax posts and reviews."""
    titles = [t for t, _ in ds.read_thucnews(data_dir).values()]
    posts = [str(r.get("text", "")) for r in ds.read_tax_posts(data_dir).values()]
    reviews = [e.text for e in ds.read_reviews(data_dir)]
    if not (titles and posts and reviews):
        raise SystemExit(
            f"{data_dir} lacks thucnews_titles_dev.txt, tax_posts_train.jsonl or the review sets"
        )
    items = []
    for i in range(n):
        # co-prime strides over the three lists: the (post, review) pair never repeats for n < 85 million
        title = titles[(i * 7919) % len(titles)]
        body = posts[i % len(posts)] + "\n" + reviews[(i * 104729) % len(reviews)]
        items.append((title, body))
    return items


def _clear_caches() -> None:
    """Empty every functools cache of the text module (normaliser, segmenter), whatever it is called."""
    for value in vars(text_mod).values():
        if callable(getattr(value, "cache_clear", None)):
            value.cache_clear()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000, help="number of items (default 20,000)")
    parser.add_argument("--data-dir", default=str(ds.DEFAULT_DATA_DIR))
    parser.add_argument("--segmenter", choices=SEGMENTERS, default="fast", help="jieba: the old segmenter")
    args = parser.parse_args(argv)
    use_segmenter(args.segmenter)

    items = build_items(Path(args.data_dir), args.n)
    chars = sum(len(t) + 1 + len(b) for t, b in items) / len(items)

    t0 = time.perf_counter()
    text_mod.tokens("预热：加载分词词典")
    t_jieba = time.perf_counter() - t0
    t0 = time.perf_counter()
    analyzer = Analyzer()
    plans = default_plans()
    analyzer.analyze("预热", "预热", plans=plans)
    t_models = time.perf_counter() - t0
    print(
        json.dumps(
            {
                "bench": "load",
                "segmenter": args.segmenter,
                "jieba_seconds": round(t_jieba, 2),
                "models_seconds": round(t_models, 2),
                "model_version": analyzer.model_version,
                "plans": [name for name, _ in plans],
            },
            ensure_ascii=False,
        )
    )

    # Alternate the two measurements over chunks of the same items, so that whatever else runs on the
    # machine weighs on both alike; CPU time of this process is the primary figure, wall time is reported.
    seg_cpu = seg_wall = ana_cpu = ana_wall = 0.0
    n_tokens = tax = 0
    for start in range(0, len(items), CHUNK):
        chunk = items[start : start + CHUNK]
        _clear_caches()
        c0, w0 = time.process_time(), time.perf_counter()
        for title, body in chunk:
            n_tokens += len(text_mod.tokens(f"{title}\n{body}"))
        seg_cpu += time.process_time() - c0
        seg_wall += time.perf_counter() - w0
        _clear_caches()
        c0, w0 = time.process_time(), time.perf_counter()
        for title, body in chunk:
            tax += analyzer.analyze(body, title, plans=plans)["tax_related"]
        ana_cpu += time.process_time() - c0
        ana_wall += time.perf_counter() - w0
    n = len(items)
    print(
        json.dumps(
            {
                "bench": "segmentation",
                "what": "yuqing.analysis.text.tokens",
                "segmenter": args.segmenter,
                "items": n,
                "avg_chars": round(chars, 1),
                "cpu_seconds": round(seg_cpu, 2),
                "wall_seconds": round(seg_wall, 2),
                "items_per_s": round(n / seg_cpu, 1),
                "items_per_s_wall": round(n / seg_wall, 1),
                "tokens_per_item": round(n_tokens / n, 1),
            }
        )
    )
    print(
        json.dumps(
            {
                "bench": "analyze",
                "what": "Analyzer.analyze with the default plan",
                "segmenter": args.segmenter,
                "items": n,
                "avg_chars": round(chars, 1),
                "cpu_seconds": round(ana_cpu, 2),
                "wall_seconds": round(ana_wall, 2),
                "items_per_s": round(n / ana_cpu, 1),
                "items_per_s_wall": round(n / ana_wall, 1),
                "tax_related_share": round(tax / n, 3),
            }
        )
    )
    seg, ana = seg_cpu, ana_cpu
    ratio = ana / seg
    print(
        json.dumps(
            {
                "bench": "ratio",
                "analyze_over_segmentation": round(ratio, 3),
                "target": 2.0,
                "met": ratio <= 2.0,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

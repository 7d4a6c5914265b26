"""Shared set-up for benchmarks: a throwaway Django database and real Chinese texts to feed it."""

from __future__ import annotations

import csv
import json
import os
import random
import resource
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"


def setup_django(db_url: str | None = None) -> Path:
    """Point yuqing at a fresh temp var dir and SQLite file (unless ``db_url``), migrate, return the dir."""
    tmp = Path(tempfile.mkdtemp(prefix="yuqing-bench-"))
    os.environ["YUQING_VAR_DIR"] = str(tmp)
    os.environ["YUQING_DATABASE_URL"] = db_url or f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ["YUQING_DEMO"] = "0"
    os.environ["YUQING_HUEY_IMMEDIATE"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yuqing.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return tmp


def real_texts() -> tuple[list[str], list[str]]:
    """(titles, bodies) from the real public data in ../shared/data; a small built-in set otherwise."""
    titles: list[str] = []
    bodies: list[str] = []
    if (DATA / "thucnews_titles_dev.txt").exists():
        for line in (DATA / "thucnews_titles_dev.txt").read_text(encoding="utf-8").splitlines():
            titles.append(line.split("\t")[0])
    if (DATA / "tax_posts_train.jsonl").exists():
        for line in (DATA / "tax_posts_train.jsonl").read_text(encoding="utf-8").splitlines():
            bodies.append(json.loads(line)["text"])
    if (DATA / "waimai_10k.csv").exists():
        with (DATA / "waimai_10k.csv").open(encoding="utf-8") as f:
            bodies.extend(row["review"] for row in csv.DictReader(f))
    if not titles or not bodies:
        titles = titles or ["铁门关市税务局推出延时办税服务", "个税汇算清缴开始预约", "数电发票全面推广"]
        bodies = bodies or [
            "国家税务总局铁门关市税务局提醒纳税人，个税汇算清缴可以通过个人所得税APP预约办理。",
            "网友反映办税服务厅排队时间过长，税务部门回应将增开窗口并推行预约服务。",
            "小规模纳税人月销售额10万元以下免征增值税，发票开具不受影响。",
        ]
    return titles, bodies


def synthetic_item(rng: random.Random, titles: list[str], bodies: list[str], n: int) -> dict[str, str]:
    """A realistic-length item (title + 2–4 real paragraphs ≈ 200–600 characters)."""
    content = "\n".join(rng.choice(bodies) for _ in range(rng.randint(2, 4)))
    return {
        "url": f"https://site{n % 97}.example.cn/news/{n}.html?utm_source=feed",
        "title": rng.choice(titles),
        "content": content,
    }


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def emit(**fields: object) -> None:
    print(json.dumps(fields, ensure_ascii=False), flush=True)


SEGMENTERS = ("fast", "jieba")


def use_segmenter(name: str) -> None:
    """Make ``yuqing.analysis.text`` segment with *name*: ``fast`` (jieba_fast_dat, what yuqing uses) or
    ``jieba`` (pure-Python jieba 0.42 with the same dictionaries, the segmenter before 2026-11-27), for
    before/after runs on the same machine. Call before the first segmentation."""
    if name == "fast":
        return
    if name != "jieba":
        raise ValueError(f"unknown segmenter {name!r}")
    import logging

    import jieba

    from yuqing.analysis import text

    with text._init_lock:
        jieba.setLogLevel(logging.WARNING)
        tk = jieba.Tokenizer()
        tk.tmp_dir = tempfile.gettempdir()
        tk.initialize()
        by_tag: dict[str, set[str]] = {}
        for word, freq, tag in text._read_dictionary():
            tk.add_word(word, freq if freq is not None else max(tk.suggest_freq(word, False), 20), tag)
            by_tag.setdefault(tag, set()).add(word)
        text._terms = {tag: frozenset(words) for tag, words in by_tag.items()}
        text._tokenizer = tk  # type: ignore[assignment]

"""``yuqing evaluate``: every held-out figure of the judgement, as JSON lines, and a regression check.

    yuqing evaluate [--data-dir ../shared/data] [--models DIR] [--input LABELLED.jsonl] [--check] [--quick]

Prints one JSON line per figure:

- ``corpus_test*`` — relevance, sentiment (tax-related texts) and each content class (P/R/F1 with n, macro
  F1 over the plan's classes) on the held-out split of ``data/corpus`` (never trained on), through
  :class:`~yuqing.analysis.analyze.Analyzer`; the reliability of the calibrated class probabilities (bins
  of predicted probability against the observed share);
- ``labels_a_vs_b`` — agreement of the two labelling passes (Cohen's κ, per-class F1): the ceiling;
- ``reviews_test`` — review sentiment (the general model must not regress);
- ``neardup`` — near-duplicate precision/recall on the repost set built from real texts;
- ``false_alarms`` — the corpus's non-negative tax texts (official news, explainers, questions) through
  analysis → clustering → severity: events graded above 一般, and events a case would open for by itself;
- with ``--input``, the same relevance/sentiment/category figures on a labelled file of the bureau's own
  (``{"text", "title"?, "tax_related", "sentiment", "categories"}`` per line).

``--check`` compares the figures with ``thresholds.json`` beside this file (set a little below what the
shipped models reach) and exits 1 naming each one that fell below. Bad input (a missing file, a malformed
line, an unknown label) exits 2 with a message naming the file and line. Runs without Django or a database.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from yuqing.analysis.classify import datasets as ds
from yuqing.analysis.classify.metrics import multilabel, per_label, prf
from yuqing.analysis.classify.sentiment import LABELS as SENT_LABELS
from yuqing.analysis.evaluation.corpus import OFFICIAL_KINDS, PLAN_CLASSES, agreement, macro_f1

THRESHOLDS_FILE = Path(__file__).resolve().parent / "thresholds.json"
RELIABILITY_BINS = (0.0, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1.0001)


def _row(task: str, dataset: str, label: str, **figures: Any) -> dict[str, Any]:
    return {"task": task, "dataset": dataset, "label": label, **figures}


def labelled_rows(examples: list[ds.Example], results: list[dict], dataset: str) -> list[dict]:
    """Relevance, sentiment and category figures of *results* against the examples' labels."""
    rows = [
        _row(
            "relevance",
            dataset,
            "tax_related",
            **prf([bool(e.tax_related) for e in examples], [r["tax_related"] for r in results]),
        )
    ]
    taxed = [(e, r) for e, r in zip(examples, results, strict=True) if e.tax_related]
    sent = per_label([e.sentiment or "" for e, _ in taxed], [r["sentiment"] for _, r in taxed], SENT_LABELS)
    rows += [_row("sentiment", f"{dataset}_tax_related", lab, **s) for lab, s in sent.items()]
    cats = multilabel(
        [e.categories or ["other"] for e, _ in taxed],
        [r["categories"] for _, r in taxed],
        (*PLAN_CLASSES, "other"),
    )
    rows += [_row("categories", f"{dataset}_tax_related", lab, **s) for lab, s in cats.items()]
    rows.append(
        _row(
            "categories",
            f"{dataset}_tax_related",
            "macro_f1",
            value=macro_f1(cats, PLAN_CLASSES),
            n=len(taxed),
        )
    )
    return rows


def reliability_rows(examples: list[ds.Example], results: list[dict], dataset: str) -> list[dict]:
    """Calibration of the class probabilities over every (text, class) pair of the tax-related texts:
    per bin, the mean predicted probability and the share that truly carried the class."""
    probs, truth = [], []
    for e, r in zip(examples, results, strict=True):
        if not e.tax_related:
            continue
        for code, p in r["explanation"].get("category_probabilities", {}).items():
            probs.append(float(p))
            truth.append(code in (e.categories or []))
    if not probs:
        return []
    p, t = np.array(probs), np.array(truth)
    rows = []
    for lo, hi in itertools.pairwise(RELIABILITY_BINS):
        sel = (p >= lo) & (p < hi)
        if sel.any():
            rows.append(
                _row(
                    "calibration",
                    dataset,
                    f"{lo:.1f}-{min(hi, 1.0):.1f}",
                    mean_predicted=round(float(p[sel].mean()), 4),
                    observed=round(float(t[sel].mean()), 4),
                    n=int(sel.sum()),
                )
            )
    return rows


def false_alarm_rows(examples: list[ds.Example], analyzer: Any) -> list[dict]:
    """The non-negative tax texts through analysis → clustering → severity, as the live pipeline grades
    them: how many events rise above 一般, and how many a case would open for by itself (negative and
    matched by the default monitoring plan). Both must be 0."""
    from datetime import UTC, datetime, timedelta

    from yuqing.analysis.analyze import default_plans
    from yuqing.analysis.cluster import Clusterer, ClusterItem
    from yuqing.analysis.severity import event_stats, score_event

    texts = [e for e in examples if e.tax_related and e.sentiment != "negative"]
    plans = default_plans()
    clusterer = Clusterer(id_prefix="fa")
    start = datetime(2026, 12, 1, 8, tzinfo=UTC)
    members: dict[str, list[ClusterItem]] = {}
    matched: dict[str, bool] = {}
    for n, e in enumerate(texts):
        r = analyzer.analyze(e.text, plans=plans)
        item = ClusterItem(
            id=e.id,
            text=e.text,
            title="",
            url=f"https://example.invalid/{e.id}",
            published_at=start + timedelta(minutes=5 * n),  # one text every five minutes, two days
            source=str(e.extra.get("source", ""))[:40] or "corpus",
            media_type="news_site" if e.extra.get("kind") in OFFICIAL_KINDS else "weibo",
            sentiment=r["sentiment"],
            negative_score=r["negative_score"],
            categories=r["categories"],
        )
        if not r["tax_related"]:
            continue  # the live pipeline clusters tax-related items only
        event = clusterer.add(item).event_id
        members.setdefault(event, []).append(item)
        matched[event] = matched.get(event, False) or bool(r["matched_plans"])
    above = auto_open = 0
    levels: Counter[str] = Counter()
    for event, items in members.items():
        stats = event_stats(items)
        level = score_event(stats).level
        levels[level] += 1
        if level != "general":
            above += 1
            if stats.negative_share >= 0.5 and matched[event]:
                auto_open += 1
    return [
        _row("false_alarms", "corpus_non_negative_tax", "events_above_general", value=above, n=len(texts)),
        _row("false_alarms", "corpus_non_negative_tax", "auto_open_cases", value=auto_open, n=len(texts)),
        _row(
            "false_alarms", "corpus_non_negative_tax", "events_by_level", value=dict(levels), n=len(members)
        ),
    ]


def read_input(path: Path) -> list[ds.Example]:
    """A bureau's own labelled file, validated line by line (the error names the line)."""
    out = []
    for n, row in ds.jsonl_rows(path):
        where = f"{path.name} 第 {n} 行"
        text = str(row.get("text") or "").strip()
        title = str(row.get("title") or "").strip()
        if not text and not title:
            raise ds.CorpusError(f"{where}：缺少 text")
        ds.check_labels(row, where)
        out.append(
            ds.Example(
                f"{title}\n{text}".strip(),
                "input",
                str(row.get("id", n)),
                tax_related=row["tax_related"],
                sentiment=row["sentiment"],
                categories=list(row["categories"]),
                split="test",
            )
        )
    if not out:
        raise ds.CorpusError(f"{path}：没有任何标注行")
    return out


def evaluate_all(
    data_dir: Path, models: Path | None = None, input_path: Path | None = None, quick: bool = False
) -> list[dict]:
    from yuqing.analysis.analyze import Analyzer

    analyzer = Analyzer(models) if models else Analyzer()
    version = analyzer.model_version
    rows: list[dict] = []
    if input_path is not None:
        examples = read_input(input_path)
        rows += labelled_rows(examples, [analyzer.analyze(e.text) for e in examples], "input")
    else:
        corpus = ds.read_corpus(data_dir)
        test = [e for e in corpus if e.split == "test"]
        results = [analyzer.analyze(e.text) for e in test]
        rows += labelled_rows(test, results, "corpus_test")
        rows += reliability_rows(test, results, "corpus_test")
        official = [(e, r) for e, r in zip(test, results, strict=True) if e.tax_related]
        official = [
            (e, r) for e, r in official if e.extra.get("kind") in OFFICIAL_KINDS and e.sentiment != "negative"
        ]
        rows.append(
            _row(
                "sentiment",
                "corpus_test_official_non_negative",
                "judged_negative",
                value=sum(r["sentiment"] == "negative" for _, r in official),
                n=len(official),
            )
        )
        rows += agreement()
        rows += false_alarm_rows(corpus, analyzer)
        if not quick:
            rows += _reviews(data_dir, analyzer)
            rows += _neardup(data_dir)
        from yuqing.analysis.evaluation.events import evaluate_membership

        membership = evaluate_membership(data_dir)
        rows.append(
            _row(
                "event_membership",
                "gold_events",
                "pairwise",
                precision=membership["precision"],
                recall=membership["recall"],
                f1=membership["f1"],
                n=membership["items"],
            )
        )
    return [{"model_version": version, **r} for r in rows]


def _reviews(data_dir: Path, analyzer: Any) -> list[dict]:
    reviews = [e for e in ds.read_reviews(data_dir) if e.split == "test"]
    if not reviews:
        return []
    pred = [analyzer.analyze(e.text)["sentiment"] for e in reviews]
    scores = per_label([e.sentiment or "" for e in reviews], pred, ("negative", "positive"))
    return [_row("sentiment", "reviews_test", lab, **s) for lab, s in scores.items()]


def _neardup(data_dir: Path) -> list[dict]:
    if not (data_dir / ds.TAX_POSTS).exists():
        return []
    from yuqing.analysis.evaluation.neardup import evaluate as neardup_evaluate

    r = neardup_evaluate(data_dir)
    return [
        _row(
            "neardup", "repost_set", "duplicates", precision=r["precision"], recall=r["recall"], n=r["items"]
        )
    ]


def figure(rows: list[dict], task: str, dataset: str, label: str, key: str) -> float | None:
    for r in rows:
        if (r["task"], r["dataset"], r["label"]) == (task, dataset, label):
            value = r.get(key)
            return float(value) if isinstance(value, int | float) else None
    return None


def check(rows: list[dict], thresholds: list[dict]) -> list[str]:
    """Each threshold a figure breaks, in words (``min``: at least; ``max``: at most)."""
    failures = []
    for t in thresholds:
        got = figure(rows, t["task"], t["dataset"], t["label"], t.get("key", "f1"))
        name = f"{t['task']}/{t['dataset']}/{t['label']}.{t.get('key', 'f1')}"
        if got is None:
            failures.append(f"{name}：没有算出这一项")
        elif "min" in t and got < t["min"]:
            failures.append(f"{name} = {got} 低于下限 {t['min']}")
        elif "max" in t and got > t["max"]:
            failures.append(f"{name} = {got} 高于上限 {t['max']}")
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="yuqing evaluate", description="研判质量的留出集评估（JSON 行输出）"
    )
    parser.add_argument(
        "--data-dir", type=Path, default=ds.DEFAULT_DATA_DIR, help="公开数据目录（默认 ../shared/data）"
    )
    parser.add_argument("--models", type=Path, help="模型目录（默认：随程序发布的模型）")
    parser.add_argument("--input", type=Path, help="本局自己的标注文件（JSONL），代替语料留出集")
    parser.add_argument("--check", action="store_true", help="与 thresholds.json 比较，低于下限时退出码为 1")
    parser.add_argument("--quick", action="store_true", help="跳过评论情感与近重复（较慢）")
    args = parser.parse_args(argv)
    t0 = time.time()
    try:
        if args.input is not None and not args.input.is_file():
            raise ds.CorpusError(f"{args.input}：文件不存在")
        if args.models is not None and not (args.models / "manifest.json").is_file():
            raise ds.CorpusError(f"{args.models}：不是模型目录（缺少 manifest.json）")
        rows = evaluate_all(args.data_dir, args.models, args.input, args.quick)
    except ds.CorpusError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    for r in rows:
        print(json.dumps(r, ensure_ascii=False))
    print(json.dumps({"seconds": round(time.time() - t0, 1)}), file=sys.stderr)
    if args.check:
        thresholds = json.loads(THRESHOLDS_FILE.read_text(encoding="utf-8"))["thresholds"]
        failures = check(rows, thresholds)
        for f in failures:
            print(f"退步：{f}", file=sys.stderr)
        if failures:
            return 1
        print(f"全部 {len(thresholds)} 项达到下限", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Held-out quality of relevance, sentiment and categories, measured through :class:`Analyzer`.

``python -m yuqing.analysis.evaluation.classifiers [--data-dir ../shared/data]`` prints JSON lines: one per
(task, dataset, label) with precision / recall / F1 / support, then one line per target of the analysis
issue saying whether it is met and by how much it is missed.

Everything goes through ``Analyzer.analyze`` — the code path production uses — on the *test* side of the
fixed split (:func:`yuqing.analysis.classify.datasets.split_of`); synthetic texts are never tested on.

Datasets:
- ``reviews_test`` — the held-out reviews of both review corpora (binary labels: negative/positive);
- ``tax_posts_test`` — held-out posts of ``tax_posts_train.jsonl`` with the project's hand labels
  (relevance, 3-class sentiment, categories); ``tax_posts_test_silver`` — the same posts scored against the
  file's machine ``silver_sentiment`` labels; ``tax_posts_test_tax_related`` — only the posts labelled 涉税;
- ``news_titles_test`` — held-out hand-checked THUCNews titles (relevance);
- ``reviews_refs_test`` — held-out review references labelled not 涉税 (false-positive rate).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from yuqing.analysis.analyze import Analyzer
from yuqing.analysis.classify import datasets as ds
from yuqing.analysis.classify.metrics import multilabel, per_label, prf
from yuqing.analysis.classify.sentiment import LABELS as SENT_LABELS
from yuqing.analysis.classify.signals import CUE_CATEGORIES

TARGETS = (
    ("sentiment", "reviews_test", "negative", 0.90),
    ("relevance", "tax_posts_test", "tax_related", 0.90),
    ("sentiment", "tax_posts_test", "negative", 0.80),
)


def _rows(task: str, dataset: str, scores: dict[str, dict]) -> Iterator[dict]:
    for label, s in scores.items():
        yield {"task": task, "dataset": dataset, "label": label, **s}


def evaluate(data_dir: Path | str = ds.DEFAULT_DATA_DIR, analyzer: Analyzer | None = None) -> dict[str, Any]:
    """All held-out figures: ``{"rows": [...], "targets": [...], "model_version", "seconds"}``."""
    data_dir = Path(data_dir)
    analyzer = analyzer or Analyzer()
    t0 = time.time()
    rows: list[dict] = []

    def run(text: str) -> dict:
        return analyzer.analyze(text)

    reviews = [e for e in ds.read_reviews(data_dir) if e.split == "test"]
    if reviews:
        pred = [run(e.text)["sentiment"] for e in reviews]
        scores = per_label([e.sentiment or "" for e in reviews], pred, ("negative", "positive"))
        scores["neutral_predicted"] = {"share": round(pred.count("neutral") / len(pred), 4), "n": len(pred)}
        rows += _rows("sentiment", "reviews_test", scores)

    labelled = [e for e in ds.read_labelled(data_dir) if e.split == "test" and e.source != ds.SYNTHETIC]
    silver = {
        k: str(v.get("silver_sentiment", "")).split("|")[0] for k, v in ds.read_tax_posts(data_dir).items()
    }
    results = {(e.source, e.id): run(e.text) for e in labelled}

    posts = [e for e in labelled if e.source == ds.TAX_POSTS]
    if posts:
        res = [results[(e.source, e.id)] for e in posts]
        rows += _rows(
            "relevance",
            "tax_posts_test",
            {"tax_related": prf([bool(e.tax_related) for e in posts], [r["tax_related"] for r in res])},
        )
        rows += _rows(
            "sentiment",
            "tax_posts_test",
            per_label([e.sentiment or "" for e in posts], [r["sentiment"] for r in res], SENT_LABELS),
        )
        rows += _rows(
            "sentiment",
            "tax_posts_test_silver",
            per_label([silver.get(e.id, "") for e in posts], [r["sentiment"] for r in res], SENT_LABELS),
        )
        taxed = [(e, r) for e, r in zip(posts, res, strict=True) if e.tax_related]
        rows += _rows(
            "sentiment",
            "tax_posts_test_tax_related",
            per_label([e.sentiment or "" for e, _ in taxed], [r["sentiment"] for _, r in taxed], SENT_LABELS),
        )
    cat_items = [
        e for e in labelled if e.tax_related and e.categories and e.source in (ds.TAX_POSTS, ds.THUCNEWS)
    ]
    if cat_items:
        gold = [e.categories or [] for e in cat_items]
        pred = [results[(e.source, e.id)]["categories"] for e in cat_items]
        rows += _rows("categories", "tax_related_test", multilabel(gold, pred, (*CUE_CATEGORIES, "other")))
    news = [e for e in labelled if e.source == ds.THUCNEWS]
    if news:
        gold_b = [bool(e.tax_related) for e in news]
        rows += _rows(
            "relevance",
            "news_titles_test",
            {"tax_related": prf(gold_b, [results[(e.source, e.id)]["tax_related"] for e in news])},
        )
    refs = [e for e in labelled if e.source in (ds.WAIMAI, ds.SHOPPING)]
    if refs:
        fp = sum(results[(e.source, e.id)]["tax_related"] for e in refs)
        rows.append(
            {
                "task": "relevance",
                "dataset": "reviews_refs_test",
                "label": "false_positive_rate",
                "value": round(fp / len(refs), 4),
                "n": len(refs),
            }
        )

    targets = []
    for task, dataset, label, goal in TARGETS:
        row = next((r for r in rows if (r["task"], r["dataset"], r["label"]) == (task, dataset, label)), None)
        f1 = row["f1"] if row else None
        targets.append(
            {
                "target": f"{task}/{dataset}/{label} F1 ≥ {goal}",
                "f1": f1,
                "met": f1 is not None and f1 >= goal,
                "shortfall": None if f1 is None else round(max(goal - f1, 0.0), 4),
            }
        )
    return {
        "model_version": analyzer.model_version,
        "rows": rows,
        "targets": targets,
        "seconds": round(time.time() - t0, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="分类器留出集评估（JSON 行输出）")
    parser.add_argument("--data-dir", default=str(ds.DEFAULT_DATA_DIR))
    args = parser.parse_args(argv)
    result = evaluate(args.data_dir)
    for row in result["rows"]:
        print(json.dumps({"model_version": result["model_version"], **row}, ensure_ascii=False))
    for target in result["targets"]:
        print(json.dumps({"model_version": result["model_version"], **target}, ensure_ascii=False))
    print(json.dumps({"seconds": result["seconds"]}), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

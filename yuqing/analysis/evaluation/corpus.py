"""Held-out figures on the real labelled corpus (``data/corpus/``), and the agreement of two labelling passes.

Everything is measured through :class:`yuqing.analysis.analyze.Analyzer` — the path production uses — on the
*test* side of ``split.json``, which training never reads. Rows are plain dicts (``task``, ``dataset``,
``label`` and the figures) so ``yuqing evaluate`` can print them as JSON lines and check thresholds.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from yuqing.analysis.analyze import Analyzer
from yuqing.analysis.classify import datasets as ds
from yuqing.analysis.classify.metrics import multilabel, per_label, prf
from yuqing.analysis.classify.sentiment import LABELS as SENT_LABELS
from yuqing.vocab import CATEGORIES

#: The plan's content classes (二(一)) plus service; ``other`` is reported but kept out of the macro mean.
PLAN_CLASSES: tuple[str, ...] = tuple(c for c in CATEGORIES if c != "other")
#: Kinds of text that are official reporting (news, notices, policy explanations, published cases).
OFFICIAL_KINDS = frozenset({"news", "notice", "policy_explainer", "enforcement_case", "debunk"})


def _rows(task: str, dataset: str, scores: dict[str, dict]) -> list[dict]:
    return [{"task": task, "dataset": dataset, "label": label, **s} for label, s in scores.items()]


def macro_f1(scores: dict[str, dict], labels: Sequence[str]) -> float:
    """Mean F1 over *labels* that have at least one gold example."""
    present = [scores[lab]["f1"] for lab in labels if scores.get(lab, {}).get("support", 0) > 0]
    return round(sum(present) / len(present), 4) if present else 0.0


def cohen_kappa(a: Sequence[str], b: Sequence[str]) -> float:
    """Cohen's κ of two label sequences of equal length."""
    n = len(a)
    if n == 0:
        return 0.0
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    labels = set(a) | set(b)
    expected = sum((list(a).count(lab) / n) * (list(b).count(lab) / n) for lab in labels)
    return round((observed - expected) / (1 - expected), 4) if expected < 1 else 1.0


def evaluate_corpus(
    data_dir: Path | str = ds.DEFAULT_DATA_DIR,
    analyzer: Analyzer | None = None,
    corpus_dir: Path = ds.CORPUS_DIR,
) -> list[dict[str, Any]]:
    """Relevance, sentiment and category figures of *analyzer* on the corpus's held-out split."""
    analyzer = analyzer or Analyzer()
    test = [e for e in ds.read_corpus(Path(data_dir), corpus_dir) if e.split == "test"]
    if not test:
        return []
    res = [analyzer.analyze(e.text) for e in test]
    rows: list[dict] = []
    rows += _rows(
        "relevance",
        "corpus_test",
        {"tax_related": prf([bool(e.tax_related) for e in test], [r["tax_related"] for r in res])},
    )
    taxed = [(e, r) for e, r in zip(test, res, strict=True) if e.tax_related]
    sent = per_label([e.sentiment or "" for e, _ in taxed], [r["sentiment"] for _, r in taxed], SENT_LABELS)
    rows += _rows("sentiment", "corpus_test_tax_related", sent)
    official = [(e, r) for e, r in taxed if e.extra.get("kind") in OFFICIAL_KINDS]
    if official:
        wrong = sum(r["sentiment"] == "negative" and e.sentiment != "negative" for e, r in official)
        rows.append(
            {
                "task": "sentiment",
                "dataset": "corpus_test_official",
                "label": "non_negative_judged_negative",
                "value": wrong,
                "n": sum(e.sentiment != "negative" for e, _ in official),
            }
        )
    gold = [e.categories or ["other"] for e, _ in taxed]
    pred = [r["categories"] for _, r in taxed]
    cats = multilabel(gold, pred, (*PLAN_CLASSES, "other"))
    rows += _rows("categories", "corpus_test_tax_related", cats)
    rows.append(
        {
            "task": "categories",
            "dataset": "corpus_test_tax_related",
            "label": "macro_f1",
            "value": macro_f1(cats, PLAN_CLASSES),
            "n": len(taxed),
        }
    )
    return rows


def agreement(corpus_dir: Path = ds.CORPUS_DIR) -> list[dict[str, Any]]:
    """How far the second labelling pass agrees with the first on the texts both labelled: Cohen's κ of
    relevance and sentiment, and the per-class F1 of pass B scored against pass A (the ceiling a model
    can be expected to reach). Empty when there is no second pass."""
    path_b = corpus_dir / "labels_b.jsonl"
    if not path_b.exists():
        return []
    a = ds.read_corpus_labels(corpus_dir / "labels_a.jsonl")
    b = ds.read_corpus_labels(path_b)
    both = sorted(set(a) & set(b))
    if not both:
        return []
    rows: list[dict] = [
        {
            "task": "agreement",
            "dataset": "labels_a_vs_b",
            "label": "tax_related_kappa",
            "value": cohen_kappa(
                [str(a[i]["tax_related"]) for i in both], [str(b[i]["tax_related"]) for i in both]
            ),
            "n": len(both),
        }
    ]
    taxed = [i for i in both if a[i]["tax_related"] and b[i]["tax_related"]]
    rows.append(
        {
            "task": "agreement",
            "dataset": "labels_a_vs_b",
            "label": "sentiment_kappa",
            "value": cohen_kappa([a[i]["sentiment"] for i in both], [b[i]["sentiment"] for i in both]),
            "n": len(both),
        }
    )
    sent = per_label([a[i]["sentiment"] for i in taxed], [b[i]["sentiment"] for i in taxed], SENT_LABELS)
    rows += _rows("agreement_sentiment", "labels_b_vs_a_tax_related", sent)
    cats = multilabel(
        [a[i]["categories"] or ["other"] for i in taxed],
        [b[i]["categories"] or ["other"] for i in taxed],
        (*PLAN_CLASSES, "other"),
    )
    rows += _rows("agreement_categories", "labels_b_vs_a_tax_related", cats)
    rows.append(
        {
            "task": "agreement_categories",
            "dataset": "labels_b_vs_a_tax_related",
            "label": "macro_f1",
            "value": macro_f1(cats, PLAN_CLASSES),
            "n": len(taxed),
        }
    )
    return rows

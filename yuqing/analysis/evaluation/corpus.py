"""The corpus's measuring pieces for ``yuqing evaluate`` (:mod:`.run`): the plan's classes, the official kinds
of text, macro F1, Cohen's κ, and the agreement of the two labelling passes (``data/corpus/labels_*.jsonl``).
Rows are plain dicts (``task``, ``dataset``, ``label`` and the figures).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from yuqing.analysis.classify import datasets as ds
from yuqing.analysis.classify.metrics import multilabel, per_label
from yuqing.analysis.classify.sentiment import LABELS as SENT_LABELS
from yuqing.analysis.classify.signals import CUE_CATEGORIES

#: The plan's content classes (二(一)) plus service; ``other`` is reported but kept out of the macro mean.
PLAN_CLASSES: tuple[str, ...] = CUE_CATEGORIES
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

"""Precision/recall/F1 helpers and the model-level held-out figures recorded in the manifest at training.

The end-to-end figures (through :class:`yuqing.analysis.analyze.Analyzer`, the path production uses) come
from :mod:`yuqing.analysis.evaluation.classifiers`; these are the same computation done on matrices.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from yuqing.analysis.classify import datasets as ds
from yuqing.analysis.classify.categories import calibrated
from yuqing.analysis.classify.model import ModelBundle
from yuqing.analysis.classify.sentiment import LABELS as SENT_LABELS
from yuqing.analysis.classify.signals import CUE_CATEGORIES

if TYPE_CHECKING:
    from yuqing.analysis.train import _Trainer


def prf(gold: Sequence[bool], pred: Sequence[bool]) -> dict[str, Any]:
    """Precision, recall, F1 and support of the positive class (rounded to 4 places)."""
    g = np.asarray(gold, dtype=bool)
    p = np.asarray(pred, dtype=bool)
    tp = int((g & p).sum())
    precision = tp / p.sum() if p.sum() else 0.0
    recall = tp / g.sum() if g.sum() else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(float(precision), 4),
        "recall": round(float(recall), 4),
        "f1": round(float(f1), 4),
        "support": int(g.sum()),
        "predicted": int(p.sum()),
        "n": int(g.size),
    }


def per_label(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> dict[str, dict]:
    return {lab: prf([g == lab for g in gold], [p == lab for p in pred]) for lab in labels}


def multilabel(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]], labels: Sequence[str]) -> dict:
    return {lab: prf([lab in g for g in gold], [lab in p for p in pred]) for lab in labels}


def _softmax_rows(x: np.ndarray) -> np.ndarray:
    z = np.exp(x - x.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def decide(bundle: ModelBundle, scores: np.ndarray) -> dict[str, list]:
    """Relevance/sentiment/category decisions for a batch of score rows (as the single-text code does)."""
    heads = bundle.heads
    out: dict[str, list] = {"relevance": [], "sentiment": [], "negative_score": [], "categories": []}
    if "relevance" in heads:
        prob = 1.0 / (1.0 + np.exp(-scores[:, heads.index("relevance")]))
        out["relevance"] = (prob >= 0.5).tolist()
    blend = float(bundle.manifest.get("sentiment_blend", 0.7))
    probs = np.zeros((scores.shape[0], len(SENT_LABELS)))
    total = 0.0
    for prefix, share in (("sent_general", blend), ("sent_domain", 1.0 - blend)):
        cols = [heads.index(f"{prefix}:{lab}") for lab in SENT_LABELS if f"{prefix}:{lab}" in heads]
        if len(cols) == len(SENT_LABELS):
            probs += share * _softmax_rows(scores[:, cols])
            total += share
    if total:
        probs /= total
    out["sentiment"] = [SENT_LABELS[i] for i in probs.argmax(axis=1)]
    out["negative_score"] = probs[:, 0].tolist()
    thresholds = bundle.manifest.get("category_thresholds", {})
    names, cat_cols = bundle.pick(np.arange(len(heads)), "cat")
    for row in scores:
        cat_probs = calibrated(bundle, names, row[cat_cols])
        labels = [c for c, p in zip(names, cat_probs, strict=True) if p >= float(thresholds.get(c, 0.5))]
        out["categories"].append(labels or ["other"])
    return out


def heldout_metrics(bundle: ModelBundle, trainer: _Trainer) -> dict:
    """Model-level figures on the held-out (test) split of every labelled source."""

    def scores_of(matrix, mask: np.ndarray) -> np.ndarray:
        if not mask.any():
            return np.zeros((0, len(bundle.heads)))
        return np.asarray(matrix.features(bundle.idf, mask) @ bundle.weights_t) + bundle.bias

    out: dict[str, Any] = {}
    lab = trainer.labelled
    for name, source in (("corpus", ds.CORPUS),):
        mask = np.array(
            [e.split == "test" and e.source == source and e.tax_related is not None for e in lab.examples]
        )
        if mask.any():
            gold = [bool(e.tax_related) for e, m in zip(lab.examples, mask, strict=True) if m]
            out[f"relevance/{name}"] = prf(gold, decide(bundle, scores_of(lab, mask))["relevance"])
    mask = np.array(
        [e.split == "test" and e.source == ds.CORPUS and bool(e.tax_related) for e in lab.examples]
    )
    if mask.any():
        sgold = [str(e.sentiment) for e, m in zip(lab.examples, mask, strict=True) if m]
        out["sentiment/corpus_tax_related"] = per_label(
            sgold, decide(bundle, scores_of(lab, mask))["sentiment"], SENT_LABELS
        )
    rev = trainer.reviews
    mask = np.array([e.split == "test" for e in rev.examples])
    if mask.any():
        sgold = [str(e.sentiment) for e, m in zip(rev.examples, mask, strict=True) if m]
        pred = decide(bundle, scores_of(rev, mask))["sentiment"]
        out["sentiment/reviews"] = per_label(sgold, pred, ("negative", "positive"))
    mask = np.array(
        [
            e.split == "test" and e.source != ds.SYNTHETIC and bool(e.tax_related) and bool(e.categories)
            for e in lab.examples
        ]
    )
    if mask.any():
        gold_c = [e.categories or [] for e, m in zip(lab.examples, mask, strict=True) if m]
        pred_c = decide(bundle, scores_of(lab, mask))["categories"]
        out["categories/tax_related_heldout"] = multilabel(gold_c, pred_c, (*CUE_CATEGORIES, "other"))
    return out

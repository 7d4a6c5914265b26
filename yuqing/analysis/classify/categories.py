"""Monitoring categories (multi-label): one linear head per category over the shared features, whose
inputs include that category's cue-lexicon score; each label comes with its cues and the terms that
pushed its head up most. ``other`` is given when no other category passes its threshold."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from yuqing.analysis.classify.features import Featurized, Featurizer
from yuqing.analysis.classify.model import ModelBundle
from yuqing.analysis.classify.signals import Signals
from yuqing.vocab import CATEGORIES

DEFAULT_THRESHOLD = 0.5
_TOP_TERMS = 3
_EXPLAIN_CHARS = 5000  # terms are looked for in the first 5,000 characters only: cost stays bounded


@dataclass
class CategoryResult:
    labels: list[str]
    details: list[dict] = field(default_factory=list)
    candidates: list[dict] = field(default_factory=list)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


def score_categories(
    bundle: ModelBundle,
    scores: np.ndarray,
    signals: Signals,
    featurizer: Featurizer,
    feats: Featurized,
) -> CategoryResult:
    """Every category whose head probability reaches its threshold, strongest first, with explanations."""
    names, logits = bundle.pick(scores, "cat")
    probs = _sigmoid(logits.astype(np.float64))
    thresholds = bundle.manifest.get("category_thresholds", {})
    ranked = sorted(zip(names, probs, strict=True), key=lambda x: -x[1])
    labels, details, candidates = [], [], []
    for code, p in ranked:
        cue_weight, cues = signals.category_cues.get(code, (0.0, []))
        entry = {"code": code, "label": CATEGORIES.get(code, code), "probability": round(float(p), 4)}
        if p >= float(thresholds.get(code, DEFAULT_THRESHOLD)):
            entry["cues"] = cues[:6]
            entry["terms"] = featurizer.top_terms(
                feats, bundle.column(f"cat:{code}"), _TOP_TERMS, _EXPLAIN_CHARS
            )
            labels.append(code)
            details.append(entry)
        elif p >= 0.25 or cue_weight > 0:
            entry["cues"] = cues[:6]
            candidates.append(entry)
    if not labels:
        labels = ["other"]
        details = [{"code": "other", "label": CATEGORIES["other"], "cues": [], "terms": []}]
    return CategoryResult(labels, details, candidates[:4])

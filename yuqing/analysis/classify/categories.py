"""Monitoring categories (multi-label): one linear head per category over the shared features, whose
inputs include that category's cue-lexicon score; each label comes with its cues and the terms that
pushed its head up most. ``other`` is given when no other category passes its threshold."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from yuqing.analysis.classify.features import Featurized, Featurizer
from yuqing.analysis.classify.model import ModelBundle
from yuqing.analysis.classify.neighbours import MIN_SIMILARITY, excerpt
from yuqing.analysis.classify.signals import Signals
from yuqing.vocab import CATEGORIES

DEFAULT_THRESHOLD = 0.5
#: Classes that raise severity most (为税不清廉, 法纪不严明, 群体性事件): held to precision.
GRAVE_CLASSES = frozenset({"integrity", "discipline", "mass_incident"})
STRONG_CUE = 3.0
#: With a strong cue phrase, a grave class also stands on a calibrated probability of at least this (one
#: chance in five) when no near labelled example carries it (the labelled grave examples are few).
GRAVE_CUE_FLOOR = 0.2
RULE_MODEL = "模型概率达到阈值且有依据"
RULE_AGREEMENT = "强线索词，且有相近的同类已标注样本或模型概率不低于 0.2"
_TOP_TERMS = 3
_EXPLAIN_CHARS = 5000  # terms are looked for in the first 5,000 characters only: cost stays bounded


@dataclass
class CategoryResult:
    labels: list[str]
    details: list[dict] = field(default_factory=list)
    candidates: list[dict] = field(default_factory=list)
    probabilities: dict[str, float] = field(default_factory=dict)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


def calibrated(bundle: ModelBundle, names: list[str], logits: np.ndarray) -> np.ndarray:
    """Each head's probability after the Platt scaling recorded at training (plain sigmoid without it)."""
    table = bundle.manifest.get("category_calibration", {})
    a = np.array([float(table.get(n, {}).get("a", 1.0)) for n in names])
    b = np.array([float(table.get(n, {}).get("b", 0.0)) for n in names])
    return _sigmoid(a * logits.astype(np.float64) + b)


def score_categories(
    bundle: ModelBundle,
    scores: np.ndarray,
    signals: Signals,
    featurizer: Featurizer,
    feats: Featurized,
) -> CategoryResult:
    """Every category the model assigns *with evidence*, strongest first, each with that evidence.

    A category is assigned when its calibrated probability reaches its threshold and the page can show
    why: cue phrases of that category in the text, or among the nearest labelled examples one that carries
    it. The grave classes (:data:`GRAVE_CLASSES`, which raise severity), whose thresholds are set for
    precision, are also assigned on a strong cue phrase (weight ≥ 3) backed by a near labelled example of
    that class or a calibrated probability of at least :data:`GRAVE_CUE_FLOOR`.
    """
    names, logits = bundle.pick(scores, "cat")
    probs = calibrated(bundle, names, logits)
    thresholds = bundle.manifest.get("category_thresholds", {})
    index = bundle.neighbours()
    near = []
    if index is not None:
        block = feats.vec.idx < bundle.spec.meta_offset
        floor = float(bundle.manifest.get("neighbour_min_similarity", MIN_SIMILARITY))
        near = index.nearest(feats.vec.idx[block], feats.vec.val[block], min_similarity=floor)
    ranked = sorted(zip(names, probs, strict=True), key=lambda x: -x[1])
    labels, details, candidates = [], [], []
    for code, p in ranked:
        cue_weight, cues = signals.category_cues.get(code, (0.0, []))
        examples = [
            {"id": n.id, "similarity": n.similarity, "excerpt": excerpt(n.id)}
            for n in near
            if code in n.categories
        ]
        entry = {"code": code, "label": CATEGORIES.get(code, code), "probability": round(float(p), 4)}
        by_model = p >= float(thresholds.get(code, DEFAULT_THRESHOLD))
        by_agreement = (
            code in GRAVE_CLASSES and _strong(signals, code) and (bool(examples) or p >= GRAVE_CUE_FLOOR)
        )
        if (by_model and (cues or examples)) or by_agreement:
            entry["cues"] = cues[:6]
            entry["examples"] = examples[:3]
            entry["terms"] = featurizer.top_terms(
                feats, bundle.column(f"cat:{code}"), _TOP_TERMS, _EXPLAIN_CHARS
            )
            entry["rule"] = RULE_MODEL if by_model else RULE_AGREEMENT
            labels.append(code)
            details.append(entry)
        elif p >= 0.25 or cue_weight > 0:
            entry["cues"] = cues[:6]
            entry["examples"] = examples[:3]
            if by_model:
                entry["rule"] = "模型概率达到阈值，但文中无线索词、也无相近的同类已标注样本，不予判定"
            candidates.append(entry)
    if not labels:
        labels = ["other"]
        details = [{"code": "other", "label": CATEGORIES["other"], "cues": [], "terms": [], "examples": []}]
    return CategoryResult(
        labels, details, candidates[:4], {c: round(float(p), 4) for c, p in zip(names, probs, strict=True)}
    )


def _strong(signals: Signals, code: str) -> bool:
    """Whether one of the category's strong cue phrases (lexicon weight ≥ 3) is in the text."""
    weight, cues = signals.category_cues.get(code, (0.0, []))
    return weight >= STRONG_CUE and bool(cues)

"""Sentiment: a blend of two linear models over the shared features (lexicon cues included), explained.

``general`` is trained on everything (reviews, news titles, tax posts, corrections); ``domain`` only on
tax-domain texts (labelled posts, synthetic and corrected examples, a sample of news titles) with balanced
classes. Reviews dominate the general model by number, and reviews alone carry over poorly to tax opinion
(a plain question reads as a complaint to a model of shop reviews), so the domain model pulls the blend
towards how tax posts are written. ``negative_score`` is the blended probability of ``negative``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from yuqing.analysis.classify.model import ModelBundle
from yuqing.analysis.classify.signals import Signals
from yuqing.vocab import SENTIMENTS

LABELS: tuple[str, ...] = ("negative", "neutral", "positive")
DEFAULT_BLEND = 0.7


@dataclass
class SentimentResult:
    label: str
    negative_score: float
    probabilities: dict[str, float]
    reasons: list[str] = field(default_factory=list)


def _softmax(x: np.ndarray) -> np.ndarray:
    z = np.exp(x - x.max())
    return z / z.sum()


def _probs(bundle: ModelBundle, scores: np.ndarray, prefix: str) -> np.ndarray | None:
    names, logits = bundle.pick(scores, prefix)
    if not names:
        return None
    p = _softmax(logits.astype(np.float64))
    return np.array([p[names.index(label)] if label in names else 0.0 for label in LABELS])


def score_sentiment(bundle: ModelBundle, scores: np.ndarray, signals: Signals) -> SentimentResult:
    """Label, ``negative_score`` (0..1) and reasons: model probabilities, then the lexicon's cues."""
    general = _probs(bundle, scores, "sent_general")
    domain = _probs(bundle, scores, "sent_domain")
    blend = float(bundle.manifest.get("sentiment_blend", DEFAULT_BLEND))
    if general is None and domain is None:
        probs = np.array([0.0, 1.0, 0.0])
    elif domain is None:
        probs = general  # type: ignore[assignment]  # narrowed by the branch above
    elif general is None:
        probs = domain
    else:
        probs = blend * general + (1.0 - blend) * domain
    label = LABELS[int(np.argmax(probs))]
    rounded = {lab: round(float(p), 4) for lab, p in zip(LABELS, probs, strict=True)}
    reasons = [
        f"模型判断：{SENTIMENTS[label]}（"
        + "，".join(f"{SENTIMENTS[lab]} {rounded[lab]:.2f}" for lab in LABELS)
        + "）"
    ]
    reasons += signals.sentiment.explain()
    return SentimentResult(label, rounded["negative"], rounded, reasons)

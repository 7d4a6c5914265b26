"""涉税 relevance: the classifier's probability, raised by monitoring-plan matches; reasons in Chinese."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from yuqing.analysis.classify.model import ModelBundle
from yuqing.analysis.classify.signals import Signals

#: A text is 涉税 when its relevance reaches this.
THRESHOLD = 0.5
#: Each matching plan closes this share of the gap to 1: one match lifts 0.10 to 0.73, 0.60 to 0.88.
PLAN_BOOST = 0.7
FIELD_LABELS = {"title": "标题", "content": "正文", "author": "作者", "source": "来源"}
_MAX_WORDS = 6


@dataclass
class RelevanceResult:
    tax_related: bool
    relevance: float
    probability: float
    terms: list[str]
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PlanHitSummary:
    """A matched plan, reduced to what the explanation needs: its name and ``(word, field)`` hits."""

    plan: str
    hits: tuple[tuple[str, str], ...]

    def reason(self) -> str:
        shown = list(dict.fromkeys(f"{w}({FIELD_LABELS.get(f, f)})" for w, f in self.hits))[:_MAX_WORDS]
        return f"命中监测方案“{self.plan}”：" + "、".join(shown) if shown else f"命中监测方案“{self.plan}”"


def _sigmoid(x: float) -> float:
    return float(1.0 / (1.0 + np.exp(-np.clip(x, -30, 30))))


def score_relevance(
    bundle: ModelBundle, scores: np.ndarray, signals: Signals, plans: Sequence[PlanHitSummary] = ()
) -> RelevanceResult:
    """Combine the classifier head ``relevance`` with plan matches; reasons list plans, probability, terms."""
    _, logit = bundle.pick(scores, "relevance")
    prob = _sigmoid(float(logit[0])) if logit.size else 0.0
    relevance = prob
    reasons = [p.reason() for p in plans]
    for _ in plans:
        relevance = 1.0 - (1.0 - relevance) * (1.0 - PLAN_BOOST)
    reasons.append(f"分类器涉税概率 {prob:.2f}")
    terms = signals.tax_terms[:_MAX_WORDS]
    reasons.append("含涉税词：" + "、".join(terms) if terms else "未见涉税词")
    relevance = round(min(max(relevance, 0.0), 1.0), 4)
    return RelevanceResult(relevance >= THRESHOLD, relevance, round(prob, 4), terms, reasons)

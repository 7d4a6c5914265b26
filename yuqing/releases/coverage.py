"""Which talking points (统一口径) a draft uses, and where it may say the opposite.

Plain Python over :mod:`yuqing.analysis.text` (no Django). A point's key terms are its content words of
two or more characters (or the terms the office set on it); a point counts as *used* when the draft
contains at least :data:`USED_SHARE` of them. A key term is *contradicted* when the draft puts a negation
just before it and the point does not (or the other way round) — a cheap flag for the reviewer, not proof.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from yuqing.analysis import text as tx

USED_SHARE = 0.6
NEGATIONS = frozenset(
    {"不", "没有", "没", "未", "无", "非", "并非", "不是", "否认", "从未", "绝不", "从不", "并未"}
)
NEGATION_WINDOW = 2  # tokens before a term that a negation may stand in


@dataclass
class PointCoverage:
    point_id: int
    topic: str
    version: int
    terms: list[str]
    present: list[str]
    missing: list[str]
    contradicted: list[str] = field(default_factory=list)

    @property
    def share(self) -> float:
        return len(self.present) / len(self.terms) if self.terms else 0.0

    @property
    def used(self) -> bool:
        return bool(self.terms) and self.share >= USED_SHARE

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.point_id,
            "topic": self.topic,
            "version": self.version,
            "share": round(self.share, 2),
            "used": self.used,
            "missing": self.missing,
            "contradicted": self.contradicted,
        }


def key_terms(text: str) -> list[str]:
    """The content words of a talking point, in order, once each, negations left out."""
    seen: dict[str, None] = {}
    for token in tx.content_tokens(text):
        if len(token) >= 2 and token not in NEGATIONS:
            seen.setdefault(token, None)
    return list(seen)


def _negated_terms(tokens: Sequence[str]) -> set[str]:
    out = set()
    for i, token in enumerate(tokens):
        if any(t in NEGATIONS for t in tokens[max(0, i - NEGATION_WINDOW) : i]):
            out.add(token)
    return out


def point_coverage(
    draft: str, *, point_id: int, topic: str, version: int, point_text: str, terms: Iterable[str] = ()
) -> PointCoverage:
    wanted = [t.strip().lower() for t in terms if t and t.strip()] or key_terms(point_text)
    words = tx.tokens(draft)
    vocabulary = set(words) | set(tx.search_tokens(draft))
    norm = tx.normalize(draft).lower()
    present = [t for t in wanted if t in vocabulary or t in norm]
    missing = [t for t in wanted if t not in present]
    negated_in_draft = _negated_terms(words)
    negated_in_point = _negated_terms(tx.tokens(point_text))
    contradicted = [
        t for t in present if (t in negated_in_draft) != (t in negated_in_point) and t in set(words)
    ]
    return PointCoverage(point_id, topic, version, wanted, present, missing, contradicted)

"""Lexicon signals of one text, and the dense ``meta`` columns they become in the feature vector.

Every classifier sees the same meta columns (:data:`META_COLUMNS`); training learns which of them matter
for which head. Values are small (``log1p`` of cue weight sums, capped counts) so they sit on the same
scale as the L2-normalised n-gram block.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from yuqing.analysis.classify.lexicons import (
    CategoryLexicon,
    RelevanceLexicon,
    SentimentCues,
    SentimentLexicon,
    default_lexicons,
)
from yuqing.vocab import CATEGORIES

#: The category codes that have a model head and a cue column (``other`` is what remains).
CUE_CATEGORIES: tuple[str, ...] = tuple(c for c in CATEGORIES if c != "other")

META_COLUMNS: tuple[str, ...] = (
    "sent_negative_cues",
    "sent_positive_cues",
    "sent_rhetorical",
    "sent_question",
    "exclamations",
    "question_marks",
    "tax_term_weight",
    "tax_term_count",
    *(f"cat_cues:{c}" for c in CUE_CATEGORIES),
)


@dataclass(frozen=True)
class Signals:
    """What the lexicons found in a text."""

    sentiment: SentimentCues
    tax_weight: float
    tax_terms: list[str]
    category_cues: dict[str, tuple[float, list[str]]]
    exclamations: int
    question_marks: int

    def meta(self, size: int) -> np.ndarray:
        """The meta columns as a float32 vector of length *size* (≥ ``len(META_COLUMNS)``)."""
        s = self.sentiment
        values = [
            np.log1p(s.negative),
            np.log1p(s.positive),
            min(len(s.rhetorical), 3),
            min(len(s.questions), 3),
            np.log1p(self.exclamations),
            np.log1p(self.question_marks),
            np.log1p(self.tax_weight),
            min(len(self.tax_terms), 5) / 5,
        ]
        values += [np.log1p(self.category_cues.get(c, (0.0, []))[0]) for c in CUE_CATEGORIES]
        out = np.zeros(size, dtype=np.float32)
        out[: len(values)] = values
        return out


class SignalExtractor:
    """Runs the three lexicons over a normalised text."""

    def __init__(
        self,
        sentiment: SentimentLexicon | None = None,
        categories: CategoryLexicon | None = None,
        relevance: RelevanceLexicon | None = None,
    ) -> None:
        if sentiment is None or categories is None or relevance is None:
            d_sent, d_cat, d_rel = default_lexicons()
            sentiment, categories, relevance = sentiment or d_sent, categories or d_cat, relevance or d_rel
        self.sentiment = sentiment
        self.categories = categories
        self.relevance = relevance

    def extract(self, text: str) -> Signals:
        weight, terms = self.relevance.score(text)
        return Signals(
            sentiment=self.sentiment.score(text),
            tax_weight=weight,
            tax_terms=terms,
            category_cues=self.categories.score(text),
            exclamations=text.count("！") + text.count("!"),
            question_marks=text.count("？") + text.count("?"),
        )

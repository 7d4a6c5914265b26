"""Editable cue lexicons (``data/lexicons/*.json``) and their matchers.

Three lexicons, each a JSON file staff can edit without touching code:

- ``sentiment.json`` — negative/positive cue words with weights, negation words (a negator shortly before
  a cue flips it), rhetorical-question patterns (push negative) and plain-question patterns (push neutral);
- ``categories.json`` — per category code, cue words/phrases with weights;
- ``relevance.json`` — tax terms with weights (plus the ``tax`` words of the project jieba dictionary).

Matching is one compiled regex alternation per lexicon (longest cue first), run over the normalised text:
about 15 µs for a few hundred cues on a 150-character post, so the lexicons cost little next to jieba.
The classifiers use the lexicon scores as extra input columns of their linear models (so training learns
how much each layer counts) and list the matched cues as the explanation.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

LEXICON_DIR = Path(__file__).resolve().parent.parent / "data" / "lexicons"
_PUNCT = re.compile(r"[，。！？；：、,.!?;:\n…~～\s]")


@dataclass(frozen=True)
class CueHit:
    """One cue found in a text. ``sign`` is +1 (counts for the cue's side) or -1 (negated, flipped)."""

    cue: str
    start: int
    weight: float
    sign: int = 1
    polarity: str = ""


class CueMatcher:
    """Finds weighted literal cues in a text, longest cue first, without overlaps."""

    def __init__(self, weights: dict[str, float]) -> None:
        self.weights = {w: float(v) for w, v in weights.items() if w and float(v) != 0.0}
        cues = sorted(self.weights, key=lambda w: (-len(w), w))
        self._rx = re.compile("|".join(map(re.escape, cues))) if cues else None

    def find(self, text: str) -> list[CueHit]:
        if self._rx is None or not text:
            return []
        return [CueHit(m.group(), m.start(), self.weights[m.group()]) for m in self._rx.finditer(text)]


def _alternation(patterns: list[str]) -> re.Pattern | None:
    """One regex for a list of patterns (each wrapped as a non-capturing group): one scan, not many."""
    for p in patterns:
        re.compile(p)  # a bad pattern fails here, naming itself
    return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class SentimentCues:
    """What the sentiment lexicon found in one text."""

    negative: float
    positive: float
    rhetorical: tuple[str, ...]
    questions: tuple[str, ...]
    hits: tuple[CueHit, ...]
    negated: tuple[CueHit, ...]

    def explain(self) -> list[str]:
        """Short Chinese reasons, strongest first."""
        out = []
        neg = [h.cue for h in self.hits if h.polarity == "negative"]
        pos = [h.cue for h in self.hits if h.polarity == "positive"]
        if neg:
            out.append("负面线索：" + "、".join(dict.fromkeys(neg)))
        if pos:
            out.append("正面线索：" + "、".join(dict.fromkeys(pos)))
        if self.negated:
            out.append("否定翻转：" + "、".join(dict.fromkeys(h.cue for h in self.negated)))
        if self.rhetorical:
            out.append("反问句式：" + "、".join(dict.fromkeys(self.rhetorical)))
        if self.questions:
            out.append("一般提问：" + "、".join(dict.fromkeys(self.questions)))
        return out


class SentimentLexicon:
    """Negative/positive cues with negation flips, rhetorical and plain questions."""

    def __init__(self, data: dict) -> None:
        neg_cfg = data.get("negation", {})
        self.window = int(neg_cfg.get("window", 3))
        self.negated_positive = float(neg_cfg.get("negated_positive", 0.8))
        self.negated_negative = float(neg_cfg.get("negated_negative", 0.3))
        negators = sorted(neg_cfg.get("words", []), key=len, reverse=True)
        self._negator = re.compile("|".join(map(re.escape, negators))) if negators else None
        self._not_negation = tuple(neg_cfg.get("not_negation", _DEFAULT_NOT_NEGATION))
        self._neg = dict(data.get("negative", {}))
        self._pos = dict(data.get("positive", {}))
        self._matcher = CueMatcher({**self._pos, **self._neg})
        self._rhetorical = _alternation(data.get("rhetorical", []))
        self._question = _alternation(data.get("question", []))

    @classmethod
    def load(cls, path: Path | None = None) -> SentimentLexicon:
        return cls(_read(path or LEXICON_DIR / "sentiment.json"))

    def _is_negated(self, text: str, start: int) -> bool:
        if self._negator is None or start == 0:
            return False
        lo = max(0, start - self.window - 3)
        before = text[lo:start]
        cut = max((m.end() for m in _PUNCT.finditer(before)), default=0)
        before = before[cut:]
        for m in self._negator.finditer(before):
            gap = len(before) - m.end()
            if gap > self.window:
                continue
            tail = before[m.start() :] + text[start : start + 2]
            if tail.startswith(self._not_negation):
                continue
            return True
        return False

    def score(self, text: str) -> SentimentCues:
        """Weighted negative and positive evidence in *text* (normalised), after negation."""
        neg = pos = 0.0
        hits, negated = [], []
        for found in self._matcher.find(text):
            is_neg = found.cue in self._neg
            h = CueHit(found.cue, found.start, found.weight, 1, "negative" if is_neg else "positive")
            if self._is_negated(text, h.start):
                negated.append(CueHit(h.cue, h.start, h.weight, -1, h.polarity))
                if is_neg:
                    pos += h.weight * self.negated_negative
                else:
                    neg += h.weight * self.negated_positive
                continue
            hits.append(h)
            if is_neg:
                neg += h.weight
            else:
                pos += h.weight
        rhet = tuple(m.group() for m in self._rhetorical.finditer(text)) if self._rhetorical else ()
        ques = tuple(m.group() for m in self._question.finditer(text)) if self._question else ()
        return SentimentCues(neg, pos, rhet, ques, tuple(hits), tuple(negated))


_DEFAULT_NOT_NEGATION = (
    "不仅",
    "不但",
    "不过",
    "不管",
    "不论",
    "无论",
    "不久",
    "不少",
    "不断",
    "不停",
    "不同",
    "不用跑",
    "没想到",
    "未来",
    "无限",
    "别人",
    "别的",
    "无需",
    "不必",
)


class CategoryLexicon:
    """Per-category cues; ``score`` returns each category's cue weight sum and cues.

    All categories' cues are scanned with one regex (longest cue first); a cue listed under several
    categories counts for each. A longer cue of one category can hide a shorter cue of another at the
    same place (``暴力执法`` hides ``执法``), as within a category.
    """

    def __init__(self, data: dict) -> None:
        self.codes: list[str] = []
        self._owners: dict[str, list[tuple[str, float]]] = {}
        for code, spec in data.items():
            if code.startswith("_") or not isinstance(spec, dict):
                continue
            self.codes.append(code)
            for cue, weight in spec.get("cues", {}).items():
                if cue and float(weight) != 0.0:
                    self._owners.setdefault(cue, []).append((code, float(weight)))
        self._matcher = CueMatcher({cue: 1.0 for cue in self._owners})

    @classmethod
    def load(cls, path: Path | None = None) -> CategoryLexicon:
        return cls(_read(path or LEXICON_DIR / "categories.json"))

    def score(self, text: str) -> dict[str, tuple[float, list[str]]]:
        totals = dict.fromkeys(self.codes, 0.0)
        cues: dict[str, list[str]] = {code: [] for code in self.codes}
        for hit in self._matcher.find(text):
            for code, weight in self._owners[hit.cue]:
                totals[code] += weight
                if hit.cue not in cues[code]:
                    cues[code].append(hit.cue)
        return {code: (totals[code], cues[code]) for code in self.codes}


class RelevanceLexicon:
    """Weighted tax terms; the jieba dictionary's ``tax`` words join with weight *dict_weight*."""

    def __init__(self, data: dict, dictionary_terms: frozenset[str] = frozenset()) -> None:
        dict_weight = float(data.get("dict_weight", 1.5))
        weights = {t: dict_weight for t in dictionary_terms if len(t) >= 2}
        weights.update({k: float(v) for k, v in data.get("terms", {}).items()})
        self.matcher = CueMatcher(weights)

    @classmethod
    def load(
        cls, path: Path | None = None, dictionary_terms: frozenset[str] = frozenset()
    ) -> RelevanceLexicon:
        return cls(_read(path or LEXICON_DIR / "relevance.json"), dictionary_terms)

    def score(self, text: str) -> tuple[float, list[str]]:
        """Sum of matched term weights (each distinct term once) and the terms, heaviest first."""
        found: dict[str, float] = {}
        for h in self.matcher.find(text):
            found[h.cue] = h.weight
        terms = sorted(found, key=lambda t: (-found[t], t))
        return sum(found.values()), terms


@lru_cache(maxsize=1)
def default_lexicons() -> tuple[SentimentLexicon, CategoryLexicon, RelevanceLexicon]:
    """The three lexicons from ``data/lexicons`` (loaded once per process)."""
    from yuqing.analysis import text as text_mod

    return (
        SentimentLexicon.load(),
        CategoryLexicon.load(),
        RelevanceLexicon.load(dictionary_terms=text_mod.dictionary_terms("tax")),
    )

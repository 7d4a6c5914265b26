"""Deterministic hashed features shared by every classifier: character 1–3-grams and jieba words.

A text becomes one sparse vector, computed once per analysis and reused by relevance, categories and
sentiment. Columns ``[0, char_dim)`` hold character n-grams, ``[char_dim, char_dim + word_dim)`` jieba words
(unigrams), weighted ``(1 + log tf) * idf`` and L2-normalised together; the last ``meta_dim`` columns hold the
lexicon signals (:mod:`.signals`), appended after normalisation so the cue layer keeps its own scale.

The hashing is arithmetic on code points in numpy (``uint64`` multiply/xor-shift, wrapping on overflow), not
Python's ``hash()``, which is salted per process; so the same text gives the same columns on every machine
and in every process, and a model trained once can ship as plain arrays. Words are hashed with CRC-32 and
memoised (the vocabulary of a stream is small).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# Odd 64-bit multipliers (from splitmix64 / golden ratio); any fixed odd constants would do.
_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xBF58476D1CE4E5B9)
_M3 = np.uint64(0x94D049BB133111EB)
_SALT = (np.uint64(0x2545F4914F6CDD1D), np.uint64(0x5851F42D4C957F2D), np.uint64(0x14057B7EF767814F))
_S29 = np.uint64(29)
_S32 = np.uint64(32)
_MAX_WORD_CACHE = 200_000


@dataclass(frozen=True)
class FeatureSpec:
    """Shape of the feature space; stored in the model manifest so training and prediction agree."""

    char_bits: int = 18
    word_bits: int = 16
    max_n: int = 3
    meta_dim: int = 32

    @property
    def char_dim(self) -> int:
        return 1 << self.char_bits

    @property
    def word_dim(self) -> int:
        return 1 << self.word_bits

    @property
    def meta_offset(self) -> int:
        return self.char_dim + self.word_dim

    @property
    def dim(self) -> int:
        return self.char_dim + self.word_dim + self.meta_dim

    def to_dict(self) -> dict[str, int]:
        return {
            "char_bits": self.char_bits,
            "word_bits": self.word_bits,
            "max_n": self.max_n,
            "meta_dim": self.meta_dim,
        }

    @classmethod
    def from_dict(cls, d: dict) -> FeatureSpec:
        return cls(
            char_bits=int(d["char_bits"]),
            word_bits=int(d["word_bits"]),
            max_n=int(d["max_n"]),
            meta_dim=int(d.get("meta_dim", 32)),
        )


@dataclass(frozen=True)
class SparseVec:
    """A sparse feature vector: sorted unique column indices and their float32 values."""

    idx: np.ndarray
    val: np.ndarray

    def dot(self, weights: np.ndarray) -> np.ndarray:
        """``weights[:, idx] @ val`` for a ``(k, dim)`` weight matrix: one score per row."""
        if self.idx.size == 0:
            return np.zeros(weights.shape[0], dtype=np.float32)
        return weights[:, self.idx] @ self.val


def _mix(h: np.ndarray) -> np.ndarray:
    h ^= h >> _S29
    h *= _M3
    h ^= h >> _S32
    return h


def char_ngram_columns(text: str, spec: FeatureSpec) -> np.ndarray:
    """Column index of every character 1..max_n-gram of *text* (with repeats), as ``int64``."""
    if not text:
        return np.empty(0, dtype=np.int64)
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
    mask = np.uint64(spec.char_dim - 1)
    parts = []
    with np.errstate(over="ignore"):
        acc = cps * _M1
        for n in range(1, spec.max_n + 1):
            if n > 1:
                if cps.size < n:
                    break
                # rolling polynomial: acc[i] covers cps[i : i + n]
                acc = acc[:-1] * _M2 + cps[n - 1 :] * _M1
            h = _mix(acc ^ _SALT[(n - 1) % 3])
            parts.append((h & mask).astype(np.int64))
    return np.concatenate(parts)


class WordHasher:
    """CRC-32 of each word, memoised; columns start after the character block."""

    def __init__(self, spec: FeatureSpec) -> None:
        self._offset = spec.char_dim
        self._mask = spec.word_dim - 1
        self._cache: dict[str, int] = {}

    def columns(self, words: Sequence[str]) -> np.ndarray:
        cache = self._cache
        cols = list(map(cache.get, words))
        for i in [i for i, col in enumerate(cols) if col is None]:
            w = words[i]
            col = self._offset + (zlib.crc32(w.encode("utf-8", "surrogatepass")) & self._mask)
            if len(cache) < _MAX_WORD_CACHE:
                cache[w] = col
            cols[i] = col
        return np.fromiter(cols, dtype=np.int64, count=len(cols))


@dataclass(frozen=True)
class Featurized:
    """A text's features: the vector, plus the raw columns kept to name the terms behind a score."""

    vec: SparseVec
    text: str
    words: Sequence[str]
    char_cols: np.ndarray
    word_cols: np.ndarray


class Featurizer:
    """Turns (normalised text, jieba words, lexicon signals) into features with the model's idf weights.

    *idf* may be ``None`` during training (the caller fits idf on raw counts first, see :meth:`counts`).
    """

    def __init__(self, spec: FeatureSpec, idf: np.ndarray | None = None) -> None:
        self.spec = spec
        self.idf = idf
        self._words = WordHasher(spec)

    def raw_columns(self, text: str, words: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Character n-gram columns (in :func:`char_ngram_columns` order) and word columns, with repeats."""
        char_cols = char_ngram_columns(text.lower(), self.spec)
        word_cols = self._words.columns(words) if words else np.empty(0, dtype=np.int64)
        return char_cols, word_cols

    def counts(self, text: str, words: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Unique columns and raw counts of the text's character n-grams and words."""
        return _unique_counts(*self.raw_columns(text, words))

    def featurize(self, text: str, words: Sequence[str], meta: np.ndarray | None = None) -> Featurized:
        """The L2-normalised ``(1 + log tf) * idf`` vector of *text*, with *meta* appended."""
        char_cols, word_cols = self.raw_columns(text, words)
        idx, cnt = _unique_counts(char_cols, word_cols)
        val = 1.0 + np.log(cnt) if idx.size else cnt
        if self.idf is not None and idx.size:
            val *= self.idf.take(idx)
        norm = float(np.sqrt(np.dot(val, val))) if idx.size else 0.0
        if norm > 0:
            val /= norm
        if meta is not None:
            nz = np.flatnonzero(meta)
            idx = np.concatenate([idx, self.spec.meta_offset + nz])
            val = np.concatenate([val, meta[nz]])
        vec = SparseVec(idx.astype(np.int64), val.astype(np.float32))
        return Featurized(vec, text, words, char_cols, word_cols)

    def top_terms(self, feats: Featurized, weights: np.ndarray, k: int, max_chars: int = 5000) -> list[str]:
        """The *k* words of a text (among its first *max_chars* characters) that add most to a head with
        column *weights*, strongest first.

        A word's contribution is its word column plus, for words of 2..max_n characters, the character
        n-gram column of the same string at its place in the text: readers get whole words, not the
        n-gram fragments (``务局``) the model also uses.
        """
        idx, val = feats.vec.idx, feats.vec.val
        words = feats.words
        if idx.size == 0 or not words:
            return []
        text = feats.text.lower()
        length = len(text)

        def contribution(cols: np.ndarray) -> np.ndarray:
            pos = np.minimum(np.searchsorted(idx, cols), idx.size - 1)
            return np.where(idx[pos] == cols, weights[cols] * val[pos], 0.0)

        total = contribution(feats.word_cols).astype(np.float64)
        starts = [
            length + sum(max(length - m + 1, 0) for m in range(2, n)) for n in range(self.spec.max_n + 1)
        ]
        char_rows, char_at = [], []
        cursor = 0
        for i, w in enumerate(words):
            at = text.find(w, cursor)
            if at < 0 or at >= max_chars:
                if at >= max_chars:
                    break
                continue
            cursor = at + len(w)
            if 2 <= len(w) <= self.spec.max_n:
                char_rows.append(i)
                char_at.append(starts[len(w)] + at)
        if char_rows:
            total[char_rows] += contribution(feats.char_cols[np.array(char_at)])
        out: list[str] = []
        for j in np.argsort(-total, kind="stable"):
            if total[j] <= 0 or len(out) == k:
                break
            term = words[j]
            if len(term) < 2 or not all(ch.isalnum() for ch in term) or term in out:
                continue
            out.append(term)
        return out


def _unique_counts(char_cols: np.ndarray, word_cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    cols = np.concatenate([char_cols, word_cols]) if word_cols.size else char_cols
    if cols.size == 0:
        return cols.astype(np.int64), np.empty(0, dtype=np.float32)
    idx, cnt = np.unique(cols, return_counts=True)
    return idx, cnt.astype(np.float32)

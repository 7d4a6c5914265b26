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
        out = np.empty(len(words), dtype=np.int64)
        for i, w in enumerate(words):
            col = cache.get(w)
            if col is None:
                col = self._offset + (zlib.crc32(w.encode("utf-8", "surrogatepass")) & self._mask)
                if len(cache) < _MAX_WORD_CACHE:
                    cache[w] = col
            out[i] = col
        return out


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
            val *= self.idf[idx]
        norm = float(np.sqrt(np.dot(val, val))) if idx.size else 0.0
        if norm > 0:
            val /= norm
        if meta is not None:
            nz = np.flatnonzero(meta)
            idx = np.concatenate([idx, self.spec.meta_offset + nz])
            val = np.concatenate([val, meta[nz]])
        vec = SparseVec(idx.astype(np.int64), val.astype(np.float32))
        return Featurized(vec, text, words, char_cols, word_cols)

    def term_columns(self, feats: Featurized, max_chars: int = 5000) -> list[tuple[str, int]]:
        """(term, column) pairs of a featurized text: character 2..max_n-grams of its first *max_chars*
        characters, then its words. Single characters are left out: they rarely explain anything."""
        out: list[tuple[str, int]] = []
        text = feats.text.lower()
        length = len(text)
        shown = min(length, max_chars)
        offset = length  # the n = 1 block comes first in char_cols
        for n in range(2, self.spec.max_n + 1):
            count = max(length - n + 1, 0)
            for pos in range(min(count, shown)):
                out.append((text[pos : pos + n], int(feats.char_cols[offset + pos])))
            offset += count
        out.extend((w, int(c)) for w, c in zip(feats.words[:shown], feats.word_cols[:shown], strict=False))
        return out


def _unique_counts(char_cols: np.ndarray, word_cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    cols = np.concatenate([char_cols, word_cols]) if word_cols.size else char_cols
    if cols.size == 0:
        return cols.astype(np.int64), np.empty(0, dtype=np.float32)
    idx, cnt = np.unique(cols, return_counts=True)
    return idx, cnt.astype(np.float32)

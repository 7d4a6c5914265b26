"""Near-duplicate detection: exact hashes and character-3-gram MinHash LSH (datasketch).

Pure pieces the database layer can persist, and an in-memory index built on the same pieces:

- :func:`dedupe_form` — the text a duplicate is judged on: normalised, repost boilerplate removed
  (``转自…`` / ``来源：…`` / ``原标题：…`` / ``责任编辑`` lines, ``//@someone:`` repost chains, ``【转】``),
  then only letters, digits and CJK kept, lower-cased. Posts differing only in these are the same text.
- :func:`exact_hash` — 32 hex digits of BLAKE2b over :func:`dedupe_form` (repost lines removed); ``""``
  for a text with nothing left. A diagnostic of the near-duplicate form, not "same text".
- :func:`same_text_hash` — the one definition of "same text" for an item (title and body): SHA-256 of the
  text with case, width, spacing and punctuation folded away (repost lines are kept: a repost is a near
  duplicate, not the same text). Ingest dedupes by it and stores it as ``Item.content_hash``; it is the
  exact match of :func:`fingerprint` (the clusterer's), so collection and analysis never disagree.
- :func:`signature` — MinHash of the character 3-grams (128 permutations, seed :data:`SEED`, datasketch's
  ``affine32`` scheme): a ``uint32`` array of 128 values, 512 bytes (:func:`signature_to_bytes`).
  A text of 1–2 characters is one "shingle" on its own, so it only ever meets its exact copies.
- :func:`band_keys` — the LSH keys, one string per band: store ``(band_key, item_id)`` rows with an index
  on the key; the candidates of a new item are the recent items that share at least one key.
- :func:`estimate_jaccard` — verify a candidate: a duplicate needs estimated Jaccard ≥ :data:`THRESHOLD`.

Banding: :data:`BANDS` × :data:`ROWS` = 20 × 6 (120 of the 128 values). A pair with Jaccard *s* becomes a
candidate with probability 1 − (1 − s⁶)²⁰: 0.998 at s = 0.8, 0.92 at 0.7, 0.27 at 0.5, 0.01 at 0.3. The
curve sits below the 0.8 threshold on purpose (datasketch's own optimum for 0.8, 9 × 13, finds only 40 %
of the pairs at exactly 0.8): recall comes from the bands, precision from the Jaccard check.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from datasketch import MinHash

from yuqing.analysis.text import normalize

NUM_PERM = 128
SEED = 20181130  # the plan's date: any fixed value works, but it must never change (stored signatures)
BANDS, ROWS = 20, 6
THRESHOLD = 0.8
SHINGLE = 3
#: Only the first this-many characters of the dedupe form are shingled (bounded cost for 1 MB texts).
MAX_SHINGLE_CHARS = 20_000
DEFAULT_WINDOW = timedelta(days=7)

_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32")
_PERM_A, _PERM_B = (np.asarray(p, dtype=np.uint32) for p in _TEMPLATE.permutations)
_EMPTY_SIGNATURE = np.full(NUM_PERM, np.iinfo(np.uint32).max, dtype=np.uint32)

_SOURCE_WORDS = (
    r"转自|转载自|转载于|转发自|来源|来源于|本文来源|文章来源|信息来源|原标题|原文标题|原文链接|via"
)
_EDITOR_WORDS = r"责任编辑|编辑|责编|审核|校对|作者|记者|通讯员"
_BOILERPLATE_LINE = re.compile(  # a short line that only says where the text came from or who edited it
    rf"^[ \t]*[【\[(（]?[ \t]*(?:(?:{_SOURCE_WORDS})|(?:{_EDITOR_WORDS})[ \t]*:)[^\n]{{0,40}}$",
    re.IGNORECASE | re.MULTILINE,
)
_BOILERPLATE_INLINE = re.compile(
    rf"[(（【\[][ \t]*(?:{_SOURCE_WORDS}|转载|转)[^)）】\]\n]{{0,40}}[)）】\]]"  # (来源:新华社) 【转】
    r"|//\s*@[^:\s]{1,30}:"  # weibo repost chain //@someone:
    r"|\[[\w\u4e00-\u9fff]{1,8}\]"  # weibo emoticon codes [doge] [允悲]
    r"|^\s*(?:转发微博|转发|转)\s*:"  # 转发: at the start
    rf"|(?:转自|转载自|来源:|via\s)[^\n]{{1,30}}$",  # trailing 转自XX on a one-line post
    re.IGNORECASE | re.MULTILINE,
)
_KEEP = re.compile(r"[^\W_]+")
_FOLD_DROP = re.compile(r"[\W_]+")


def dedupe_form(text: str) -> str:
    """Normalised *text* without repost boilerplate, keeping only letters, digits and CJK, lower-cased."""
    norm = normalize(text)
    if not norm:
        return ""
    stripped = _BOILERPLATE_LINE.sub("", norm) if "\n" in norm else norm  # a one-line post is no line
    stripped = _BOILERPLATE_INLINE.sub("", stripped)
    kept = "".join(_KEEP.findall(stripped)).lower()
    if not kept:  # the boilerplate was all there was (or only symbols): judge the text as it is
        kept = "".join(_KEEP.findall(norm)).lower()
    return kept


def exact_hash(text: str) -> str:
    """BLAKE2b (16 bytes, hex) of :func:`dedupe_form`; ``""`` when nothing is left to compare."""
    form = dedupe_form(text)
    return hashlib.blake2b(form.encode("utf-8"), digest_size=16).hexdigest() if form else ""


def same_text_hash(title: str, content: str) -> str:
    """SHA-256 (hex) of ``title + content`` NFKC-normalised, lower-cased, without spacing, punctuation or
    symbols; ``""`` when nothing is left (empty, emoji only): such texts are never the same text as
    anything. Two items are the same text exactly when these are equal and not ``""``."""
    folded = _FOLD_DROP.sub("", unicodedata.normalize("NFKC", f"{title}{content}").lower())
    return hashlib.sha256(folded.encode()).hexdigest() if folded else ""


def _shingle_ids(form: str) -> np.ndarray:
    """Distinct 32-bit ids of the character 3-grams of *form* (1–2 characters: the whole text)."""
    form = form[:MAX_SHINGLE_CHARS]
    cps = np.frombuffer(form.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(cps) < SHINGLE:  # 1–2 characters: one shingle (no real 3-gram starts with code point 0)
        cps = np.concatenate([np.zeros(SHINGLE - len(cps), np.uint64), cps])
    # 3 × 21 bits identify the 3-gram exactly; fold to 32 bits (affine32 then mixes with MurmurHash's fmix)
    packed = (cps[:-2] << np.uint64(42)) | (cps[1:-1] << np.uint64(21)) | cps[2:]
    folded = (packed ^ (packed >> np.uint64(29))) * np.uint64(0x9E3779B97F4A7C15)
    return (folded >> np.uint64(32)).astype(np.uint32)


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, as datasketch's affine32 scheme applies it before permuting."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def signature_of_form(form: str) -> np.ndarray:
    """MinHash signature of an already computed :func:`dedupe_form`.

    Bit for bit what ``datasketch.MinHash(num_perm=128, seed=SEED, scheme="affine32")`` gives after
    ``update_batch`` of the shingle ids with an identity hash (a test checks it), computed here in one numpy
    expression because constructing a ``MinHash`` per text costs more than the hashing itself.
    """
    if not form:
        return _EMPTY_SIGNATURE.copy()
    hv = _fmix32(_shingle_ids(form)).reshape(-1, 1)
    return (hv * _PERM_A + _PERM_B).min(axis=0)


def signature(text: str) -> np.ndarray:
    """MinHash signature (``uint32[128]``) of the character 3-grams of :func:`dedupe_form` of *text*."""
    return signature_of_form(dedupe_form(text))


def signature_to_bytes(sig: np.ndarray) -> bytes:
    """512 bytes, little-endian, for a BLOB/bytea column."""
    return np.asarray(sig, dtype="<u4").tobytes()


def signature_from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype="<u4").astype(np.uint32)


_BAND_MULT = np.array(
    [
        0x9E3779B97F4A7C15,
        0xC2B2AE3D27D4EB4F,
        0x165667B19E3779F9,
        0x85EBCA77C2B2AE63,
        0x27D4EB2F165667C5,
        0xFF51AFD7ED558CCD,
    ],
    dtype=np.uint64,
)


_S33, _M1, _M2 = np.uint64(33), np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB9FE1A85EC53)
_BAND_PREFIX = [f"{band:02d}:" for band in range(BANDS)]


def band_keys(sig: np.ndarray) -> list[str]:
    """One key per LSH band, e.g. ``"07:3fa2c19e0b7d4c51"``: the band number and a 64-bit hash of the
    band's six values (Σ vᵢ·kᵢ mod 2⁶⁴ with fixed odd kᵢ, then MurmurHash3's 64-bit finalizer — stable
    across processes and machines, unlike ``hash()``; keep it unchanged once keys are stored).

    An empty text's signature has no keys (it must never match)."""
    sig = np.asarray(sig, dtype=np.uint32)
    if sig[0] == _EMPTY_SIGNATURE[0] and np.array_equal(sig, _EMPTY_SIGNATURE):
        return []
    rows = sig[: BANDS * ROWS].astype(np.uint64).reshape(BANDS, ROWS)
    h = (rows * _BAND_MULT).sum(axis=1, dtype=np.uint64)
    h ^= h >> _S33
    h *= _M1
    h ^= h >> _S33
    h *= _M2
    h ^= h >> _S33
    hexed = h.astype(">u8").tobytes().hex()  # one C call; f-string formatting of 20 ints costs 8× more
    return [_BAND_PREFIX[band] + hexed[16 * band : 16 * band + 16] for band in range(BANDS)]


def estimate_jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """Share of equal MinHash values: an unbiased estimate of the 3-gram Jaccard similarity (σ ≈ 0.035 at
    0.8 with 128 values)."""
    a, b = np.asarray(sig_a), np.asarray(sig_b)
    if np.array_equal(a, _EMPTY_SIGNATURE) or np.array_equal(b, _EMPTY_SIGNATURE):
        return 0.0
    return float(np.count_nonzero(a == b)) / len(a)


@dataclass(frozen=True)
class Fingerprint:
    """What to store per item: exact hash, MinHash signature and its band keys."""

    exact: str
    signature: np.ndarray
    bands: list[str]


def fingerprint(text: str, *, exact: str | None = None) -> Fingerprint:
    """The MinHash of :func:`dedupe_form` of *text*; the exact match is ``exact`` when given (an item's
    :func:`same_text_hash` of title and body), else :func:`same_text_hash` of *text* alone."""
    form = dedupe_form(text)
    sig = signature_of_form(form)
    return Fingerprint(
        same_text_hash("", text) if exact is None else exact, sig, band_keys(sig) if form else []
    )


def _seconds(ts: datetime | float | int) -> float:
    return ts.timestamp() if isinstance(ts, datetime) else float(ts)


@dataclass
class _Entry:
    ts: float
    exact: str
    signature: np.ndarray
    bands: list[str]
    root: object


class NearDupIndex:
    """In-memory near-duplicate index over a sliding time window, built on the functions above.

    :meth:`add` returns the id of the *earliest* copy (the root of the copy's family: a copy of a copy
    points at the first one) or ``None``. Items are expected roughly in time order; the first copy added
    is the family's root. Items older than ``window`` before the newest one are evicted. Cost per item is
    one signature plus a few dictionary lookups: it does not grow with the number of items held.
    """

    def __init__(self, window: timedelta = DEFAULT_WINDOW, threshold: float = THRESHOLD) -> None:
        self.window = window.total_seconds()
        self.threshold = threshold
        self._entries: dict[object, _Entry] = {}
        # key → ids in insertion (time) order; dicts so that eviction removes in O(1)
        self._exact: dict[str, dict[object, None]] = {}
        self._buckets: dict[str, dict[object, None]] = {}
        self._order: deque[tuple[float, object]] = deque()
        self._newest = float("-inf")
        #: After :meth:`add`: the indexed item the new one matched (may differ from the returned root) and
        #: the similarity (1.0 for an exact copy).
        self.last_match: object | None = None
        self.last_similarity = 0.0

    def __len__(self) -> int:
        return len(self._entries)

    def lookup(self, text: str) -> tuple[object | None, float]:
        """``(root id, similarity)`` of the best match of *text* without adding it; ``(None, 0.0)``."""
        return self._lookup(fingerprint(text))

    def _lookup(self, fp: Fingerprint) -> tuple[object | None, float]:
        self.last_match = None
        if not fp.exact:
            return None, 0.0
        for other in self._exact.get(fp.exact, ()):
            self.last_match = other
            return self._entries[other].root, 1.0
        best, best_sim = None, 0.0
        seen: set[object] = set()
        for key in fp.bands:
            for other in self._buckets.get(key, ()):
                if other in seen:
                    continue
                seen.add(other)
                sim = estimate_jaccard(fp.signature, self._entries[other].signature)
                if sim >= self.threshold and (sim > best_sim or best is None):
                    best, best_sim = other, sim
        self.last_match = best
        if best is None:
            return None, 0.0
        return self._entries[best].root, best_sim

    def add(self, item_id: object, text: str, ts: datetime | float) -> object | None:
        """Index *text* as *item_id* at time *ts*; return the earliest copy's id, or ``None`` if new."""
        return self.add_fingerprint(item_id, fingerprint(text), ts)

    def add_fingerprint(self, item_id: object, fp: Fingerprint, ts: datetime | float) -> object | None:
        """:meth:`add` for a precomputed :func:`fingerprint`."""
        seconds = _seconds(ts)
        self._newest = max(self._newest, seconds)
        self.evict(self._newest - self.window)
        if item_id in self._entries:
            self.remove(item_id)
        self.last_match = None
        root, self.last_similarity = self._lookup(fp)
        self._entries[item_id] = _Entry(
            seconds, fp.exact, fp.signature, fp.bands, root if root is not None else item_id
        )
        self._order.append((seconds, item_id))
        if fp.exact:
            self._exact.setdefault(fp.exact, {})[item_id] = None
        for key in fp.bands:
            self._buckets.setdefault(key, {})[item_id] = None
        return root

    def remove(self, item_id: object) -> None:
        entry = self._entries.pop(item_id, None)
        if entry is None:
            return
        _discard(self._exact, entry.exact, item_id)
        for key in entry.bands:
            _discard(self._buckets, key, item_id)

    def evict(self, before: float) -> int:
        """Drop items older than *before* (epoch seconds); returns how many went."""
        gone = 0
        while self._order and self._order[0][0] < before:
            _, item_id = self._order.popleft()
            entry = self._entries.get(item_id)
            if entry is not None and entry.ts < before:
                self.remove(item_id)
                gone += 1
        return gone

    def root_of(self, item_id: object) -> object | None:
        entry = self._entries.get(item_id)
        return None if entry is None else entry.root

    # ---- state for persistence (used by the clusterer's to_state/from_state)

    def export(self) -> tuple[list[object], np.ndarray, np.ndarray, list[str], list[object]]:
        """``(ids, timestamps, signatures[N×128], exact hashes, roots)`` in insertion order."""
        ids = [i for _, i in self._order if i in self._entries]
        ids = list(dict.fromkeys(ids))
        entries = [self._entries[i] for i in ids]
        ts = np.array([e.ts for e in entries], dtype=np.float64)
        sigs = np.stack([e.signature for e in entries]) if entries else np.zeros((0, NUM_PERM), np.uint32)
        return ids, ts, sigs.astype(np.uint32), [e.exact for e in entries], [e.root for e in entries]

    @classmethod
    def restore(
        cls,
        ids: Iterable[object],
        ts: np.ndarray,
        sigs: np.ndarray,
        exacts: list[str],
        roots: list[object],
        *,
        window: timedelta = DEFAULT_WINDOW,
        threshold: float = THRESHOLD,
    ) -> NearDupIndex:
        """Rebuild an index from :meth:`export` output (band keys are recomputed from the signatures)."""
        index = cls(window, threshold)
        for item_id, t, sig, exact, root in zip(ids, ts, sigs, exacts, roots, strict=True):
            bands = band_keys(sig) if exact else []
            index._entries[item_id] = _Entry(float(t), exact, np.asarray(sig, np.uint32), bands, root)
            index._order.append((float(t), item_id))
            if exact:
                index._exact.setdefault(exact, {})[item_id] = None
            for key in bands:
                index._buckets.setdefault(key, {})[item_id] = None
            index._newest = max(index._newest, float(t))
        return index


def _discard(table: dict[str, dict[object, None]], key: str, item_id: object) -> None:
    members = table.get(key)
    if members is not None:
        members.pop(item_id, None)
        if not members:
            del table[key]

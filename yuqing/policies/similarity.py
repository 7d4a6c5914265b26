"""Which policies a text is about: TF-IDF cosine over the library's segmented text.

The library is small (hundreds to a few thousand documents), so the whole matrix is built in Python
from the stored ``search_text`` (no re-segmentation: a split per document, ≈ 0.1 s for 1,000 long
documents) and kept per process. It is rebuilt when the library changes, detected by a cheap
aggregate (count, last id, last ``updated_at``) read on each call.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max

from yuqing.analysis.text import search_tokens, stopwords
from yuqing.policies.models import PolicyDocument, Validity

#: Below this cosine a document is not offered: the texts share only everyday words.
MIN_SCORE = 0.05
MAX_QUERY_CHARS = 20_000
MATCHED_TERMS = 8


@dataclass(frozen=True)
class Match:
    policy: PolicyDocument
    score: float
    matched_terms: list[str]


def similarity_terms(segmented: str) -> list[str]:
    """Words that say what a text is about: no stopwords, numbers or single characters."""
    stop = stopwords()
    return [t for t in segmented.split() if len(t) > 1 and t not in stop and not t.isdigit()]


class _Index:
    def __init__(self, key: tuple[Any, ...], ids: list[int], texts: list[str]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.key = key
        self.ids = ids
        self.vectorizer = TfidfVectorizer(analyzer=similarity_terms, sublinear_tf=True)
        self.matrix = self.vectorizer.fit_transform(texts) if texts else None
        self.vocabulary = self.vectorizer.get_feature_names_out() if texts else []


_lock = threading.Lock()
_index: _Index | None = None


def _library_key() -> tuple[Any, ...]:
    agg = PolicyDocument.objects.aggregate(n=Count("id"), last=Max("id"), changed=Max("updated_at"))
    return (agg["n"], agg["last"], agg["changed"])


def _current_index() -> _Index:
    global _index
    key = _library_key()
    index = _index
    if index is not None and index.key == key:
        return index
    with _lock:
        if _index is None or _index.key != key:
            rows = list(PolicyDocument.objects.order_by("id").values_list("id", "search_text"))
            _index = _Index(key, [r[0] for r in rows], [r[1] for r in rows])
        return _index


def invalidate() -> None:
    """Forget the cached matrix (services call it after a write commits; the key check would also see it)."""
    global _index
    _index = None


def rank(text: str, *, limit: int = 5, include_repealed: bool = False) -> list[Match]:
    """The policies closest to ``text``, best first. 失效 documents are left out unless
    ``include_repealed``; then they come after every document still in force."""
    if limit < 1 or not text.strip():
        return []
    index = _current_index()
    if index.matrix is None:
        return []
    query = index.vectorizer.transform([" ".join(search_tokens(text[:MAX_QUERY_CHARS]))])
    if query.nnz == 0:
        return []
    scores = (index.matrix @ query.T).toarray().ravel()
    candidates = [(float(scores[i]), i) for i in scores.nonzero()[0] if scores[i] >= MIN_SCORE]
    candidates.sort(key=lambda pair: (-pair[0], index.ids[pair[1]]))
    chosen = candidates[: limit * 3 + 10]  # room for the repealed ones dropped below
    policies = PolicyDocument.objects.defer("search_text").in_bulk([index.ids[i] for _, i in chosen])
    matches: list[Match] = []
    for score, row in chosen:
        policy = policies.get(index.ids[row])
        if policy is None or (policy.validity == Validity.REPEALED and not include_repealed):
            continue
        matches.append(Match(policy, round(score, 4), _matched_terms(index, row, query)))
    matches.sort(key=lambda m: m.policy.validity == Validity.REPEALED)  # stable: keeps score order
    return matches[:limit]


def _matched_terms(index: _Index, row: int, query: Any) -> list[str]:
    assert index.matrix is not None
    doc = index.matrix.getrow(row)
    weights = doc.multiply(query).tocoo()
    order = sorted(zip(weights.data, weights.col, strict=True), key=lambda pair: -pair[0])
    return [str(index.vocabulary[col]) for _, col in order[:MATCHED_TERMS]]

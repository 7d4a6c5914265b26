"""Rebuild every classifier from the public data, the labelled sets in the repo and staff corrections.

``python -m yuqing.analysis.train [--data-dir ../shared/data] [--out yuqing/analysis/models]`` or
:func:`train_all`. Deterministic: the same inputs give the same weights (the split is a seeded hash, the
review sample a seeded generator, and lbfgs is deterministic); only the version string changes.

Heads trained (all logistic regression on the shared hashed features + lexicon columns):

- ``relevance`` — labelled tax posts, news titles, review references, synthetic texts and corrections
  (weight 3), plus THUCNews titles without any tax word and a 5 % sample of reviews as negatives;
- ``sent_general:*`` — reviews (positive/negative), news titles outside ``society`` as neutral (weight 0.5),
  labelled posts and corrections (weight 10), synthetic texts (weight 1);
- ``sent_domain:*`` — labelled posts, synthetic texts, corrections and a 15 % sample of news titles, classes
  balanced;
- ``cat:<code>`` — one-vs-rest per category over the texts labelled with categories and corrections,
  classes balanced. A category with no positive example gets a cue-only head (its lexicon column alone).

When the public data is missing (a deployed machine without ``../shared``) and models already exist in
*out_dir*, the idf and the heads that need the missing data are carried over from the existing models, and
only what can be trained is retrained; the manifest says which.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from yuqing.analysis import text as text_mod
from yuqing.analysis.classify import datasets as ds
from yuqing.analysis.classify.categories import GRAVE_CLASSES
from yuqing.analysis.classify.features import FeatureSpec, Featurizer
from yuqing.analysis.classify.model import (
    MANIFEST_FILE,
    MODELS_DIR,
    VERSION_FILE,
    WEIGHTS_FILE,
    ModelBundle,
    ModelFilesError,
)
from yuqing.analysis.classify.neighbours import (
    MIN_SIMILARITY,
    NEIGHBOURS_FILE,
    TOP_K,
    NeighbourIndex,
    mask_of,
)
from yuqing.analysis.classify.sentiment import LABELS as SENT_LABELS
from yuqing.analysis.classify.signals import CUE_CATEGORIES, META_COLUMNS, SignalExtractor

C_REG = 4.0
#: The category heads' regularisation, chosen by 5-fold cross-validation on the training side among 1, 4, 16
#: and 64 (macro F1 0.522, 0.551, 0.569, 0.565 at the time).
CATEGORY_C = 16.0
PRUNE = 2e-3
SENTIMENT_BLEND = 0.7
REVIEW_SAMPLE = 0.05  # share of reviews used as relevance negatives
NEWS_SAMPLE = 0.15  # share of news titles used as neutral examples by the domain sentiment model
SEED = 20261126
GRAVE_PRECISION = 0.9
CALIBRATION_MIN_POSITIVES = 8
NEIGHBOUR_FLOORS = (0.02, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4)
THUCNEWS_SOCIETY = 5  # society headlines are often bad news: not used as "neutral"
_TAX_WORD = re.compile("税|发票|财政|纳税|征收|社保|缴费")
_TZ = ZoneInfo("Asia/Shanghai")


class _Matrix:
    """Raw n-gram counts (csr) and meta columns of a list of examples, featurized the way Analyzer does."""

    def __init__(self, examples: list[ds.Example], featurizer: Featurizer, signals: SignalExtractor) -> None:
        self.examples = examples
        rows, cols, vals, metas = [], [], [], []
        for i, ex in enumerate(examples):
            norm = text_mod.normalize(ex.text)
            idx, cnt = featurizer.counts(norm, text_mod.tokens(norm))
            rows.append(np.full(idx.size, i, dtype=np.int64))
            cols.append(idx)
            vals.append(cnt)
            metas.append(signals.extract(norm).meta(featurizer.spec.meta_dim))
        spec = featurizer.spec
        shape = (len(examples), spec.meta_offset)
        if examples:
            data = (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols)))
            self.counts = sp.csr_matrix(data, shape=shape, dtype=np.float32)
            self.meta = np.vstack(metas).astype(np.float32)
        else:
            self.counts = sp.csr_matrix(shape, dtype=np.float32)
            self.meta = np.zeros((0, spec.meta_dim), dtype=np.float32)

    def features(self, idf: np.ndarray, select: np.ndarray | None = None) -> sp.csr_matrix:
        """``[(1 + log tf) * idf, L2-normalised | meta]`` of the selected rows, as Featurizer computes it."""
        counts = self.counts if select is None else self.counts[select]
        meta = self.meta if select is None else self.meta[select]
        x = counts.copy()
        x.data = 1.0 + np.log(x.data)
        x = sp.csr_matrix(x.multiply(idf[: x.shape[1]]))
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        x = sp.diags(1.0 / norms) @ x
        return sp.hstack([x, sp.csr_matrix(meta)], format="csr")


class _Fitted:
    """A fitted logistic regression with its coefficients scattered back to the full feature space."""

    def __init__(self, coef: np.ndarray, intercept: np.ndarray, classes: list) -> None:
        self.coef_ = coef
        self.intercept_ = intercept
        self.classes_ = classes


def _fit(
    x: sp.csr_matrix, y: list, weight: np.ndarray | None = None, balanced: bool = False, c: float = C_REG
) -> _Fitted:
    """Logistic regression on the columns the data actually uses (L-BFGS costs O(columns) per step, and
    the hashed space is mostly empty for small sets), scattered back to every column."""
    used = np.unique(x.indices)
    clf = LogisticRegression(C=c, max_iter=3000, class_weight="balanced" if balanced else None)
    clf.fit(x[:, used], y, sample_weight=weight)
    coef = np.zeros((clf.coef_.shape[0], x.shape[1]), dtype=np.float32)
    coef[:, used] = clf.coef_
    return _Fitted(coef, clf.intercept_.astype(np.float32), list(clf.classes_))


def _next_version(out_dir: Path, today: dt.date) -> str:
    prefix = today.strftime("%Y.%m.%d")
    try:
        old = json.loads((out_dir / MANIFEST_FILE).read_text(encoding="utf-8")).get("version", "")
    except (OSError, ValueError):
        old = ""
    n = 1
    if old.startswith(prefix + "-") and old.rsplit("-", 1)[1].isdigit():
        n = int(old.rsplit("-", 1)[1]) + 1
    return f"{prefix}-{n}"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class _Trainer:
    def __init__(
        self,
        data_dir: Path,
        extra: list[ds.Example],
        base: ModelBundle | None,
        log: Callable,
        corpus_dir: Path = ds.CORPUS_DIR,
    ) -> None:
        self.data_dir = data_dir
        self.log = log
        self.spec = FeatureSpec()
        self.featurizer = Featurizer(self.spec)
        self.signals = SignalExtractor()
        self.base = base
        self.notes: list[str] = []
        #: per category, the calibrated out-of-fold probability of each real training text (by id())
        self.oof_probability: dict[str, dict[int, float]] = {}
        rng = np.random.default_rng(SEED)
        t0 = time.time()
        labelled, test_keys = ds.training_set(data_dir, corpus_dir)
        # The corpus's held-out texts are never learnt from, whichever public file they also sit in.
        reviews = [e for e in ds.read_reviews(data_dir) if ds.group_key(e.text) not in test_keys]
        news = ds.read_thucnews(data_dir)
        refs = [e.extra["ref"] for e in labelled if e.extra.get("ref")]
        labelled_keys = {(e.source, e.id) for e in labelled}
        labelled_keys |= {(r.get("file"), str(r.get("id"))) for r in refs}
        news_ex = [
            ds.Example(t, ds.THUCNEWS, k, split=ds.split_of(t, ds.THUCNEWS), extra={"cls": c})
            for k, (t, c) in news.items()
            if (ds.THUCNEWS, k) not in labelled_keys and ds.group_key(t) not in test_keys
        ]
        self.have_reviews = bool(reviews)
        # the corpus's referenced tax posts resolve only where the public data is present
        self.have_posts = any(e.source == ds.CORPUS and e.extra.get("ref") for e in labelled)
        self.review_sample = rng.random(len(reviews)) < REVIEW_SAMPLE
        self.news_sample = rng.random(len(news_ex)) < NEWS_SAMPLE
        self.reviews = _Matrix(reviews, self.featurizer, self.signals)
        self.labelled = _Matrix(labelled + extra, self.featurizer, self.signals)
        self.news = _Matrix(news_ex, self.featurizer, self.signals)
        log(
            f"featurized {len(reviews)} reviews, {len(labelled)} labelled, {len(extra)} corrections, "
            f"{len(news_ex)} news titles in {time.time() - t0:.0f}s"
        )
        self.reuse = base is not None and not (self.have_reviews and self.have_posts)
        self.idf = base.idf if self.reuse and base is not None else self._fit_idf()
        if self.reuse:
            self.notes.append("公开数据不全：沿用已有模型的 idf 和情感/涉税分类头，仅重训可训练部分")

    def _fit_idf(self) -> np.ndarray:
        train = [
            m.counts[[e.split == "train" for e in m.examples]]
            for m in (self.reviews, self.labelled, self.news)
        ]
        stacked = (
            sp.vstack([t for t in train if t.shape[0]], format="csr")
            if any(t.shape[0] for t in train)
            else None
        )
        idf = np.ones(self.spec.dim, dtype=np.float32)
        if stacked is not None and stacked.shape[0]:
            df = np.bincount(stacked.indices, minlength=self.spec.meta_offset)[: self.spec.meta_offset]
            n = stacked.shape[0]
            idf[: self.spec.meta_offset] = np.log((1.0 + n) / (1.0 + df)) + 1.0
        return idf

    def _mask(self, m: _Matrix, pred: Callable[[ds.Example], bool]) -> np.ndarray:
        return np.array([pred(e) for e in m.examples], dtype=bool)

    def relevance(self) -> tuple[np.ndarray, float] | None:
        lab = self._mask(self.labelled, lambda e: e.split == "train" and e.tax_related is not None)
        news = self._mask(self.news, lambda e: e.split == "train" and not _TAX_WORD.search(e.text))
        rev = self._mask(self.reviews, lambda e: e.split == "train") & self.review_sample
        y = [bool(e.tax_related) for e, s in zip(self.labelled.examples, lab, strict=True) if s]
        y += [False] * int(news.sum() + rev.sum())
        if len(set(y)) < 2:
            return None
        x = sp.vstack(
            [
                self.labelled.features(self.idf, lab),
                self.news.features(self.idf, news),
                self.reviews.features(self.idf, rev),
            ],
            format="csr",
        )
        w = np.r_[np.full(lab.sum(), 3.0), np.ones(news.sum() + rev.sum())]
        w[: lab.sum()] *= [e.weight for e, s in zip(self.labelled.examples, lab, strict=True) if s]
        clf = _fit(x, y, w, balanced=True)
        return clf.coef_[0].astype(np.float32), float(clf.intercept_[0])

    def sentiment(self, domain: bool) -> tuple[np.ndarray, np.ndarray] | None:
        lab = self._mask(self.labelled, lambda e: e.split == "train" and e.sentiment in SENT_LABELS)
        if domain:
            news = self._mask(self.news, lambda e: e.split == "train" and e.extra["cls"] != THUCNEWS_SOCIETY)
            news &= self.news_sample
            rev = np.zeros(len(self.reviews.examples), dtype=bool)
        else:
            news = self._mask(self.news, lambda e: e.split == "train" and e.extra["cls"] != THUCNEWS_SOCIETY)
            rev = self._mask(self.reviews, lambda e: e.split == "train")
        y = [e.sentiment for e, s in zip(self.labelled.examples, lab, strict=True) if s]
        y += ["neutral"] * int(news.sum())
        y += [e.sentiment for e, s in zip(self.reviews.examples, rev, strict=True) if s]
        if len(set(y)) < 2:
            return None
        x = sp.vstack(
            [
                self.labelled.features(self.idf, lab),
                self.news.features(self.idf, news),
                self.reviews.features(self.idf, rev),
            ],
            format="csr",
        )
        lab_ex = [e for e, s in zip(self.labelled.examples, lab, strict=True) if s]
        lab_w = np.array([e.weight for e in lab_ex])
        if domain:
            w = np.r_[lab_w, np.ones(news.sum())]
        else:
            # real posts and corrections count 10×; the project's own synthetic texts only 1× here, or their
            # slant (mostly complaints) would teach the general model that 税务局 itself is negative
            lab_w = lab_w * np.array([1.0 if e.source == ds.SYNTHETIC else 10.0 for e in lab_ex])
            w = np.r_[lab_w, np.full(news.sum(), 0.5), np.ones(rev.sum())]
        clf = _fit(x, y, w, balanced=domain)
        coef = np.zeros((len(SENT_LABELS), self.spec.dim), dtype=np.float32)
        bias = np.full(len(SENT_LABELS), -10.0, dtype=np.float32)
        classes = list(clf.classes_)
        for k, label in enumerate(SENT_LABELS):
            if label not in classes:
                continue
            if len(classes) == 2:  # binary fit: one row, positive class = classes[1]
                sign = 1.0 if label == classes[1] else -1.0
                coef[k], bias[k] = sign * clf.coef_[0] / 2, sign * clf.intercept_[0] / 2
            else:
                j = classes.index(label)
                coef[k], bias[k] = clf.coef_[j], clf.intercept_[j]
        return coef, bias

    def _category_rows(self) -> np.ndarray:
        """The texts the category heads learn from: training-side 涉税 texts with categories, and the
        synthetic examples. Categories are only given to items judged 涉税, so the heads are fitted (and
        their thresholds chosen) among 涉税 texts (5-fold cross-validation on the training side at C 16:
        macro F1 0.538 over all texts, 0.569 over these)."""
        return self._mask(
            self.labelled,
            lambda e: (
                e.split == "train"
                and e.categories is not None
                and (bool(e.tax_related) or e.source == ds.SYNTHETIC)
            ),
        )

    def _category_features(self, sel: np.ndarray) -> sp.csr_matrix:
        """The features of the selected texts with the lexicon columns emptied: the category heads see the
        n-grams and words only. The cue phrases still count, as evidence (:mod:`.classify.categories`), but as
        features they lowered cross-validated macro F1 (0.604 with them, 0.623 without)."""
        x = self.labelled.features(self.idf, sel).tocsc()
        x = x[:, : self.spec.meta_offset]
        return sp.hstack([x, sp.csr_matrix((x.shape[0], self.spec.meta_dim))], format="csr")

    def category(self, code: str) -> tuple[np.ndarray, float, bool]:
        """(weights, bias, trained?) — a cue-only head when there is nothing to learn from."""
        sel = self._category_rows()
        y = [code in (e.categories or []) for e, s in zip(self.labelled.examples, sel, strict=True) if s]
        if sum(y) >= 1 and len(set(y)) == 2:
            w = np.array([e.weight for e, s in zip(self.labelled.examples, sel, strict=True) if s])
            clf = _fit(self._category_features(sel), y, w, balanced=True, c=CATEGORY_C)
            return clf.coef_[0].astype(np.float32), float(clf.intercept_[0]), True
        coef = np.zeros(self.spec.dim, dtype=np.float32)
        coef[self.spec.meta_offset + META_COLUMNS.index(f"cat_cues:{code}")] = 1.5
        return coef, -1.5, False

    def write_neighbours(self, out_dir: Path) -> dict:
        """``neighbours.npz``: the training-side corpus texts that carry a category other than ``other``,
        as the evidence :mod:`.classify.neighbours` shows (texts held out are never among them)."""
        sel = self._mask(
            self.labelled,
            lambda e: (
                e.split == "train"
                and e.source == ds.CORPUS
                and any(c != "other" for c in (e.categories or []))
            ),
        )
        examples = [e for e, s in zip(self.labelled.examples, sel, strict=True) if s]
        rows = self.labelled.features(self.idf, sel)[:, : self.spec.meta_offset]
        index = NeighbourIndex.build(rows, [e.id for e in examples], [e.categories or [] for e in examples])
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / NEIGHBOURS_FILE
        index.save(path)
        return {"examples": len(examples), "sha256": _sha256(path)}

    def category_calibration(self, code: str, trained: bool) -> dict:
        """Platt scaling and a decision threshold for one category head, from out-of-fold scores.

        Five folds by group key (near-copies stay together) over the training side; the head is refitted
        on four and scores the fifth. ``a``/``b`` map a logit to a calibrated probability; the threshold
        maximises F1 over the real (non-synthetic) out-of-fold texts, except for the grave classes, which
        raise severity: there the lowest threshold whose out-of-fold precision reaches
        :data:`GRAVE_PRECISION` (none reached: a threshold above every score, so the class is assigned only
        by the cue rule in :mod:`.classify.categories`).
        """
        sel = self._category_rows()
        examples = [e for e, s in zip(self.labelled.examples, sel, strict=True) if s]
        y = np.array([code in (e.categories or []) for e in examples])
        if not trained or y.sum() < CALIBRATION_MIN_POSITIVES:
            return {"a": 1.0, "b": 0.0, "threshold": 0.5, "method": "uncalibrated (too few examples)"}
        x = self._category_features(sel)
        w = np.array([e.weight for e in examples])
        fold = np.array([_fold_of(e.text) for e in examples])
        oof = np.zeros(len(examples))
        for k in range(5):
            tr, te = fold != k, fold == k
            if len(set(y[tr].tolist())) < 2 or not te.any():
                continue
            clf = _fit(x[tr], y[tr].tolist(), w[tr], balanced=True, c=CATEGORY_C)
            oof[te] = np.asarray(x[te] @ clf.coef_[0]).ravel() + clf.intercept_[0]
        real = np.array([e.source != ds.SYNTHETIC for e in examples])
        platt = LogisticRegression(C=100.0, max_iter=1000)
        platt.fit(oof[real].reshape(-1, 1), y[real])
        a, b = float(platt.coef_[0][0]), float(platt.intercept_[0])
        prob = 1.0 / (1.0 + np.exp(-(a * oof[real] + b)))
        real_ids = [id(e) for e, r in zip(examples, real, strict=True) if r]
        self.oof_probability[code] = dict(zip(real_ids, prob.tolist(), strict=True))
        gold = y[real]
        best_t, best = 0.5, (-1.0, 0.0, 0.0)
        for t in np.round(np.arange(0.05, 0.96, 0.01), 2):
            pred = prob >= t
            tp = int((pred & gold).sum())
            precision = tp / pred.sum() if pred.sum() else 0.0
            recall = tp / gold.sum() if gold.sum() else 0.0
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            if code in GRAVE_CLASSES:
                if precision >= GRAVE_PRECISION and tp > 0:
                    best_t, best = float(t), (f1, precision, recall)
                    break
            elif f1 > best[0]:
                best_t, best = float(t), (f1, precision, recall)
        if code in GRAVE_CLASSES and best[0] < 0:
            best_t = 1.01  # never by the model alone
        return {
            "a": round(a, 6),
            "b": round(b, 6),
            "threshold": best_t,
            "method": "Platt scaling on 5-fold out-of-fold logits",
            "oof": {
                "f1": round(best[0], 4),
                "precision": round(best[1], 4),
                "recall": round(best[2], 4),
                "positives": int(gold.sum()),
                "n": int(real.sum()),
            },
        }

    def neighbour_floor(self, thresholds: dict[str, float]) -> dict:
        """The cosine similarity a labelled example needs to count as evidence for a category, chosen by
        5-fold cross-validation on the training side alone (the held-out split plays no part).

        For each real 涉税 training text of fold *k*, its :data:`TOP_K` nearest examples among the other
        folds' texts that carry a category stand in for ``neighbours.npz``; a category is then assigned as
        :mod:`.classify.categories` does (out-of-fold calibrated probability at its threshold, and a cue
        phrase or a neighbour of that category at or above the floor; the grave-class cue rule is left out).
        The floor with the best macro F1 over the categories wins; ties go to the higher floor.
        """
        sel = self._mask(
            self.labelled,
            lambda e: e.split == "train" and e.source == ds.CORPUS and e.categories is not None,
        )
        examples = [e for e, s in zip(self.labelled.examples, sel, strict=True) if s]
        codes = [c for c in CUE_CATEGORIES if c in self.oof_probability]
        if not examples or not codes:
            return {"min_similarity": MIN_SIMILARITY, "method": "default (no calibrated category)"}
        rows = self.labelled.features(self.idf, sel)[:, : self.spec.meta_offset].tocsr()
        meta = self.labelled.meta[sel]
        fold = np.array([_fold_of(e.text) for e in examples])
        carries = np.array([mask_of(e.categories or []) != 0 for e in examples])
        masks = np.array([mask_of(e.categories or []) for e in examples])
        top_sim = np.zeros((len(examples), TOP_K))
        top_mask = np.zeros((len(examples), TOP_K), dtype=np.int64)
        for k in range(5):
            ref, query = np.flatnonzero(carries & (fold != k)), np.flatnonzero(fold == k)
            if not ref.size or not query.size:
                continue
            sims = (rows[query] @ rows[ref].T).toarray()
            order = np.argsort(-sims, axis=1, kind="stable")[:, :TOP_K]
            width = order.shape[1]
            top_sim[query, :width] = np.take_along_axis(sims, order, axis=1)
            top_mask[query, :width] = masks[ref][order]
        scored = [
            i
            for i, e in enumerate(examples)
            if e.tax_related and all(id(e) in self.oof_probability[c] for c in codes)
        ]
        best: tuple[float, float] = (-1.0, MIN_SIMILARITY)
        table = {}
        for floor in NEIGHBOUR_FLOORS:
            f1s = []
            for code in codes:
                bit = mask_of([code])
                gold = np.array([code in (examples[i].categories or []) for i in scored])
                if not gold.any():
                    continue
                prob = np.array([self.oof_probability[code][id(examples[i])] for i in scored])
                cue = meta[scored, META_COLUMNS.index(f"cat_cues:{code}")] > 0
                near = ((top_sim[scored] >= floor) & (top_mask[scored] & bit != 0)).any(axis=1)
                pred = (prob >= float(thresholds.get(code, 0.5))) & (cue | near)
                tp = int((pred & gold).sum())
                f1s.append(2 * tp / (pred.sum() + gold.sum()))
            macro = float(np.mean(f1s)) if f1s else 0.0
            table[str(floor)] = round(macro, 4)
            if macro >= best[0]:
                best = (macro, floor)
        return {
            "min_similarity": best[1],
            "method": "5-fold cross-validation on the training side: macro F1 of evidence-gated categories",
            "macro_f1_by_floor": table,
            "n": len(scored),
        }


def _fold_of(text: str, folds: int = 5) -> int:
    """A text's cross-validation fold: a hash of its group key, so near-copies share a fold."""
    return int(hashlib.sha256(ds.group_key(text).encode()).hexdigest()[:8], 16) % folds


def _carry(base: ModelBundle | None, prefix: str) -> tuple[list[str], np.ndarray, np.ndarray] | None:
    if base is None:
        return None
    names = [h for h in base.heads if h == prefix or h.startswith(prefix + ":")]
    if not names:
        return None
    idx = [base.heads.index(h) for h in names]
    return names, base.weights_t[:, idx].T.copy(), base.bias[idx].copy()


def _data_description(data_dir: Path, trainer: _Trainer) -> dict:
    files = {}
    for name in (ds.TAX_POSTS, ds.WAIMAI, ds.SHOPPING, ds.THUCNEWS):
        path = data_dir / name
        if path.exists():
            files[name] = {"sha256": _sha256(path), "bytes": path.stat().st_size}
    lab = trainer.labelled.examples

    def count(pred: Callable[[ds.Example], bool]) -> dict[str, int]:
        return dict(Counter(e.split for e in lab if pred(e)))

    return {
        "data_dir_files": files,
        "reviews": dict(Counter(f"{e.sentiment}/{e.split}" for e in trainer.reviews.examples)),
        "news_titles": dict(Counter(e.split for e in trainer.news.examples)),
        "labelled": {
            "corpus": count(lambda e: e.source == ds.CORPUS),
            "news_titles": count(lambda e: e.source == ds.THUCNEWS),
            "reviews": count(lambda e: e.source in (ds.WAIMAI, ds.SHOPPING)),
            "synthetic": count(lambda e: e.source == ds.SYNTHETIC),
            "corrections": count(lambda e: e.source == "correction"),
        },
        "category_examples": dict(
            Counter(c for e in lab if e.split == "train" for c in (e.categories or []))
        ),
        "split": (
            "corpus: data/corpus/split.json (never trained on, nor any text sharing a held-out group key); "
            f"reviews and news titles: seeded SHA-256 of the first 24 letters/digits ({ds.SPLIT_SEED}), "
            f"test share {ds.TEST_FRACTION}"
        ),
    }


def train_all(
    out_dir: Path | str = MODELS_DIR,
    extra_examples: Iterable[dict] = (),
    data_dir: Path | str = ds.DEFAULT_DATA_DIR,
    *,
    version: str | None = None,
    log: Callable[[str], None] | None = None,
    corpus_dir: Path | str = ds.CORPUS_DIR,
) -> dict:
    """Train every head, write ``weights.npz`` + ``manifest.json`` to *out_dir*, return the manifest.

    *extra_examples* are staff corrections: dicts with ``text`` (and ``title``) and any of
    ``tax_related``, ``sentiment``, ``categories`` (list of codes), optionally ``weight``; they join the
    training split of every task they carry a label for. *corpus_dir* is the labelled corpus (another one
    only for experiments such as ``benchmarks/corrections.py``).
    """
    out_dir, data_dir = Path(out_dir), Path(data_dir)
    say = log or (lambda msg: print(msg, file=sys.stderr))
    try:
        base: ModelBundle | None = ModelBundle.load(out_dir)
    except ModelFilesError:
        try:
            base = ModelBundle.load(MODELS_DIR)
        except ModelFilesError:
            base = None
    extra_examples = list(extra_examples)
    for n, item in enumerate(extra_examples, 1):
        ds.check_extra(item, f"更正样本第 {n} 条")
    extra = ds.extra_to_examples(extra_examples)
    trainer = _Trainer(data_dir, extra, base, say, Path(corpus_dir))
    spec = trainer.spec
    heads: list[str] = []
    rows: list[np.ndarray] = []
    biases: list[float] = []
    trained: dict[str, str] = {}

    def add(names: list[str], coef: np.ndarray, bias: np.ndarray, how: str) -> None:
        heads.extend(names)
        rows.extend(np.atleast_2d(coef))
        biases.extend(np.atleast_1d(bias).tolist())
        for n in names:
            trained[n] = how

    t0 = time.time()
    carried = _carry(base, "relevance") if trainer.reuse and not trainer.have_posts else None
    rel = None if carried else trainer.relevance()
    if rel is not None:
        add(["relevance"], rel[0], np.array([rel[1]]), "trained")
    elif carried:
        add(*carried, "carried over")
    for prefix, domain in (("sent_general", False), ("sent_domain", True)):
        carried = _carry(base, prefix) if trainer.reuse and not trainer.have_reviews else None
        sent = None if carried else trainer.sentiment(domain)
        if sent is not None:
            add([f"{prefix}:{lab}" for lab in SENT_LABELS], sent[0], sent[1], "trained")
        elif carried:
            add(*carried, "carried over")
    calibration: dict[str, dict] = {}
    for code in CUE_CATEGORIES:
        coef, bias, ok = trainer.category(code)
        add([f"cat:{code}"], coef, np.array([bias]), "trained" if ok else "cue-only")
        calibration[code] = trainer.category_calibration(code, ok)
    floor = trainer.neighbour_floor({c: calibration[c]["threshold"] for c in CUE_CATEGORIES})
    say(f"trained {len(heads)} heads in {time.time() - t0:.0f}s; neighbour floor {floor['min_similarity']}")
    now = dt.datetime.now(_TZ)
    manifest = {
        "version": version or _next_version(out_dir, now.date()),
        "created": now.isoformat(timespec="seconds"),
        "trainer": (
            f"yuqing.analysis.train (scikit-learn LogisticRegression, lbfgs, C={C_REG:g}; "
            f"category heads C={CATEGORY_C:g})"
        ),
        "sentiment_blend": SENTIMENT_BLEND,
        "category_thresholds": {c: calibration[c]["threshold"] for c in CUE_CATEGORIES},
        "category_calibration": calibration,
        "neighbour_min_similarity": floor["min_similarity"],
        "neighbour_floor": floor,
        "meta_columns": list(META_COLUMNS),
        "heads_how": trained,
        "notes": trainer.notes,
        "training_data": _data_description(data_dir, trainer),
    }
    # Everything is written to a staging folder beside out_dir and moved in only when complete: a run that
    # fails (bad data, a full disk, an interrupt) leaves the models already in out_dir untouched.
    staging = out_dir.parent / f".{out_dir.name}.staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        manifest["neighbours"] = trainer.write_neighbours(staging)
        weights_t = np.zeros((spec.dim, len(heads)), dtype=np.float32)
        for k, row in enumerate(rows):
            weights_t[:, k] = row
        bundle = ModelBundle(
            manifest,
            spec,
            trainer.idf.astype(np.float32),
            heads,
            weights_t,
            np.array(biases, dtype=np.float32),
        )
        bundle.save(staging, PRUNE)
        from yuqing.analysis.classify.metrics import heldout_metrics

        saved = ModelBundle.load(staging)
        manifest = saved.manifest
        manifest["metrics"] = heldout_metrics(saved, trainer)
        saved.save(staging, PRUNE)
        out_dir.mkdir(parents=True, exist_ok=True)
        for name in (
            NEIGHBOURS_FILE,
            WEIGHTS_FILE,
            MANIFEST_FILE,
            VERSION_FILE,
        ):  # the manifest names the rest
            os.replace(staging / name, out_dir / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    say(f"wrote {out_dir} version {manifest['version']}")
    return manifest


def read_extra(path: Path) -> list[dict]:
    """Correction examples from a JSONL file, each line checked; the error names the file and line."""
    if not path.is_file():
        raise ds.CorpusError(f"{path}：文件不存在")
    out = []
    for n, row in ds.jsonl_rows(path):
        ds.check_extra(row, f"{path.name} 第 {n} 行")
        out.append(row)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="重新训练涉税、情感、分类模型（写入 models/，生成新版本号）")
    parser.add_argument(
        "--data-dir", default=str(ds.DEFAULT_DATA_DIR), help="公开数据目录（默认 ../shared/data）"
    )
    parser.add_argument("--out", default=str(MODELS_DIR), help="模型输出目录")
    parser.add_argument(
        "--extra", help="纠错样本 JSONL（每行 text/title 及 tax_related/sentiment/categories）"
    )
    args = parser.parse_args(argv)
    try:
        extra = read_extra(Path(args.extra)) if args.extra else []
        manifest = train_all(args.out, extra, args.data_dir)
    except ds.CorpusError as exc:
        print(f"错误：{exc}（已有模型未改动）", file=sys.stderr)
        return 2
    print(
        json.dumps(
            {"version": manifest["version"], "metrics": manifest.get("metrics", {})}, ensure_ascii=False
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

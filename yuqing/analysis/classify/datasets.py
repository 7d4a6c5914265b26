"""Training and evaluation data: the public files in ``../shared/data`` plus the labelled sets in the repo.

The repo keeps labels *by reference* (``data/labelled/*.jsonl``: ``{"source", "id", ...labels}``) and the
texts stay in the public files, read at training/evaluation time from *data_dir*. Only texts written by the
project itself are stored inline (``"source": "synthetic"``); they are always in the training split.

The train/test split is fixed by a seeded hash of each text's *group key*, not of its id: the first
:data:`_GROUP_CHARS` letters/digits of the text. Copies and near-copies (the tax posts contain the same
explainer posted five times with small edits, the review sets contain repeated short reviews) therefore
fall on the same side, so held-out figures are not inflated by leakage.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from yuqing.vocab import CATEGORIES

LABELLED_DIR = Path(__file__).resolve().parent.parent / "data" / "labelled"
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[3].parent / "shared" / "data"

TAX_POSTS = "tax_posts_train.jsonl"
WAIMAI = "waimai_10k.csv"
SHOPPING = "online_shopping_10_cats.csv"
THUCNEWS = "thucnews_titles_dev.txt"
SYNTHETIC = "synthetic"

SPLIT_SEED = "yuqing-labelled-v1"
TEST_FRACTION = 0.3
_GROUP_CHARS = 24
_NON_WORD = re.compile(r"[\W_]+")


def group_key(text: str) -> str:
    """The part of *text* that decides its split: its first letters/digits, lower-cased."""
    return _NON_WORD.sub("", text).lower()[:_GROUP_CHARS]


def split_of(text: str, source: str) -> str:
    """``"train"`` or ``"test"``: seeded SHA-256 of the text's group key. Synthetic texts are always train."""
    if source == SYNTHETIC:
        return "train"
    digest = hashlib.sha256(f"{SPLIT_SEED}:{group_key(text)}".encode()).digest()
    return "test" if int.from_bytes(digest[:4], "big") / 2**32 < TEST_FRACTION else "train"


@dataclass
class Example:
    """One text with whatever labels it has (``None`` = not labelled for that task)."""

    text: str
    source: str
    id: str
    tax_related: bool | None = None
    sentiment: str | None = None
    categories: list[str] | None = None
    split: str = "train"
    weight: float = 1.0
    extra: dict = field(default_factory=dict)


def _read_csv_reviews(path: Path) -> Iterator[tuple[str, int, str]]:
    """(row id, label 0/1, review) of a review CSV; rows are numbered from 1 after the header."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None:
            return
        text_col = header.index("review")
        label_col = header.index("label")
        for n, row in enumerate(reader, 1):
            if len(row) <= max(text_col, label_col):
                continue
            review = row[text_col].strip().lstrip("\ufeff")
            if review and row[label_col] in ("0", "1"):
                yield f"row{n}", int(row[label_col]), review


def read_reviews(data_dir: Path) -> list[Example]:
    """Both review sets as sentiment examples (``positive``/``negative``); missing files are skipped."""
    out = []
    for name in (WAIMAI, SHOPPING):
        path = data_dir / name
        if not path.exists():
            continue
        for rid, label, review in _read_csv_reviews(path):
            sentiment = "positive" if label == 1 else "negative"
            out.append(Example(review, name, rid, sentiment=sentiment, split=split_of(review, name)))
    return out


def read_tax_posts(data_dir: Path) -> dict[str, dict]:
    """``id -> row`` of ``tax_posts_train.jsonl`` (empty if absent)."""
    path = data_dir / TAX_POSTS
    if not path.exists():
        return {}
    rows = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            rows[str(row["id"])] = row
    return rows


def read_thucnews(data_dir: Path) -> dict[str, tuple[str, int]]:
    """``"L<line>" -> (title, class id)`` of the THUCNews titles (empty if absent)."""
    path = data_dir / THUCNEWS
    if not path.exists():
        return {}
    out = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        title, _, cls = line.rpartition("\t")
        if title and cls.strip().isdigit():
            out[f"L{n}"] = (title, int(cls))
    return out


def _text_index(data_dir: Path) -> dict[str, dict[str, str]]:
    index: dict[str, dict[str, str]] = {TAX_POSTS: {}, THUCNEWS: {}, WAIMAI: {}, SHOPPING: {}}
    index[TAX_POSTS] = {k: v.get("text", "") for k, v in read_tax_posts(data_dir).items()}
    index[THUCNEWS] = {k: v[0] for k, v in read_thucnews(data_dir).items()}
    for name in (WAIMAI, SHOPPING):
        path = data_dir / name
        if path.exists():
            index[name] = {rid: review for rid, _, review in _read_csv_reviews(path)}
    return index


def read_labelled(data_dir: Path, labelled_dir: Path = LABELLED_DIR) -> list[Example]:
    """Every labelled example of ``data/labelled/*.jsonl`` whose text can be found.

    References into files missing from *data_dir* are skipped (a tiny fixture data dir is enough for
    tests); synthetic examples carry their text.
    """
    index = _text_index(data_dir)
    out = []
    for path in sorted(labelled_dir.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            ref = json.loads(line)
            source, rid = ref["source"], str(ref["id"])
            text = ref.get("text") if source == SYNTHETIC else index.get(source, {}).get(rid)
            if not text:
                continue
            out.append(
                Example(
                    text,
                    source,
                    rid,
                    tax_related=ref.get("tax_related"),
                    sentiment=ref.get("sentiment"),
                    categories=ref.get("categories"),
                    split=split_of(text, source),
                )
            )
    return out


def extra_to_examples(extra: Iterable[dict]) -> list[Example]:
    """Staff corrections (``{"text", "title"?, "tax_related"?, "sentiment"?, "categories"?}``) as examples.

    They are training examples only (source ``"correction"``); entries without text are ignored.
    """
    out = []
    for n, item in enumerate(extra, 1):
        text = str(item.get("text") or "")
        title = str(item.get("title") or "")
        full = f"{title}\n{text}".strip() if title else text.strip()
        if not full:
            continue
        cats = item.get("categories")
        out.append(
            Example(
                full,
                "correction",
                str(item.get("id", f"c{n}")),
                tax_related=item.get("tax_related"),
                sentiment=item.get("sentiment"),
                categories=list(cats) if cats is not None else None,
                split="train",
                weight=float(item.get("weight", 1.0)),
            )
        )
    return out


# --- the real labelled corpus (data/corpus/: texts, two labelling passes, the fixed held-out split) -------

CORPUS_DIR = Path(__file__).resolve().parent.parent / "data" / "corpus"
CORPUS = "corpus"
_CATEGORY_CODES = frozenset(CATEGORIES)


class CorpusError(ValueError):
    """A corpus or label file that cannot be used; the message names the file and line."""


def jsonl_rows(path: Path) -> Iterator[tuple[int, dict]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise CorpusError(f"{path}：无法读取（{exc.strerror or exc}）") from exc
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path}：不是 UTF-8 文本") from exc
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise CorpusError(f"{path} 第 {n} 行：不是有效的 JSON（{exc}）") from exc
        if not isinstance(row, dict):
            raise CorpusError(f"{path} 第 {n} 行：应为 JSON 对象")
        yield n, row


def check_labels(row: dict, where: str, *, partial: bool = False) -> None:
    """Raise :class:`CorpusError` naming *where* unless *row* carries valid labels: all three, or with
    *partial* (a staff correction) only those it carries."""
    tax, sentiment, cats = row.get("tax_related"), row.get("sentiment"), row.get("categories")
    if not (partial and tax is None) and not isinstance(tax, bool):
        raise CorpusError(f"{where}：tax_related 须为 true 或 false")
    if not (partial and sentiment is None) and sentiment not in ("negative", "neutral", "positive"):
        raise CorpusError(f"{where}：sentiment 须为 negative、neutral 或 positive，而不是 {sentiment!r}")
    if partial and cats is None:
        return
    if not isinstance(cats, list):
        raise CorpusError(f"{where}：categories 须为列表")
    unknown = [c for c in cats if c not in _CATEGORY_CODES]
    if unknown:
        raise CorpusError(f"{where}：未知类别 {'、'.join(map(str, unknown))}")


def check_extra(row: dict, where: str) -> None:
    """A staff correction: some text, and only the labels it carries, each valid."""
    if not str(row.get("text") or row.get("title") or "").strip():
        raise CorpusError(f"{where}：缺少 text")
    check_labels(row, where, partial=True)


def read_corpus_labels(path: Path) -> dict[str, dict]:
    """``id -> labels`` of one labelling pass (``labels_a.jsonl`` / ``labels_b.jsonl``), validated."""
    out: dict[str, dict] = {}
    for n, row in jsonl_rows(path):
        where = f"{path.name} 第 {n} 行"
        if not row.get("id"):
            raise CorpusError(f"{where}：缺少 id")
        check_labels(row, where)
        out[str(row["id"])] = row
    return out


def read_corpus(
    data_dir: Path = DEFAULT_DATA_DIR, corpus_dir: Path = CORPUS_DIR, labels: str = "labels_a.jsonl"
) -> list[Example]:
    """The corpus texts with the labels of one pass and their side of ``split.json``.

    Texts stored by reference into *data_dir* are skipped when that file is absent (a deployed machine
    without ``../shared``): the inline excerpts still load. ``extra`` carries ``kind`` and ``source``.
    """
    index = _text_index(data_dir)
    passes = read_corpus_labels(corpus_dir / labels)
    try:
        split = json.loads((corpus_dir / "split.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CorpusError(f"{corpus_dir / 'split.json'}：无法读取（{exc}）") from exc
    test_ids = set(split.get("test", []))
    out = []
    for _n, row in jsonl_rows(corpus_dir / "texts.jsonl"):
        cid = str(row.get("id", ""))
        lab = passes.get(cid)
        if lab is None:
            continue
        text = row.get("text")
        if not text and isinstance(row.get("ref"), dict):
            text = index.get(row["ref"].get("file", ""), {}).get(str(row["ref"].get("id", "")))
        if not text:
            continue
        out.append(
            Example(
                text,
                CORPUS,
                cid,
                tax_related=lab["tax_related"],
                sentiment=lab["sentiment"],
                categories=list(lab["categories"]) if lab["tax_related"] else [],
                split="test" if cid in test_ids else "train",
                extra={"kind": row.get("kind", ""), "source": row.get("source", ""), "ref": row.get("ref")},
            )
        )
    return out


def training_set(
    data_dir: Path = DEFAULT_DATA_DIR, corpus_dir: Path = CORPUS_DIR
) -> tuple[list[Example], set[str]]:
    """The labelled examples the models learn from, and the group keys of the corpus's held-out texts.

    The corpus (both sides of its split) supersedes the earlier hand-labelled tax posts, which are the same
    texts. The earlier news-title and review references and the synthetic texts join as training examples,
    except any text the corpus holds or whose group key falls on the corpus's held-out side — so nothing
    held out is ever learnt from, under any source name.
    """
    corpus = read_corpus(data_dir, corpus_dir)
    test_keys = {group_key(e.text) for e in corpus if e.split == "test"}
    referenced = {
        (e.extra["ref"].get("file"), str(e.extra["ref"].get("id"))) for e in corpus if e.extra.get("ref")
    }
    out = list(corpus)
    for e in read_labelled(data_dir):
        if e.source == TAX_POSTS or (e.source, e.id) in referenced or group_key(e.text) in test_keys:
            continue
        e.split = "train"
        out.append(e)
    return out, test_keys

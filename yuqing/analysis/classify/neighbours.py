"""The nearest labelled examples of a text: evidence a person can read for a category the model assigns.

At training, the n-gram block (L2-normalised TF-IDF, the same vector every head sees) of each labelled
corpus text in the training split that carries a category other than ``other`` is kept in
``models/neighbours.npz``, with its corpus id and categories as a bit mask. At analysis, the text's vector is
compared with all of them by cosine similarity (a gather of the rows of the text's own columns from the
column-major copy, so the cost follows the text's length, not the number of examples) and the closest few
at or above a floor are returned: the manifest's ``neighbour_min_similarity``, chosen at training by
cross-validation on the training side (:data:`MIN_SIMILARITY` for older models). :func:`excerpt` shows a
neighbour's text when the corpus stores it inline (texts referenced into the public data files are shown by
id only).
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from yuqing.vocab import CATEGORIES

NEIGHBOURS_FILE = "neighbours.npz"
MIN_SIMILARITY = 0.05
TOP_K = 5
_CODES: tuple[str, ...] = tuple(c for c in CATEGORIES if c != "other")
CORPUS_TEXTS = Path(__file__).resolve().parent.parent / "data" / "corpus" / "texts.jsonl"


@dataclass(frozen=True)
class Neighbour:
    id: str
    similarity: float
    categories: tuple[str, ...]


def mask_of(categories: list[str] | tuple[str, ...]) -> int:
    return sum(1 << i for i, c in enumerate(_CODES) if c in categories)


def codes_of(mask: int) -> tuple[str, ...]:
    return tuple(c for i, c in enumerate(_CODES) if mask >> i & 1)


class NeighbourIndex:
    """Labelled example vectors, column-major, for cosine look-ups."""

    def __init__(self, by_column: sp.csr_matrix, ids: list[str], masks: np.ndarray) -> None:
        self.by_column = by_column  # (columns, examples)
        self.ids = ids
        self.masks = masks

    def __len__(self) -> int:
        return len(self.ids)

    def nearest(
        self, idx: np.ndarray, val: np.ndarray, k: int = TOP_K, min_similarity: float = MIN_SIMILARITY
    ) -> list[Neighbour]:
        """The *k* examples most similar to the vector (``idx``, ``val``: its n-gram block only) whose
        cosine similarity reaches *min_similarity* (the floor the trainer chose, recorded in the manifest)."""
        keep = idx < self.by_column.shape[0]
        idx, val = idx[keep], val[keep]
        if idx.size == 0 or not self.ids:
            return []
        sims = np.asarray(self.by_column[idx].T @ val).ravel()
        order = np.argsort(-sims, kind="stable")[:k]
        return [
            Neighbour(self.ids[j], round(float(sims[j]), 3), codes_of(int(self.masks[j])))
            for j in order
            if sims[j] >= min_similarity
        ]

    def save(self, path: Path) -> None:
        m = self.by_column.tocsr()
        buf = io.BytesIO()
        np.savez_compressed(
            buf,
            data=m.data.astype(np.float16),
            indices=m.indices.astype(np.uint32),
            indptr=m.indptr.astype(np.int64),
            shape=np.array(m.shape, dtype=np.int64),
            masks=self.masks.astype(np.uint16),
        )
        # ids go in a JSON member; fixed zip timestamps keep equal inputs byte-equal
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src:
                for name in sorted(src.namelist()):
                    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                    info.compress_type = zipfile.ZIP_DEFLATED
                    zf.writestr(info, src.read(name))
            info = zipfile.ZipInfo("ids.json", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, json.dumps(self.ids))

    @classmethod
    def load(cls, path: Path) -> NeighbourIndex:
        with zipfile.ZipFile(path) as zf:
            ids = json.loads(zf.read("ids.json"))
        with np.load(path, allow_pickle=False) as npz:
            shape = tuple(int(x) for x in npz["shape"])
            m = sp.csr_matrix(
                (npz["data"].astype(np.float32), npz["indices"].astype(np.int64), npz["indptr"]), shape=shape
            )
            masks = npz["masks"].astype(np.int64)
        return cls(m, ids, masks)

    @classmethod
    def build(cls, rows: sp.csr_matrix, ids: list[str], categories: list[list[str]]) -> NeighbourIndex:
        """From example vectors (examples × columns, n-gram block, L2-normalised) and their labels."""
        return cls(
            sp.csr_matrix(rows.T.astype(np.float32)), list(ids), np.array([mask_of(c) for c in categories])
        )


@lru_cache(maxsize=4)
def load_index(directory: str, checksum: str = "") -> NeighbourIndex | None:
    """The index in *directory* (cached per *checksum*, so a retrained directory is read afresh)."""
    path = Path(directory) / NEIGHBOURS_FILE
    return NeighbourIndex.load(path) if path.exists() else None


@lru_cache(maxsize=1)
def _inline_texts() -> dict[str, str]:
    out: dict[str, str] = {}
    try:
        lines = CORPUS_TEXTS.read_text(encoding="utf-8").splitlines()
    except OSError:
        return out
    for line in lines:
        if line.strip():
            row = json.loads(line)
            if row.get("text"):
                out[str(row["id"])] = str(row["text"])
    return out


def excerpt(corpus_id: str, chars: int = 60) -> str:
    """The opening of a corpus text stored inline; "" for texts stored by reference."""
    text = _inline_texts().get(corpus_id, "")
    return text[:chars] + ("…" if len(text) > chars else "")

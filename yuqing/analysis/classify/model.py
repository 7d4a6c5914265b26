"""The trained linear models as plain arrays: ``models/weights.npz`` + ``models/manifest.json`` (and
``models/MODEL_VERSION``). No pickle, so loading never depends on a scikit-learn version.

All heads (relevance, the two sentiment models, one head per category) share one feature vector, so they
are stored as one weight matrix: prediction is a single gather of the text's non-zero rows and one small
matrix product, whatever the number of heads.

``weights.npz`` holds ``idf`` (float16, one per column), the non-zero weights as coordinates ``rows``
(head index), ``cols`` (column) and ``vals`` (float16), and ``bias`` (float32, one per head). Weights whose
magnitude is below the pruning threshold recorded in the manifest are dropped at save time. The manifest
names the heads in order, the feature spec, the category thresholds, the sentiment blend, the training data
and the metrics measured when the models were built, and the SHA-256 of ``weights.npz``.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from yuqing.analysis.classify.features import FeatureSpec, Featurizer, SparseVec

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
WEIGHTS_FILE = "weights.npz"
MANIFEST_FILE = "manifest.json"
VERSION_FILE = "MODEL_VERSION"  # the version alone, for shell tools


class ModelFilesError(RuntimeError):
    """The model files are missing, unreadable or do not match their manifest."""


@dataclass
class ModelBundle:
    """Every trained head plus the idf weights and the manifest that describes them."""

    manifest: dict
    spec: FeatureSpec
    idf: np.ndarray
    heads: list[str]
    weights_t: np.ndarray  # (dim, n_heads) float32: row j = every head's weight for column j
    bias: np.ndarray  # (n_heads,) float32
    directory: Path | None = None
    _index: dict[str, int] = field(default_factory=dict, repr=False)
    _groups: dict[str, tuple[list[str], np.ndarray]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._index = {h: i for i, h in enumerate(self.heads)}

    @property
    def version(self) -> str:
        return str(self.manifest.get("version", "unknown"))

    def featurizer(self) -> Featurizer:
        return Featurizer(self.spec, self.idf)

    def scores(self, vec: SparseVec) -> np.ndarray:
        """Raw scores (logits) of every head for one vector."""
        if vec.idx.size == 0:
            return self.bias.copy()
        # take() is several times faster than fancy indexing for a row gather
        return vec.val @ self.weights_t.take(vec.idx, axis=0) + self.bias

    def pick(self, scores: np.ndarray, prefix: str) -> tuple[list[str], np.ndarray]:
        """The heads named ``prefix`` or ``prefix:…`` (their suffixes) and their scores."""
        group = self._groups.get(prefix)
        if group is None:
            names = [h for h in self.heads if h == prefix or h.startswith(prefix + ":")]
            group = (
                [n.split(":", 1)[-1] for n in names],
                np.array([self._index[h] for h in names], dtype=np.intp),
            )
            self._groups[prefix] = group
        return group[0], scores[group[1]]

    def column(self, head: str) -> np.ndarray:
        """The weight of every feature column for one head (a view)."""
        return self.weights_t[:, self._index[head]]

    def has(self, head: str) -> bool:
        return head in self._index

    @classmethod
    def load(cls, directory: Path = MODELS_DIR) -> ModelBundle:
        """Read and verify ``manifest.json`` and ``weights.npz`` from *directory*."""
        directory = Path(directory)
        try:
            manifest = json.loads((directory / MANIFEST_FILE).read_text(encoding="utf-8"))
            raw = (directory / WEIGHTS_FILE).read_bytes()
        except (OSError, ValueError) as exc:
            raise ModelFilesError(
                f"模型文件不可读（{directory}）：{exc}；请运行 python -m yuqing.analysis.train"
            ) from exc
        expected = manifest.get("files", {}).get(WEIGHTS_FILE)
        if expected and hashlib.sha256(raw).hexdigest() != expected:
            raise ModelFilesError(f"{directory / WEIGHTS_FILE} 与 manifest.json 的校验值不符；请重新训练")
        with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
            spec = FeatureSpec.from_dict(manifest["feature_spec"])
            heads = list(manifest["heads"])
            weights_t = np.zeros((spec.dim, len(heads)), dtype=np.float32)
            weights_t[npz["cols"].astype(np.int64), npz["rows"].astype(np.int64)] = npz["vals"].astype(
                np.float32
            )
            idf = npz["idf"].astype(np.float32)
            bias = npz["bias"].astype(np.float32)
        if idf.shape != (spec.dim,) or bias.shape != (len(heads),):
            raise ModelFilesError(f"{directory} 中的模型形状与 manifest.json 不符；请重新训练")
        return cls(manifest, spec, idf, heads, weights_t, bias, directory)

    def neighbours(self):  # -> NeighbourIndex | None
        """The labelled examples kept beside the weights (``neighbours.npz``), if any."""
        if self.directory is None:
            return None
        from yuqing.analysis.classify.neighbours import load_index

        return load_index(str(self.directory), str(self.manifest.get("neighbours", {}).get("sha256", "")))

    def save(self, directory: Path, prune: float) -> dict:
        """Write ``weights.npz`` (weights below *prune* in magnitude dropped) and ``manifest.json``.

        Returns the manifest as written (with the file checksum filled in).
        """
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        keep = np.abs(self.weights_t) >= prune
        cols, rows = np.nonzero(keep)
        arrays = {
            "idf": self.idf.astype(np.float16),
            "rows": rows.astype(np.uint8 if len(self.heads) < 256 else np.uint16),
            "cols": cols.astype(np.uint32),
            "vals": self.weights_t[cols, rows].astype(np.float16),
            "bias": self.bias.astype(np.float32),
        }
        path = directory / WEIGHTS_FILE
        tmp = path.with_suffix(".tmp")
        _write_npz(tmp, arrays)
        tmp.replace(path)
        manifest = dict(self.manifest)
        manifest["heads"] = self.heads
        manifest["feature_spec"] = self.spec.to_dict()
        manifest["prune"] = prune
        manifest["nonzero_weights"] = int(cols.size)
        manifest["files"] = {WEIGHTS_FILE: hashlib.sha256(path.read_bytes()).hexdigest()}
        manifest["size_bytes"] = {WEIGHTS_FILE: path.stat().st_size}
        text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
        (directory / MANIFEST_FILE).write_text(text, encoding="utf-8")
        (directory / VERSION_FILE).write_text(f"{manifest.get('version', 'unknown')}\n", encoding="utf-8")
        self.manifest = manifest
        return manifest


def _write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """``np.savez_compressed`` with fixed zip timestamps, so equal weights give byte-equal files."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, arr in arrays.items():
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.ascontiguousarray(arr), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, buf.getvalue(), compresslevel=9)


@lru_cache(maxsize=4)
def load_bundle(directory: str | None = None) -> ModelBundle:
    """The model bundle of *directory* (default: the shipped ``models/``), loaded once per process."""
    return ModelBundle.load(Path(directory) if directory else MODELS_DIR)

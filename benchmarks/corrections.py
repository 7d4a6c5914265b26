"""Do staff corrections (``yuqing train --extra``) improve the held-out figures when they are right?

    .venv/bin/python benchmarks/corrections.py [--data-dir ../shared/data] [--fold 0]

Protocol. The corrections staff would make are stood in for by real labelled texts the models have not
seen: the 涉税 corpus texts on the *training* side whose cross-validation fold is ``--fold`` (a fifth of them,
chosen by the same group-key hash the trainer uses, so near-copies go together). Three models are trained,
each into its own temporary folder (the shipped models are never touched):

- ``base``  — the corpus without those texts;
- ``right`` — the same, plus those texts given as corrections with their pass-A labels;
- ``wrong`` — the same, plus those texts given as corrections with wrong labels (sentiment turned round:
  negative → positive, positive → negative, neutral → negative; every category replaced by ``other`` and
  ``other`` by ``criticism``) — the control: adding texts is not by itself what helps.

Each is scored by ``yuqing evaluate --quick`` on the unchanged held-out split (which none of them trains
on). Prints one JSON line per model with relevance F1, negative F1 on 涉税 texts and category macro F1, then
the differences against ``base``. Three trainings: about 10 minutes on an idle 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from yuqing.analysis import train  # noqa: E402
from yuqing.analysis.classify import datasets as ds  # noqa: E402
from yuqing.analysis.evaluation.run import evaluate_all  # noqa: E402

_FLIP = {"negative": "positive", "positive": "negative", "neutral": "negative"}


def held_back(data_dir: Path, fold: int) -> tuple[set[str], list[ds.Example]]:
    corpus = ds.read_corpus(data_dir)
    chosen = [e for e in corpus if e.split == "train" and e.tax_related and train._fold_of(e.text) == fold]
    return {e.id for e in chosen}, chosen


def reduced_corpus(target: Path, drop: set[str]) -> None:
    """A copy of the corpus folder without the held-back training texts (split.json unchanged)."""
    target.mkdir(parents=True)
    for name in ("texts.jsonl", "labels_a.jsonl"):
        lines = (ds.CORPUS_DIR / name).read_text(encoding="utf-8").splitlines()
        kept = [line for line in lines if line.strip() and json.loads(line)["id"] not in drop]
        (target / name).write_text("\n".join(kept) + "\n", encoding="utf-8")
    shutil.copy(ds.CORPUS_DIR / "split.json", target / "split.json")


def as_corrections(examples: list[ds.Example], wrong: bool) -> list[dict]:
    out = []
    for e in examples:
        sentiment = _FLIP[e.sentiment or "neutral"] if wrong else e.sentiment
        categories = list(e.categories or ["other"])
        if wrong:
            categories = ["criticism"] if categories == ["other"] else ["other"]
        out.append({"text": e.text, "tax_related": True, "sentiment": sentiment, "categories": categories})
    return out


def headline(rows: list[dict]) -> dict:
    def find(task: str, dataset: str, label: str, key: str) -> float | None:
        for r in rows:
            if r.get("task") == task and r.get("dataset") == dataset and r.get("label") == label:
                return r.get(key)
        return None

    return {
        "relevance_f1": find("relevance", "corpus_test", "tax_related", "f1"),
        "negative_f1": find("sentiment", "corpus_test_tax_related", "negative", "f1"),
        "category_macro_f1": find("categories", "corpus_test_tax_related", "macro_f1", "value"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=ds.DEFAULT_DATA_DIR)
    parser.add_argument("--fold", type=int, default=0, choices=range(5))
    args = parser.parse_args()
    drop, examples = held_back(args.data_dir, args.fold)
    results = {}
    with tempfile.TemporaryDirectory(prefix="yuqing-corrections-") as tmp:
        corpus = Path(tmp) / "corpus"
        reduced_corpus(corpus, drop)
        for name, extra in (
            ("base", []),
            ("right", as_corrections(examples, wrong=False)),
            ("wrong", as_corrections(examples, wrong=True)),
        ):
            out = Path(tmp) / name
            t0 = time.time()
            train.train_all(
                out, extra, args.data_dir, version=f"bench-{name}", corpus_dir=corpus, log=lambda _m: None
            )
            figures = headline(evaluate_all(args.data_dir, out, quick=True))
            results[name] = figures
            print(
                json.dumps(
                    {
                        "model": name,
                        "corrections": len(extra),
                        **figures,
                        "train_seconds": round(time.time() - t0),
                    },
                    ensure_ascii=False,
                ),
                flush=True,
            )
    for name in ("right", "wrong"):
        delta = {
            k: round(v - results["base"][k], 4)
            for k, v in results[name].items()
            if v is not None and results["base"][k] is not None
        }
        print(json.dumps({"delta": f"{name}-base", **delta}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Regenerate ``split.json``: the fixed held-out split of the labelled corpus (deterministic).

Usage (from the repository root)::

    python yuqing/analysis/data/corpus/make_split.py [--data-dir ../shared/data] [--check]

How the split is made:

1. Each text's *group key* is the first 24 letters/digits of the text, lower-cased (the same rule as
   ``yuqing.analysis.classify.datasets.group_key``), so reposts and near-copies that open the same way
   share a group. Texts stored by reference (``ref``) are read from the shared data files.
2. A group goes to ``test`` when SHA-256(``SEED:key``) falls below ``TEST_FRACTION`` (30 %).
3. Stratification: for every category (and for ``tax_related`` true/false and each sentiment) with too
   few held-out texts (fewer than ``max(min(MIN_TEST, half its count), 25 % of its count)``), whole train
   groups that contain it are moved to test in hash order until the quota is met. Groups never split, so
   near-copies stay on one side.

Version 2 (texts added after the first release): the texts up to ``V1_LAST`` keep the side they had in
version 1 exactly — steps 1–3 are run on them alone, as before. A newer text joins the side of an existing
version-1 group when its group key matches one; otherwise its group gets the same hash rule (step 2), and
the stratification of step 3 is repeated **among the new groups only**, with the quotas computed over the
new texts, so the held-out share of every label among the additions is again at least
``max(min(MIN_TEST, n/2), 25 % of n)``. No version-1 id ever changes side.

``--check`` recomputes the split and fails if it differs from the committed ``split.json``.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = "yuqing-corpus-v1"
TEST_FRACTION = 0.3
MIN_TEST = 5
QUOTA = 0.25
V1_LAST = "c03253"  # the last id of version 1 (frozen sides)
_NON_WORD = re.compile(r"[\W_]+")


def group_key(text: str) -> str:
    return _NON_WORD.sub("", text).lower()[:24]


def _h(key: str) -> float:
    return int.from_bytes(hashlib.sha256(f"{SEED}:{key}".encode()).digest()[:8], "big") / 2**64


def _shared_texts(data_dir: Path) -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}
    posts = data_dir / "tax_posts_train.jsonl"
    if posts.exists():
        for line in posts.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                out[("tax_posts_train.jsonl", str(row["id"]))] = row.get("text", "")
    titles = data_dir / "thucnews_titles_dev.txt"
    if titles.exists():
        for n, line in enumerate(titles.read_text(encoding="utf-8").splitlines(), 1):
            out[("thucnews_titles_dev.txt", f"L{n}")] = line.rpartition("\t")[0]
    for name in ("waimai_10k.csv", "online_shopping_10_cats.csv"):
        path = data_dir / name
        if not path.exists():
            continue
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            col = header.index("review")
            for n, row in enumerate(reader, 1):
                if len(row) > col:
                    out[(name, f"row{n}")] = row[col].strip()
    return out


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def _tags(lab: dict) -> list[str]:
    out = [f"cat:{c}" for c in lab["categories"]]
    out.append(f"tax:{lab['tax_related']}")
    out.append(f"sent:{lab['sentiment']}")
    return out


def _assign(groups: dict[str, list[str]], labels: dict, side: dict[str, str]) -> None:
    """Hash rule plus stratification over ``groups`` (only the groups not already in ``side``)."""
    todo = [gk for gk in groups if gk not in side]
    for gk in todo:
        side[gk] = "test" if _h(gk) < TEST_FRACTION else "train"
    total: Counter = Counter()
    held: Counter = Counter()
    for gk in todo:
        for cid in groups[gk]:
            for tag in _tags(labels[cid]):
                total[tag] += 1
                if side[gk] == "test":
                    held[tag] += 1
    # stratify: move whole train groups for under-represented tags, rarest tags first
    by_tag: dict[str, list[str]] = defaultdict(list)
    for gk in todo:
        for tag in {t for cid in groups[gk] for t in _tags(labels[cid])}:
            by_tag[tag].append(gk)
    for tag in sorted(total, key=lambda t: (total[t], t)):
        need = max(min(MIN_TEST, total[tag] // 2), round(QUOTA * total[tag]))
        for gk in sorted(by_tag[tag], key=_h):
            if held[tag] >= need:
                break
            if side[gk] == "test":
                continue
            side[gk] = "test"
            for cid in groups[gk]:
                for t2 in _tags(labels[cid]):
                    held[t2] += 1


def make_split(data_dir: Path) -> dict:
    texts = _read_jsonl(HERE / "texts.jsonl")
    labels = {r["id"]: r for r in _read_jsonl(HERE / "labels_a.jsonl")}
    shared = _shared_texts(data_dir)
    old_groups: dict[str, list[str]] = defaultdict(list)
    new_texts: list[tuple[str, str]] = []
    for t in texts:
        if "text" in t:
            body = t["text"]
        else:
            key = (t["ref"]["file"], t["ref"]["id"])
            if key not in shared:
                sys.exit(f"{t['id']}: referenced text {key[0]}#{key[1]} not found under {data_dir}")
            body = shared[key]
        gk = group_key(body) or t["id"]
        if t["id"] <= V1_LAST:
            old_groups[gk].append(t["id"])
        else:
            new_texts.append((gk, t["id"]))
    # version 1, unchanged: its texts alone decide their sides
    side: dict[str, str] = {}
    _assign(old_groups, labels, side)
    groups: dict[str, list[str]] = defaultdict(list, {gk: list(ids) for gk, ids in old_groups.items()})
    new_groups: dict[str, list[str]] = defaultdict(list)
    for gk, cid in new_texts:
        groups[gk].append(cid)  # a new text whose key matches a version-1 group takes that group's side
        if gk not in side:
            new_groups[gk].append(cid)
    # version 2: the same rule among the new groups only
    _assign(new_groups, labels, side)
    total: Counter = Counter()
    held: Counter = Counter()
    for gk, ids in groups.items():
        for cid in ids:
            for tag in _tags(labels[cid]):
                total[tag] += 1
                if side[gk] == "test":
                    held[tag] += 1
    test = sorted(cid for gk, ids in groups.items() if side[gk] == "test" for cid in ids)
    train = sorted(cid for gk, ids in groups.items() if side[gk] == "train" for cid in ids)
    return {
        "version": 2,
        "seed": SEED,
        "method": "group = first 24 letters/digits of the text; SHA-256(seed:group) < 0.3 -> test; "
        "then whole train groups moved to test until every category/tax_related/sentiment value has "
        f">= max(min({MIN_TEST}, n/2), {int(QUOTA * 100)}% of n) held out. Version 2: ids <= {V1_LAST} "
        "keep their version-1 side exactly (computed from them alone); newer texts join a matching "
        "version-1 group's side, otherwise the same hash rule and stratification are applied among the "
        "new groups only, with quotas over the new texts; see make_split.py",
        "n_test": len(test),
        "n_train": len(train),
        "held_out_per_label": {t: [held[t], total[t]] for t in sorted(total)},
        "test": test,
        "train": train,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=HERE.parents[4] / "shared" / "data")
    parser.add_argument("--check", action="store_true", help="fail if split.json differs from a fresh run")
    args = parser.parse_args()
    split = make_split(args.data_dir)
    path = HERE / "split.json"
    rendered = json.dumps(split, ensure_ascii=False, indent=1) + "\n"
    if args.check:
        if path.read_text(encoding="utf-8") != rendered:
            sys.exit("split.json is out of date: run make_split.py")
        print("split.json is up to date")
        return
    path.write_text(rendered, encoding="utf-8")
    print(f"test {split['n_test']}, train {split['n_train']}")


if __name__ == "__main__":
    main()

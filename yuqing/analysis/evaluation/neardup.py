"""Near-duplicate evaluation on a repost set built from real texts.

Run: ``python -m yuqing.analysis.evaluation.neardup [--data ../shared/data] [--seed 7]`` (prints JSON).

The set (rebuilt on every run, deterministic for a seed; nothing is copied into the repository):

- originals: real texts from ``../shared/data`` — Xiaohongshu tax posts (``tax_posts_train.jsonl``, long),
  THUCNews headlines (short, news-like) and food-delivery reviews (short, colloquial). Originals that are
  themselves near-copies of one another (3-gram Jaccard ≥ 0.5 — the tax posts hold real reposts) are
  dropped, so the ground truth is clean.
- reposts: 1–2 per original (a third of the originals), each with 1–3 random edits: an added
  ``转自XX`` / ``来源：XX`` / ``原标题：…`` line, ``【转】`` or a ``//@user:`` repost comment, changed
  punctuation and spacing, one sentence or paragraph trimmed (≤ 15 % of the text), traditional characters,
  an appended emoji or hashtag.
- hard negatives: spliced texts — the first 30–45 % of one tax post followed by the rest of another on
  the same topic (same hashtag) — which share an opening but are different texts, besides the many
  same-topic originals (posts about the VAT law, invoices …).

Everything is fed in time order to :class:`~yuqing.analysis.dedupe.NearDupIndex`. A predicted duplicate is
correct when it points at a member of the item's own family. precision = correct / predicted duplicates;
recall = reposts found in their family / reposts.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import opencc

from yuqing.analysis.dedupe import THRESHOLD, NearDupIndex, dedupe_form

DEFAULT_DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"
SITES = [
    "新浪财经",
    "澎湃新闻",
    "今日头条",
    "腾讯新闻",
    "网易新闻",
    "搜狐",
    "微信公众号“财税早知道”",
    "天山网",
    "兵团日报",
]
EMOJI = ["👍", "😡", "🙏", "！！！", "#转发#", "#税务#", "[doge]"]
_SENT = re.compile(r"(?<=[。！？!?；;\n])")
_s2t = opencc.OpenCC("s2t")


@dataclass
class Sample:
    id: str
    text: str
    family: int
    kind: str  # original | repost | negative
    edits: str = ""


def load_originals(data: Path, rng: random.Random, n_posts: int, n_titles: int, n_reviews: int) -> list[str]:
    posts = [json.loads(line)["text"] for line in (data / "tax_posts_train.jsonl").open(encoding="utf-8")]
    posts = [p for p in posts if len(dedupe_form(p)) >= 20]
    titles = [line.split("\t")[0] for line in (data / "thucnews_titles_dev.txt").open(encoding="utf-8")]
    with (data / "waimai_10k.csv").open(encoding="utf-8") as f:
        reviews = [row["review"] for row in csv.DictReader(f) if 8 <= len(row["review"]) <= 80]
    chosen = rng.sample(posts, min(n_posts, len(posts)))
    chosen += rng.sample(titles, n_titles) + rng.sample(reviews, n_reviews)
    return _drop_near_copies(chosen)


def _grams(text: str) -> set[str]:
    form = dedupe_form(text)
    return {form[i : i + 3] for i in range(max(1, len(form) - 2))}


def _drop_near_copies(texts: list[str]) -> list[str]:
    """Keep texts whose 3-gram Jaccard with every kept text is < 0.5 (exact sets; inverted index on grams)."""
    kept: list[str] = []
    kept_grams: list[set[str]] = []
    by_gram: dict[str, list[int]] = {}
    for text in texts:
        grams = _grams(text)
        if not grams or grams == {""}:
            continue
        counts = Counter(i for g in grams for i in by_gram.get(g, ()))
        if any(c / len(grams | kept_grams[i]) >= 0.5 for i, c in counts.items()):
            continue
        for g in grams:
            by_gram.setdefault(g, []).append(len(kept))
        kept.append(text)
        kept_grams.append(grams)
    return kept


def _sentences(text: str) -> list[str]:
    return [s for s in _SENT.split(text) if s]


def _edit(text: str, rng: random.Random) -> tuple[str, str]:
    """Apply 1–3 random repost edits; returns the new text and the edit names."""
    edits = rng.sample(["source", "punct", "trim", "trad", "tail", "chain"], rng.randint(1, 3))
    if len(text) < 40 and "trim" in edits:
        edits.remove("trim")  # trimming a headline makes another headline
    if not edits:
        edits = ["source"]
    for edit in edits:
        if edit == "source":
            line = rng.choice(
                [f"转自{rng.choice(SITES)}", f"来源：{rng.choice(SITES)}", f"原标题：{text[:18]}"]
            )
            text = f"{line}\n{text}" if rng.random() < 0.5 else f"{text}\n{line}"
        elif edit == "punct":
            table = str.maketrans({"，": ",", "。": ". ", "！": "!", "？": "?", ",": "，", " ": ""})
            text = text.translate(table)
            text = text.replace("、", "，") if rng.random() < 0.5 else text.replace("：", ":")
        elif edit == "trim":
            sents = _sentences(text)
            if len(sents) >= 3:
                budget = 0.15 * len(text)
                idx = rng.choice([len(sents) - 1, rng.randrange(1, len(sents))])
                if len(sents[idx]) <= budget:
                    del sents[idx]
                text = "".join(sents)
            else:
                text = text[: max(1, int(len(text) * 0.9))]
        elif edit == "trad":
            text = _s2t.convert(text)
        elif edit == "tail":
            text = text + rng.choice(EMOJI)
        elif edit == "chain":
            text = rng.choice(["【转】", "转发：", f"//@{rng.choice(['小王', 'taxfan', '路人甲'])}: "]) + text
    return text, "+".join(edits)


def _hashtags(text: str) -> set[str]:
    return set(re.findall(r"#([^#\s]{2,12})#", text))


def build_set(data: Path = DEFAULT_DATA, seed: int = 7) -> list[Sample]:
    rng = random.Random(seed)
    originals = load_originals(data, rng, n_posts=700, n_titles=400, n_reviews=300)
    samples: list[Sample] = []
    for fam, text in enumerate(originals):
        samples.append(Sample(f"o{fam}", text, fam, "original"))
    rng.shuffle(samples)
    stream: list[Sample] = list(samples)
    for orig in samples:
        if rng.random() < 1 / 3:
            for k in range(rng.randint(1, 2)):
                new, edits = _edit(orig.text, rng)
                pos = stream.index(orig) + rng.randint(1, 40)
                stream.insert(
                    min(pos, len(stream)), Sample(f"r{orig.family}.{k}", new, orig.family, "repost", edits)
                )
    posts = [s for s in samples if len(s.text) > 80]
    by_tag: dict[str, list[Sample]] = {}
    for s in posts:
        for tag in _hashtags(s.text):
            by_tag.setdefault(tag, []).append(s)
    negatives = 0
    family = len(originals)
    used: set[str] = set()  # each original feeds one splice at most: two splices of one pair are copies
    progress = True
    while progress and negatives < 200:
        progress = False
        for tag in sorted(by_tag):
            group = [s for s in by_tag[tag] if s.id not in used]
            if len(group) < 2 or negatives >= 200:
                continue
            a, b = rng.sample(group, 2)
            used.update((a.id, b.id))
            cut_a, cut_b = int(len(a.text) * rng.uniform(0.3, 0.45)), int(len(b.text) * 0.45)
            stream.append(Sample(f"n{family}", a.text[:cut_a] + b.text[cut_b:], family, "negative", "splice"))
            family += 1
            negatives += 1
            progress = True
    return stream


def evaluate(data: Path = DEFAULT_DATA, seed: int = 7, threshold: float = THRESHOLD) -> dict:
    """Build the set, run the index over it, return precision, recall and counts (see module doc)."""
    stream = build_set(data, seed)
    index = NearDupIndex(threshold=threshold)
    family_of = {s.id: s.family for s in stream}
    predicted = correct = found = 0
    missed: Counter[str] = Counter()
    false_by_kind: Counter[str] = Counter()
    started = time.perf_counter()
    for t, sample in enumerate(stream):
        dup = index.add(sample.id, sample.text, float(t))
        if dup is not None:
            predicted += 1
            if family_of[str(dup)] == sample.family:
                correct += 1
            else:
                false_by_kind[sample.kind] += 1
        if sample.kind == "repost":
            if dup is not None and family_of[str(dup)] == sample.family:
                found += 1
            else:
                for edit in sample.edits.split("+"):
                    missed[edit] += 1
    elapsed = time.perf_counter() - started
    reposts = sum(1 for s in stream if s.kind == "repost")
    return {
        "metric": "neardup",
        "threshold": threshold,
        "seed": seed,
        "items": len(stream),
        "originals": sum(1 for s in stream if s.kind == "original"),
        "reposts": reposts,
        "hard_negatives": sum(1 for s in stream if s.kind == "negative"),
        "predicted_duplicates": predicted,
        "precision": round(correct / predicted, 4) if predicted else 1.0,
        "recall": round(found / reposts, 4) if reposts else 1.0,
        "false_positives_by_kind": dict(false_by_kind),
        "misses_by_edit": dict(missed),
        "us_per_item": round(elapsed / len(stream) * 1e6, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with the shared real data")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--threshold", type=float, default=THRESHOLD)
    args = parser.parse_args(argv)
    if not (args.data / "tax_posts_train.jsonl").exists():
        print(f"数据目录不存在或不完整：{args.data}（用 --data 指定 ../shared/data）", file=sys.stderr)
        return 2
    result = evaluate(args.data, args.seed, args.threshold)
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

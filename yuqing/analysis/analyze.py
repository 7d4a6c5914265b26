"""One analysis of one text: 涉税 relevance, monitoring plans, categories, sentiment — explained.

:class:`Analyzer` loads the model files once (lazily, per process) and is then cheap to call: the text is
normalised and segmented once, the lexicons run once, one sparse vector feeds every linear head. Plain
Python, no Django, no database; what the live pipeline, the API and ``yuqing analyze`` all call.

:func:`analyze_jsonl` is ``yuqing analyze --input IN.jsonl --output OUT.jsonl`` (also
``python -m yuqing.analysis.analyze``): a rich progress bar on stderr, each bad input line reported with
its line number and skipped, never a crash on content.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np

from yuqing.analysis import text as text_mod
from yuqing.analysis.classify.categories import score_categories
from yuqing.analysis.classify.features import Featurized
from yuqing.analysis.classify.model import MODELS_DIR, ModelBundle, load_bundle
from yuqing.analysis.classify.relevance import FIELD_LABELS, PlanHitSummary, score_relevance
from yuqing.analysis.classify.sentiment import score_sentiment
from yuqing.analysis.classify.signals import SignalExtractor, Signals

RESULT_KEYS = (
    "tax_related",
    "relevance",
    "categories",
    "sentiment",
    "negative_score",
    "matched_plans",
    "explanation",
    "model_version",
)
_MAX_PLAN_HITS = 20


def _as_text(value: object) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


class Analyzer:
    """Holds the models; :meth:`analyze` is thread-safe.

    Without *models_dir* the shipped models are used, loaded once per process and shared by every
    Analyzer; with *models_dir* (e.g. right after :func:`yuqing.analysis.train.train_all`) that directory
    is read afresh.
    """

    def __init__(self, models_dir: Path | str | None = None) -> None:
        self.bundle = ModelBundle.load(Path(models_dir)) if models_dir else load_bundle()
        self.featurizer = self.bundle.featurizer()
        self.signals = SignalExtractor()
        self._planset: tuple[tuple[int, ...], Any] | None = None

    @property
    def model_version(self) -> str:
        return self.bundle.version

    def _match_plans(
        self, plans: Sequence[tuple[str, Any]], title: str, content: str, author: str, source: str
    ):
        """``[(plan name, PlanMatch)]`` of the plans that match; a plan that fails is reported, not raised."""
        if not plans:
            return [], []
        from yuqing.analysis import plans as plans_mod

        doc = plans_mod.Doc(title=title, content=content, author=author, source=source)
        key = tuple(id(p) for _, p in plans)
        errors: list[str] = []
        try:
            if self._planset is None or self._planset[0] != key:
                self._planset = (key, plans_mod.PlanSet([p for _, p in plans]))
            occ = plans_mod.scan_doc(self._planset[1].scanner, doc)
        except Exception as exc:  # a broken plan must not stop the analysis of the item
            return [], [f"监测方案扫描失败：{exc}"]
        matched = []
        for name, plan in plans:
            try:
                m = plan.match_scanned(occ)
            except Exception as exc:
                errors.append(f"监测方案“{name}”匹配失败：{exc}")
                continue
            if m is not None:
                matched.append((name, m))
        return matched, errors

    def _score(self, body: str, head: str) -> tuple[str, Signals, Featurized, np.ndarray]:
        """(full text, lexicon signals, features, every head's score) of a normalised text and title."""
        full = f"{head}\n{body}" if head and body else head or body
        words = text_mod.tokens(full) if full else []  # normalising normalised text is a cheap no-op
        signals = self.signals.extract(full)
        feats = self.featurizer.featurize(full, words, signals.meta(self.bundle.spec.meta_dim))
        return full, signals, feats, self.bundle.scores(feats.vec)

    def head_probabilities(self, text: str, title: str | None = None) -> dict[str, float]:
        """Every model head's probability for a text (sigmoid of its score; sentiment heads softmaxed per
        model). For diagnosis and tests: :meth:`analyze` is what decides."""
        body, head = text_mod.normalize(_as_text(text)), text_mod.normalize(_as_text(title))
        scores = self._score(body, head)[3]
        out: dict[str, float] = {}
        for prefix in ("sent_general", "sent_domain"):
            names, logits = self.bundle.pick(scores, prefix)
            if names:
                z = np.exp(logits - logits.max())
                out.update({f"{prefix}:{n}": float(p) for n, p in zip(names, z / z.sum(), strict=True)})
        for name, score in zip(self.bundle.heads, scores, strict=True):
            if not name.startswith("sent_"):
                out[name] = float(1.0 / (1.0 + np.exp(-score)))
        return out

    def analyze(
        self,
        text: str,
        title: str | None = None,
        *,
        author: str = "",
        source: str = "",
        plans: Sequence[tuple[str, Any]] = (),
    ) -> dict[str, Any]:
        """Analyse one item. Returns the design contract's keys plus ``model_version``.

        *plans* are ``(name, CompiledPlan)`` pairs (``yuqing.analysis.plans.compile_plan``); each match
        raises relevance and is listed in ``matched_plans`` by name, its hits in ``explanation["plans"]``.
        Any string (empty, emoji only, 1 MB, traditional characters, control characters) gives a result.
        """
        raw_text, raw_title = _as_text(text), _as_text(title)
        # normalised first: the plan scanner normalises the same raw fields and then hits the cache
        body, head = text_mod.normalize(raw_text), text_mod.normalize(raw_title)
        matched, plan_errors = self._match_plans(
            plans, raw_title, raw_text, _as_text(author), _as_text(source)
        )
        summaries = [PlanHitSummary(name, tuple((h.word, h.field) for h in m.hits)) for name, m in matched]
        full, signals, feats, scores = self._score(body, head)
        rel = score_relevance(self.bundle, scores, signals, summaries)
        sent = score_sentiment(self.bundle, scores, signals)
        cats = score_categories(self.bundle, scores, signals, self.featurizer, feats)
        if not full:
            rel.reasons.insert(0, "空文本")
        explanation: dict[str, Any] = {
            "relevance": rel.reasons,
            "sentiment": sent.reasons,
            "sentiment_probabilities": sent.probabilities,
            "categories": cats.details if rel.tax_related else [],
            "category_candidates": cats.candidates,
            "category_probabilities": cats.probabilities,
            "plans": [
                {
                    "plan": name,
                    "hits": [
                        {
                            "word": h.word,
                            "field": h.field,
                            "field_label": FIELD_LABELS.get(h.field, h.field),
                            "start": h.start,
                            "end": h.end,
                        }
                        for h in m.hits[:_MAX_PLAN_HITS]
                    ],
                }
                for name, m in matched
            ],
        }
        if not rel.tax_related:
            explanation["categories_note"] = "非涉税内容，不分类" + (
                "（候选：" + "、".join(d["label"] for d in cats.details if d["code"] != "other") + "）"
                if cats.labels != ["other"]
                else ""
            )
        if plan_errors:
            explanation["errors"] = plan_errors
        return {
            "tax_related": rel.tax_related,
            "relevance": rel.relevance,
            "categories": cats.labels if rel.tax_related else [],
            "sentiment": sent.label,
            "negative_score": sent.negative_score,
            "matched_plans": [name for name, _ in matched],
            "explanation": explanation,
            "model_version": self.model_version,
        }


def default_plans() -> list[tuple[str, Any]]:
    """The demo plan of ``data/default_plan.json`` as ``[(name, CompiledPlan)]``; empty when absent."""
    try:
        from yuqing.analysis import plans as plans_mod

        if not plans_mod.DEFAULT_PLAN_PATH.exists():
            return []
        plan = plans_mod.default_plan()
        return [(plan.name or "默认方案", plan)]
    except Exception as exc:  # a broken demo plan file: analyse without it, say so
        print(f"默认监测方案不可用，已跳过：{exc}", file=sys.stderr)
        return []


def _parse_line(raw: bytes, lineno: int) -> tuple[dict | None, str | None]:
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, f"第 {lineno} 行：不是 UTF-8 编码（{exc.reason}，位置 {exc.start}）"
    if not line.strip():
        return None, None
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, f"第 {lineno} 行：不是合法的 JSON（{exc.msg}，第 {exc.colno} 列）"
    if not isinstance(obj, dict):
        return None, f"第 {lineno} 行：应为 JSON 对象，实为 {type(obj).__name__}"
    if "id" not in obj:
        return None, f"第 {lineno} 行：缺少 id"
    if not isinstance(obj.get("text"), str):
        return None, f"第 {lineno} 行：缺少 text 或 text 不是字符串"
    if obj.get("title") is not None and not isinstance(obj["title"], str):
        return None, f"第 {lineno} 行：title 不是字符串"
    return obj, None


def analyze_jsonl(
    in_path: str | Path,
    out_path: str | Path,
    *,
    progress: bool = True,
    plans: Sequence[tuple[str, Any]] | None = None,
    analyzer: Analyzer | None = None,
    err: IO[str] | None = None,
) -> dict[str, int]:
    """Analyse every line ``{"id", "text", "title"?}`` of *in_path* into *out_path* (``-``: stdin/stdout).

    Uses the default plan (``data/default_plan.json``) unless *plans* is given. Bad lines are reported on
    stderr with their line number and skipped. Returns the counts ``lines``, ``written``, ``bad`` and
    ``tax_related``.
    """
    err = err or sys.stderr
    analyzer = analyzer or Analyzer()
    plans = default_plans() if plans is None else list(plans)
    counts = {"lines": 0, "written": 0, "bad": 0, "tax_related": 0}
    in_file = sys.stdin.buffer if str(in_path) == "-" else open(in_path, "rb")  # noqa: SIM115
    out_file = sys.stdout if str(out_path) == "-" else open(out_path, "w", encoding="utf-8")  # noqa: SIM115
    total = None if str(in_path) == "-" else Path(in_path).stat().st_size
    bar = None
    try:
        if progress:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

            bar = Progress(
                TextColumn("分析"),
                BarColumn(),
                TaskProgressColumn(),
                TextColumn("{task.fields[items]} 条"),
                TimeRemainingColumn(),
                console=Console(file=err),
                transient=False,
            )
            bar.start()
            task = bar.add_task("analyze", total=total, items=0)
        for lineno, raw in enumerate(in_file, 1):
            counts["lines"] = lineno
            obj, problem = _parse_line(raw, lineno)
            if problem:
                counts["bad"] += 1
                print(problem, file=err)
            if obj is not None:
                result = analyzer.analyze(obj["text"], obj.get("title"), plans=plans)
                out_file.write(json.dumps({"id": obj["id"], **result}, ensure_ascii=False) + "\n")
                counts["written"] += 1
                counts["tax_related"] += int(result["tax_related"])
            if bar is not None:
                bar.update(task, advance=len(raw), items=counts["written"])
    finally:
        if bar is not None:
            bar.stop()
        if in_file is not sys.stdin.buffer:
            in_file.close()
        if out_file is not sys.stdout:
            out_file.close()
        else:
            out_file.flush()
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="批量分析：涉税相关性、监测方案、分类、情感（无需服务器和数据库）"
    )
    parser.add_argument("--input", required=True, help="输入 JSONL，每行 {id, text, title?}；- 为标准输入")
    parser.add_argument("--output", required=True, help="输出 JSONL；- 为标准输出")
    parser.add_argument("--no-progress", action="store_true", help="不显示进度条")
    parser.add_argument("--models", default=None, help=f"模型目录（默认 {MODELS_DIR}）")
    args = parser.parse_args(argv)
    try:
        counts = analyze_jsonl(
            args.input, args.output, progress=not args.no_progress, analyzer=Analyzer(args.models)
        )
    except OSError as exc:
        print(f"无法读写文件：{exc}", file=sys.stderr)
        return 2
    print(
        f"完成：{counts['lines']} 行，输出 {counts['written']} 条（涉税 {counts['tax_related']}），"
        f"跳过坏行 {counts['bad']}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""``yuqing evaluate``: bad input is named by file and line; a labelled file of the bureau's own is scored;
``--check`` fails when a figure falls below its floor."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from yuqing.analysis.evaluation import run


def evaluate(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "yuqing.cli", "evaluate", *args], capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '{"text": "个税", "tax_related": true, "sentiment": "neutral", "categories": []}\nnot json\n',
            "第 2 行：不是有效的 JSON",
        ),
        (
            '{"text": "个税", "tax_related": true, "sentiment": "neutral", "categories": ["tax_evasion"]}\n',
            "第 1 行：未知类别 tax_evasion",
        ),
        (
            '{"text": "个税", "tax_related": "yes", "sentiment": "neutral", "categories": []}\n',
            "第 1 行：tax_related 须为",
        ),
        ('{"tax_related": true, "sentiment": "neutral", "categories": []}\n', "第 1 行：缺少 text"),
        ("\n", "没有任何标注行"),
    ],
)
def test_a_bad_labelled_file_is_refused_naming_the_line(tmp_path, content, message):
    path = tmp_path / "mine.jsonl"
    path.write_text(content, encoding="utf-8")
    done = evaluate("--input", str(path))
    assert done.returncode == 2
    assert message in done.stderr
    assert done.stdout == ""


def test_a_missing_file_is_named(tmp_path):
    done = evaluate("--input", str(tmp_path / "absent.jsonl"))
    assert done.returncode == 2 and "absent.jsonl：文件不存在" in done.stderr


def test_the_bureaus_own_labelled_file_is_scored_class_by_class(tmp_path):
    lines = [
        {
            "text": "办税服务厅排了三个小时的队，窗口只开一个",
            "tax_related": True,
            "sentiment": "negative",
            "categories": ["service"],
        },
        {
            "text": "今年个税专项附加扣除信息确认开始了",
            "tax_related": True,
            "sentiment": "neutral",
            "categories": [],
        },
        {"text": "周末去爬山，风景很好", "tax_related": False, "sentiment": "positive", "categories": []},
    ]
    path = tmp_path / "mine.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
    done = evaluate("--input", str(path))
    assert done.returncode == 0, done.stderr
    rows = [json.loads(x) for x in done.stdout.splitlines()]
    relevance = next(r for r in rows if r["task"] == "relevance")
    assert relevance["n"] == 3 and relevance["support"] == 2
    service = next(r for r in rows if r["task"] == "categories" and r["label"] == "service")
    assert service["support"] == 1
    assert any(r["label"] == "macro_f1" for r in rows)


def test_check_names_every_figure_below_its_floor():
    rows = [
        {"task": "sentiment", "dataset": "d", "label": "negative", "f1": 0.5},
        {"task": "false_alarms", "dataset": "d", "label": "auto_open_cases", "value": 2},
    ]
    thresholds = [
        {"task": "sentiment", "dataset": "d", "label": "negative", "min": 0.6},
        {"task": "false_alarms", "dataset": "d", "label": "auto_open_cases", "key": "value", "max": 0},
        {"task": "relevance", "dataset": "d", "label": "tax_related", "min": 0.8},
    ]
    failures = run.check(rows, thresholds)
    assert len(failures) == 3
    assert "0.5 低于下限 0.6" in failures[0] and "2.0 高于上限 0" in failures[1] and "没有算出" in failures[2]
    assert run.check(rows, thresholds[:0]) == []


def test_the_thresholds_file_names_only_figures_the_evaluation_produces():
    spec = json.loads(Path(run.THRESHOLDS_FILE).read_text(encoding="utf-8"))
    assert spec["thresholds"]
    for t in spec["thresholds"]:
        assert ("min" in t) != ("max" in t), t

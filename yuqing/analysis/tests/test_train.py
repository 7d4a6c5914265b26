"""train_all on a tiny data directory: loadable models, new versions, determinism, corrections."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from pathlib import Path

import pytest

from yuqing.analysis.analyze import Analyzer
from yuqing.analysis.train import train_all

POSTS = [
    "个税汇算清缴开始了，记得申报退税",
    "小规模纳税人季度销售额30万以下免征增值税",
    "税务局工作人员态度恶劣，乱收费",
    "增值税专用发票和普通发票有什么区别",
    "跨境电商怎么选品，求带",
    "今天面试了一家亚马逊公司",
    "电子税务局申报时一直报错",
    "点赞税务局，退税很快到账",
]
NEWS = ["湖人队加时险胜勇士\t7", "央行下调存款准备金率\t0", "新电影票房破十亿\t9", "高考报名今日开始\t3"]
REVIEWS = [("1", "很好吃，送得也快"), ("0", "太难吃了，再也不点"), ("1", "味道不错"), ("0", "送餐慢，差评")]
CORRECTION = "紫藤花开时节蓝莓山药糕配方大公开"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("data")
    with (d / "tax_posts_train.jsonl").open("w", encoding="utf-8") as fh:
        for k, text in enumerate(POSTS * 3):
            fh.write(json.dumps({"id": f"tp{2 * k}", "text": f"{text}（{k}）"}, ensure_ascii=False) + "\n")
    (d / "thucnews_titles_dev.txt").write_text("\n".join(NEWS * 5) + "\n", encoding="utf-8")
    for name, header in (
        ("waimai_10k.csv", ["label", "review"]),
        ("online_shopping_10_cats.csv", ["cat", "label", "review"]),
    ):
        with (d / name).open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            for k, (label, review) in enumerate(REVIEWS * 5):
                row = [label, f"{review}{k}"]
                writer.writerow(["书籍", *row] if header[0] == "cat" else row)
    return d


@pytest.fixture(scope="module")
def first(tmp_path_factory, data_dir) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("models")
    return out, train_all(out, data_dir=data_dir, log=lambda _msg: None)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow  # a real training run over the labelled corpus (minutes)
def test_train_all_writes_loadable_models_with_a_dated_version(first):
    out, manifest = first
    assert re.fullmatch(r"\d{4}\.\d{2}\.\d{2}-1", manifest["version"])
    assert (out / "weights.npz").stat().st_size < 8_000_000
    analyzer = Analyzer(out)
    assert analyzer.model_version == manifest["version"]
    result = analyzer.analyze("税务局工作人员态度恶劣，乱收费")
    assert result["model_version"] == manifest["version"]
    assert {"relevance", "sent_general:negative", "sent_domain:negative", "cat:integrity"} <= set(
        manifest["heads"]
    )
    assert manifest["training_data"]["labelled"]["corpus"]
    assert "metrics" in manifest


@pytest.mark.slow  # a real training run over the labelled corpus (minutes)
def test_retraining_in_the_same_directory_gives_the_next_version(first, data_dir):
    out, manifest = first
    again = train_all(out, data_dir=data_dir, log=lambda _msg: None)
    prefix, n = manifest["version"].rsplit("-", 1)
    assert again["version"] == f"{prefix}-{int(n) + 1}"
    assert Analyzer(out).model_version == again["version"]


@pytest.mark.slow  # a real training run over the labelled corpus (minutes)
def test_the_same_inputs_give_byte_identical_weights(first, data_dir, tmp_path):
    out, _ = first
    train_all(tmp_path, data_dir=data_dir, log=lambda _msg: None)
    assert _sha(tmp_path / "weights.npz") == _sha(out / "weights.npz")


@pytest.mark.slow  # a real training run over the labelled corpus (minutes)
def test_staff_corrections_are_learned(first, data_dir, tmp_path):
    out, _ = first
    extra = [
        {"text": CORRECTION, "tax_related": True, "sentiment": "negative", "categories": ["mass_incident"]}
    ] * 3
    manifest = train_all(tmp_path, extra_examples=extra, data_dir=data_dir, log=lambda _msg: None)
    assert manifest["training_data"]["labelled"]["corrections"] == {"train": 3}
    before = Analyzer(out).head_probabilities(CORRECTION)
    after = Analyzer(tmp_path).head_probabilities(CORRECTION)
    assert after["cat:mass_incident"] > before["cat:mass_incident"] + 0.2
    assert after["relevance"] > before["relevance"]


@pytest.mark.slow  # a real training run over the labelled corpus (minutes)
def test_without_public_data_the_existing_heads_are_carried_over(tmp_path):
    empty = tmp_path / "no-data"
    empty.mkdir()
    manifest = train_all(tmp_path / "models", data_dir=empty, log=lambda _msg: None)
    assert manifest["heads_how"]["sent_general:negative"] == "carried over"
    assert manifest["heads_how"]["relevance"] == "carried over"
    assert manifest["heads_how"]["cat:integrity"] == "trained"  # the synthetic examples live in the repo
    assert manifest["notes"]
    assert Analyzer(tmp_path / "models").analyze("税务局乱收费")["tax_related"] is True


def _snapshot(directory: Path) -> dict[str, str]:
    return {p.name: _sha(p) for p in sorted(directory.iterdir()) if p.is_file()}


@pytest.mark.slow  # a real training run over the labelled corpus (minutes)
def test_a_correction_with_an_unknown_label_is_refused_naming_it_and_nothing_is_written(first, data_dir):
    from yuqing.analysis.classify.datasets import CorpusError

    out, _ = first
    before = _snapshot(out)
    with pytest.raises(CorpusError, match="更正样本第 2 条：未知类别 bribery"):
        train_all(
            out,
            extra_examples=[
                {"text": "退税很快", "sentiment": "positive"},
                {"text": "某事", "categories": ["bribery"]},
            ],
            data_dir=data_dir,
            log=lambda _msg: None,
        )
    assert _snapshot(out) == before


@pytest.mark.slow  # a real training run over the labelled corpus (minutes)
def test_a_run_that_fails_while_writing_leaves_the_existing_models_untouched(first, data_dir, monkeypatch):
    from yuqing.analysis.classify import model as model_mod

    out, _ = first
    before = _snapshot(out)

    def disk_full(self, directory, prune):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(model_mod.ModelBundle, "save", disk_full)
    with pytest.raises(OSError):
        train_all(out, data_dir=data_dir, log=lambda _msg: None)
    assert _snapshot(out) == before
    assert not [p for p in out.parent.iterdir() if ".staging-" in p.name]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"text": "a", "sentiment": "neutral"}\n{oops\n', "extra.jsonl 第 2 行：不是有效的 JSON"),
        ('{"text": "a", "sentiment": "angry"}\n', "extra.jsonl 第 1 行：sentiment 须为"),
        ('\n\n{"title": "", "tax_related": true}\n', "extra.jsonl 第 3 行：缺少 text"),
    ],
)
def test_the_train_command_names_the_bad_line_of_a_corrections_file(tmp_path, capsys, content, message):
    from yuqing.analysis.train import main

    extra = tmp_path / "extra.jsonl"
    extra.write_text(content, encoding="utf-8")
    out = tmp_path / "models"
    assert main(["--extra", str(extra), "--out", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_the_train_command_names_a_missing_corrections_file(tmp_path, capsys):
    from yuqing.analysis.train import main

    assert main(["--extra", str(tmp_path / "nope.jsonl"), "--out", str(tmp_path / "m")]) == 2
    assert "nope.jsonl：文件不存在" in capsys.readouterr().err

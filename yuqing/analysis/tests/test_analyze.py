"""Analyzer contract, bad input, and the batch JSONL command."""

from __future__ import annotations

import io
import json

import pytest

from yuqing.analysis.analyze import RESULT_KEYS, Analyzer, analyze_jsonl, main
from yuqing.analysis.classify.model import MODELS_DIR
from yuqing.vocab import CATEGORIES, SENTIMENTS


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def _check_shape(r: dict) -> None:
    assert set(r) == set(RESULT_KEYS)
    assert isinstance(r["tax_related"], bool)
    assert 0.0 <= r["relevance"] <= 1.0
    assert 0.0 <= r["negative_score"] <= 1.0
    assert r["sentiment"] in SENTIMENTS
    assert all(c in CATEGORIES for c in r["categories"])
    assert isinstance(r["matched_plans"], list)
    assert isinstance(r["explanation"], dict)
    json.dumps(r, ensure_ascii=False)  # serialisable as is


def test_the_result_has_exactly_the_contract_keys_and_the_model_version(analyzer):
    r = analyzer.analyze("个税汇算清缴开始了", "提醒")
    _check_shape(r)
    manifest = json.loads((MODELS_DIR / "manifest.json").read_text(encoding="utf-8"))
    assert r["model_version"] == manifest["version"] == analyzer.model_version
    assert set(r["explanation"]) >= {"relevance", "sentiment", "categories", "plans"}


def test_analysis_is_deterministic(analyzer):
    text = "税务局工作人员态度恶劣，乱收费"
    assert analyzer.analyze(text) == analyzer.analyze(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t  ",
        None,
        "😀😡🙏🏻👍",
        "https://example.com/a?b=1 http://t.cn/xyz",
        "VAT refund 增值税 留抵退税 policy is good, isn't it?",
        "\x00\x01税务\x02局\x1b[31m乱收费\u200b\ufeff",
        "\ud800 lone surrogate 税",
        12345,
    ],
)
def test_bad_input_gives_a_result_not_an_exception(analyzer, text):
    _check_shape(analyzer.analyze(text, title=None))


def test_a_megabyte_of_text_gives_a_result(analyzer):
    r = analyzer.analyze("税务局办税服务厅排队。" * 100_000)
    _check_shape(r)
    assert r["tax_related"] is True


def test_traditional_characters_are_read_as_simplified(analyzer):
    trad = analyzer.analyze("個人所得稅匯算清繳開始了，記得在個稅App上申報退稅")
    simp = analyzer.analyze("个人所得税汇算清缴开始了，记得在个税App上申报退税")
    assert trad["tax_related"] is True
    assert abs(trad["relevance"] - simp["relevance"]) < 0.01
    assert trad["sentiment"] == simp["sentiment"]


def test_empty_text_is_not_tax_related_and_says_why(analyzer):
    r = analyzer.analyze("")
    assert r["tax_related"] is False
    assert r["explanation"]["relevance"][0] == "空文本"


def test_the_title_counts_towards_the_analysis(analyzer):
    assert analyzer.analyze("排队三个小时", "税务局办税服务厅")["tax_related"] is True


def _write(path, lines: list[bytes]) -> None:
    path.write_bytes(b"\n".join(lines) + b"\n")


def test_analyze_jsonl_writes_good_lines_and_reports_bad_ones_by_line_number(tmp_path, analyzer):
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _write(
        src,
        [
            json.dumps(
                {"id": "a", "text": "个税汇算清缴开始了", "title": "提醒"}, ensure_ascii=False
            ).encode(),
            b"{not json",
            json.dumps({"id": "b", "title": "no text"}).encode(),
            b"[1, 2]",
            "\u00ff".encode("latin-1"),
            b"",
            json.dumps({"id": 3, "text": "湖人队加时险胜勇士"}, ensure_ascii=False).encode(),
        ],
    )
    err = io.StringIO()
    counts = analyze_jsonl(src, dst, progress=False, analyzer=analyzer, err=err)
    out = [json.loads(line) for line in dst.read_text(encoding="utf-8").splitlines()]
    assert [o["id"] for o in out] == ["a", 3]
    assert out[0]["tax_related"] is True and out[1]["tax_related"] is False
    for o in out:
        assert set(o) == {"id", *RESULT_KEYS}
    assert counts == {"lines": 7, "written": 2, "bad": 4, "tax_related": 1}
    report = err.getvalue()
    for lineno in (2, 3, 4, 5):
        assert f"第 {lineno} 行" in report
    assert "第 6 行" not in report  # a blank line is not an error


def test_analyze_jsonl_uses_the_default_plan(tmp_path, analyzer):
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    line = {"id": 1, "title": "铁门关市税务局办税服务厅", "text": "排队三个小时，工作人员态度很差"}
    _write(src, [json.dumps(line, ensure_ascii=False).encode()])
    analyze_jsonl(src, dst, progress=False, analyzer=analyzer, err=io.StringIO())
    (out,) = [json.loads(x) for x in dst.read_text(encoding="utf-8").splitlines()]
    assert out["matched_plans"] and "铁门关" in out["matched_plans"][0]


def test_analyze_jsonl_draws_a_progress_bar_on_the_error_stream(tmp_path, analyzer):
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _write(
        src,
        [json.dumps({"id": i, "text": f"第{i}条：个税申报"}, ensure_ascii=False).encode() for i in range(5)],
    )
    err = io.StringIO()
    counts = analyze_jsonl(src, dst, progress=True, analyzer=analyzer, err=err)
    assert counts["written"] == 5
    assert "分析" in err.getvalue()


def test_the_command_line_entry_point_returns_zero_and_two(tmp_path, capsys):
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _write(src, [b'{"id": 1, "text": "\xe4\xb8\xaa\xe7\xa8\x8e"}'])
    assert main(["--input", str(src), "--output", str(dst), "--no-progress"]) == 0
    assert json.loads(dst.read_text(encoding="utf-8"))["id"] == 1
    assert main(["--input", str(tmp_path / "missing.jsonl"), "--output", str(dst), "--no-progress"]) == 2
    assert "无法读写文件" in capsys.readouterr().err

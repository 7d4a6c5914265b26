"""Event membership (issue 10): the gold event set is well-formed, the pairwise figures are computed right,
and the clusterer is scored over every gold item."""

from __future__ import annotations

import json
from datetime import date

import pytest

from yuqing.analysis.classify import datasets as ds
from yuqing.analysis.evaluation import events as ev


def corpus_ids() -> set[str]:
    rows = (ds.CORPUS_DIR / "texts.jsonl").read_text(encoding="utf-8").splitlines()
    return {json.loads(line)["id"] for line in rows if line.strip()}


def test_the_gold_events_name_only_corpus_texts_each_in_one_event():
    events = ev.read_events()
    known = corpus_ids()
    seen: set[str] = set()
    for event in events:
        assert event["event"].strip() and event["basis"].strip(), event
        for item in event["ids"]:
            assert item in known, f"{item} 不在 texts.jsonl 中"
            assert item not in seen, f"{item} 出现在两个事件中"
            seen.add(item)
    assert len(seen) >= 100
    assert sum(len(e["ids"]) > 1 for e in events) >= 10


def test_pairwise_scores_count_pairs_of_a_toy_clustering():
    gold = {"a": 1, "b": 1, "c": 1, "d": 2, "e": 2}
    predicted = {"a": "x", "b": "x", "c": "y", "d": "y", "e": "z"}
    # gold pairs ab ac bc de; predicted pairs ab cd; only ab is right
    scores = ev.pairwise_scores(gold, predicted)
    assert (scores["correct_pairs"], scores["gold_pairs"], scores["predicted_pairs"]) == (1, 4, 2)
    assert (scores["precision"], scores["recall"], scores["f1"]) == (0.5, 0.25, 0.3333)
    assert (scores["items"], scores["gold_events"], scores["predicted_events"]) == (5, 2, 3)


def test_a_perfect_clustering_scores_one_and_all_singletons_score_zero():
    gold = {"a": 1, "b": 1, "c": 2, "d": 2, "e": 3}
    assert ev.pairwise_scores(gold, {k: f"p{v}" for k, v in gold.items()})["f1"] == 1.0
    alone = ev.pairwise_scores(gold, {k: k for k in gold})
    assert (alone["precision"], alone["recall"], alone["predicted_pairs"]) == (0.0, 0.0, 0)


def test_an_item_without_a_predicted_event_is_refused():
    with pytest.raises(ValueError, match="没有预测事件的条目"):
        ev.pairwise_scores({"a": 1, "b": 1}, {"a": "x"})


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "https://tv.cctv.com/2023/01/13/VIDEFr5ghdlI471YgYxfDkNe230113.shtml (新闻联播 20230113)",
            date(2023, 1, 13),
        ),
        ("http://ncdzx.com/plzhx/dlgc/shehui/201108/t20110830_2014705.htm", date(2011, 8, 1)),
        ("http://www.uschinapress.com/static/content/SH/2021-12-22/9232938361708", date(2021, 12, 22)),
        ("github:thunlp/Chinese_Rumor_Dataset/CED_Dataset/rumor-repost/144_yxqOcntCc_1971489044.json", None),
    ],
)
def test_the_stream_date_is_read_from_the_source_address(source, expected):
    assert ev.source_date(source) == expected


def test_a_malformed_gold_line_is_named(tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_text(
        '{"event": "甲", "ids": ["c00001"], "basis": "同一页面"}\n{"event": "乙", "ids": []}\n', "utf-8"
    )
    with pytest.raises(ds.CorpusError, match="第 2 行：ids 须为非空的 id 列表"):
        ev.read_events(path)


def test_evaluate_membership_scores_every_gold_item():
    events = ev.read_events()
    result = ev.evaluate_membership()
    for key in ("precision", "recall", "f1"):
        assert 0.0 <= result[key] <= 1.0
    assert result["items"] == sum(len(e["ids"]) for e in events)
    assert result["gold_events"] == len(events)
    assert result["gold_pairs"] == sum(len(e["ids"]) * (len(e["ids"]) - 1) // 2 for e in events)
    assert 1 <= result["predicted_events"] <= result["items"]

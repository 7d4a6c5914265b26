"""Tests for event clustering, the event summary and the batch CLI, on a small real-text fixture.

The fixture (fixtures/events.jsonl) holds 28 short texts written for these tests about four tax stories:
A 办税服务厅排长队, B 二十二团医保费多扣, C 金税四期查转账谣言, D 主播偷逃税 — originals, reposts
(转自/来源 lines, //@ chains) and rewordings by other outlets.
"""

import json
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from yuqing.analysis.batch_cluster import cluster_jsonl
from yuqing.analysis.cluster import ClusterConfig, Clusterer, ClusterItem, summarize_event

FIXTURE = Path(__file__).parent / "fixtures" / "events.jsonl"


def rows() -> list[dict]:
    return [json.loads(line) for line in FIXTURE.open(encoding="utf-8")]


def item(row: dict) -> ClusterItem:
    return ClusterItem(
        id=row["id"],
        text=row["text"],
        title=row["title"],
        url=row["url"],
        published_at=datetime.fromisoformat(row["published_at"]),
        source=row["source"],
        media_type=row["media_type"],
    )


def run(clusterer: Clusterer) -> dict[str, str]:
    """item id → final event id (merges applied)."""
    raw = {r["id"]: clusterer.add(item(r)).event_id for r in rows()}
    return {i: clusterer.resolve(e) or e for i, e in raw.items()}


def test_stories_are_never_mixed_and_mostly_whole_with_the_default_threshold():
    events = run(Clusterer())
    by_story = defaultdict(Counter)
    for r in rows():
        by_story[r["story"]][events[r["id"]]] += 1
    owners = defaultdict(set)
    for story, counter in by_story.items():
        for event in counter:
            owners[event].add(story)
        largest = counter.most_common(1)[0][1]
        assert largest >= sum(counter.values()) - 1, story
    assert all(len(stories) == 1 for stories in owners.values())


def test_a_lower_threshold_groups_the_fixture_exactly_by_story():
    events = run(Clusterer(ClusterConfig(threshold=0.25)))
    groups = defaultdict(set)
    for r in rows():
        groups[events[r["id"]]].add(r["story"])
    assert sorted(len(v) for v in groups.values()) == [1, 1, 1, 1]
    assert len(groups) == 4


def test_reposts_point_at_the_earliest_copy_and_join_its_event():
    clusterer = Clusterer()
    result = {r["id"]: clusterer.add(item(r)) for r in rows()}
    assert result["a2"].duplicate_of == "a1"
    assert result["a4"].duplicate_of == "a3"
    assert result["b2"].duplicate_of == "b1"
    assert result["c7"].duplicate_of == "c4"  # a repost of a repost points at the original
    assert result["d2"].duplicate_of == "d1"
    for r in ("a2", "a4", "b2", "c7", "d2"):
        assert result[r].event_id == result[result[r].duplicate_of].event_id
        assert result[r].new_event is False
    assert result["a1"].new_event and result["b1"].new_event


def test_an_unrelated_item_opens_a_new_event():
    clusterer = Clusterer()
    run(clusterer)
    other = ClusterItem(
        "z",
        "库尔勒香梨今年丰收，果农忙着采摘装箱发往全国。",
        published_at=datetime(2026, 3, 6, 15, tzinfo=UTC),
    )
    assert clusterer.add(other).new_event


def test_state_round_trip_gives_the_same_assignments_as_an_uninterrupted_run():
    data = rows()
    whole = Clusterer()
    expected = [whole.add(item(r)) for r in data]
    first = Clusterer()
    got = [first.add(item(r)) for r in data[:14]]
    restored = Clusterer.from_state(first.to_state())
    got += [restored.add(item(r)) for r in data[14:]]
    assert got == expected


def test_state_is_not_a_pickle_and_foreign_bytes_are_refused():
    state = Clusterer().to_state()
    assert state[:2] == b"PK"  # a zip (npz) of plain arrays
    with pytest.raises(ValueError):
        Clusterer.from_state(b"PK\x03\x04 definitely not a state")


def test_old_events_and_items_leave_the_window():
    clusterer = Clusterer(ClusterConfig(window_days=1))
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    a = clusterer.add(ClusterItem("a", "铁门关税务局办税服务厅排长队，窗口太少", published_at=t0))
    later = t0 + timedelta(days=3)
    b = clusterer.add(ClusterItem("b", "铁门关税务局办税服务厅排长队，窗口太少", published_at=later))
    assert b.duplicate_of is None  # the first copy is gone with the window
    assert b.event_id != a.event_id
    assert a.event_id not in clusterer.events
    assert "a" not in clusterer.item_event


def test_small_similar_events_are_merged_and_reported():
    clusterer = Clusterer(ClusterConfig(threshold=0.95, merge_every=4, merge_threshold=0.3))
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    texts = [
        "二十二团职工医保费被多扣三百元，税务所和团场互相推诿",
        "二十二团多名职工反映医保费多扣，团场说找税务所",
        "医保费多扣三百元，二十二团职工找税务所没人管",
        "二十二团医保费多扣一事，职工希望尽快退还",
    ]
    for i, text in enumerate(texts):
        clusterer.add(ClusterItem(i, text, published_at=t0 + timedelta(minutes=i)))
    merges = clusterer.drain_merges()
    assert merges
    assert all(clusterer.resolve(gone) == clusterer.resolve(into) for gone, into in merges)
    assert len(clusterer.events) < len(texts)
    assert clusterer.drain_merges() == []


def test_event_ids_carry_a_prefix_so_a_fresh_clusterer_does_not_reuse_them():
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    a = Clusterer().add(ClusterItem(1, "铁门关税务局通知", published_at=t0))
    b = Clusterer().add(ClusterItem(1, "铁门关税务局通知", published_at=t0 + timedelta(days=30)))
    assert a.event_id != b.event_id
    assert Clusterer(id_prefix="g7").add(ClusterItem(1, "通知", published_at=t0)).event_id == "g7-1"


def test_summary_names_the_first_publisher_with_a_reason_and_a_central_title():
    members = [item(r) for r in rows() if r["story"] == "A"]
    members[1].duplicate_of = "a1"
    summary = summarize_event(members)
    assert summary["first_item"] == "a1"
    assert summary["first_publisher"]["source"] == "微博用户@铁门关小李"
    assert "最早" in summary["first_publisher"]["reason"]
    assert "办税服务厅" in summary["title"]
    assert summary["sites"] >= 5
    assert summary["media_types"]["weibo"] == 3
    assert sum(h["count"] for h in summary["hourly"]) == len(members)
    words = [w["word"] for w in summary["hot_words"]]
    assert "办税服务厅" in words or "排队" in words
    assert summary["phase"] in {"emerging", "peak", "declining", "subsided"}


def test_first_publisher_tie_prefers_the_original_then_authoritative_media():
    t = datetime(2026, 3, 1, 9, tzinfo=UTC)
    repost = ClusterItem("r", "转载", published_at=t, media_type="newspaper", duplicate_of="o")
    original = ClusterItem("o", "原文", published_at=t, media_type="weibo")
    summary = summarize_event([repost, original])
    assert summary["first_item"] == "o"
    assert "原文" in summary["first_publisher"]["reason"]
    weibo = ClusterItem("w", "某事", published_at=t, media_type="weibo")
    paper = ClusterItem("p", "某事报道", published_at=t + timedelta(seconds=20), media_type="newspaper")
    summary = summarize_event([weibo, paper])
    assert summary["first_item"] == "p"
    assert "权威" in summary["first_publisher"]["reason"]


def test_summary_counts_sentiment_and_categories_when_members_carry_them():
    t = datetime(2026, 3, 1, 9, tzinfo=UTC)
    members = [
        ClusterItem(
            1, "投诉税务所", published_at=t, sentiment="negative", negative_score=0.9, categories=["service"]
        ),
        ClusterItem(
            2, "税务所回应", published_at=t, sentiment="neutral", negative_score=0.2, categories=["service"]
        ),
    ]
    summary = summarize_event(members)
    assert summary["sentiment"] == {"negative": 1, "neutral": 1}
    assert summary["categories"] == {"service": 2}
    assert summary["mean_negative_score"] == pytest.approx(0.55)


@pytest.mark.parametrize("text", ["", "😀😀", "https://t.cn/x", "税" * 1_000_000, "國稅局", "\x00\x07"])
def test_bad_input_gets_an_event_not_an_exception(text):
    assignment = Clusterer().add(ClusterItem("x", text, published_at=None))
    assert assignment.event_id


def test_batch_cli_writes_one_line_per_item_and_reports_bad_lines(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    lines = [
        json.dumps(
            {k: r[k] for k in ("id", "text", "title", "url", "published_at", "source")}, ensure_ascii=False
        )
        for r in rows()
    ]
    lines.insert(3, "{not json")
    lines.insert(7, json.dumps({"text": "没有编号"}))
    lines.insert(9, json.dumps({"id": "t", "text": "时间不对", "published_at": "昨天"}))
    lines.append(json.dumps({"id": "late", "text": "没有时间的条目也能处理"}))
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    stats = cluster_jsonl(src, out, progress=False)
    err = capsys.readouterr().err
    assert "第 4 行跳过" in err and "第 8 行跳过" in err and "第 10 行跳过" in err
    result = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in result] == [r["id"] for r in rows()] + ["late"]
    assert set(result[0]) == {"id", "event_id", "duplicate_of"}
    assert stats["bad_lines"] == 3 and stats["items"] == len(rows()) + 1
    by_id = {r["id"]: r for r in result}
    assert by_id["a2"]["duplicate_of"] == "a1"
    assert by_id["a2"]["event_id"] == by_id["a1"]["event_id"]


def test_batch_cli_uses_the_same_clusterer_as_the_live_pipeline(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows()) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    cluster_jsonl(src, out, progress=False)
    batch = {json.loads(line)["id"]: json.loads(line)["event_id"] for line in out.read_text().splitlines()}
    assert batch == run(Clusterer())


def test_an_event_is_not_titled_by_a_repost_prefix():
    t = datetime(2026, 3, 1, 9, tzinfo=UTC)
    text = "铁门关市办税服务厅排队三小时无人管，网友质疑纳税服务。"
    members = [
        ClusterItem("o", text, title="办税服务厅排队三小时无人管", published_at=t),
        *(
            ClusterItem(
                f"r{i}", text, title="转：办税服务厅排队三小时无人管", published_at=t + timedelta(minutes=i)
            )
            for i in range(1, 4)
        ),
    ]
    assert summarize_event(members)["title"] == "办税服务厅排队三小时无人管"
    only_reposts = [ClusterItem("r", text, title="【转载】办税服务厅排队", published_at=t)]
    assert summarize_event(only_reposts)["title"] == "办税服务厅排队"

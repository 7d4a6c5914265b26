"""Tests for the propagation graph: explicit links and attribution lines first, then time + similarity."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from yuqing.analysis.cluster import ClusterItem
from yuqing.analysis.propagation import propagation_graph

FIXTURE = Path(__file__).parent / "fixtures" / "events.jsonl"
T = datetime(2026, 3, 2, 9, tzinfo=UTC)


def story(name: str) -> list[ClusterItem]:
    rows = [json.loads(line) for line in FIXTURE.open(encoding="utf-8")]
    return [
        ClusterItem(
            r["id"],
            r["text"],
            r["title"],
            r["url"],
            datetime.fromisoformat(r["published_at"]),
            r["source"],
            r["media_type"],
        )
        for r in rows
        if r["story"] == name
    ]


def edges(graph: dict) -> dict:
    return {e["to"]: (e["from"], e["reason"]) for e in graph["edges"]}


def test_a_link_in_the_text_is_an_explicit_edge():
    graph = propagation_graph(story("D"))
    assert edges(graph)["d5"] == ("d4", "正文含链接")


def test_source_lines_name_the_member_they_came_from():
    got = edges(propagation_graph(story("A")))
    assert got["a4"] == ("a3", "注明转自铁门关生活圈")
    assert got["a6"] == ("a5", "注明来源：天山网")
    got = edges(propagation_graph(story("B")))
    assert got["b4"][0] == "b3"
    assert got["b7"] == ("b5", "注明转自天山网")


def test_weibo_repost_chains_credit_the_named_user():
    got = edges(propagation_graph(story("A")))
    assert got["a2"][0] == "a1"
    assert "铁门关小李" in got["a2"][1]


def test_original_title_line_credits_the_member_with_that_title():
    a = ClusterItem("a", "正文一段关于税务局的报道", "税务局回应排队问题", published_at=T, source="甲网")
    b = ClusterItem(
        "b",
        "原标题：税务局回应排队问题\n改写后的正文",
        "新标题",
        published_at=T + timedelta(hours=1),
        source="乙网",
    )
    assert edges(propagation_graph([a, b]))["b"] == ("a", "注明原标题")


def test_without_cues_the_most_similar_earlier_member_is_the_parent():
    got = edges(propagation_graph(story("C")))
    source, reason = got["c3"]
    assert source in {"c1", "c2"}
    assert reason.startswith("时间先后+相似度 ")
    assert 0.3 <= float(reason.split()[-1]) <= 1


def test_dissimilar_members_hang_from_the_first_item():
    a = ClusterItem("a", "铁门关税务局办税服务厅排长队", published_at=T, source="甲")
    b = ClusterItem("b", "完全不同的一句话关于天气", published_at=T + timedelta(hours=1), source="乙")
    got = edges(propagation_graph([b, a]))
    assert got == {"b": ("a", "时间先后（首发在前）")}


def test_nodes_carry_what_the_chart_needs_and_the_root_is_the_first_publisher():
    graph = propagation_graph(story("A"))
    assert graph["root"] == "a1"
    node = graph["nodes"][0]
    assert set(node) == {"id", "source", "site", "media_type", "published_at", "label"}
    assert node["site"] == "weibo.com"
    assert len(graph["edges"]) == len(graph["nodes"]) - 1
    assert json.dumps(graph, ensure_ascii=False)


def test_empty_and_odd_members_give_a_graph():
    assert propagation_graph([]) == {"nodes": [], "edges": [], "root": None}
    odd = [
        ClusterItem(1, "", published_at=None, url="not a url"),
        ClusterItem(2, "😀", published_at=T, url="http://[::1"),
    ]
    assert len(propagation_graph(odd)["edges"]) == 1

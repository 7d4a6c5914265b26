"""The 传播路径 panel of the event page: a graph of fewer than two nodes is a sentence, not an empty chart."""

from __future__ import annotations

import pytest

from yuqing.events.models import Event

pytestmark = pytest.mark.django_db


def _node(pk: int, source: str) -> dict[str, object]:
    return {"id": pk, "source": source, "site": "", "label": source}


def test_a_one_node_graph_shows_a_sentence_instead_of_the_panel(clerk_client):
    graph = {"nodes": [_node(1, "铁门关论坛")], "edges": [], "root": 1}
    event = Event.objects.create(key="g1", title="单条首发", size=1, propagation=graph)
    html = clerk_client.get(f"/events/{event.pk}/").content.decode()
    assert 'id="chart-propagation"' not in html and "传播关系列表" not in html
    assert "目前只有 1 条信息发布（铁门关论坛），尚无传播路径。" in html


def test_an_event_without_a_graph_says_there_is_no_path_yet(clerk_client):
    event = Event.objects.create(key="g0", title="未分析", size=0)
    html = clerk_client.get(f"/events/{event.pk}/").content.decode()
    assert 'id="chart-propagation"' not in html and "尚无传播路径" in html


def test_a_graph_of_two_nodes_is_drawn_with_its_list(clerk_client):
    graph = {
        "nodes": [_node(1, "铁门关论坛"), _node(2, "某微博")],
        "edges": [{"from": 1, "to": 2, "reason": "注明转自铁门关论坛"}],
        "root": 1,
    }
    event = Event.objects.create(key="g2", title="两条", size=2, propagation=graph)
    html = clerk_client.get(f"/events/{event.pk}/").content.decode()
    assert 'id="chart-propagation"' in html and "注明转自铁门关论坛" in html
    assert "尚无传播路径" not in html

"""The demo's good news is judged as good news: the false alarm a duty officer saw in the demo (issue 10)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from yuqing.analysis.analyze import Analyzer

DEMO = Path(__file__).resolve().parents[2] / "demo" / "data" / "demo_items.json"
GRAVE = {"integrity", "discipline", "mass_incident"}


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def demo_item(title: str) -> dict:
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    items = data if isinstance(data, list) else data["items"]
    return next(i for i in items if isinstance(i, dict) and i.get("title") == title)


def test_longer_service_hours_are_not_negative_and_carry_no_grave_class(analyzer):
    item = demo_item("铁门关市办税服务厅推出延时服务和周末预约服务")
    result = analyzer.analyze(item["content"], item["title"])
    assert result["tax_related"]
    assert result["sentiment"] != "negative"
    assert not GRAVE & set(result["categories"])


def test_every_assigned_class_shows_its_evidence(analyzer):
    result = analyzer.analyze("办注销跑了五趟，专管员暗示要“懂点事”，这不就是吃拿卡要吗？", "税务所吃拿卡要")
    assert "integrity" in result["categories"]
    for detail in result["explanation"]["categories"]:
        if detail["code"] != "other":
            assert detail["cues"] or detail["examples"], detail

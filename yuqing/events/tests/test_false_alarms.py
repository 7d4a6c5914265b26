"""No false alarms: real non-negative tax texts through the whole chain open no case and raise no alert above
一般. The texts are the corpus's official tax news and explainers stored inline (新闻联播 excerpts and web
pages, ``yuqing/analysis/data/corpus``), labelled neutral or positive by the guide — no synthetic text.

A monitoring plan that matches any tax text is enabled, so neither the plan guard nor relevance can hide a
false alarm: the severity rule and the tone of the texts must.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from yuqing.analysis.classify import datasets as ds
from yuqing.cases.models import Case
from yuqing.events import services
from yuqing.events.models import Alert, Event, MonitoringPlan
from yuqing.items.ingest import ingest_entries
from yuqing.sources.fetchers.base import RawEntry
from yuqing.sources.models import Source

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

T0 = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)


def non_negative_official_texts() -> list[tuple[str, str]]:
    labels = ds.read_corpus_labels(ds.CORPUS_DIR / "labels_a.jsonl")
    out = []
    for line in (ds.CORPUS_DIR / "texts.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        lab = labels.get(row["id"])
        if row.get("text") and lab and lab["tax_related"] and lab["sentiment"] != "negative":
            out.append((row["id"], row["text"]))
    return out


def test_five_hundred_real_non_negative_tax_texts_open_no_case_and_raise_nothing_above_general(clerk):
    texts = non_negative_official_texts()
    assert len(texts) >= 500
    MonitoringPlan.objects.create(name="凡涉税", expression="税 OR 发票 OR 社保费 OR 纳税 OR 征收")
    news = Source.objects.create(
        name="新闻网", kind="rss", url="https://news.example.cn/rss", media_type="news_site"
    )
    tv = Source.objects.create(
        name="电视台网站", kind="rss", url="https://tv.example.cn/rss", media_type="tv"
    )
    entries = [
        RawEntry(
            url=f"https://news.example.cn/{cid}",
            title=text.split("。", 1)[0][:60],
            content=text,
            # twelve an hour for two days: bursts of related news, as a real stream has
            published_at=T0 + timedelta(minutes=5 * n),
        )
        for n, (cid, text) in enumerate(texts)
    ]
    ingest_entries(entries[0::2], source=news)
    ingest_entries(entries[1::2], source=tv)

    services.analysis_run()

    assert Event.objects.exists()
    above = list(Alert.objects.exclude(level="general").values_list("event__title", "level"))
    graded = list(Event.objects.exclude(severity="general").values_list("title", "severity", "level_rule"))
    assert above == [], f"{len(above)} alerts above 一般 from non-negative news: {above[:5]}"
    assert graded == [], f"{len(graded)} events above 一般: {graded[:5]}"
    assert Case.objects.count() == 0

"""Polling a source end to end: real HTTP over loopback → fetcher → ingest → health."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from yuqing.items.models import Item
from yuqing.sources import services
from yuqing.sources.fetchers.http import HttpClient
from yuqing.sources.models import Source, SourceKind
from yuqing.testing import factories

pytestmark = pytest.mark.django_db

FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>测试新闻网</title><link>http://example.cn/</link>
<item><title>铁门关市税务局开展税收宣传月活动</title><link>http://news.example.cn/a/1.html</link>
<description>活动期间办税服务厅设置咨询台，为纳税人解答个税汇算问题。</description>
<pubDate>Tue, 24 Nov 2026 09:00:00 +0800</pubDate></item>
<item><title>数电发票推广进企业</title><link>http://news.example.cn/a/2.html</link>
<description>税务干部走进园区企业，讲解数电发票开具流程。</description>
<pubDate>Tue, 24 Nov 2026 10:00:00 +0800</pubDate></item>
</channel></rss>"""


@pytest.fixture
def client():
    with HttpClient(min_host_interval=0, read_timeout=2, connect_timeout=2) as c:
        yield c


def make_source(url: str, **kw) -> Source:
    return factories.make_source(url=url, **{"intranet": True, **kw})


def test_poll_stores_feed_items_and_records_success(httpserver, client):
    httpserver.expect_request("/rss.xml").respond_with_data(FEED, content_type="application/rss+xml")
    source = make_source(httpserver.url_for("/rss.xml"))
    outcome = services.source_poll(source.id, client=client)
    assert (outcome.status, outcome.created) == ("ok", 2)
    source.refresh_from_db()
    assert source.last_success_at is not None and source.consecutive_failures == 0
    assert source.claimed_at is None
    assert source.next_poll_at > timezone.now() + timedelta(seconds=source.poll_interval - 10)
    assert set(Item.objects.values_list("title", flat=True)) == {
        "铁门关市税务局开展税收宣传月活动",
        "数电发票推广进企业",
    }


def test_second_poll_of_unchanged_feed_with_etag_costs_one_304(httpserver, client):
    httpserver.expect_request("/rss.xml", headers={"If-None-Match": '"v1"'}).respond_with_data("", status=304)
    httpserver.expect_request("/rss.xml").respond_with_data(
        FEED, content_type="application/rss+xml", headers={"ETag": '"v1"'}
    )
    source = make_source(httpserver.url_for("/rss.xml"))
    services.source_poll(source.id, client=client)
    before = len(httpserver.log)
    outcome = services.source_poll(source.id, client=client)
    assert outcome.status == "not_modified"
    assert len(httpserver.log) - before == 1
    assert httpserver.log[-1][1].status_code == 304
    assert Item.objects.count() == 2


def test_failure_is_recorded_and_backs_off_exponentially(httpserver, client):
    httpserver.expect_request("/rss.xml").respond_with_data("down", status=503)
    source = make_source(httpserver.url_for("/rss.xml"), poll_interval=60)
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        first = services.source_poll(source.id, client=client)
        source.refresh_from_db()
        assert first.status == "error" and "503" in first.error
        assert source.consecutive_failures == 1 and source.failing_since == now
        assert source.next_poll_at == now + timedelta(seconds=120)
    later = now + timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        services.source_poll(source.id, client=client)
        source.refresh_from_db()
        assert source.consecutive_failures == 2
        assert source.failing_since == now  # "since when" keeps the first failure
        assert source.next_poll_at == later + timedelta(seconds=240)
        assert "503" in source.last_error


def test_recovery_clears_the_failure_state(httpserver, client):
    source = make_source(httpserver.url_for("/rss.xml"))
    httpserver.expect_oneshot_request("/rss.xml").respond_with_data("oops", status=500)
    services.source_poll(source.id, client=client)
    httpserver.expect_request("/rss.xml").respond_with_data(FEED, content_type="application/rss+xml")
    services.source_poll(source.id, client=client)
    source.refresh_from_db()
    assert (source.consecutive_failures, source.failing_since, source.last_error) == (0, None, "")


def test_malformed_feed_is_an_error_not_a_crash(httpserver, client):
    httpserver.expect_request("/rss.xml").respond_with_data(
        "<rss><channel><item><title>半截", content_type="text/xml"
    )
    source = make_source(httpserver.url_for("/rss.xml"))
    outcome = services.source_poll(source.id, client=client)
    assert outcome.status == "error"
    assert Source.objects.get(id=source.id).consecutive_failures == 1


def test_loopback_source_not_marked_intranet_is_refused(httpserver, client):
    httpserver.expect_request("/rss.xml").respond_with_data(FEED, content_type="application/rss+xml")
    source = make_source(httpserver.url_for("/rss.xml"), intranet=False)
    outcome = services.source_poll(source.id, client=client)
    assert outcome.status == "error"
    assert "127.0.0.1" in outcome.error
    assert len(httpserver.log) == 0


def test_claim_takes_due_sources_once_and_reclaims_stale_claims(settings):
    settings.POLL_CLAIM_TIMEOUT = 600
    due = make_source("http://a.example.cn/rss")
    make_source("http://b.example.cn/rss", name="未到期", next_poll_at=timezone.now() + timedelta(hours=1))
    make_source("http://c.example.cn/rss", name="停用", enabled=False)
    Source.objects.create(name="推送", kind=SourceKind.WEBHOOK)
    now = timezone.now()
    assert services.sources_claim_due(now=now) == [due.id]
    assert services.sources_claim_due(now=now + timedelta(minutes=5)) == []  # claimed, worker still running
    assert services.sources_claim_due(now=now + timedelta(minutes=11)) == [due.id]  # worker died: re-claim

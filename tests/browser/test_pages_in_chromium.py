"""Real headless Chromium (Debian's package) against the live server over loopback."""

from __future__ import annotations

import os
import shutil

import pytest

from yuqing.events.models import Event
from yuqing.items.ingest import ingest_entries
from yuqing.items.models import Item
from yuqing.org import access
from yuqing.sources.fetchers.base import RawEntry
from yuqing.sources.models import Source
from yuqing.testing.factories import make_persona

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "Browser-Test-2026!"


@pytest.fixture
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail("Debian chromium is not installed (.ci/run installs it: apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made here are synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


def test_officer_logs_in_searches_and_opens_an_item_and_its_event(browser, live_server):
    make_persona("duty", "值班员", access.OFFICE_MEMBER, department="办公室", password=PASSWORD)
    source = Source.objects.create(
        name="铁门关论坛", kind="rss", url="http://bbs.example.cn/rss", media_type="forum"
    )
    ingest_entries(
        [
            RawEntry(
                url="http://bbs.example.cn/t/1",
                title="办税服务厅排队三小时无人管",
                content="网友反映铁门关市办税服务厅排队时间过长。<script>alert(1)</script>",
                published_at=None,
                raw={"guid": "t1"},
            ),
            RawEntry(
                url="http://bbs.example.cn/t/2",
                title="篮球赛开幕",
                content="二十二团篮球赛开幕",
                published_at=None,
            ),
        ],
        source=source,
    )
    item = Item.objects.get(url="http://bbs.example.cn/t/1")
    event = Event.objects.create(
        key="b1",
        title="办税服务厅排队",
        size=1,
        hourly=[{"hour": "2026-11-27T08:00:00+08:00", "count": 3}],
        sentiment={"negative": 1},
        propagation={"nodes": [{"id": item.id, "source": "铁门关论坛"}], "edges": []},
    )
    Item.objects.filter(id=item.id).update(event=event, tax_related=True, relevance=0.9, sentiment="negative")

    page = browser.new_page(locale="zh-CN")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(f"{live_server.url}/items/")
    assert "/login/" in page.url
    page.fill("input[name=username]", "duty")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/items/")
    assert page.locator("h1").inner_text() == "最新信息"
    page.fill("input[name=q]", "排队")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    rows = page.locator("table.list tbody tr")
    assert rows.count() == 1
    assert "办税服务厅排队三小时无人管" in rows.first.inner_text()
    page.click("text=办税服务厅排队三小时无人管")
    page.wait_for_load_state()
    assert "<script>alert(1)</script>" in page.locator(".content").inner_text()  # shown as text, not run
    page.click("text=原始数据（证据留存）")
    assert '"guid": "t1"' in page.locator(".evidence pre").inner_text()
    page.goto(f"{live_server.url}/events/{event.id}/")
    page.wait_for_selector("#chart-hourly canvas", timeout=10_000)
    # One item, so no propagation path: a sentence instead of an empty graph (issue 12).
    assert page.locator("#chart-propagation").count() == 0
    assert "尚无传播路径" in page.locator(".propagation-none").inner_text()
    assert errors == []

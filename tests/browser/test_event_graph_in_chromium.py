"""A one-item event page in Chromium: the 传播路径 panel is a sentence, the other charts still draw and the
page's script raises nothing."""

from __future__ import annotations

import pytest

from yuqing.events.models import Event
from yuqing.org import access
from yuqing.testing.factories import make_persona

from .test_pages_in_chromium import PASSWORD, browser  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_one_node_event_page_shows_the_sentence_and_draws_its_other_charts(browser, live_server):  # noqa: F811
    make_persona("duty", "值班员", access.OFFICE_MEMBER, department="办公室", password=PASSWORD)
    event = Event.objects.create(
        key="one",
        title="单条首发",
        size=1,
        hourly=[{"hour": "2026-11-27T08:00:00+08:00", "count": 1}],
        sentiment={"negative": 1},
        propagation={
            "nodes": [{"id": 1, "source": "铁门关论坛", "site": "", "label": "铁门关论坛"}],
            "edges": [],
            "root": 1,
        },
    )
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(60_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "duty")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/events/{event.id}/")
    page.wait_for_selector("#chart-sentiment canvas")
    page.wait_for_selector("#chart-hourly canvas")
    assert page.locator("#chart-propagation").count() == 0
    assert "尚无传播路径" in page.locator(".propagation-none").inner_text()
    assert errors == []
    context.close()

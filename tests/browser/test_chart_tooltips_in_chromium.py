"""Chart tooltips and labels on the event page show source names, titles and reasons as text: with the
Content-Security-Policy switched off in the browser, payloads in them create no element and run nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from yuqing.events.models import Event
from yuqing.items.ingest import ingest_entries
from yuqing.items.models import Item
from yuqing.org import access
from yuqing.sources.fetchers.base import RawEntry
from yuqing.sources.models import Source
from yuqing.testing.factories import make_persona

from .test_pages_in_chromium import PASSWORD, browser  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IMG = "<img src=x onerror=\"window.__pwned=(window.__pwned||[]).concat('img')\">"
DETAILS = "<details open ontoggle=\"window.__pwned=(window.__pwned||[]).concat('details')\">展开</details>"
IFRAME = "<iframe src=\"javascript:parent.__pwned=(parent.__pwned||[]).concat('iframe')\"></iframe>"
PAYLOADS = (IMG, DETAILS, IFRAME)
STORY = (
    "铁门关市几十家个体商户今天上午聚集在市税务局办税服务厅门口，反映今年定额调整幅度过大，"
    "有商户说定额一下涨了三倍，生意本来就不好做，要求税务局给个说法。现场秩序一度混乱，有人拉起横幅。"
)
# Elements the payloads would create if a tooltip took them as HTML.
INJECTED = "img[onerror], details[ontoggle], iframe[src^='javascript']"

SHOW_EVERY_TOOLTIP = """(injected) => {
  const texts = [], created = [];
  for (const id of ["chart-hourly", "chart-sentiment", "chart-propagation"]) {
    const el = document.getElementById(id);
    const chart = echarts.getInstanceByDom(el);
    const series = chart.getModel().getSeriesByIndex(0);
    const tips = [];
    for (let i = 0; i < series.getData().count(); i++)
      tips.push(() => chart.dispatchAction({type: "showTip", seriesIndex: 0, dataIndex: i}));
    if (id === "chart-propagation") {
      // showTip finds nodes only: an edge's tooltip comes from the pointer over its line.
      const edges = series.getEdgeData();
      for (let i = 0; i < edges.count(); i++) {
        const over = {target: edges.getItemGraphicEl(i), offsetX: 10, offsetY: 10};
        tips.push(() => chart.getZr().trigger("mousemove", over));
      }
    }
    for (const show of tips) {
      show();
      texts.push(el.textContent);
      document.querySelectorAll(injected).forEach((node) => created.push(id + ": " + node.outerHTML));
      chart.dispatchAction({type: "hideTip"});
    }
  }
  return {texts, created};
}"""

CONTROL = """(payloads) => {
  const box = document.createElement("div");
  box.id = "control";
  box.innerHTML = payloads.join("").split("__pwned").join("__control");
  document.body.appendChild(box);
}"""


def test_payloads_in_source_names_titles_and_reasons_stay_text_in_every_chart_tooltip(browser, live_server):  # noqa: F811
    make_persona("duty", "值班员", access.OFFICE_MEMBER, department="办公室", password=PASSWORD)
    forum = Source.objects.create(
        name=f"{IMG}论坛", kind="rss", url="http://bbs.example.cn/rss", media_type="forum"
    )
    weibo = Source.objects.create(name=f"{IFRAME}微博", kind="webhook", media_type="weibo")
    now = timezone.now()
    # Ingest hands the items to analysis (immediate here): they form one event with a propagation graph.
    ingest_entries(
        [
            RawEntry(
                url="http://bbs.example.cn/t/1",
                title=f"{DETAILS}商户聚集税务局门口",
                content=STORY,
                published_at=now,
            )
        ],
        source=forum,
    )
    ingest_entries(
        [
            RawEntry(
                url="https://weibo.example.cn/s/1",
                title=f"转发：{DETAILS}商户聚集税务局门口",
                content="转自：" + forum.name + "\n" + STORY,
                published_at=now + timedelta(minutes=10),
            )
        ],
        source=weibo,
    )
    event = Event.objects.get(merged_into__isnull=True, size__gt=0)
    assert Item.objects.filter(event=event).count() == 2
    graph = event.propagation
    assert {n["label"] for n in graph["nodes"]} == {forum.name, weibo.name}
    # Every formatter gets a payload: a node known only by its title, a reason naming a source, and the
    # sentiment and hour labels (which the server computes, but the formatters must not trust).
    graph["nodes"].append({"id": 999999, "source": "", "site": IFRAME, "label": f"{DETAILS}标题"})
    graph["edges"].append({"from": graph["root"], "to": 999999, "reason": f"注明转自{IMG}"})
    Event.objects.filter(id=event.id).update(
        propagation=graph,
        sentiment={**event.sentiment, f"{IMG}情感": 1},
        hourly=[*event.hourly, {"hour": f"2026-11-27T08{IMG}", "count": 1}],
    )

    context = browser.new_context(locale="zh-CN", bypass_csp=True)  # only escaping stands in the way
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "duty")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/events/{event.id}/")
    page.wait_for_selector("#chart-propagation canvas")
    result = page.evaluate(SHOW_EVERY_TOOLTIP, INJECTED)
    assert result["created"] == []
    assert page.locator(INJECTED).count() == 0
    shown = "\n".join(result["texts"])
    for payload in (IMG, IFRAME):  # the tooltips were shown, with the payloads as text
        assert payload in shown
    assert f"{DETAILS}标题" in shown and "注明转自" in shown

    # The control: the same payloads as HTML do run in this page (so the checks above could fail).
    page.evaluate(CONTROL, list(PAYLOADS))
    page.wait_for_function("() => (window.__control || []).length === 3")
    page.evaluate("document.getElementById('control').remove()")
    assert page.evaluate("window.__pwned === undefined")
    assert page.locator(INJECTED).count() == 0
    context.close()

"""The feed's pages: the latest items (filters, search, refresh) and one item with its evidence."""

from __future__ import annotations

import pytest

from yuqing.items.ingest import ingest_entries
from yuqing.items.models import Item
from yuqing.sources.fetchers.base import RawEntry
from yuqing.sources.models import Source, SourceKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def source():
    return Source.objects.create(
        name="测试论坛", kind=SourceKind.RSS, url="http://bbs.example.cn/rss", media_type="forum"
    )


@pytest.fixture
def item(source):
    ingest_entries(
        [
            RawEntry(
                url='http://bbs.example.cn/t/0?q="><script>alert(2)</script>',
                title="<script>alert('x')</script>办税厅排队",
                content="<img src=x onerror=alert(1)>正文",
                published_at=None,
                raw={"html": "<b>bold</b>"},
            ),
            RawEntry(
                url="http://bbs.example.cn/t/1",
                title="个税汇算遇到问题",
                content="个税APP提示信息不一致",
                published_at=None,
                raw={"guid": "t1"},
            ),
        ],
        source=source,
    )
    return Item.objects.get(url="http://bbs.example.cn/t/1")


def test_latest_items_page_lists_newest_first_with_filters(clerk_client, item):
    html = clerk_client.get("/items/").content.decode()
    assert html.index("个税汇算遇到问题") < html.index("办税厅排队")
    assert "每 15 秒自动刷新" in html
    assert 'hx-trigger="every 15s"' in html


def test_search_on_the_page(clerk_client, item):
    html = clerk_client.get("/items/", {"q": "个税"}).content.decode()
    assert "<mark>个税</mark>汇算遇到问题" in html and "办税厅排队" not in html


def test_bad_filter_values_are_reported_and_the_rest_kept(clerk_client, item):
    html = clerk_client.get(
        "/items/", {"q": "个税", "since": "yesterday", "media_type": "tv-ish"}
    ).content.decode()
    assert "开始时间格式无效" in html and "媒体类型无效" in html
    assert "<mark>个税</mark>汇算遇到问题" in html
    assert 'value="个税"' in html


def test_outside_html_is_never_active(clerk_client, item):
    bad = Item.objects.get(url__startswith="http://bbs.example.cn/t/0")
    for page in (f"/items/{bad.id}/", "/items/"):
        html = clerk_client.get(page).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;" in html


def test_item_detail_shows_source_link_and_raw_evidence(clerk_client, item):
    html = clerk_client.get(f"/items/{item.id}/").content.decode()
    assert 'href="http://bbs.example.cn/t/1"' in html
    assert "原始数据" in html and "&quot;guid&quot;: &quot;t1&quot;" in html


def test_unknown_item_is_404(clerk_client):
    assert clerk_client.get("/items/999999/").status_code == 404


def test_item_list_query_count_does_not_grow_with_items(clerk_client, source, django_assert_max_num_queries):
    ingest_entries(
        [
            RawEntry(
                url=f"http://bbs.example.cn/t/{i}", title=f"帖子{i}", content=f"内容{i}", published_at=None
            )
            for i in range(40)
        ],
        source=source,
    )
    with django_assert_max_num_queries(8):
        clerk_client.get("/items/")


def test_the_item_page_shows_the_evidence_for_each_class(source, clerk_client):
    from yuqing.events.services import analysis_run

    ingest_entries(
        [
            RawEntry(
                url="http://bbs.example.cn/t/9",
                title="税务所吃拿卡要",
                content="办注销跑了五趟，专管员暗示要“懂点事”，这不就是吃拿卡要吗？",
                published_at=None,
            )
        ],
        source=source,
    )
    analysis_run()
    item = Item.objects.get(url="http://bbs.example.cn/t/9")
    assert "integrity" in item.category_codes
    page = clerk_client.get(f"/items/{item.pk}/").content.decode()
    assert "类别依据" in page and "为税不清廉" in page
    assert "线索词：吃拿卡要" in page


def test_search_page_highlights_matches_and_says_which_synonyms_it_searched(clerk_client, source, item):
    ingest_entries(
        [
            RawEntry(
                url="http://bbs.example.cn/t/2",
                title="<i>个人所得税</i>退税到账",
                content="<script>x</script>" + "前文" * 60 + "个人所得税退税已到账，请注意查收。",
                published_at=None,
            )
        ],
        source=source,
    )
    html = clerk_client.get("/items/", {"q": "个税"}).content.decode()
    assert "已同时检索：个人所得税" in html
    assert "<mark>个税</mark>汇算遇到问题" in html
    # outside text stays text: the title's tags are escaped, only our <mark> is markup
    assert "&lt;i&gt;<mark>个人所得税</mark>&lt;/i&gt;退税到账" in html
    assert "<script>x</script>" not in html
    # the snippet is taken around the first match, not from the start of a long text
    assert "…" in html and "<mark>个人所得税</mark>退税已到账" in html


def test_search_without_synonyms_shows_no_expansion_line(clerk_client, item):
    html = clerk_client.get("/items/", {"q": "排队"}).content.decode()
    assert "已同时检索" not in html
    assert "<mark>排队</mark>" in html

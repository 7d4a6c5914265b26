from __future__ import annotations

import pytest

from yuqing.items.ingest import ingest_entries
from yuqing.items.selectors import item_list
from yuqing.sources.fetchers.base import RawEntry
from yuqing.sources.models import Source, SourceKind

pytestmark = pytest.mark.django_db

TEXTS = [
    (
        "个税汇算清缴开始预约",
        "国家税务总局铁门关市税务局提醒纳税人，个税汇算清缴可以通过个人所得税APP预约办理。",
    ),
    ("办税服务厅排队三小时", "网友反映铁门关市办税服务厅排队时间过长，税务部门回应将增开窗口。"),
    ("二十二团举办篮球比赛", "第二师二十二团职工篮球赛昨日开幕，共有十二支队伍参赛。"),
    ("小规模纳税人增值税减免政策解读", "小规模纳税人月销售额10万元以下免征增值税，发票开具不受影响。"),
]


@pytest.fixture
def items():
    source = Source.objects.create(name="测试", kind=SourceKind.RSS, url="https://x.example.cn/rss")
    entries = [
        RawEntry(url=f"https://x.example.cn/{i}", title=t, content=c, published_at=None)
        for i, (t, c) in enumerate(TEXTS)
    ]
    ingest_entries(entries, source=source)


def titles(q: str) -> set[str]:
    return {i.title for i in item_list(q=q)}


def test_two_character_word_is_found(items):
    assert titles("个税") == {"个税汇算清缴开始预约"}
    assert titles("税务") == {"个税汇算清缴开始预约", "办税服务厅排队三小时"}


def test_multi_word_query_requires_every_word(items):
    assert titles("排队 税务") == {"办税服务厅排队三小时"}
    assert titles("篮球 税务") == set()


def test_words_inside_longer_words_are_found(items):
    # 纳税人 is indexed in search mode, so a query for the longer word and its part both match.
    assert titles("增值税") == {"小规模纳税人增值税减免政策解读"}
    assert "小规模纳税人增值税减免政策解读" in titles("纳税人")


def test_query_with_fts_syntax_characters_is_treated_as_text(items):
    assert titles('"个税" OR NEAR(') == set()  # "or" and "near" are plain words no text contains
    assert titles('"个税"') == {"个税汇算清缴开始预约"}
    assert titles("*") == set()


def test_filters_combine_with_search(items):
    assert {i.title for i in item_list(q="税务", media_type="forum")} == set()

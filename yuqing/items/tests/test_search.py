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


# --- issue 12: words inside longer words, the tax synonyms, highlighting ---

SYNONYM_TEXTS = [
    ("个人所得税专项附加扣除开始确认", "纳税人可登录自然人电子税务局确认下一年度的扣除信息。"),
    ("数电发票全面推广", "全面数字化的电子发票已在全市推行，纳税人无需领用税控设备。"),
    ("全电发票开票额度调整", "部分纳税人反映全电发票额度不够用。"),
    ("社会保险费缴费基数公布", "灵活就业人员可通过手机缴纳社会保险费。"),
]


@pytest.fixture
def synonym_items(items):
    source = Source.objects.get(name="测试")
    entries = [
        RawEntry(url=f"https://x.example.cn/s{i}", title=t, content=c, published_at=None)
        for i, (t, c) in enumerate(SYNONYM_TEXTS)
    ]
    ingest_entries(entries, source=source)


def test_a_dictionary_word_inside_a_longer_word_is_found(items):
    # The text holds 个人所得税APP (one word of the tax dictionary); the query is cut as 个人所得税.
    assert titles("个人所得税") == {"个税汇算清缴开始预约"}
    assert titles("APP") == {"个税汇算清缴开始预约"}
    assert titles("个人所得税 预约") == {"个税汇算清缴开始预约"}


def test_index_tokens_hold_every_dictionary_word_inside_a_long_word():
    from yuqing.analysis.text import index_tokens, search_tokens

    words = index_tokens("可以通过个人所得税APP预约办理")
    assert {"个人所得税", "所得税", "app", "个人所得税app"} <= set(words)
    assert set(search_tokens("国家税务总局铁门关市税务局提醒纳税人")) <= set(
        index_tokens("国家税务总局铁门关市税务局提醒纳税人")
    )


def test_short_form_finds_the_full_name_and_back(synonym_items):
    assert "个人所得税专项附加扣除开始确认" in titles("个税")
    assert titles("个人所得税") >= {"个税汇算清缴开始预约", "个人所得税专项附加扣除开始确认"}
    assert titles("社保费") == {"社会保险费缴费基数公布"}
    assert titles("数电发票") == {"数电发票全面推广", "全电发票开票额度调整"}
    assert titles("全电发票") == {"数电发票全面推广", "全电发票开票额度调整"}


def test_synonyms_apply_to_one_word_and_the_other_words_still_required(synonym_items):
    assert titles("个税 确认") == {"个人所得税专项附加扣除开始确认"}
    assert titles("个税 篮球") == set()


def test_the_query_says_which_expansions_it_searched():
    from yuqing.items.search import parse_query
    from yuqing.items.synonyms import synonym_table

    query = parse_query("个税 退税", synonym_table())
    assert query.expansions == ["个人所得税"]
    assert parse_query("专票", synonym_table()).expansions == ["增值税专用发票"]
    assert "个人所得税" in parse_query("个税", synonym_table()).words


def test_synonym_expansion_is_an_or_of_a_few_phrases():
    from yuqing.items.search import MAX_ALTERNATIVES, _fts5_query, parse_query
    from yuqing.items.synonyms import synonym_table

    query = parse_query("个税 " * 30 + "留抵退税 偷税", synonym_table())
    assert len(query.groups) == 3  # a repeated word is one group
    assert all(len(g.alternatives) <= MAX_ALTERNATIVES for g in query.groups)
    # 增值税留抵退税 needs 留抵退税 and more, so it adds nothing to the OR and is left out
    assert _fts5_query(query).count("留抵退税") == 1


def test_the_built_in_dictionary_holds_the_common_tax_groups():
    from yuqing.items.synonyms import builtin_groups, synonym_table

    assert len(builtin_groups()) >= 40
    table = synonym_table()
    for short, full in [
        ("个税", "个人所得税"),
        ("专票", "增值税专用发票"),
        ("社保费", "社会保险费"),
        ("数电发票", "全电发票"),
        ("留抵退税", "增值税留抵退税"),
        ("个体户", "个体工商户"),
        ("金税四期", "金税工程"),
    ]:
        assert full in table[short] and short in table[full]


def test_an_office_synonym_group_is_applied(synonym_items, clerk):
    from yuqing.items.synonyms import synonym_save

    assert titles("缴费基数") == {"社会保险费缴费基数公布"}
    assert titles("缴费工资") == set()
    synonym_save(actor=clerk, terms="缴费工资 缴费基数", note="本局设置")
    assert titles("缴费工资") == {"社会保险费缴费基数公布"}


def test_highlight_marks_words_and_escapes_the_rest():
    from yuqing.items.search import highlight

    html = highlight("<b>个税</b>与个人所得税APP", ["个人所得税", "个税", "app"])
    assert html == "&lt;b&gt;<mark>个税</mark>&lt;/b&gt;与<mark>个人所得税</mark><mark>APP</mark>"
    snippet = highlight("甲" * 100 + "个税" + "乙" * 100, ["个税"], width=30)
    assert snippet.startswith("…") and snippet.endswith("…") and "<mark>个税</mark>" in snippet

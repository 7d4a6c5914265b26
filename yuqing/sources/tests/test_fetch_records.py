"""Record validation shared by the ingest API, `yuqing import`, file drops, JSON APIs and feeds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from yuqing.sources.fetchers.base import RawEntry
from yuqing.sources.fetchers.records import RecordError, parse_count, parse_record, read_export_file
from yuqing.sources.tests.fixtures import load

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2024, 5, 10, 4, 0, tzinfo=UTC)  # 12:00 Beijing time
URL = "https://www.example.cn/news/1.html"
NOT_ABSOLUTE = "必须是以 http:// 或 https:// 开头的完整链接："
MEDIA_LABELS = "报刊、广播、电视、新闻网站、商业网站、视频网站、社区论坛、博客、微博、微信公众号、其他"


def record(**fields: object) -> dict[str, object]:
    return {
        "url": URL,
        "title": "增值税留抵退税政策解读",
        "content": "符合条件的企业可申请退还增量留抵税额。",
        **fields,
    }


def error_of(obj: dict[str, object]) -> RecordError:
    with pytest.raises(RecordError) as caught:
        parse_record(obj, now=NOW)
    return caught.value


def test_minimal_record_becomes_a_raw_entry() -> None:
    entry = parse_record(record(), now=NOW)
    assert entry == RawEntry(
        url=URL,
        title="增值税留抵退税政策解读",
        content="符合条件的企业可申请退还增量留抵税额。",
        published_at=None,
        raw=record(),
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-05-01T12:00:00+08:00", datetime(2024, 5, 1, 12, 0, tzinfo=SHANGHAI)),
        ("2024-05-01T04:00:00Z", datetime(2024, 5, 1, 4, 0, tzinfo=UTC)),
        ("2024-05-01 12:00", datetime(2024, 5, 1, 12, 0, tzinfo=SHANGHAI)),
        ("2024-05-01 12:00:30", datetime(2024, 5, 1, 12, 0, 30, tzinfo=SHANGHAI)),
        ("2024/05/01 12:00", datetime(2024, 5, 1, 12, 0, tzinfo=SHANGHAI)),
        ("2024/5/1 9:05", datetime(2024, 5, 1, 9, 5, tzinfo=SHANGHAI)),
        ("2024年5月1日 12:00", datetime(2024, 5, 1, 12, 0, tzinfo=SHANGHAI)),
        ("2024年5月1日 下午3点30分", datetime(2024, 5, 1, 15, 30, tzinfo=SHANGHAI)),
        ("2024年05月01日", datetime(2024, 5, 1, 0, 0, tzinfo=SHANGHAI)),
        (1714536000, datetime(2024, 5, 1, 4, 0, tzinfo=UTC)),
        (1714536000000, datetime(2024, 5, 1, 4, 0, tzinfo=UTC)),
        ("1714536000", datetime(2024, 5, 1, 4, 0, tzinfo=UTC)),
        ("Wed, 01 May 2024 12:00:00 +0800", datetime(2024, 5, 1, 12, 0, tzinfo=SHANGHAI)),
        ("Tue, 07 May 2024 10:00:00 CST", datetime(2024, 5, 7, 10, 0, tzinfo=SHANGHAI)),
        ("Tue May 07 10:00:00 CST 2024", datetime(2024, 5, 7, 10, 0, tzinfo=SHANGHAI)),
        ("Tue May 07 10:00:00 +0800 2024", datetime(2024, 5, 7, 10, 0, tzinfo=SHANGHAI)),
        ("3小时前", datetime(2024, 5, 10, 9, 0, tzinfo=SHANGHAI)),
        ("昨天 18:30", datetime(2024, 5, 9, 18, 30, tzinfo=SHANGHAI)),
        ("05-08 07:15", datetime(2024, 5, 8, 7, 15, tzinfo=SHANGHAI)),
        ("", None),
    ],
)
def test_published_at_formats(value: object, expected: datetime | None) -> None:
    entry = parse_record(record(published_at=value), now=NOW)
    assert entry.published_at == expected
    assert entry.published_at is None or entry.published_at.tzinfo is not None


def test_naive_datetime_objects_are_beijing_time() -> None:
    entry = parse_record(record(published_at=datetime(2024, 5, 1, 12, 0)), now=NOW)
    assert entry.published_at == datetime(2024, 5, 1, 4, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("下周一", "无法解析的时间：下周一"),
        ("2024-13-01", "无法解析的时间：2024-13-01"),
        ("2024-05-12 12:00", "发布时间晚于当前时间：2024-05-12 12:00"),
        ("1989-06-01", "发布时间早于 1990 年：1989-06-01"),
    ],
)
def test_bad_published_at_is_rejected(value: str, message: str) -> None:
    error = error_of(record(published_at=value))
    assert (error.field, error.message) == ("published_at", message)


def test_a_few_hours_ahead_is_tolerated_for_clock_skew() -> None:
    ahead = (NOW + timedelta(hours=20)).isoformat()
    assert parse_record(record(published_at=ahead), now=NOW).published_at == NOW + timedelta(hours=20)


@pytest.mark.parametrize(
    ("obj", "field", "message"),
    [
        ({"title": "无链接"}, "url", "缺少必填字段"),
        (record(url="ftp://files.example.cn/a"), "url", f"{NOT_ABSOLUTE}ftp://files.example.cn/a"),
        (record(url="/news/1.html"), "url", f"{NOT_ABSOLUTE}/news/1.html"),
        (record(url="https://www.example.cn/a b"), "url", "链接中含有空白字符：https://www.example.cn/a b"),
        ({"url": URL, "title": "  ", "content": "\n"}, "content", "标题和正文至少需要填写一项"),
        (record(title="税" * 501), "title", "超过 500 个字符（501）"),
        (record(content="税" * 200_001), "content", "超过 200000 个字符（200001）"),
        (record(media_type="电报"), "media_type", f"未知的媒体类型：电报（可选：{MEDIA_LABELS}）"),
        (record(likes=-3), "likes", "不能为负数：-3"),
        (record(views="很多"), "views", "应为非负整数：很多"),
        (record(reposts=True), "reposts", "应为非负整数"),
        (record(title={"zh": "标题"}), "title", "应为文本，收到的是对象或列表"),
    ],
)  # fmt: skip
def test_invalid_records_name_the_field_and_reason(obj: dict[str, object], field: str, message: str) -> None:
    error = error_of(obj)
    assert (error.field, error.message) == (field, message)


def test_record_error_text_names_the_field_in_chinese() -> None:
    assert str(error_of({"title": "无链接"})) == "链接(url)：缺少必填字段"


def test_non_mapping_record_is_rejected() -> None:
    with pytest.raises(RecordError) as caught:
        parse_record(["not", "a", "dict"])  # type: ignore[arg-type]
    assert str(caught.value) == "记录应为 JSON 对象（键值对）"


def test_missing_title_is_derived_from_the_first_line_of_content() -> None:
    content = "\n  今天在办税服务厅等了整整一上午，取号机坏了没人管，窗口只开了两个，太让人失望了。\n第二段"
    entry = parse_record({"url": URL, "content": content}, now=NOW)
    assert entry.title == "今天在办税服务厅等了整整一上午，取号机坏了没人管，窗口只开了…"
    assert len(entry.title) == 31


def test_title_only_record_uses_the_title_as_content() -> None:
    entry = parse_record({"url": URL, "title": "税务局回应“发票难开”问题"}, now=NOW)
    assert entry.content == "税务局回应“发票难开”问题"


def test_html_content_becomes_text_and_sanitised_html() -> None:
    entry = parse_record(
        record(content='<p onclick="x()">第一段</p><script>evil()</script><p>第二段&nbsp;结束</p>')
    )
    assert entry.content == "第一段\n第二段 结束"
    assert entry.html == "<p>第一段</p><p>第二段&nbsp;结束</p>"


def test_text_with_angle_brackets_is_not_mistaken_for_html() -> None:
    entry = parse_record(record(content="月收入<5000元的不用交个税吗？"))
    assert entry.content == "月收入<5000元的不用交个税吗？"
    assert entry.html == ""


def test_control_and_zero_width_characters_are_stripped() -> None:
    entry = parse_record(
        record(title="发票\u200b查验\x07系统\ufeff", content="第一行\r\n第二行\x00", author=" 王\u200d五 \n")
    )
    assert (entry.title, entry.content, entry.author) == ("发票查验系统", "第一行\n第二行", "王五")


@pytest.mark.parametrize(
    ("value", "expected"),
    [(12, 12), (12.0, 12), ("35", 35), ("1,234", 1234), ("1.2万", 12000), ("10万+", 100000),
     ("3亿", 300000000), ("2.5w", 25000), ("1.5k", 1500), ("", None), ("-", None), (None, None)],
)  # fmt: skip
def test_engagement_counts_understand_chinese_units(value: object, expected: int | None) -> None:
    assert parse_count("views", value) == expected


@pytest.mark.parametrize(
    ("label", "code"),
    [("微博", "weibo"), ("weibo", "weibo"), ("微信公众号", "wechat"), ("公众号", "wechat"), ("论坛", "forum"),
     ("新闻网站", "news_site")],
)  # fmt: skip
def test_media_type_accepts_codes_labels_and_synonyms(label: str, code: str) -> None:
    assert parse_record(record(media_type=label)).media_type == code


def test_chinese_aliases_map_to_fields_and_canonical_names_win() -> None:
    entry = parse_record(
        {
            "链接": "https://weibo.example.cn/1",
            "url": URL,
            "标题": "别名标题",
            "正文": "别名正文",
            "发布时间(北京时间)": "2024-05-01 08:00",
            "作者": "税务小编",
            "来源": "某某日报",
            "转发数": "5",
            "engagement": {"likes": 7},
        },
        now=NOW,
    )
    assert entry.url == URL
    assert (entry.title, entry.content, entry.author, entry.source_name) == (
        "别名标题",
        "别名正文",
        "税务小编",
        "某某日报",
    )
    assert entry.published_at == datetime(2024, 5, 1, 8, 0, tzinfo=SHANGHAI)
    assert entry.engagement == {"reposts": 5, "likes": 7}


def test_default_source_applies_only_when_the_record_names_none() -> None:
    assert parse_record(record(), default_source="人工导入").source_name == "人工导入"
    assert parse_record(record(source="财经网"), default_source="人工导入").source_name == "财经网"


def results(path: Path) -> list[tuple[int, str]]:
    return [
        (line, item.url if isinstance(item, RawEntry) else f"ERR {item}")
        for line, item in read_export_file(path)
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_exports_in_common_encodings_are_read_with_line_numbers(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(load("export.csv").encode(encoding))
    rows = list(read_export_file(path))
    assert [line for line, _ in rows] == [2, 4, 5, 6]
    first = rows[0][1]
    assert isinstance(first, RawEntry)
    assert first.title == '网传"个税起征点上调至1万元"不实'
    assert (
        first.content
        == "近日有网帖称个税起征点将上调至每月1万元。经核实，该消息不实，\n现行起征点仍为每月5000元。"
    )
    assert first.published_at == datetime(2024, 5, 2, 8, 15, tzinfo=SHANGHAI)
    assert (first.author, first.source_name, first.media_type) == ("税务辟谣", "新浪微博", "weibo")
    assert first.engagement == {"reposts": 3200, "comments": 1024, "likes": 15000, "views": 100000}
    second = rows[1][1]
    assert isinstance(second, RawEntry)
    assert (second.author, second.engagement, second.media_type) == ("", {}, "news_site")
    assert [str(item) for _, item in rows[2:]] == [
        "发布时间(published_at)：无法解析的时间：下周一",
        "正文(content)：标题和正文至少需要填写一项",
    ]


def test_tab_separated_export_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "标题\t网址\t内容\n办税提醒\thttps://a.example.cn/1\t五月征期截止到20日\n", encoding="utf-8"
    )
    assert results(path) == [(2, "https://a.example.cn/1")]


def test_csv_row_with_more_cells_than_the_header_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("标题,链接\n个税,https://a.example.cn/1,多出来的一列\n", encoding="utf-8")
    assert results(path) == [(2, "ERR 列数（3）多于表头（2），可能有未加引号的逗号")]


def test_csv_without_a_recognisable_header_is_a_file_error(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(RecordError) as caught:
        list(read_export_file(path))
    assert caught.value.field == "file"


def test_jsonl_export_reports_bad_lines_by_number(tmp_path: Path) -> None:
    path = tmp_path / "items.jsonl"
    path.write_text(load("export.jsonl"), encoding="utf-8")
    rows = list(read_export_file(path))
    assert [line for line, _ in rows] == [1, 2, 3, 4, 6]
    wechat, video, broken, negative, untitled = (item for _, item in rows)
    assert isinstance(wechat, RawEntry) and wechat.media_type == "wechat"
    assert wechat.source_name == "铁门关税务微信公众号"
    assert isinstance(video, RawEntry) and video.engagement == {"views": 23000}
    assert video.published_at == datetime(2024, 5, 6, 2, 0, tzinfo=UTC)
    assert isinstance(broken, RecordError) and str(broken).startswith("JSON 格式错误（第 ")
    assert isinstance(negative, RecordError) and str(negative) == "点赞数(likes)：不能为负数：-5"
    assert isinstance(untitled, RawEntry)
    assert untitled.title == "没有标题的博客正文，第一行会成为标题，但要截断到三十个字符以…"


def test_unsupported_file_type_is_a_file_error(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(RecordError) as caught:
        list(read_export_file(path))
    assert str(caught.value) == "不支持的文件类型：.xlsx（支持 .jsonl、.csv）"

"""One validation for every record that reaches ingest: ingest API, export files, JSON APIs, feeds.

Rules of :func:`parse_record` (the same everywhere, so an item accepted by one door is accepted by all):

* ``url`` is required: absolute http/https, no whitespace, at most 2,000 characters.
* At least one of ``title`` and ``content`` is required. Weibo posts and forum replies have no title, so
  a missing title is derived from the first line of the content (30 characters, "…" if cut); a
  title-only record (common in commercial exports' 摘要-less rows) gets its title as content, so the
  analysis always has text.
* ``content`` that contains HTML is converted to plain text; the sanitised HTML goes to ``RawEntry.html``.
* ``published_at`` is optional; see :func:`yuqing.sources.fetchers.dates.parse_datetime` for the formats.
  Naive times are Beijing time. More than a day in the future, or before 1990, is an error.
* Engagement counts (reposts/comments/likes/views) are integers from 0 to :data:`MAX_COUNT` (1 万亿);
  "1.2万", "30亿", "10w+", "1,234" are understood. A larger count is an error naming the field (no real
  post has a trillion readers, and an event adds the counts of its items up).
* ``media_type`` is a MEDIA_TYPES code or its Chinese label (or a common synonym such as 公众号, 论坛).
* Every string loses control and zero-width characters; over-long fields are errors, not truncated.
* Column names may be Chinese (标题, 链接/网址/URL, 正文/内容, 发布时间, 作者, 来源, 媒体类型, 转发数,
  评论数, 点赞数, 阅读数 …); a canonical English name wins over an alias when both are present.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from yuqing.sources.fetchers.base import RawEntry
from yuqing.sources.fetchers.dates import parse_datetime
from yuqing.sources.fetchers.encoding import decode_text
from yuqing.sources.fetchers.text import (
    html_to_text,
    json_safe,
    looks_like_html,
    sanitize_html,
    strip_control,
)
from yuqing.vocab import ENGAGEMENT_FIELDS, MEDIA_TYPES

MAX_URL = 2000
MAX_TITLE = 500
MAX_CONTENT = 200_000
MAX_SHORT = 200  # author, source
MAX_COUNT = 10**12  # engagement counts: 1 万亿
DERIVED_TITLE_CHARS = 30
MAX_FILE_BYTES = 200 * 1024 * 1024
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)

FIELD_LABELS: dict[str, str] = {
    "url": "链接",
    "title": "标题",
    "content": "正文",
    "published_at": "发布时间",
    "author": "作者",
    "source": "来源",
    "media_type": "媒体类型",
    "reposts": "转发数",
    "comments": "评论数",
    "likes": "点赞数",
    "views": "阅读数",
    "record": "记录",
    "file": "文件",
}

# canonical field → accepted names, in priority order (compared after _normalize_key).
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "url": ("url", "link", "href", "链接", "网址", "原文链接", "文章链接", "原文地址", "网页地址", "地址"),
    "title": ("title", "标题", "文章标题", "主题", "headline"),
    "content": ("content", "text", "body", "正文", "内容", "全文", "原文", "摘要", "summary", "description"),
    "published_at": (
        "published_at",
        "published",
        "pubdate",
        "pub_date",
        "publish_time",
        "publishtime",
        "created_at",
        "ctime",
        "datetime",
        "date",
        "time",
        "发布时间",
        "发表时间",
        "发文时间",
        "发布日期",
        "时间",
        "日期",
    ),
    "author": ("author", "user", "username", "nickname", "作者", "发布者", "发布人", "博主", "昵称", "用户"),
    "source": ("source", "source_name", "site", "site_name", "来源", "来源网站", "媒体名称", "站点", "网站"),
    "media_type": ("media_type", "mediatype", "媒体类型", "渠道类型", "平台类型", "平台", "载体"),
    "reposts": ("reposts", "shares", "retweets", "转发数", "转发", "转发量", "分享数"),
    "comments": ("comments", "replies", "评论数", "评论", "评论量", "回复数"),
    "likes": ("likes", "点赞数", "点赞", "点赞量", "赞"),
    "views": ("views", "reads", "阅读数", "阅读", "阅读量", "浏览量", "浏览数", "播放量", "点击量"),
}

MEDIA_SYNONYMS: dict[str, str] = {
    "报纸": "newspaper", "纸媒": "newspaper", "杂志": "newspaper", "电台": "radio", "电视台": "tv",
    "新闻": "news_site", "新闻网": "news_site", "网媒": "news_site", "门户": "commercial_site",
    "门户网站": "commercial_site", "视频": "video", "短视频": "video", "抖音": "video", "快手": "video",
    "论坛": "forum", "贴吧": "forum", "社区": "forum", "bbs": "forum", "微信": "wechat", "公众号": "wechat",
    "其它": "other", "news": "news_site",
}  # fmt: skip


class RecordError(ValueError):
    """A record (row, line, API item) that cannot be ingested. ``message`` is Chinese, for people."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        label = FIELD_LABELS.get(field)
        super().__init__(
            f"{label}({field})：{message}" if label and field not in ("record", "file") else message
        )


def _normalize_key(key: object) -> str:
    """ "发布时间(北京时间)" → "发布时间", " URL " → "url", "Pub Date" → "pubdate"."""
    text = strip_control(str(key)).strip().lower()
    text = re.sub(r"[（(【\[].*?[）)】\]]\s*$", "", text).strip()
    return re.sub(r"[\s\-]+", "", text) if text.isascii() else text.replace(" ", "")


_ALIAS_INDEX: dict[str, tuple[str, int]] = {
    _normalize_key(alias): (field, rank)
    for field, aliases in FIELD_ALIASES.items()
    for rank, alias in enumerate(aliases)
}
_MEDIA_INDEX: dict[str, str] = {code: code for code in MEDIA_TYPES}
_MEDIA_INDEX.update({label: code for code, label in MEDIA_TYPES.items()})
_MEDIA_INDEX.update(MEDIA_SYNONYMS)
_COUNT = re.compile(r"^(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>万亿|万|w|亿|千|k)?\s*\+?$", re.I)
_UNIT_FACTORS = {"万": 10_000, "w": 10_000, "亿": 100_000_000, "万亿": 10**12, "千": 1_000, "k": 1_000}


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def canonical_fields(obj: Mapping[str, Any]) -> dict[str, Any]:
    """Canonical field → value, picking the best-ranked non-blank alias present in ``obj``."""
    chosen: dict[str, tuple[int, Any]] = {}
    for key, value in obj.items():
        hit = _ALIAS_INDEX.get(_normalize_key(key))
        if hit is None or _is_blank(value):
            continue
        field, rank = hit
        if field not in chosen or rank < chosen[field][0]:
            chosen[field] = (rank, value)
    nested = obj.get("engagement")
    if isinstance(nested, Mapping):
        for name in ENGAGEMENT_FIELDS:
            if name not in chosen and not _is_blank(nested.get(name)):
                chosen[name] = (0, nested[name])
    return {field: value for field, (_rank, value) in chosen.items()}


def _text(field: str, value: object, limit: int, *, single_line: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, Mapping | list | tuple):
        raise RecordError(field, "应为文本，收到的是对象或列表")
    text = strip_control(str(value)).strip()
    if single_line:
        text = re.sub(r"\s+", " ", text)
    if len(text) > limit:
        raise RecordError(field, f"超过 {limit} 个字符（{len(text)}）")
    return text


def parse_url(value: object) -> str:
    """A validated absolute http(s) URL (see the module rules)."""
    url = _text("url", value, MAX_URL)
    if not url:
        raise RecordError("url", "缺少必填字段")
    if re.search(r"\s", url):
        raise RecordError("url", f"链接中含有空白字符：{url[:100]}")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 — raises ValueError on a bad port
    except ValueError:
        raise RecordError("url", f"无效的链接：{url[:100]}")
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise RecordError("url", f"必须是以 http:// 或 https:// 开头的完整链接：{url[:100]}")
    return url


def parse_count(field: str, value: object) -> int | None:
    """A count from 0 to MAX_COUNT; "1.2万" → 12000; blank or "-" → None.

    Exact for whole numbers of any length (a number string is never converted whole, so 5,000 digits
    cost nothing and cannot reach Python's int-string conversion limit); units go through Decimal.
    """
    if value is None or isinstance(value, bool):
        if isinstance(value, bool):
            raise RecordError(field, "应为非负整数")
        return None
    too_big = RecordError(field, f"超过上限 {MAX_COUNT:,}（1 万亿）：{str(value)[:30]}")
    if isinstance(value, int):
        number: int | float | Decimal = value
    elif isinstance(value, float):
        if math.isnan(value):
            raise RecordError(field, "应为非负整数")
        if math.isinf(value) and value > 0:
            raise too_big
        number = value
    else:
        text = strip_control(str(value)).strip().replace(",", "").replace("，", "").replace(" ", "")
        if text in ("", "-", "--", "—"):
            return None
        if text.startswith("-") and _COUNT.match(text[1:]):
            raise RecordError(field, f"不能为负数：{text[:30]}")
        match = _COUNT.match(text)
        if not match:
            raise RecordError(field, f"应为非负整数：{str(value)[:30]}")
        if len(match["num"].split(".")[0].lstrip("0")) > len(str(MAX_COUNT)):
            raise too_big
        number = Decimal(match["num"]) * _UNIT_FACTORS.get((match["unit"] or "").lower(), 1)
    if number < 0:
        raise RecordError(field, f"不能为负数：{str(value)[:30]}")
    if number > MAX_COUNT:
        raise too_big
    return round(number)


def parse_media_type(value: object) -> str | None:
    """A MEDIA_TYPES code from a code, a Chinese label or a synonym; RecordError if unknown."""
    if _is_blank(value):
        return None
    text = strip_control(str(value)).strip()
    code = _MEDIA_INDEX.get(text) or _MEDIA_INDEX.get(text.lower())
    if code is None:
        choices = "、".join(MEDIA_TYPES.values())
        raise RecordError("media_type", f"未知的媒体类型：{text[:30]}（可选：{choices}）")
    return code


def parse_published_at(value: object, *, now: datetime | None = None) -> datetime | None:
    """Aware publication time, checked for plausibility (≤ now + 1 day, ≥ 1990)."""
    current = now or datetime.now(UTC)
    try:
        when = parse_datetime(value, now=current)
    except (ValueError, OverflowError, OSError):
        raise RecordError("published_at", f"无法解析的时间：{str(value)[:50]}")
    if when is None:
        return None
    if when > current + timedelta(days=1):
        raise RecordError("published_at", f"发布时间晚于当前时间：{str(value)[:50]}")
    if when < EARLIEST:
        raise RecordError("published_at", f"发布时间早于 1990 年：{str(value)[:50]}")
    return when


def derive_title(content: str) -> str:
    """First non-empty line of ``content``, cut to 30 characters with "…"."""
    first = next((line.strip() for line in content.split("\n") if line.strip()), "")
    return first if len(first) <= DERIVED_TITLE_CHARS else first[:DERIVED_TITLE_CHARS] + "…"


def parse_record(
    obj: Mapping[str, Any], *, default_source: str | None = None, now: datetime | None = None
) -> RawEntry:
    """Validate one record (see the module docstring) into a RawEntry; raises RecordError.

    ``raw`` of the result is a JSON-safe copy of ``obj``. ``now`` anchors the future-date check and
    relative times ("3小时前"); it defaults to the current time.
    """
    if not isinstance(obj, Mapping):
        raise RecordError("record", "记录应为 JSON 对象（键值对）")
    fields = canonical_fields(obj)
    url = parse_url(fields.get("url"))
    title = html_to_text(_text("title", fields.get("title", ""), MAX_CONTENT)).replace("\n", " ")
    if len(title) > MAX_TITLE:
        raise RecordError("title", f"超过 {MAX_TITLE} 个字符（{len(title)}）")
    raw_content = _text("content", fields.get("content", ""), MAX_CONTENT * 3)
    html = ""
    if looks_like_html(raw_content):
        html = sanitize_html(raw_content)
        content = html_to_text(raw_content)
    else:
        content = "\n".join(line.rstrip() for line in raw_content.split("\n"))
    if len(content) > MAX_CONTENT:
        raise RecordError("content", f"超过 {MAX_CONTENT} 个字符（{len(content)}）")
    if not title and not content:
        raise RecordError("content", "标题和正文至少需要填写一项")
    source = _text("source", fields.get("source", ""), MAX_SHORT, single_line=True) or default_source
    engagement: dict[str, int] = {}
    for name in ENGAGEMENT_FIELDS:
        count = parse_count(name, fields.get(name))
        if count is not None:
            engagement[name] = count
    return RawEntry(
        url=url,
        title=title or derive_title(content),
        content=content or title,
        published_at=parse_published_at(fields.get("published_at"), now=now),
        author=_text("author", fields.get("author", ""), MAX_SHORT, single_line=True),
        media_type=parse_media_type(fields.get("media_type")),
        source_name=source or None,
        engagement=engagement,
        raw=json_safe(dict(obj)),
        html=html,
    )


def read_export_file(
    path: str | Path, *, default_source: str | None = None, now: datetime | None = None
) -> Iterator[tuple[int, RawEntry | RecordError]]:
    """(line number, entry or error) for each record of a ``.jsonl``/``.ndjson``/``.csv``/``.tsv`` export.

    Line numbers are 1-based physical lines (a CSV header is line 1; a quoted multi-line CSV cell
    reports the line its row starts on). CSV may be UTF-8, UTF-8 with BOM, GBK/GB18030 or Big5; the
    delimiter is a comma or, if the header has more tabs than commas, a tab. Problems with the file
    as a whole (unsupported type, unreadable, over 200 MB) raise RecordError with field "file".
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".jsonl", ".ndjson", ".csv", ".tsv"):
        raise RecordError("file", f"不支持的文件类型：{suffix or '无扩展名'}（支持 .jsonl、.csv）")
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise RecordError("file", f"文件超过 {MAX_FILE_BYTES // (1024 * 1024)} MB：{path.name}")
        body = path.read_bytes()
    except OSError as exc:
        raise RecordError("file", f"无法读取文件：{path.name}（{exc.strerror or exc}）")
    text = decode_text(body, sniff=False).replace("\x00", "")
    if suffix in (".jsonl", ".ndjson"):
        yield from _jsonl_records(text, default_source, now)
    else:
        yield from _csv_records(text, "\t" if suffix == ".tsv" else None, default_source, now)


def _jsonl_records(
    text: str, default_source: str | None, now: datetime | None
) -> Iterator[tuple[int, RawEntry | RecordError]]:
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.strip()
        if not line:
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, RecordError("record", f"JSON 格式错误（第 {exc.colno} 列）：{exc.msg}")
            continue
        try:
            yield number, parse_record(obj, default_source=default_source, now=now)
        except RecordError as exc:
            yield number, exc


def _csv_records(
    text: str, delimiter: str | None, default_source: str | None, now: datetime | None
) -> Iterator[tuple[int, RawEntry | RecordError]]:
    if delimiter is None:
        header_line = text.split("\n", 1)[0]
        delimiter = "\t" if header_line.count("\t") > header_line.count(",") else ","
    if csv.field_size_limit() < MAX_CONTENT * 4:
        csv.field_size_limit(MAX_CONTENT * 4)  # the default 128 KiB is below the content limit
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [strip_control(name).strip() for name in next(reader)]
    except StopIteration:
        return
    except csv.Error as exc:
        raise RecordError("file", f"CSV 表头无法解析：{exc}")
    if not any(_normalize_key(name) in _ALIAS_INDEX for name in header):
        raise RecordError("file", "CSV 第 1 行不是可识别的表头（应含 标题、链接、正文 等列名）")
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield start, RecordError("record", f"CSV 格式错误：{exc}")
            start = reader.line_num + 1
            continue
        line, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            yield (
                line,
                RecordError("record", f"列数（{len(row)}）多于表头（{len(header)}），可能有未加引号的逗号"),
            )
            continue
        record = dict(zip(header, row, strict=False))
        try:
            yield line, parse_record(record, default_source=default_source, now=now)
        except RecordError as exc:
            yield line, exc

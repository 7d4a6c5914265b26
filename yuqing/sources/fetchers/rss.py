"""RSS 2.0, Atom and RDF (RSS 1.0) feeds, parsed by feedparser from bytes we fetched and decoded.

No options. Each entry goes through :func:`records.parse_record` like every other record, except that
a feed's unusable date (unparseable, far future) costs the date, with a warning, not the entry — a
publisher's clock error must not hide its news.
"""

from __future__ import annotations

import calendar
import contextlib
import io
import re
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser

from yuqing.sources.fetchers.base import (
    FetchError,
    FetchResult,
    FetchState,
    RawEntry,
    SourceSpec,
    add_warning,
)
from yuqing.sources.fetchers.common import get_if_changed
from yuqing.sources.fetchers.dates import parse_datetime
from yuqing.sources.fetchers.encoding import decode_feed
from yuqing.sources.fetchers.http import HttpClient
from yuqing.sources.fetchers.records import RecordError, parse_count, parse_published_at, parse_record
from yuqing.sources.fetchers.text import json_safe
from yuqing.vocab import ENGAGEMENT_FIELDS

MAX_ENTRIES = 1000


def fetch_feed(spec: SourceSpec, state: FetchState, *, client: HttpClient) -> FetchResult:
    """Poll a feed: one request; nothing is parsed on a 304 or an unchanged body."""
    polled = get_if_changed(spec, state, client)
    if polled.done is not None:
        return polled.done
    entries, warnings = parse_feed(polled.response.body, polled.response.content_type, polled.response.url)
    return FetchResult("ok", entries, polled.state, polled.requests, warnings)


def parse_feed(body: bytes, content_type: str, base_url: str) -> tuple[list[RawEntry], list[str]]:
    """Entries and warnings from a feed body; FetchError when nothing usable is in it.

    Broken XML (feedparser's "bozo") is tolerated as long as at least one usable entry is salvaged;
    the entries are kept and the breakage becomes a warning.
    """
    if not body.strip():
        raise FetchError("订阅源内容为空")
    parsed = feedparser.parse(
        io.BytesIO(decode_feed(body, content_type)),  # a stream: feedparser never opens URLs or paths
        response_headers={"content-type": "application/xml; charset=utf-8", "content-location": base_url},
        sanitize_html=False,  # we keep text, and sanitise the HTML we keep with nh3
    )
    warnings: list[str] = []
    reason = _parse_error(parsed.get("bozo_exception"))
    if not parsed.entries:
        if parsed.bozo:
            raise FetchError(f"订阅源解析失败：{reason}")
        if not parsed.get("version"):
            raise FetchError("不是 RSS/Atom 订阅源（可能是网页，请检查地址）")
        return [], warnings
    if parsed.bozo:
        add_warning(warnings, f"订阅源格式有误，已尽量解析：{reason}")
    feed_title = str(parsed.feed.get("title", ""))
    entries: list[RawEntry] = []
    for index, item in enumerate(parsed.entries[:MAX_ENTRIES], start=1):
        try:
            entries.append(_entry(item, base_url, feed_title, warnings))
        except RecordError as exc:
            add_warning(warnings, f"第 {index} 条（{_short(item.get('title'), 40)}）：{exc}")
    if parsed.bozo and not entries:  # broken XML whose salvaged fragments are all unusable
        raise FetchError(f"订阅源解析失败：{reason}")
    if len(parsed.entries) > MAX_ENTRIES:
        add_warning(warnings, f"订阅源条目过多，只取前 {MAX_ENTRIES} 条")
    return entries, warnings


def _parse_error(exc: object) -> str:
    """ "<unknown>:3:14: mismatched tag" → "第 3 行第 14 列：mismatched tag" (of the re-encoded feed)."""
    text = _short(exc)
    match = re.match(r"<unknown>:(\d+):(\d+):\s*(.*)", text)
    return f"第 {match[1]} 行第 {match[2]} 列：{match[3]}" if match else text


def _short(value: object, limit: int = 120) -> str:
    text = " ".join(str(value or "").split())
    return text if len(text) <= limit else text[:limit] + "…"


def _link(item: Mapping[str, Any], base_url: str) -> str:
    link = str(item.get("link") or "").strip()
    if not link:
        guid = str(item.get("id") or "").strip()
        link = guid if guid.startswith(("http://", "https://")) else ""
    return urljoin(base_url, link) if link else ""


def _content(item: Mapping[str, Any]) -> str:
    """content:encoded / atom:content if present (the longest), else the summary/description."""
    bodies = [str(part.get("value", "")) for part in item.get("content") or [] if isinstance(part, Mapping)]
    longest = max(bodies, key=len, default="")
    summary = str(item.get("summary") or "")
    return longest if len(longest) >= len(summary) else summary


def _published(item: Mapping[str, Any], warnings: list[str]) -> datetime | None:
    """The entry's time from its own text (so naive times are Beijing time), else feedparser's (UTC)."""
    for key in ("published", "updated", "created"):
        text = item.get(key)
        if not text:
            continue
        when: datetime | None
        try:
            when = parse_datetime(text)
        except (ValueError, OverflowError, OSError):
            parsed = item.get(f"{key}_parsed")
            when = (
                datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
                if isinstance(parsed, time.struct_time)
                else None
            )
        if when is None:
            continue
        try:
            return parse_published_at(when)
        except RecordError as exc:
            add_warning(warnings, f"「{_short(item.get('title'), 40)}」{exc.message}，已忽略该时间")
            return None
    return None


def _entry(item: Mapping[str, Any], base_url: str, feed_title: str, warnings: list[str]) -> RawEntry:
    record: dict[str, Any] = {
        "url": _link(item, base_url),
        "title": item.get("title", ""),
        "content": _content(item),
        "published_at": _published(item, warnings),
        "author": item.get("author", ""),
    }
    # Engagement from namespaced elements: slash:comments, or a site's own ns:reposts / ns:likes / ns:views
    # (feedparser flattens "ns:tag" to "ns_tag").
    for name in ENGAGEMENT_FIELDS:
        key = next((k for k in item if k.endswith(f"_{name}") and not k.endswith("_detail")), None)
        if key is None:
            continue
        with contextlib.suppress(RecordError):  # a bad count is not worth the entry
            value = parse_count(name, item.get(key))
            if value is not None:
                record[name] = value
    entry = parse_record(record)
    # *_detail and *_parsed only repeat the values next to them (with type/language, or as struct_time).
    kept = {k: v for k, v in item.items() if not k.endswith(("_detail", "_parsed"))}
    entry.raw = json_safe({**kept, "feed_title": feed_title})
    return entry

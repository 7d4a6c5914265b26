"""JSON APIs (a platform's search API, a commercial monitoring vendor's feed, an intranet system).

Options: ``items_path`` — dotted path to the list of items (``"data.list"``, ``"result.0.items"``,
``"data.list[0]"`` style indexes too; empty: the document is the list); ``fields`` — canonical field →
dotted path inside an item, e.g. ``{"url": "link", "published_at": "ctime", "author": "user.name",
"reposts": "stats.forward"}``. Unmapped fields are looked up in the item under their own names and the
Chinese aliases of :mod:`records`. ``source`` — default source name for items that name none.
A JSONP wrapper (``callback({...})``) is unwrapped. Relative item URLs are resolved against the API URL.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urljoin

from yuqing.sources.fetchers.base import (
    FetchError,
    FetchResult,
    FetchState,
    RawEntry,
    SourceSpec,
    add_warning,
)
from yuqing.sources.fetchers.common import get_if_changed
from yuqing.sources.fetchers.encoding import decode_text
from yuqing.sources.fetchers.http import HttpClient
from yuqing.sources.fetchers.records import RecordError, parse_record
from yuqing.sources.fetchers.text import json_safe

MAX_ITEMS = 1000
MISSING = object()  # get_path: "no such key or index" (distinct from a JSON null)
_JSONP = re.compile(r"^\s*[\w$.]+\s*\((?P<body>.*)\)\s*;?\s*$", re.S)
_INDEX = re.compile(r"\[(\d+)\]")


def fetch_json(spec: SourceSpec, state: FetchState, *, client: HttpClient) -> FetchResult:
    """Poll a JSON endpoint: one request; nothing is parsed on a 304 or an unchanged body."""
    polled = get_if_changed(spec, state, client)
    if polled.done is not None:
        return polled.done
    document = load_json(decode_text(polled.response.body, polled.response.content_type, sniff=False))
    entries, warnings = map_items(document, spec.options, polled.response.url)
    return FetchResult("ok", entries, polled.state, polled.requests, warnings)


def load_json(text: str) -> Any:
    """Parse JSON (or JSONP); FetchError with the position on failure."""
    match = _JSONP.match(text) if text.lstrip()[:1] not in ("{", "[") else None
    try:
        return json.loads(match["body"] if match else text)
    except json.JSONDecodeError as exc:
        raise FetchError(f"接口返回的不是有效 JSON（第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}）")
    except RecursionError:
        raise FetchError("接口返回的 JSON 嵌套过深")


def get_path(data: Any, path: str) -> Any:
    """Follow a dotted path (``"data.list.0.title"``, ``"data.list[0]"``); ``MISSING`` if absent."""
    current = data
    for part in _INDEX.sub(r".\1", path).split("."):
        if part == "":
            continue
        if isinstance(current, Mapping):
            current = current.get(part, MISSING)
        elif isinstance(current, Sequence) and not isinstance(current, str) and part.lstrip("-").isdigit():
            index = int(part)
            current = current[index] if -len(current) <= index < len(current) else MISSING
        else:
            return MISSING
        if current is MISSING:
            return MISSING
    return current


def map_items(document: Any, options: Mapping[str, Any], base_url: str) -> tuple[list[RawEntry], list[str]]:
    """Entries (and per-item warnings) from a decoded JSON document, per ``options`` (see module doc)."""
    items_path = str(options.get("items_path") or "")
    items = get_path(document, items_path)
    if items is MISSING:
        raise FetchError(f"接口返回中找不到条目列表（items_path：{items_path}）")
    if not isinstance(items, list):
        raise FetchError(f"items_path 指向的不是列表（{items_path or '根节点'}：{type(items).__name__}）")
    fields = options.get("fields") or {}
    if not isinstance(fields, Mapping):
        raise FetchError("字段映射（fields）应为对象")
    default_source = str(options.get("source") or "") or None
    entries: list[RawEntry] = []
    warnings: list[str] = []
    for number, item in enumerate(items[:MAX_ITEMS], start=1):
        if not isinstance(item, Mapping):
            add_warning(warnings, f"第 {number} 条不是对象，已跳过")
            continue
        record: dict[str, Any] = dict(item)
        for target, path in fields.items():
            value = get_path(item, str(path))
            record[str(target)] = None if value is MISSING else value
        url = record.get("url")
        if isinstance(url, str) and url.strip() and "://" not in url:
            record["url"] = urljoin(base_url, url.strip())
        try:
            entry = parse_record(record, default_source=default_source)
        except RecordError as exc:
            add_warning(warnings, f"第 {number} 条：{exc}")
            continue
        entry.raw = json_safe(item)
        entries.append(entry)
    if len(items) > MAX_ITEMS:
        add_warning(warnings, f"条目过多，只取前 {MAX_ITEMS} 条")
    return entries, warnings

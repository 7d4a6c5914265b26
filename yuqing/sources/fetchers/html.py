"""News list pages: follow the article links a CSS selector picks, extract each article with trafilatura.

Options: ``link_selector`` (required; CSS, e.g. ``"ul.news-list li a"`` — a non-``<a>`` match uses its
first link), ``max_articles`` (default 20, at most 100: new articles fetched per poll; the rest come
next poll, newest first if the list is).

An entry's ``url`` is the link as found on the list page (absolute, without fragment), which is also
what ``is_known`` is asked about, so a redirecting article is still recognised next poll; the final URL
after redirects is in ``raw["final_url"]``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import lxml.html
import trafilatura
from cssselect import ExpressionError, SelectorError
from lxml import etree

from yuqing.sources.fetchers.base import (
    FetchError,
    FetchResult,
    FetchState,
    RawEntry,
    SourceSpec,
    add_warning,
)
from yuqing.sources.fetchers.common import get_if_changed
from yuqing.sources.fetchers.encoding import decode_html
from yuqing.sources.fetchers.http import HttpClient, HttpResponse
from yuqing.sources.fetchers.records import RecordError, parse_published_at, parse_record

DEFAULT_MAX_ARTICLES = 20
MAX_ARTICLES_LIMIT = 100
_BYLINE = re.compile(r"(?:作者|记者|文)\s*[：:]\s*([\u4e00-\u9fffA-Za-z·]{2,20})")
_META_BY_NAME = "//meta[translate(@name,'AUTHORBYLINE','authorbyline')=$n or @property=$n]"
MIN_TEXT_CHARS = 20
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_DATE_PARAMS = {"extensive_search": True, "original_date": True, "outputformat": "%Y-%m-%d %H:%M:%S"}


def fetch_pages(
    spec: SourceSpec,
    state: FetchState,
    *,
    client: HttpClient,
    is_known: Callable[[str], bool] | None = None,
) -> FetchResult:
    """Poll a list page and the articles on it that are not yet known.

    The list page failing (HTTP error, robots.txt, no links matched) is a FetchError; one article
    failing is a warning. Known articles cost nothing: ``is_known`` is asked before any download.
    """
    selector = str(spec.options.get("link_selector") or "").strip()
    if not selector:
        raise FetchError("网页列表源未配置链接选择器（link_selector）")
    max_articles = _max_articles(spec.options.get("max_articles"))
    before = client.requests_made()
    if spec.respect_robots and not client.allowed_by_robots(spec.url, intranet=spec.intranet):
        raise FetchError("robots.txt 不允许抓取该列表页")
    polled = get_if_changed(spec, state, client, use_hash=False)
    if polled.done is not None:
        polled.done.requests = client.requests_made() - before
        return polled.done
    links = extract_links(
        decode_html(polled.response.body, polled.response.content_type), polled.response.url, selector
    )
    if not links:
        raise FetchError("链接选择器没有匹配到任何文章链接，网页结构可能已改版")
    new_links = [url for url in links if not (is_known and is_known(url))]
    warnings: list[str] = []
    entries: list[RawEntry] = []
    for url in new_links[:max_articles]:
        entry = _fetch_article(spec, client, url, warnings)
        if entry is not None:
            entries.append(entry)
    return FetchResult("ok", entries, polled.state, client.requests_made() - before, warnings)


def _max_articles(value: object) -> int:
    try:
        number = int(value) if value is not None else DEFAULT_MAX_ARTICLES  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return DEFAULT_MAX_ARTICLES
    return max(1, min(number, MAX_ARTICLES_LIMIT))


def _parse_html(text: str) -> lxml.html.HtmlElement | None:
    try:
        return lxml.html.document_fromstring(_XML_DECLARATION.sub("", text, count=1))
    except (etree.ParserError, ValueError):
        return None


def extract_links(page: str, base_url: str, selector: str) -> list[str]:
    """Absolute http(s) article URLs picked by ``selector`` on ``page``, fragment-free, deduplicated, in
    page order. FetchError for an invalid selector."""
    root = _parse_html(page)
    if root is None:
        return []
    root.make_links_absolute(base_url, resolve_base_href=True, handle_failures="discard")
    try:
        matches = root.cssselect(selector)
    except (SelectorError, ExpressionError) as exc:
        raise FetchError(f"链接选择器无效：{selector}（{exc}）")
    return list(_unique(_clean_link(href) for href in _hrefs(matches)))


def _hrefs(elements: Iterable[Any]) -> Iterator[str]:
    for element in elements:
        if not isinstance(element.tag, str):
            continue
        anchor = element if element.tag.lower() == "a" else next(iter(element.cssselect("a[href]")), None)
        if anchor is not None and anchor.get("href"):
            yield anchor.get("href")


def _clean_link(href: str) -> str:
    try:
        parts = urlsplit(href.strip())
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return ""
    return urlunsplit((parts.scheme.lower(), parts.netloc, parts.path or "/", parts.query, ""))


def _unique(urls: Iterable[str]) -> Iterator[str]:
    seen: set[str] = set()
    for url in urls:
        if url and url not in seen:
            seen.add(url)
            yield url


def _fetch_article(spec: SourceSpec, client: HttpClient, url: str, warnings: list[str]) -> RawEntry | None:
    try:
        if spec.respect_robots and not client.allowed_by_robots(url, intranet=spec.intranet):
            add_warning(warnings, f"robots.txt 不允许抓取，已跳过：{url}")
            return None
        response = client.get(url, headers=spec.headers, intranet=spec.intranet)
    except FetchError as exc:  # includes BlockedURLError: a link to a forbidden address costs one article
        add_warning(warnings, f"文章抓取失败：{url}：{exc}")
        return None
    try:
        entry = extract_article(response, url)
    except RecordError as exc:
        add_warning(warnings, f"文章内容无效：{url}：{exc}")
        return None
    if entry is None:
        add_warning(warnings, f"未能提取正文：{url}")
    return entry


def extract_article(response: HttpResponse, url: str | None = None) -> RawEntry | None:
    """Title, text, date and author of an article page (trafilatura, comments excluded); None when no
    main text is found. ``url`` is the URL to record (default: the response's final URL)."""
    page = _XML_DECLARATION.sub("", decode_html(response.body, response.content_type), count=1)
    try:
        document = trafilatura.bare_extraction(
            page,
            url=response.url,
            include_comments=False,
            with_metadata=True,
            date_extraction_params=_DATE_PARAMS,
        )
    except Exception:  # trafilatura on hostile markup: treat as "no text", never crash the poll
        document = None
    if document is None:
        return None
    meta: dict[str, Any] = document.as_dict() if hasattr(document, "as_dict") else dict(document)
    text = str(meta.get("text") or "").strip()
    if len(text) < MIN_TEXT_CHARS:  # a nav label or a caption is not an article
        return None
    try:
        published = parse_published_at(meta.get("date"))
    except RecordError:
        published = None
    root = _parse_html(page)
    title = str(meta.get("title") or "").strip() or _page_title(root)
    author = str(meta.get("author") or "").strip() or _page_author(root)
    entry = parse_record(
        {"url": url or response.url, "title": title, "content": text, "published_at": published,
         "author": author[:200]}
    )  # fmt: skip
    entry.raw = {
        "final_url": response.url,
        "sitename": meta.get("sitename"),
        "description": meta.get("description"),
        "date": meta.get("date"),
        "categories": meta.get("categories"),
        "tags": meta.get("tags"),
    }
    return entry


def _page_title(root: lxml.html.HtmlElement | None) -> str:
    found = root.find(".//title") if root is not None else None
    return found.text_content().strip() if found is not None else ""


def _page_author(root: lxml.html.HtmlElement | None) -> str:
    """The author from ``<meta name="author">`` or a "作者：…" byline (trafilatura drops Chinese names)."""
    if root is None:
        return ""
    for name in ("author", "article:author", "byline"):
        for meta in root.xpath(_META_BY_NAME, n=name):
            content = (meta.get("content") or "").strip()
            if content:
                return content
    match = _BYLINE.search(root.text_content()[:20_000])
    return match[1] if match else ""

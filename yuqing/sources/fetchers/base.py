"""The fetchers' shared contract: what goes in (a source spec and its saved state), what comes out.

``fetch`` is the only door the Django side uses. It never raises anything but :class:`FetchError`, so a
worker survives malformed feeds, lying charsets, timeouts and every other kind of bad input; the
exception's text is a short Chinese sentence shown to staff on the 源状态 page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from yuqing.sources.fetchers.http import HttpClient

logger = logging.getLogger(__name__)

KINDS: tuple[str, ...] = ("rss", "html", "jsonapi", "file")


@dataclass
class RawEntry:
    """One collected article or post, before ingest (normalisation, dedupe, analysis)."""

    url: str
    title: str
    content: str  # plain text, never raw HTML
    published_at: datetime | None  # timezone-aware; None when the source gives none
    author: str = ""
    media_type: str | None = None  # a MEDIA_TYPES code, when the record itself says
    source_name: str | None = None  # when the record names its source (ingest API, file exports)
    engagement: dict[str, int] = field(default_factory=dict)  # keys from ENGAGEMENT_FIELDS
    raw: dict[str, Any] = field(default_factory=dict)  # JSON-safe evidence of what was received
    html: str = ""  # optional sanitised HTML (nh3); never render anything else


@dataclass
class SourceSpec:
    """What the Source model hands a fetcher. ``options`` depend on ``kind`` (see each fetcher)."""

    kind: str  # "rss" | "html" | "jsonapi" | "file"  ("webhook" is pushed, never fetched)
    url: str  # feed/list/endpoint URL; for "file", a folder path on this server
    headers: dict[str, str] = field(default_factory=dict)
    intranet: bool = False  # admin-marked: private/loopback addresses allowed
    respect_robots: bool = True  # html sources only
    options: dict[str, Any] = field(default_factory=dict)
    media_type: str = "other"


@dataclass
class FetchState:
    """Persisted per source between polls; every field is JSON-safe."""

    etag: str = ""
    last_modified: str = ""
    content_hash: str = ""  # sha256 hex of the last body (rss, jsonapi)
    extra: dict[str, Any] = field(default_factory=dict)  # filedrop: {"seen": {name: {...}}}


@dataclass
class FetchResult:
    """``status``: "ok"; "not_modified" (the server said 304); "unchanged" (same body hash, not parsed)."""

    status: str
    entries: list[RawEntry] = field(default_factory=list)
    state: FetchState = field(default_factory=FetchState)
    requests: int = 0
    warnings: list[str] = field(default_factory=list)


class FetchError(Exception):
    """A poll failed. ``str(e)`` is a short Chinese message for staff, e.g. "HTTP 503（服务器错误）".

    ``status`` is the HTTP status when the failure was an HTTP error response; ``retry_after`` is the
    server's Retry-After in seconds when it sent one (429/503), so the scheduler can wait that long.
    """

    def __init__(self, message: str, *, status: int | None = None, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class BlockedURLError(FetchError):
    """The URL (or a redirect hop) points somewhere a non-intranet source must not reach (SSRF guard)."""


MAX_WARNINGS = 100


def add_warning(warnings: list[str], message: str) -> None:
    """Append a warning, keeping the list bounded (a 10,000-row file of bad rows must not flood the UI)."""
    if len(warnings) < MAX_WARNINGS:
        warnings.append(message)
    elif len(warnings) == MAX_WARNINGS:
        warnings.append("警告过多，其余省略")


def fetch(
    spec: SourceSpec,
    state: FetchState,
    *,
    client: HttpClient,
    is_known: Callable[[str], bool] | None = None,
) -> FetchResult:
    """Poll one source and return what it has now; raises only :class:`FetchError`.

    ``state`` is not modified; the returned ``result.state`` is what to persist for the next poll (on a
    FetchError, keep the old state). ``is_known(url)`` lets the html fetcher skip article pages that are
    already stored; it is called once per candidate link, so it should be a cheap indexed lookup.
    """
    from yuqing.sources.fetchers import filedrop, html, jsonapi, rss

    fetchers: dict[str, Callable[..., FetchResult]] = {
        "rss": rss.fetch_feed,
        "html": html.fetch_pages,
        "jsonapi": jsonapi.fetch_json,
        "file": filedrop.fetch_folder,
    }
    fetcher = fetchers.get(spec.kind)
    if fetcher is None:
        raise FetchError(f"不支持的采集类型：{spec.kind}")
    try:
        if spec.kind == "html":
            return fetcher(spec, state, client=client, is_known=is_known)
        if spec.kind == "file":
            return fetcher(spec, state)
        return fetcher(spec, state, client=client)
    except FetchError:
        raise
    except Exception as exc:  # a worker must never die of bad input
        logger.exception("fetcher %s crashed on %s", spec.kind, spec.url)
        raise FetchError(f"采集程序内部错误：{type(exc).__name__}") from exc

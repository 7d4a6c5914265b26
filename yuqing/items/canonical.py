"""Canonical URLs: one spelling per article, so re-fetches and re-pushes find the stored item."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

# Tracking parameters that never change which article a URL points at.
TRACKING_PARAMS = frozenset(
    {
        "spm",
        "from",
        "share_token",
        "share_source",
        "share_medium",
        "sharer_shareid",
        "wfr",
        "isappinstalled",
        "scene",
        "clicktime",
        "enterid",
        "fbclid",
        "gclid",
        "vd_source",
        "share_from",
        "_wv",
    }
)
DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str, host_aliases: Mapping[str, str] | None = None) -> str:
    """Lower-case scheme and host, drop the default port, the fragment, ``utm_*`` and other tracking
    parameters, sort the remaining query, apply host aliases (e.g. ``m.example.cn`` → ``www.example.cn``)
    and percent-encode non-ASCII so the result is plain ASCII.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    with contextlib.suppress(UnicodeError):
        host = host.encode("idna").decode("ascii") if host else host
    if host_aliases:
        host = host_aliases.get(host, host)
    port = parts.port
    netloc = host if port is None or DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    path = quote(unquote(parts.path or "/"), safe="/:@!$&'()*+,;=-._~%")
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith("utm_") and key.lower() not in TRACKING_PARAMS
    ]
    query.sort()
    return urlunsplit((scheme, netloc, path, urlencode(query, doseq=True), ""))


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()

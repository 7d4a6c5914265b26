"""Polling one document cheaply: conditional GET first, then the body hash, and only then parsing."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

from yuqing.sources.fetchers.base import FetchResult, FetchState, SourceSpec
from yuqing.sources.fetchers.http import HttpClient, HttpResponse


@dataclass
class Polled:
    """The outcome of :func:`get_if_changed`: ``done`` is set when there is nothing new to parse."""

    response: HttpResponse
    state: FetchState  # what to persist if parsing succeeds
    requests: int
    done: FetchResult | None = None


def get_if_changed(
    spec: SourceSpec, state: FetchState, client: HttpClient, *, use_hash: bool = True
) -> Polled:
    """GET ``spec.url`` with If-None-Match/If-Modified-Since from ``state``.

    A 304 gives ``done.status == "not_modified"``; with ``use_hash``, a 200 whose body has the same
    sha256 as last time gives ``done.status == "unchanged"`` (many Chinese sites send neither ETag nor
    Last-Modified). Validators the server stops sending are forgotten, so stale ones are not replayed.
    """
    before = client.requests_made()
    response = client.get(
        spec.url,
        headers=spec.headers,
        intranet=spec.intranet,
        etag=state.etag,
        last_modified=state.last_modified,
    )
    requests = client.requests_made() - before
    if response.not_modified:
        kept = replace(
            state,
            etag=response.headers.get("etag", state.etag),
            last_modified=response.headers.get("last-modified", state.last_modified),
            extra=dict(state.extra),
        )
        return Polled(response, kept, requests, FetchResult("not_modified", [], kept, requests))
    digest = hashlib.sha256(response.body).hexdigest()
    new_state = replace(
        state,
        etag=response.headers.get("etag", ""),
        last_modified=response.headers.get("last-modified", ""),
        content_hash=digest if use_hash else state.content_hash,
        extra=dict(state.extra),
    )
    if use_hash and digest == state.content_hash:
        return Polled(response, new_state, requests, FetchResult("unchanged", [], new_state, requests))
    return Polled(response, new_state, requests)

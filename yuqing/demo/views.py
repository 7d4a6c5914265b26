"""Demo RSS feeds served by the app itself (only when YUQING_DEMO is on)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils import timezone

from yuqing.demo import feeds
from yuqing.demo.models import DemoClock


def feed(request: HttpRequest, slug: str) -> HttpResponse:
    meta = next((f for f in feeds.feeds() if f["slug"] == slug), None)
    if meta is None:
        raise Http404("没有这个演示订阅源")
    clock = DemoClock.objects.order_by("id").first()
    started_at = clock.started_at if clock else timezone.now()
    items = feeds.released(slug, started_at)
    etag = feeds.etag_for(items)
    if request.headers.get("If-None-Match") == etag:
        return HttpResponseNotModified(headers={"ETag": etag})
    body = feeds.render_rss(meta, items, started_at, request.build_absolute_uri("/"))
    return HttpResponse(body, content_type="application/rss+xml; charset=utf-8", headers={"ETag": etag})

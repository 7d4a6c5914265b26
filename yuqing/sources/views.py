"""Page: the health of the sources (failing ones first)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from yuqing.org import access
from yuqing.sources import selectors


@access.role_required(*access.SOURCE_READERS)
def health(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.source_health_list())
    failing = sum(1 for s in rows if s.enabled and s.consecutive_failures)
    return render(request, "sources/health.html", {"sources": rows, "failing": failing})

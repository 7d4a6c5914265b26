"""The sources' health page."""

from __future__ import annotations

import pytest

from yuqing.sources.models import Source, SourceKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def source():
    return Source.objects.create(
        name="测试论坛", kind=SourceKind.RSS, url="http://bbs.example.cn/rss", media_type="forum"
    )


def test_source_status_page_shows_failing_sources_first_with_since(clerk_client, source):
    from django.utils import timezone

    Source.objects.create(
        name="坏掉的源",
        kind=SourceKind.RSS,
        url="http://down.example.cn/rss",
        consecutive_failures=3,
        failing_since=timezone.now(),
        last_error="HTTP 503（服务器错误）",
    )
    html = clerk_client.get("/sources/").content.decode()
    assert html.index("坏掉的源") < html.index("测试论坛")
    assert "HTTP 503（服务器错误）" in html and "1 个源失败" in html

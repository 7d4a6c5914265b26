"""Load (or switch off) the demo: sources that poll the app's own demo feeds."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from yuqing.demo import feeds
from yuqing.demo.models import DemoClock
from yuqing.org import demo as org_demo
from yuqing.sources.models import Source, SourceKind

# Each app's ``demo_load()`` in ``yuqing/<app>/demo.py``, in this order (the case needs the organisation;
# 信息发布's demo is a stage of the case's story, loaded by the case).
DEMO_APPS = ("events", "org", "notify", "policies", "cases")


def feed_url(slug: str, *, host: str | None = None, port: int | None = None) -> str:
    """Where this instance serves a demo feed (the web server's own address)."""
    host = host or ("127.0.0.1" if settings.HOST in {"0.0.0.0", "::", ""} else settings.HOST)  # noqa: S104
    return f"http://{host}:{port or settings.PORT}/demo/feeds/{slug}.xml"


def demo_sources_follow_port() -> int:
    """Point the demo sources at this instance's current address (``yuqing run`` on another port than
    ``yuqing setup`` used); returns how many changed."""
    changed = 0
    for feed in feeds.feeds():
        changed += (
            Source.objects.filter(name=feed["name"], is_demo=True)
            .exclude(url=feed_url(feed["slug"]))
            .update(url=feed_url(feed["slug"]))
        )
    return changed


@transaction.atomic
def demo_load(*, host: str | None = None, port: int | None = None) -> list[Source]:
    """Create the demo clock and one RSS source per demo feed (idempotent; URLs follow the port), then
    each app's demo data (:data:`DEMO_APPS`)."""
    if not DemoClock.objects.exists():
        DemoClock.objects.create(started_at=timezone.now())
    sources = []
    for feed in feeds.feeds():
        source, _ = Source.objects.update_or_create(
            name=feed["name"],
            defaults={
                "kind": SourceKind.RSS,
                "url": feed_url(feed["slug"], host=host, port=port),
                "media_type": feed["media_type"],
                "poll_interval": 60,
                "intranet": True,
                "is_demo": True,
                "enabled": True,
            },
        )
        sources.append(source)
    for app in DEMO_APPS:
        import_module(f"yuqing.{app}.demo").demo_load()
    return sources


def demo_disable() -> int:
    """YUQING_DEMO=0: stop polling the demo feeds (their items stay, marked as demo)."""
    org_demo.demo_disable()
    return Source.objects.filter(is_demo=True, enabled=True).update(enabled=False)

"""Demo feeds: bundled items released over time as real RSS, so the real fetch path runs in the demo."""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone

DATA_FILE = Path(__file__).parent / "data" / "demo_items.json"
ROLLING_EVERY = 150  # seconds between generated items once the scripted ones have run out
DEMO_HOST = "demo.yuqing.local"


@dataclass(frozen=True)
class DemoItem:
    feed: str
    offset: int
    slug: str
    title: str
    content: str
    author: str
    engagement: dict[str, int]


@lru_cache(maxsize=1)
def load() -> dict[str, Any]:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


def feeds() -> list[dict[str, str]]:
    return list(load()["feeds"])


def scripted_items() -> list[DemoItem]:
    return [
        DemoItem(
            feed=row["feed"],
            offset=int(row["offset"]),
            slug=row["slug"],
            title=row["title"],
            content=row["content"],
            author=row.get("author", ""),
            engagement={k: int(row[k]) for k in ("reposts", "comments", "likes", "views") if k in row},
        )
        for row in load()["items"]
    ]


def rolling_item(n: int) -> DemoItem:
    """The n-th generated item after the scripted ones: deterministic, so every poll sees the same."""
    rolling = load()["rolling"]
    rng = random.Random(n)
    subject, event = rng.choice(rolling["subjects"]), rng.choice(rolling["events"])
    body = rng.choice(rolling["bodies"]).format(subject=subject, event=event)
    feed = rng.choice(feeds())["slug"]
    last = max(i.offset for i in scripted_items())
    return DemoItem(
        feed=feed,
        offset=last + (n + 1) * ROLLING_EVERY,
        slug=f"rolling-{n}",
        title=f"{subject}{event}",
        content=body,
        author="演示数据",
        engagement={
            "reposts": rng.randint(0, 200),
            "comments": rng.randint(0, 300),
            "likes": rng.randint(0, 900),
        },
    )


def released(feed: str, started_at: datetime, now: datetime | None = None, limit: int = 50) -> list[DemoItem]:
    """Items of ``feed`` whose release time has passed, newest first (at most ``limit``)."""
    elapsed = ((now or timezone.now()) - started_at).total_seconds()
    items = [i for i in scripted_items() if i.feed == feed and i.offset <= elapsed]
    last = max(i.offset for i in scripted_items())
    n = 0
    while last + (n + 1) * ROLLING_EVERY <= elapsed:
        item = rolling_item(n)
        if item.feed == feed:
            items.append(item)
        n += 1
    items.sort(key=lambda i: i.offset, reverse=True)
    return items[:limit]


def render_rss(feed: dict[str, str], items: list[DemoItem], started_at: datetime, base_url: str) -> str:
    def rfc822(dt: datetime) -> str:
        return dt.astimezone(timezone.get_fixed_timezone(480)).strftime("%a, %d %b %Y %H:%M:%S +0800")

    entries = []
    for item in items:
        link = f"http://{item.feed}.{DEMO_HOST}/{item.slug}.html"
        extras = "".join(f"<yq:{k}>{v}</yq:{k}>" for k, v in item.engagement.items())
        entries.append(
            "<item>"
            f"<title>{escape(item.title)}</title><link>{escape(link)}</link>"
            f'<guid isPermaLink="true">{escape(link)}</guid>'
            f"<description>{escape(item.content)}</description>"
            f"<author>{escape(item.author)}</author>"
            f"<pubDate>{rfc822(started_at + timedelta(seconds=item.offset))}</pubDate>{extras}"
            "</item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:yq="http://demo.yuqing.local/ns">'
        f"<channel><title>{escape(feed['name'])}</title><link>{escape(base_url)}</link>"
        f"<description>{escape(feed.get('description', '演示数据'))}</description>"
        + "".join(entries)
        + "</channel></rss>"
    )


def etag_for(items: list[DemoItem]) -> str:
    return '"' + hashlib.sha256("|".join(i.slug for i in items).encode()).hexdigest()[:32] + '"'

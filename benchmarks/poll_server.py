"""A loopback server of many RSS feeds for polling benchmarks (made-up Chinese tax news, not real).

    base_url, stop = start_feed_server(n_sources=200, unchanged_fraction=0.5)
    urls = [feed_url(base_url, i) for i in range(200)]
    ...                                   # poll them
    stats = json.load(urlopen(base_url + "/_stats"))  # {"requests", "not_modified", "ok", "per_feed"}
    stop()

Feeds ``0 .. n*unchanged_fraction-1`` are static: a stable ETag, and 304 to a matching If-None-Match.
The others change on every request (a new item on top and a new ETag), as busy sites do. All feeds
carry 10 items. The server is threaded, so concurrent pollers are not serialised by it.

Run directly to serve until Ctrl-C:  ``.venv/bin/python benchmarks/poll_server.py --n 200``.
"""

from __future__ import annotations

import argparse
import json
import socket
import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

TOPICS = (
    "个税汇算",
    "数电发票",
    "增值税留抵退税",
    "小规模纳税人减免",
    "社保费缴纳",
    "出口退税",
    "车船税",
    "印花税",
)
ACTIONS = ("办理指南发布", "政策解读", "网友集中反映排队问题", "系统升级公告", "专项检查通报", "常见问题答疑")
ITEMS_PER_FEED = 10
BASE_TIME = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)


def feed_url(base_url: str, index: int) -> str:
    return f"{base_url}/feed/{index}.xml"


def _item(feed: int, serial: int) -> str:
    topic = TOPICS[(feed + serial) % len(TOPICS)]
    action = ACTIONS[(feed * 7 + serial) % len(ACTIONS)]
    published = format_datetime(BASE_TIME + timedelta(minutes=serial * 13 + feed))
    link = f"https://bench{feed}.example.cn/news/{serial}.html"
    return (
        f"<item><title>{escape(f'第{feed}号源：{topic}{action}（{serial}）')}</title><link>{link}</link>"
        f"<guid>{link}</guid><pubDate>{published}</pubDate>"
        f"<description>{escape(f'测试数据，纯属虚构。关于{topic}的{action}，第{serial}条。')}</description></item>"
    )


def _feed(feed: int, newest: int) -> bytes:
    items = "".join(_item(feed, serial) for serial in range(newest, newest - ITEMS_PER_FEED, -1))
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>基准测试源 {feed}</title><link>https://bench{feed}.example.cn/</link>"
        f"<description>benchmark feed</description>{items}</channel></rss>"
    ).encode()


class FeedServer:
    """The server behind :func:`start_feed_server`; ``counts`` is readable while it runs."""

    def __init__(self, n_sources: int = 200, unchanged_fraction: float = 0.5) -> None:
        self.n_sources = n_sources
        self.static_count = int(n_sources * unchanged_fraction)
        self.counts: Counter[str] = Counter()
        self.per_feed: Counter[int] = Counter()
        self._lock = threading.Lock()
        self._static = {i: _feed(i, ITEMS_PER_FEED) for i in range(self.static_count)}
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="feed-server", daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_port}"

    def start(self) -> FeedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def stats(self) -> dict[str, object]:
        with self._lock:
            return {**self.counts, "per_feed": {str(k): v for k, v in sorted(self.per_feed.items())}}

    def respond(self, path: str, if_none_match: str | None) -> tuple[int, dict[str, str], bytes]:
        """(status, headers, body) for one GET, counting it."""
        if path == "/_stats":
            return 200, {"Content-Type": "application/json"}, json.dumps(self.stats()).encode()
        try:
            index = int(path.removeprefix("/feed/").removesuffix(".xml"))
        except ValueError:
            index = -1
        if not path.startswith("/feed/") or not 0 <= index < self.n_sources:
            return 404, {"Content-Type": "text/plain"}, b"not found"
        with self._lock:
            self.counts["requests"] += 1
            self.per_feed[index] += 1
            serial = self.per_feed[index]
            if index < self.static_count and if_none_match == f'"static-{index}"':
                self.counts["not_modified"] += 1
                return 304, {"ETag": f'"static-{index}"'}, b""
            self.counts["ok"] += 1
        if index < self.static_count:
            etag, body = f'"static-{index}"', self._static[index]
        else:
            etag, body = f'"live-{index}-{serial}"', _feed(index, ITEMS_PER_FEED + serial)
        headers = {"Content-Type": "application/rss+xml; charset=utf-8", "ETag": etag}
        return 200, headers, body

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                # Headers and body go out in two writes; without this, Nagle + delayed ACK add ~40 ms.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_GET(self) -> None:
                status, headers, body = server.respond(self.path, self.headers.get("If-None-Match"))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:  # quiet
                pass

        return Handler


def start_feed_server(
    n_sources: int = 200, unchanged_fraction: float = 0.5
) -> tuple[str, Callable[[], None]]:
    """Start the threaded feed server on 127.0.0.1 (a free port); return (base_url, stop)."""
    server = FeedServer(n_sources, unchanged_fraction).start()
    return server.base_url, server.stop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--unchanged", type=float, default=0.5)
    args = parser.parse_args()
    server = FeedServer(args.n, args.unchanged).start()
    print(json.dumps({"base_url": server.base_url, "feeds": args.n}), flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()

"""One polling cycle over 200 RSS sources served on loopback, half of them unchanged since last poll.

A first cycle stores every feed (and its ETag); the measured second cycle must cost exactly one request per
source, and a 304 for each unchanged one. Runs the real path: claim-free ``source_poll`` per source (fetch +
ingest + health), with a thread pool as the worker pool, against a fresh SQLite database.

    .venv/bin/python benchmarks/poll.py [--n 200] [--threads 4]
"""

from __future__ import annotations

import argparse
import json
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.request import urlopen

from _common import emit, setup_django
from poll_server import feed_url, start_feed_server


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    from yuqing.sources.fetchers.http import HttpClient
    from yuqing.sources.models import Source
    from yuqing.sources.services import source_poll

    base_url, stop = start_feed_server(args.n, 0.5)
    ids = [
        Source.objects.create(
            name=f"基准源{i}", kind="rss", url=feed_url(base_url, i), media_type="news_site", intranet=True
        ).id
        for i in range(args.n)
    ]
    # Every feed is on one loopback host; the production 1 s per-host spacing would measure sleep.
    client = HttpClient(min_host_interval=0)

    def poll(source_id: int) -> str:
        try:
            return source_poll(source_id, client=client).status
        finally:
            connection.close()

    def stats() -> dict:
        with urlopen(base_url + "/_stats") as r:
            return json.load(r)

    for cycle in ("first", "second"):
        before = stats()
        started = time.perf_counter()
        with ThreadPoolExecutor(args.threads) as pool:
            statuses = list(pool.map(poll, ids))
        wall = time.perf_counter() - started
        after = stats()
        emit(
            benchmark="poll",
            cycle=cycle,
            sources=args.n,
            threads=args.threads,
            wall_s=round(wall, 2),
            requests=after["requests"] - before.get("requests", 0),
            http_304=after.get("not_modified", 0) - before.get("not_modified", 0),
            http_200=after.get("ok", 0) - before.get("ok", 0),
            statuses={s: statuses.count(s) for s in sorted(set(statuses))},
        )
    stop()


if __name__ == "__main__":
    main()

"""Ingest-to-alert latency on the embedded default (SQLite + SqliteHuey, `yuqing serve` + one consumer).

Real processes over loopback: each item is pushed through POST /api/v1/ingest and the clock runs until
its alert row exists. The benchmark database gets one extra rule (any tax-related event, any level) so
that every pushed tax post raises an alert; the pushed texts are distinct real tax posts.

    .venv/bin/python benchmarks/latency.py [--n 30] [--gap 1.0]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from _common import DATA, ROOT, emit


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=30)
    parser.add_argument("--gap", type=float, default=1.0, help="seconds between pushes")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="yuqing-latency-"))
    db = tmp / "db.sqlite3"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_VERSION"}
    env.update(
        YUQING_VAR_DIR=str(tmp),
        YUQING_DATABASE_URL=f"sqlite:///{db}",
        YUQING_DEMO="0",
        YUQING_PORT=str(port),
        YUQING_HUEY_IMMEDIATE="0",
        YUQING_ADMIN_PASSWORD="Latency-Bench-2026",
    )
    cli = [sys.executable, "-m", "yuqing.cli"]
    subprocess.run([*cli, "setup"], env=env, check=True, capture_output=True, cwd=ROOT)
    subprocess.run(
        [
            *cli,
            "shell",
            "-c",
            "from yuqing.events.models import AlertRule; AlertRule.objects.create("
            "name='基准：所有涉税事件', min_severity='general', min_size=1)",
        ],
        env=env,
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    token = subprocess.run(
        [*cli, "token", "create", "admin"], env=env, check=True, capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    procs = [
        subprocess.Popen(
            [*cli, "serve"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        ),
        subprocess.Popen(
            [*cli, "run_huey", "--workers", "2", "-k", "thread"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
    ]
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/api/v1/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        posts = [
            json.loads(line)["text"] for line in (DATA / "tax_posts_train.jsonl").read_text().splitlines()
        ]
        posts = [p for p in posts if len(p) > 60 and "税" in p][: args.n * 3]
        latencies = []
        missed = 0
        conn = sqlite3.connect(db, timeout=30)
        for n in range(args.n):
            text = posts[n * 3]
            body = json.dumps(
                [
                    {
                        "url": f"https://bench.example.cn/{n}",
                        "title": text[:30],
                        "content": text,
                        "source": "基准推送",
                        "media_type": "weibo",
                    }
                ]
            ).encode()
            req = urllib.request.Request(
                base + "/api/v1/ingest",
                data=body,
                method="POST",
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )
            t0 = time.perf_counter()
            with urllib.request.urlopen(req, timeout=30) as r:
                item_id = json.load(r)["items"][0]["id"]
            deadline = t0 + 30
            found = False
            while time.perf_counter() < deadline:
                row = conn.execute(
                    "SELECT i.tax_related, i.event_id,"
                    " (SELECT count(*) FROM events_alert a WHERE a.event_id = i.event_id)"
                    " FROM items_item i WHERE i.id = ?",
                    (item_id,),
                ).fetchone()
                if row and row[0] == 0:
                    break  # judged not tax related: no alert expected
                if row and row[2]:
                    latencies.append(time.perf_counter() - t0)
                    found = True
                    break
                time.sleep(0.02)
            missed += 0 if found else 1
            time.sleep(args.gap)
        latencies.sort()
        emit(
            benchmark="ingest_to_alert",
            items=args.n,
            alerts=len(latencies),
            without_alert=missed,
            p50_s=round(statistics.median(latencies), 2) if latencies else None,
            p95_s=round(latencies[max(0, int(len(latencies) * 0.95) - 1)], 2) if latencies else None,
            max_s=round(latencies[-1], 2) if latencies else None,
            target_p95_s=5,
        )
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=15)


if __name__ == "__main__":
    main()

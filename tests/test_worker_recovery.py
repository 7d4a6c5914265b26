"""A worker killed mid-poll loses nothing and doubles nothing: real processes, real HTTP, real SQLite."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from werkzeug import Request, Response

pytestmark = pytest.mark.slow

ARTICLES = 10
CLAIM_TIMEOUT = 15  # seconds; long enough for the steps between the first claim and the "not yet" check


def yuqing(env: dict[str, str], *args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "yuqing.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        **kw,
    )


@pytest.fixture
def site(httpserver):
    links = "".join(f'<li><a class="post" href="/post/{i}.html">帖子{i}</a></li>' for i in range(ARTICLES))
    httpserver.expect_request("/list.html").respond_with_data(
        f"<html><body><ul>{links}</ul></body></html>", content_type="text/html; charset=utf-8"
    )

    def article(request: Request) -> Response:
        time.sleep(0.6)  # slow pages: the worker is still busy when it is killed
        n = request.path.rsplit("/", 1)[-1].split(".")[0]
        body = (
            f"<html><head><title>铁门关办税服务厅第{n}号帖子</title></head><body><article><h1>铁门关办税服务厅第{n}号帖子</h1>"
            + "".join(
                f"<p>网友反映办税服务厅第{n}号窗口排队时间较长，第{k}段描述了具体经过和诉求。</p>"
                for k in range(6)
            )
            + "</article></body></html>"
        )
        return Response(body, content_type="text/html; charset=utf-8")

    for i in range(ARTICLES):
        httpserver.expect_request(f"/post/{i}.html").respond_with_handler(article)
    return httpserver


def test_killed_worker_loses_nothing_and_doubles_nothing(site, tmp_path: Path):
    db = tmp_path / "db.sqlite3"
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_VERSION"}
    env.update(
        YUQING_VAR_DIR=str(tmp_path),
        YUQING_DATABASE_URL=f"sqlite:///{db}",
        YUQING_DEMO="0",
        YUQING_HUEY_IMMEDIATE="0",
        YUQING_POLL_CLAIM_TIMEOUT=str(CLAIM_TIMEOUT),
        YUQING_FETCH_MIN_HOST_INTERVAL_MS="0",
    )
    assert yuqing(env, "migrate", "-v", "0").returncode == 0
    added = yuqing(
        env,
        "source",
        "add",
        "--kind",
        "html",
        "--url",
        site.url_for("/list.html"),
        "--media-type",
        "forum",
        "--intranet",
        "--ignore-robots",
        "--link-selector",
        "a.post",
        "--name",
        "本地论坛",
    )
    assert added.returncode == 0, added.stderr
    claim = "from yuqing.sources.tasks import schedule_polls; print('claimed', schedule_polls.call_local())"

    assert "claimed 1" in yuqing(env, "shell", "-c", claim).stdout
    claimed_at_wall = time.time()
    worker = subprocess.Popen(
        [sys.executable, "-m", "yuqing.cli", "worker", "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.time() + 30
    while time.time() < deadline and sum(1 for req, _resp in site.log if "/post/" in req.path) < 3:
        time.sleep(0.1)
    os.killpg(worker.pid, signal.SIGKILL)  # mid-batch: some article pages fetched, the poll unfinished
    worker.wait(timeout=10)
    assert 3 <= sum(1 for req, _ in site.log if "/post/" in req.path) < ARTICLES

    with sqlite3.connect(db) as conn:
        claimed_at = conn.execute("SELECT claimed_at FROM sources_source").fetchone()[0]
    assert claimed_at is not None  # the dead worker's claim is still there
    assert "claimed 0" in yuqing(env, "shell", "-c", claim).stdout  # not yet stale: nobody else takes it
    assert time.time() - claimed_at_wall < CLAIM_TIMEOUT
    time.sleep(max(0.0, claimed_at_wall + CLAIM_TIMEOUT + 0.5 - time.time()))
    assert "claimed 1" in yuqing(env, "shell", "-c", claim).stdout  # the sweeper re-claims it

    worker = subprocess.Popen(
        [sys.executable, "-m", "yuqing.cli", "worker", "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.time() + 60
        done = None
        while time.time() < deadline:
            with sqlite3.connect(db) as conn:
                done = conn.execute("SELECT last_success_at, claimed_at FROM sources_source").fetchone()
            if done[0] and done[1] is None:
                break
            time.sleep(0.3)
        assert done and done[0] and done[1] is None, "the re-queued poll did not finish"
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=15)
    with sqlite3.connect(db) as conn:
        urls = [r[0] for r in conn.execute("SELECT canonical_url FROM items_item")]
    assert len(urls) == ARTICLES
    assert len(set(urls)) == ARTICLES

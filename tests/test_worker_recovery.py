"""A worker killed mid-poll or mid-analysis loses nothing and doubles nothing: real processes, real HTTP,
real SQLite (and, for the analysis, real PostgreSQL when the run is on PostgreSQL)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from werkzeug import Request, Response

pytestmark = [pytest.mark.slow, pytest.mark.crash]

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


# --- analysis: a worker killed while it holds the analysis pipeline -----------------------------------

ANALYSIS_ITEMS = 3000  # six batches of 500: the pass is still running when the first batch has landed
ANALYSIS_LEASE = 5  # seconds (YUQING_ANALYSIS_LEASE_SECONDS); the default is two minutes
STORIES = [
    "网友反映铁门关市办税服务厅第{n}号窗口排队三个小时，工作人员态度生硬，要求税务局整改。",
    "个体商户称今年定额调整幅度过大，第{n}户商户的定额一下涨了三倍，要求税务局给个说法。",
    "有纳税人反映电子税务局第{n}次申报个税汇算时系统卡顿，退税迟迟不到账，质疑税务部门效率。",
    "铁门关市税务局公布第{n}批减税降费政策落实情况，小规模纳税人增值税减免惠及众多商户。",
]


class Database:
    """A fresh database for the subprocesses: SQLite, or PostgreSQL when this run is on PostgreSQL
    (a database of its own next to the test database, dropped afterwards)."""

    def __init__(self, tmp_path: Path) -> None:
        session_url = os.environ.get("YUQING_DATABASE_URL", "")
        self.pg_admin = ""
        if session_url.startswith(("postgres://", "postgresql://")):
            parsed = urlsplit(session_url)
            name = f"{parsed.path.lstrip('/') or 'yuqing'}_recovery"
            self.pg_admin = urlunsplit(parsed._replace(path="/postgres"))
            self.url = urlunsplit(parsed._replace(path=f"/{name}"))
            self.name = name
            with psycopg.connect(self.pg_admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
                conn.execute(f'CREATE DATABASE "{name}"')
        else:
            self.path = tmp_path / "db.sqlite3"
            self.url = f"sqlite:///{self.path}"

    def rows(self, sql: str) -> list[tuple]:
        if self.pg_admin:
            with psycopg.connect(self.url) as conn:
                return conn.execute(sql).fetchall()
        with sqlite3.connect(self.path) as conn:
            return conn.execute(sql).fetchall()

    def drop(self) -> None:
        if self.pg_admin:
            with psycopg.connect(self.pg_admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}"')


def _stage_counts(db: Database) -> dict[str, int]:
    return dict(db.rows("SELECT stage, count(*) FROM items_item GROUP BY stage"))


def _analysis_finished(db: Database) -> bool:
    waiting = db.rows("SELECT count(*) FROM items_item WHERE stage != 'clustered'")[0][0]
    stale = db.rows("SELECT count(*) FROM events_event WHERE needs_refresh")[0][0]
    held = db.rows("SELECT count(*) FROM events_lease WHERE holder != ''")[0][0]
    return waiting == stale == held == 0


def _worker(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "yuqing.cli", "worker", "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


@pytest.fixture
def database(tmp_path: Path):
    db = Database(tmp_path)
    yield db
    db.drop()


def test_worker_killed_while_holding_the_analysis_pipeline_blocks_analysis_only_until_the_next_sweep(
    database: Database, tmp_path: Path
):
    db = database
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_VERSION"}
    env.update(
        YUQING_VAR_DIR=str(tmp_path),
        YUQING_DATABASE_URL=db.url,
        YUQING_DEMO="0",
        YUQING_HUEY_IMMEDIATE="0",
        YUQING_ANALYSIS_LEASE_SECONDS=str(ANALYSIS_LEASE),
    )
    env.pop("YUQING_REDIS_URL", None)  # the queue in tmp_path; the lease is in the database either way
    assert yuqing(env, "migrate", "-v", "0").returncode == 0
    export = tmp_path / "items.jsonl"
    with export.open("w", encoding="utf-8") as f:
        for n in range(ANALYSIS_ITEMS):
            text = STORIES[n % len(STORIES)].format(n=n)
            row = {"url": f"https://bbs.example.cn/t/{n}", "title": text[:20], "content": text}
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    imported = yuqing(env, "import", str(export), "--source", "本地论坛")
    assert imported.returncode == 0, imported.stderr
    assert _stage_counts(db) == {"stored": ANALYSIS_ITEMS}

    worker = _worker(env)  # takes the queued analysis task and starts the pass
    deadline = time.time() + 90
    counts = _stage_counts(db)
    while time.time() < deadline and counts.get("stored", 0) == ANALYSIS_ITEMS:
        time.sleep(0.05)
        counts = _stage_counts(db)
    os.killpg(worker.pid, signal.SIGKILL)  # mid-pass: one batch done, the rest waiting
    worker.wait(timeout=10)
    counts = _stage_counts(db)
    assert counts.get("clustered", 0) < ANALYSIS_ITEMS, "the pass finished before the kill"
    assert counts.get("stored", 0) < ANALYSIS_ITEMS, "the pass had not started"
    ((holder, expires_at),) = db.rows("SELECT holder, expires_at FROM events_lease WHERE name = 'analysis'")
    assert f":{worker.pid}:" in holder  # the dead worker still holds the analysis lease
    if isinstance(expires_at, str):  # SQLite stores UTC text
        expires_at = datetime.fromisoformat(expires_at).replace(tzinfo=UTC)
    assert expires_at > datetime.now(UTC)

    # The restart, on two "machines": two workers sharing the database (and here the queue).
    workers = [_worker(env), _worker(env)]
    try:
        # The sweep cannot take the lease before it expires (at most YUQING_ANALYSIS_LEASE_SECONDS).
        time.sleep(max(0.0, (expires_at - datetime.now(UTC)).total_seconds() + 0.5))
        sweep = "from yuqing.events.tasks import sweep_pending; sweep_pending(); sweep_pending()"
        assert yuqing(env, "shell", "-c", sweep).returncode == 0  # what the scheduler enqueues each minute
        deadline = time.time() + 90
        while time.time() < deadline and not _analysis_finished(db):
            time.sleep(0.3)
    finally:
        for w in workers:
            os.killpg(w.pid, signal.SIGTERM)
        for w in workers:
            w.wait(timeout=15)
    assert _stage_counts(db) == {"clustered": ANALYSIS_ITEMS}, "items left unanalysed after the sweep"
    assert db.rows("SELECT count(*) FROM items_item WHERE analyzed_at IS NULL")[0][0] == 0
    # Each item went through the clusterer exactly once (a batch done twice would count twice).
    assert db.rows("SELECT items_seen FROM events_clusterstate")[0][0] == ANALYSIS_ITEMS
    assert db.rows("SELECT count(*) FROM events_event")[0][0] > 0
    assert _analysis_finished(db)  # every event refreshed (graded, alerted); the lease given back

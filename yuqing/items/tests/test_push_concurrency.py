"""Concurrent pushes and a busy SQLite file: real server process (waitress), real HTTP, a real SQLite file.

20 clients push at once: no 500, every item stored exactly once (a 503 is allowed only with Retry-After,
and the client then sends the same request again, as the README tells integrators to). While another
process holds SQLite's write lock past the busy timeout, pushes and logins answer 503 with Retry-After,
never 500, and both work again once the lock is released.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import pytest

pytestmark = pytest.mark.slow

CLIENTS = 20
OWN_ITEMS = 950  # per client, pushed by it alone
SHARED_ITEMS = 50  # pushed by every client: each must be created once, by exactly one of them
PASSWORD = "Busy-Lock-Test-2026!"
SETUP = f"""
from yuqing.org import access
from yuqing.org.models import Department
from yuqing.org.services import api_token_create, person_create, role_assign
office = Department.objects.create(name="办公室")
person = person_create(username="pusher", name="推送员", department=office, password="{PASSWORD}")
role_assign(person=person, role=access.OFFICE_MEMBER)
print("TOKEN", api_token_create(user=person.user, name="并发测试"))
"""


@dataclass
class Server:
    url: str
    db: Path
    token: str


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(tmp_path: Path, **extra_env: str) -> Iterator[Server]:
    db = tmp_path / "db.sqlite3"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_VERSION", "YUQING_DATABASE_URL")}
    env.update(
        YUQING_VAR_DIR=str(tmp_path),
        YUQING_DATABASE_URL=f"sqlite:///{db}",
        YUQING_DEMO="0",
        YUQING_HUEY_IMMEDIATE="0",
        YUQING_HOST="127.0.0.1",
        YUQING_PORT=str(port),
        **extra_env,
    )
    cli = [sys.executable, "-m", "yuqing.cli"]
    migrated = subprocess.run(
        [*cli, "migrate", "-v", "0"], env=env, capture_output=True, text=True, timeout=300
    )
    assert migrated.returncode == 0, migrated.stderr
    setup = subprocess.run([*cli, "shell", "-c", SETUP], env=env, capture_output=True, text=True, timeout=120)
    assert setup.returncode == 0, setup.stderr
    token = setup.stdout.split("TOKEN", 1)[1].strip()
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(
        [*cli, "serve", "--threads", str(CLIENTS)], env=env, stdout=log, stderr=log, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # up to a minute for the server to listen
            try:
                if httpx2.get(f"{url}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx2.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("the server did not start:\n" + (tmp_path / "server.log").read_text(errors="replace"))
        yield Server(url=url, db=db, token=token)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    yield from start_server(tmp_path)


@pytest.fixture
def impatient_server(tmp_path: Path) -> Iterator[Server]:
    """A server that waits only one second for SQLite's write lock."""
    yield from start_server(tmp_path, YUQING_SQLITE_BUSY_TIMEOUT="1")


def record(key: str) -> dict[str, Any]:
    return {
        "url": f"https://bbs.example.cn/thread/{key}",
        "title": f"办税服务厅排队问题反映 {key}",
        "content": f"网友反映（{key}）：铁门关市办税服务厅取号后排队两个小时，窗口开得太少，希望增加人手。"
        * 4,
        "source": "铁门关论坛",
        "views": "30亿",
    }


def test_twenty_clients_pushing_at_once_store_every_item_exactly_once(server: Server) -> None:
    shared = [record(f"shared{i}") for i in range(SHARED_ITEMS)]
    batches = [[record(f"c{c}n{i}") for i in range(OWN_ITEMS)] + shared for c in range(CLIENTS)]
    answers: list[list[tuple[int, Any]]] = [[] for _ in range(CLIENTS)]
    start = threading.Barrier(CLIENTS)

    def push(client: int) -> None:
        with httpx2.Client(headers={"Authorization": f"Bearer {server.token}"}, timeout=300) as http:
            start.wait()
            for _attempt in range(20):
                response = http.post(f"{server.url}/api/v1/ingest", json=batches[client])
                body = (
                    response.json()
                    if response.headers.get("content-type", "").startswith("application/json")
                    else response.text
                )
                answers[client].append((response.status_code, body))
                if response.status_code != 503:
                    return
                assert response.headers["Retry-After"].isdigit()
                time.sleep(int(response.headers["Retry-After"]) / 5)  # the client's back-off, shortened

    threads = [threading.Thread(target=push, args=(c,)) for c in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    statuses = Counter(status for client in answers for status, _ in client)
    assert 500 not in statuses, [body for client in answers for status, body in client if status == 500][:3]
    assert set(statuses) <= {202, 503}, statuses
    finals = [client[-1] for client in answers]
    assert all(status == 202 for status, _ in finals), statuses
    created = Counter(
        batches[c][row["index"]]["url"]
        for c, (_status, body) in enumerate(finals)
        for row in body["items"]
        if row["status"] == "created"
    )
    expected = {r["url"] for batch in batches for r in batch}
    assert set(created) == expected
    assert max(created.values()) == 1  # each shared item created by exactly one client
    with sqlite3.connect(server.db) as conn:
        stored = Counter(url for (url,) in conn.execute("SELECT url FROM items_item"))
        views = {v for (v,) in conn.execute("SELECT DISTINCT views FROM items_item")}
        sources = conn.execute("SELECT COUNT(*) FROM sources_source").fetchone()[0]
    assert set(stored) == expected
    assert max(stored.values()) == 1
    assert views == {3_000_000_000}
    assert sources == 1  # the pusher's push source, created once by twenty first pushes


def hold_write_lock(db: Path) -> sqlite3.Connection:
    """Take SQLite's write lock from this process (as a long write of the worker would) until closed."""
    conn = sqlite3.connect(db, isolation_level=None, timeout=30)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE sources_source SET last_status = last_status")
    return conn


def login(http: httpx2.Client, url: str) -> httpx2.Response:
    page = http.get(f"{url}/login/")
    assert page.status_code == 200
    return http.post(
        f"{url}/login/",
        data={"username": "pusher", "password": PASSWORD, "csrfmiddlewaretoken": http.cookies["csrftoken"]},
        headers={"Referer": f"{url}/login/"},
    )


def test_a_push_and_a_login_meeting_a_locked_database_get_503_with_retry_after(
    impatient_server: Server,
) -> None:
    server = impatient_server
    api = httpx2.Client(headers={"Authorization": f"Bearer {server.token}"}, timeout=120)
    browser = httpx2.Client(timeout=120, follow_redirects=False)
    lock = hold_write_lock(server.db)
    try:
        pushed = api.post(f"{server.url}/api/v1/ingest", json=[record("locked")])
        logged_in = login(browser, server.url)
    finally:
        lock.rollback()
        lock.close()
    assert pushed.status_code == 503, pushed.text
    assert pushed.headers["Retry-After"].isdigit()
    assert "稍后重试" in pushed.json()["detail"]
    assert logged_in.status_code == 503, logged_in.text[:500]
    assert logged_in.headers["Retry-After"].isdigit()
    assert "稍后重试" in logged_in.text

    again = api.post(f"{server.url}/api/v1/ingest", json=[record("locked")])
    assert again.status_code == 202, again.text
    assert again.json()["created"] == 1
    assert login(browser, server.url).status_code == 302
    api.close()
    browser.close()

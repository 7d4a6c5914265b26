"""Watched-folder sources: new and changed export files, bad rows reported by file and line."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from yuqing.sources.fetchers.base import FetchError, FetchState, SourceSpec, fetch
from yuqing.sources.fetchers.http import HttpClient
from yuqing.sources.tests.fixtures import load, make_client

CSV_WARNINGS = [
    "export.csv:5：发布时间(published_at)：无法解析的时间：下周一",
    "export.csv:6：正文(content)：标题和正文至少需要填写一项",
]


@pytest.fixture
def client() -> Iterator[HttpClient]:
    with make_client() as c:  # unused by file sources, but fetch() takes one
        yield c


def folder_spec(folder: Path, **options: object) -> SourceSpec:
    return SourceSpec(kind="file", url=str(folder), options={"settle_seconds": 0, **options})


def age(path: Path, seconds: float = 60) -> None:
    past = time.time() - seconds
    os.utime(path, (past, past))


def test_new_files_are_read_and_bad_rows_reported_by_line(tmp_path: Path, client: HttpClient) -> None:
    (tmp_path / "export.csv").write_bytes(load("export.csv").encode("gbk"))  # commercial systems export GBK
    (tmp_path / "notes.txt").write_text("不是导出文件", encoding="utf-8")
    result = fetch(folder_spec(tmp_path), FetchState(), client=client)
    assert result.status == "ok"
    assert result.requests == 0
    assert [e.url for e in result.entries] == [
        "https://weibo.example.cn/status/4991",
        "https://www.example.cn/news/2024/0503.html",
    ]
    assert result.warnings == CSV_WARNINGS
    seen = result.state.extra["seen"]
    assert list(seen) == ["export.csv"]
    assert seen["export.csv"]["rows"] == 2 and seen["export.csv"]["errors"] == 2
    assert len(seen["export.csv"]["sha256"]) == 64


def test_seen_files_are_skipped_and_changed_files_reread(tmp_path: Path, client: HttpClient) -> None:
    path = tmp_path / "items.jsonl"
    path.write_text(load("export.jsonl"), encoding="utf-8")
    spec = folder_spec(tmp_path)
    first = fetch(spec, FetchState(), client=client)
    assert len(first.entries) == 3
    assert first.warnings[0].startswith("items.jsonl:3：JSON 格式错误")
    assert first.warnings[1] == "items.jsonl:4：点赞数(likes)：不能为负数：-5"

    second = fetch(spec, first.state, client=client)
    assert (second.status, second.entries, second.warnings) == ("unchanged", [], [])

    os.utime(path, None)  # touched, same bytes: hashed, not re-read
    third = fetch(spec, second.state, client=client)
    assert (third.status, third.entries) == ("unchanged", [])

    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"url": "https://mp.example.cn/s/new", "title": "新增一条", "content": "追加的记录"}\n')
    fourth = fetch(spec, third.state, client=client)
    assert fourth.status == "ok"
    assert [e.url for e in fourth.entries][-1] == "https://mp.example.cn/s/new"
    assert len(fourth.entries) == 4


def test_deleted_files_leave_the_seen_map(tmp_path: Path, client: HttpClient) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"url": "https://a.example.cn/1", "title": "个税"}\n', encoding="utf-8")
    first = fetch(folder_spec(tmp_path), FetchState(), client=client)
    path.unlink()
    second = fetch(folder_spec(tmp_path), first.state, client=client)
    assert second.state.extra["seen"] == {}


def test_files_still_being_written_wait_for_the_next_poll(tmp_path: Path, client: HttpClient) -> None:
    path = tmp_path / "fresh.jsonl"
    path.write_text('{"url": "https://a.example.cn/1", "title": "刚复制进来"}\n', encoding="utf-8")
    spec = folder_spec(tmp_path, settle_seconds=30)
    first = fetch(spec, FetchState(), client=client)
    assert (first.status, first.entries, first.state.extra["seen"]) == ("unchanged", [], {})
    age(path)
    second = fetch(spec, first.state, client=client)
    assert [e.title for e in second.entries] == ["刚复制进来"]


def test_pattern_option_limits_the_files_read(tmp_path: Path, client: HttpClient) -> None:
    (tmp_path / "a.jsonl").write_text('{"url": "https://a.example.cn/1", "title": "甲"}\n', encoding="utf-8")
    (tmp_path / "b.csv").write_text("标题,链接\n乙,https://a.example.cn/2\n", encoding="utf-8")
    result = fetch(folder_spec(tmp_path, pattern="*.csv"), FetchState(), client=client)
    assert [e.title for e in result.entries] == ["乙"]


def test_unreadable_file_is_a_warning_recorded_once(tmp_path: Path, client: HttpClient) -> None:
    (tmp_path / "bad.csv").write_text("x,y\n1,2\n", encoding="utf-8")
    spec = folder_spec(tmp_path)
    first = fetch(spec, FetchState(), client=client)
    assert first.warnings == ["bad.csv：CSV 第 1 行不是可识别的表头（应含 标题、链接、正文 等列名）"]
    assert fetch(spec, first.state, client=client).warnings == []


def test_missing_folder_is_a_fetch_error(tmp_path: Path, client: HttpClient) -> None:
    with pytest.raises(FetchError) as caught:
        fetch(folder_spec(tmp_path / "nope"), FetchState(), client=client)
    assert str(caught.value) == f"文件夹不存在或无法访问：{tmp_path / 'nope'}"

"""``yuqing cluster``: cluster a JSON-lines file of items into events, with no server and no database.

Input lines, in time order: ``{"id", "text", "title"?, "url"?, "published_at"?, "source"?}`` (also read if
present: ``media_type``, ``author``, ``engagement``, and ``thread``: the address of the post an item
reposts, comments on or replies to, which joins it to that post's event). Output lines:
``{"id", "event_id", "duplicate_of"}``.
The same :class:`~yuqing.analysis.cluster.Clusterer` as the live pipeline does the work. Event ids in the
output are final: events merged later in the run are written under the id they were merged into (results
go to a temporary file first, then are rewritten once with the merges applied).

Bad lines (not JSON, no ``id``, a bad ``published_at``) are reported on stderr with their line number and
skipped; they never stop the run. A line without ``published_at`` takes the time of the line before it.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from yuqing.analysis.cluster import ClusterConfig, Clusterer, ClusterItem
from yuqing.vocab import MEDIA_TYPES


class BadLine(ValueError):
    pass


def parse_time(value: object) -> datetime | None:
    """ISO 8601 (``Z`` accepted) or epoch seconds; a naive time is taken as UTC. ``None`` for empty."""
    if value in (None, ""):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(float(value), UTC)
    if not isinstance(value, str):
        raise BadLine(f"published_at 不是时间：{value!r}")
    try:
        ts = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadLine(f"published_at 不是 ISO 8601 时间：{value!r}")
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)


def parse_line(line: str) -> ClusterItem:
    """One input line → :class:`ClusterItem`; raises :class:`BadLine` with a Chinese reason."""
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadLine(f"不是合法的 JSON（第 {exc.colno} 列：{exc.msg}）")
    if not isinstance(row, dict):
        raise BadLine("每行应是一个 JSON 对象")
    item_id = row.get("id")
    if item_id is None or isinstance(item_id, dict | list) or item_id == "":
        raise BadLine("缺少 id")
    media_type = row.get("media_type") or "other"
    engagement = row.get("engagement") or 0
    return ClusterItem(
        id=item_id,
        text=str(row.get("text") or ""),
        title=str(row.get("title") or ""),
        url=str(row.get("url") or ""),
        published_at=parse_time(row.get("published_at")),
        source=str(row.get("source") or ""),
        media_type=media_type if media_type in MEDIA_TYPES else "other",
        author=str(row.get("author") or ""),
        engagement=int(engagement) if isinstance(engagement, int | float) else 0,
        thread=str(row.get("thread") or ""),
    )


def _count_lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(1 for _ in f)


def cluster_jsonl(
    in_path: str | Path,
    out_path: str | Path,
    *,
    progress: bool = True,
    config: ClusterConfig | None = None,
    stderr: IO[str] | None = None,
    on_item: Callable[[int], None] | None = None,
) -> dict:
    """Cluster *in_path* into *out_path* (see the module docstring). Returns counts: ``items``,
    ``bad_lines``, ``events``, ``duplicates``, ``merges``."""
    in_path, out_path = Path(in_path), Path(out_path)
    err = stderr or sys.stderr
    console = Console(file=err)
    clusterer = Clusterer(config)
    aliases: dict[str, str] = {}
    stats = {"items": 0, "bad_lines": 0, "events": 0, "duplicates": 0, "merges": 0}
    last_time: datetime | None = None
    total = _count_lines(in_path) if progress else None
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".cluster-", suffix=".jsonl", dir=out_path.parent)
    try:
        with (
            in_path.open(encoding="utf-8", errors="replace") as src,
            os.fdopen(fd, "w", encoding="utf-8") as tmp,
            Progress(
                TextColumn("聚类"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=console,
                disable=not progress,
                transient=False,
            ) as bar,
        ):
            task = bar.add_task("cluster", total=total)
            for number, line in enumerate(src, start=1):
                bar.advance(task)
                if not line.strip():
                    continue
                try:
                    item = parse_line(line)
                except BadLine as exc:
                    stats["bad_lines"] += 1
                    print(f"第 {number} 行跳过：{exc}", file=err)
                    continue
                if item.published_at is None:
                    item.published_at = last_time
                last_time = item.published_at or last_time
                assignment = clusterer.add(item)
                for gone, into in clusterer.drain_merges():
                    aliases[gone] = into
                stats["items"] += 1
                stats["duplicates"] += assignment.duplicate_of is not None
                record = [assignment.item_id, assignment.event_id, assignment.duplicate_of]
                tmp.write(json.dumps(record, ensure_ascii=False) + "\n")
                if on_item is not None:
                    on_item(number)
        events: set[str] = set()
        with open(tmp_name, encoding="utf-8") as tmp, out_path.open("w", encoding="utf-8") as out:
            for line in tmp:
                item_id, event_id, duplicate_of = json.loads(line)
                event_id = _final(event_id, aliases)
                events.add(event_id)
                row = {"id": item_id, "event_id": event_id, "duplicate_of": duplicate_of}
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
        stats["events"] = len(events)
        stats["merges"] = len(aliases)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
    return stats


def _final(event_id: str, aliases: dict[str, str]) -> str:
    hops = 0
    while event_id in aliases and hops < 1000:
        event_id = aliases[event_id]
        hops += 1
    return event_id


def main(argv: list[str] | None = None) -> int:
    """``python -m yuqing.analysis.batch_cluster --input IN --output OUT`` (what ``yuqing cluster`` wraps)."""
    import argparse

    parser = argparse.ArgumentParser(description="把 JSON Lines 条目聚类为舆情事件")
    parser.add_argument("--input", required=True, type=Path)
    parser.add_argument("--output", required=True, type=Path)
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    if not args.input.exists():
        print(f"输入文件不存在：{args.input}", file=sys.stderr)
        return 2
    stats = cluster_jsonl(args.input, args.output, progress=not args.no_progress)
    print(json.dumps(stats, ensure_ascii=False), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Writes on items that come from outside: the push API and file import."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from yuqing.items.ingest import Candidate, Status, ingest_entries
from yuqing.sources.fetchers.base import RawEntry
from yuqing.sources.fetchers.records import RecordError, parse_record
from yuqing.sources.services import webhook_source_for

MAX_INGEST_ITEMS = 1000
# The push contract (design.md) requires all three; imports and feeds may derive a missing title.
PUSH_REQUIRED = ("url", "title", "content")


def items_push(payload: list[Any]) -> dict[str, Any]:
    """Validate each pushed record, ingest the valid ones grouped by source name, and report a status
    per index. Invalid records never stop valid ones in the same request from being stored.
    """
    statuses: list[dict[str, Any]] = [{"index": i, "status": "", "errors": []} for i in range(len(payload))]
    by_source: dict[str, list[tuple[int, RawEntry]]] = defaultdict(list)
    for index, obj in enumerate(payload):
        if not isinstance(obj, dict):
            statuses[index].update(
                status=Status.REJECTED, errors=[{"field": "", "message": "每条信息必须是 JSON 对象"}]
            )
            continue
        try:
            for name in PUSH_REQUIRED:
                if not str(obj.get(name) or "").strip():
                    raise RecordError(name, "缺少必填字段")
            entry = parse_record(obj)
        except RecordError as exc:
            statuses[index].update(
                status=Status.REJECTED, errors=[{"field": exc.field, "message": exc.message}]
            )
            continue
        by_source[entry.source_name or ""].append((index, entry))
    for index, candidate in ingest_by_source_name(by_source):
        statuses[index].update(status=candidate.status, id=candidate.item_id)
        if candidate.status == Status.REJECTED:
            statuses[index]["errors"] = [{"field": "content", "message": candidate.reason}]
    return _summary(statuses)


def ingest_by_source_name(
    by_source: dict[str, list[tuple[int, RawEntry]]], default_source: str = ""
) -> Iterator[tuple[int, Candidate]]:
    """Ingest entries grouped by the source they name (pushed sources, created on first use);
    yields each caller-side index with its pipeline outcome.
    """
    for name, pairs in by_source.items():
        media_type = next((e.media_type for _, e in pairs if e.media_type), None)
        report = ingest_entries(
            [e for _, e in pairs], source=webhook_source_for(name or default_source, media_type)
        )
        for (index, _entry), candidate in zip(pairs, report.candidates, strict=True):
            yield index, candidate


def _summary(statuses: Iterable[dict[str, Any]]) -> dict[str, Any]:
    rows = list(statuses)
    return {
        "created": sum(1 for s in rows if s["status"] == Status.CREATED),
        "duplicates": sum(1 for s in rows if s["status"] in (Status.DUPLICATE, Status.UPDATED)),
        "rejected": sum(1 for s in rows if s["status"] == Status.REJECTED),
        "items": rows,
    }

"""Writes on items: those that come from outside (the push API and file import), and the one writer of
``Item.duplicate_of`` once an item is stored (:func:`items_mark_duplicates`)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Case, IntegerField, Value, When

from yuqing.items.ingest import Candidate, Status, clean_raw, ingest_entries
from yuqing.items.models import Item
from yuqing.sources.fetchers.base import RawEntry
from yuqing.sources.fetchers.records import RecordError, canonical_fields, parse_record
from yuqing.sources.services import import_source_for, push_source_for

MAX_INGEST_ITEMS = 1000
# The push contract (design.md) requires all three; imports and feeds may derive a missing title.
PUSH_REQUIRED = ("url", "title", "content")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def items_push(payload: list[Any], *, user: Any) -> dict[str, Any]:
    """Validate each pushed record and ingest the valid ones, all under ``user``'s push source in one
    transaction; report a status per index. Invalid records never stop valid ones in the same request
    from being stored, and nothing is stored twice (the canonical URL is unique).

    The ``source`` a record names is kept as the item's ``origin``; it never picks the source row, so a
    pusher cannot write into an RSS source by naming it, nor create sources.
    """
    statuses: list[dict[str, Any]] = [{"index": i, "status": "", "errors": []} for i in range(len(payload))]
    accepted: list[tuple[int, RawEntry]] = []
    for index, obj in enumerate(payload):
        try:
            accepted.append((index, parse_push_record(obj)))
        except RecordError as exc:
            statuses[index].update(
                status=Status.REJECTED, errors=[{"field": exc.field, "message": exc.message}]
            )
    if accepted:
        report = ingest_entries([entry for _, entry in accepted], source=push_source_for(user))
        for (index, _entry), candidate in zip(accepted, report.candidates, strict=True):
            statuses[index].update(status=candidate.status, id=candidate.item_id)
            if candidate.status == Status.REJECTED:
                statuses[index]["errors"] = [{"field": candidate.field, "message": candidate.reason}]
    return _summary(statuses)


def parse_push_record(obj: Any) -> RawEntry:
    """One pushed record as a RawEntry, or RecordError naming the field.

    Beyond :func:`parse_record`'s rules: ``url``, ``title`` and ``content`` are required; a lone surrogate
    (``"\\ud800"``: half of a UTF-16 pair, text the client's encoder broke) in a field the system reads is
    an error naming it; NUL characters and lone surrogates elsewhere are cleaned from the record, so the
    raw copy kept as evidence can be stored.
    """
    if not isinstance(obj, dict):
        raise RecordError("", "每条信息必须是 JSON 对象")
    for field, value in canonical_fields(obj).items():
        if isinstance(value, str) and _SURROGATE.search(value):
            raise RecordError(
                field, "含有无效的 Unicode 字符（孤立的代理项，如 \\ud800），请按 UTF-8 正确编码"
            )
    obj = clean_raw(obj)
    for name in PUSH_REQUIRED:
        if not str(obj.get(name) or "").strip():
            raise RecordError(name, "缺少必填字段")
    return parse_record(obj)


def ingest_import(entries: list[tuple[int, RawEntry]], source_name: str) -> Iterator[tuple[int, Candidate]]:
    """Ingest an imported file's rows under one import source (``yuqing import --source``), never under a
    source a row names: that name is kept as each item's ``origin``, as for pushes. Yields each caller-side
    index with its pipeline outcome. Raises :class:`ValueError` when *source_name* is a source that is not
    an import source (an RSS feed, say), so an import cannot pass itself off as that feed."""
    media_type = next((e.media_type for _, e in entries if e.media_type), None)
    report = ingest_entries([e for _, e in entries], source=import_source_for(source_name, media_type))
    for (index, _entry), candidate in zip(entries, report.candidates, strict=True):
        yield index, candidate


def _summary(statuses: Iterable[dict[str, Any]]) -> dict[str, Any]:
    rows = list(statuses)
    return {
        "created": sum(1 for s in rows if s["status"] == Status.CREATED),
        "duplicates": sum(1 for s in rows if s["status"] in (Status.DUPLICATE, Status.UPDATED)),
        "rejected": sum(1 for s in rows if s["status"] == Status.REJECTED),
        "items": rows,
    }


def items_mark_duplicates(originals: dict[int, int]) -> int:
    """Point each item of ``originals`` (item id → id of the item it repeats) at its original, unless it
    already points somewhere; returns how many changed. One UPDATE.

    Ingest stores a copy of an earlier text with its pointer already set (the same text from another
    source, ``step_dedupe_content``); after that this is the only writer of ``duplicate_of`` (the
    clusterer's near-duplicates, ``events.services.items_cluster``)."""
    if not originals:
        return 0
    pointer = Case(
        *(When(id=item_id, then=Value(original)) for item_id, original in originals.items()),
        output_field=IntegerField(),
    )
    return Item.objects.filter(id__in=sorted(originals), duplicate_of__isnull=True).update(
        duplicate_of=pointer
    )

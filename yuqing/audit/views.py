"""The audit page for 纪检组 and system administrators: filters, paging, CSV export, chain check.

Content of entries about a case is shown by the reader's clearance (:mod:`yuqing.audit.redaction`);
entries numbered past the chain head are listed but marked 未验证 (nothing vouches for them)."""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from itertools import islice
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date

from yuqing.audit import present, selectors
from yuqing.audit.labels import action_label, object_type_label
from yuqing.audit.models import AuditChainHead, AuditEntry
from yuqing.audit.redaction import restrict
from yuqing.audit.services import AuditChainBroken, audit_record, audit_verify
from yuqing.org.access import AUDIT_READERS, role_required
from yuqing.org.clearance import user_clearance

logger = logging.getLogger(__name__)
PAGE_SIZE = 50
CSV_HEADER = [
    "序号",
    "时间",
    "操作人",
    "动作",
    "动作说明",
    "对象类型",
    "对象编号",
    "对象",
    "原值",
    "新值",
    # the entry as the page shows it, beside the raw values
    "变更内容（原值 → 新值）",
    "操作人姓名",
    "对象类型名称",
    "请求编号",
    "IP 地址",
    "哈希(SM3)",
    "校验",
]
UNVERIFIED = "未验证：在链头之后"


def _filters(params: QueryDict) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    """Query-string filters → (selector arguments, raw values for the form, errors by field)."""
    raw = {
        key: params.get(key, "").strip()[:100]
        for key in ("actor", "action", "object_type", "case", "since", "until")
    }
    args: dict[str, Any] = {"actor": raw["actor"], "action": raw["action"], "object_type": raw["object_type"]}
    errors: dict[str, str] = {}
    args["case"] = selectors.parse_case_number(raw["case"]) if raw["case"] else None
    if raw["case"] and args["case"] is None:
        errors["case"] = "案件编号须为数字（如 12 或 案件12），已忽略"
    for key, label, shift in (("since", "开始日期", 0), ("until", "结束日期", 1)):
        args[key] = None
        if raw[key]:
            day = parse_date(raw[key]) if len(raw[key]) == 10 else None
            if day is None:
                errors[key] = f"{label}格式无效（应为 年-月-日），已忽略"
            else:  # whole local days; the end date is included
                args[key] = timezone.make_aware(datetime.combine(day + timedelta(days=shift), time.min))
    return args, raw, errors


def _show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


@role_required(*AUDIT_READERS)
def audit_list(request: HttpRequest) -> HttpResponse:
    args, raw, errors = _filters(request.GET)
    qs = selectors.audit_entries(**args)
    page_raw = request.GET.get("page", "1")
    page = int(page_raw) if page_raw.isdigit() and 0 < int(page_raw) < 100000 else 1
    count = qs.count()
    head, beyond_head = selectors.chain_head()
    head_seq = head.seq if head else 0
    rows = restrict(
        list(qs[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]), clearance=user_clearance(request.user)
    )
    names = present.Names().collect(rows).load()
    for entry in rows:
        entry.label = action_label(entry.action, entry.object_type)  # type: ignore[attr-defined]
        entry.type_label = object_type_label(entry.object_type) if entry.object_type else ""  # type: ignore[attr-defined]
        entry.when = present.local_time(entry.at)  # type: ignore[attr-defined]
        entry.actor_name = names.actor(entry)  # type: ignore[attr-defined]
        entry.changes = [] if entry.restricted else present.changes(entry, names)  # type: ignore[attr-defined]
        # Past the chain head: no append through audit_record() vouches for it (see audit_verify).
        entry.unverified = entry.seq > head_seq  # type: ignore[attr-defined]
    actions, types = selectors.audit_facets()
    report = audit_verify() if request.GET.get("verify") == "1" else None
    return render(
        request,
        "audit/list.html",
        {
            "entries": rows,
            "count": count,
            "page": page,
            "has_next": count > page * PAGE_SIZE,
            "filters": raw,
            "errors": errors,
            "actions": sorted(((a, action_label(a)) for a in actions), key=lambda pair: pair[1]),
            "object_types": [(t, object_type_label(t)) for t in types],
            "actor_names": selectors.audit_actor_names(),
            "head": head,
            "beyond_head": beyond_head,
            "report": report,
            "checked_at": present.local_time(report.checked_at) if report and report.checked_at else "",
        },
    )


def _csv_cell(value: Any) -> str:
    """Text as Excel will show it: a leading = + - @ would start a formula, so it is quoted away."""
    text = _show(value) if not isinstance(value, str) else value
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def _readable_batches(entries: Iterator[AuditEntry], *, clearance: int, size: int = 500):
    """Entries ``size`` at a time, each batch redacted for ``clearance`` and with the names it refers to."""
    while batch := list(islice(entries, size)):
        restrict(batch, clearance=clearance)
        yield batch, present.Names().collect(batch).load()


def _csv_rows(entries: Iterator[AuditEntry], *, clearance: int, head_seq: int) -> Iterator[str]:
    writer = csv.writer(_Echo())
    # UTF-8 with a byte-order mark: Excel on Windows otherwise reads the file as GBK and garbles it.
    yield "\ufeff" + writer.writerow(CSV_HEADER)
    for batch, names in _readable_batches(entries, clearance=clearance):
        yield from _csv_batch(writer, batch, names, head_seq=head_seq)


def _csv_batch(writer: Any, batch: list[AuditEntry], names: present.Names, *, head_seq: int) -> Iterator[str]:
    for e in batch:
        hidden = getattr(e, "restricted", "")
        yield writer.writerow(
            [
                e.seq,
                timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
                _csv_cell(e.actor_label),
                e.action,
                action_label(e.action, e.object_type),
                e.object_type,
                _csv_cell(e.object_id),
                hidden or _csv_cell(e.object_repr),
                hidden or _csv_cell(e.old),
                hidden or _csv_cell(e.new),
                hidden or _csv_cell(present.changes_text(present.changes(e, names))),
                _csv_cell(names.actor(e)),
                object_type_label(e.object_type) if e.object_type else "",
                e.request_id,
                e.ip,
                e.hash,
                UNVERIFIED if e.seq > head_seq else "",
            ]
        )


@role_required(*AUDIT_READERS)
def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    args, raw, _errors = _filters(request.GET)
    try:
        with transaction.atomic():  # who took a copy of the trail is itself on the trail
            audit_record(
                actor=request.user,
                action="audit.export",
                obj=None,
                new={"filters": {k: v for k, v in raw.items() if v}},
            )
    except AuditChainBroken as exc:
        # The trail was tampered with and refuses appends; the 纪检组 needs the copy most now.
        logger.error("audit export by %s not recorded: %s", request.user, exc)
    head = AuditChainHead.objects.first()
    entries = selectors.audit_entries(**args).iterator(chunk_size=2000)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    lines = _csv_rows(entries, clearance=user_clearance(request.user), head_seq=head.seq if head else 0)
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in lines),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response

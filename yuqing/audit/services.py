"""Writing and verifying the audit chain."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from yuqing.audit.context import context_for, current_context
from yuqing.audit.hashing import GENESIS, jsonable
from yuqing.audit.models import AuditChainHead, AuditEntry

HEAD_ID = 1
SYSTEM_LABEL = "系统"


class AuditError(RuntimeError):
    """The audit trail cannot be written as required (a programming or integrity error)."""


def _actor(actor: Any) -> tuple[Any, str]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None, SYSTEM_LABEL
    try:
        name = actor.person.name
    except AttributeError:  # no profile (RelatedObjectDoesNotExist is an AttributeError)
        name = actor.get_full_name()
    username = actor.get_username()
    return actor, (f"{name}（{username}）" if name and name != username else username)[:150]


def _object(obj: Any) -> tuple[str, str, str]:
    if obj is None:
        return "", "", ""
    if isinstance(obj, models.Model):
        return obj._meta.label_lower, "" if obj.pk is None else str(obj.pk), str(obj)[:300]
    if isinstance(obj, tuple) and len(obj) == 3:  # (object_type, object_id, object_repr): no model row
        kind, ident, text = obj
        return str(kind)[:100], str(ident)[:64], str(text)[:300]
    raise TypeError(
        f"audit_record(obj=…) takes a model instance, a (type, id, repr) tuple or None, not {obj!r}"
    )


def _lock_head() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=HEAD_ID).first()
    if head is None:
        # First entry ever. ON CONFLICT DO NOTHING: a concurrent first writer's row wins, and we wait for
        # it on the unique key, then lock the head it committed.
        AuditChainHead.objects.bulk_create(
            [AuditChainHead(pk=HEAD_ID, seq=0, hash=GENESIS)], ignore_conflicts=True
        )
        head = AuditChainHead.objects.select_for_update().get(pk=HEAD_ID)
    if head.seq == 0 and AuditEntry.objects.exists():
        raise AuditError(
            "审计链头记录缺失或被重置而审计记录仍在：审计链可能被篡改，请运行 yuqing audit verify"
        )
    return head


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: Any,
    old: Any = None,
    new: Any = None,
    request: HttpRequest | None = None,
) -> AuditEntry:
    """Append one entry: ``actor`` (a user, or None for the system) did ``action`` (``"source.create"``)
    to ``obj`` (a model instance, a ``(type, id, repr)`` tuple, or None), changing ``old`` into ``new``.

    Call it inside the transaction of the write it records, after the write: the entry then commits or
    rolls back with it. It refuses to run in autocommit mode. Request id and client address come from
    ``request`` or else from the current request (:class:`~yuqing.audit.context.AuditContextMiddleware`).

    Concurrency: every append locks the single chain-head row (``SELECT … FOR UPDATE`` on PostgreSQL;
    SQLite's IMMEDIATE transactions already serialise writers), so appends are serialised bureau-wide
    until the caller commits — fine for human-rate writes, and the reason to call this last. The unique
    ``seq`` and ``hash`` columns are the second guard: a forked chain cannot be stored.
    """
    if not transaction.get_connection().in_atomic_block:
        raise AuditError("audit_record() 必须在被记录的写操作所在的事务（transaction.atomic）中调用")
    if not action or len(action) > 64:
        raise ValueError("action 须为 1–64 个字符，如 'source.create'")
    ctx = context_for(request) if request is not None else current_context()
    user, label = _actor(actor)
    object_type, object_id, object_repr = _object(obj)
    head = _lock_head()
    entry = AuditEntry(
        seq=head.seq + 1,
        at=timezone.now(),
        actor=user,
        actor_label=label.replace("\x00", ""),
        action=action,
        object_type=object_type,
        object_id=object_id.replace("\x00", ""),
        object_repr=object_repr.replace("\x00", ""),
        old=jsonable(old),
        new=jsonable(new),
        request_id=ctx.request_id,
        ip=ctx.ip,
        prev_hash=head.hash,
    )
    entry.hash = entry.compute_hash()
    entry._chained = True  # type: ignore[attr-defined]
    entry.save()
    AuditChainHead.objects.filter(pk=HEAD_ID).update(seq=entry.seq, hash=entry.hash, updated_at=entry.at)
    return entry


def audit_snapshot(
    obj: models.Model, *, fields: Iterable[str] | None = None, exclude: Iterable[str] = ()
) -> dict[str, Any]:
    """The concrete field values of ``obj`` as JSON data (foreign keys by id), for ``old``/``new``.
    ``auto_now`` timestamps are left out: the entry's own time says when."""
    skip = set(exclude)
    wanted = set(fields) if fields is not None else None
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if (
            field.primary_key
            or field.name in skip
            or field.attname in skip
            or getattr(field, "auto_now", False)
        ):
            continue
        if wanted is not None and field.name not in wanted and field.attname not in wanted:
            continue
        data[field.attname] = getattr(obj, field.attname)
    return jsonable(data)


def audit_changes(old: dict[str, Any] | None, new: dict[str, Any] | None) -> tuple[dict, dict]:
    """Only the keys whose values differ, from both sides (for update entries)."""
    old, new = old or {}, new or {}
    keys = [k for k in {**old, **new} if old.get(k) != new.get(k)]
    return {k: old.get(k) for k in keys}, {k: new.get(k) for k in keys}


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    count: int
    head_seq: int
    head_hash: str
    first_bad: int | None = None
    reason: str = ""
    checked_at: datetime | None = None


def audit_verify(*, chunk_size: int = 2000) -> ChainReport:
    """Walk the chain in ``seq`` order, recomputing every hash; report the first entry that is missing,
    altered or out of line. Cost: one SM3 per entry, read in chunks (see ``hashing`` for timings).

    The head is read first and entries are checked up to its ``seq``: entries appended while the walk
    runs are left for the next run instead of being mistaken for damage.
    """
    now = timezone.now()
    head = AuditChainHead.objects.filter(pk=HEAD_ID).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    expected, prev_hash, count = 1, GENESIS, 0

    def bad(seq: int, reason: str) -> ChainReport:
        return ChainReport(False, count, head_seq, head_hash, seq, reason, now)

    if head is None and AuditEntry.objects.exists():
        return bad(1, "审计链头记录缺失（可能被删除），无法确认末尾记录是否完整")
    rows = AuditEntry.objects.filter(seq__lte=head_seq).order_by("seq").iterator(chunk_size=chunk_size)
    for entry in rows:
        if entry.seq != expected:
            last = entry.seq - 1
            span = f"第 {expected} 条" if last == expected else f"第 {expected}–{last} 条"
            return bad(expected, f"{span}审计记录缺失（已被删除）")
        if entry.prev_hash != prev_hash:
            return bad(entry.seq, f"第 {entry.seq} 条记录的前序哈希与上一条不符（上一条或本条被改动）")
        if entry.compute_hash() != entry.hash:
            return bad(entry.seq, f"第 {entry.seq} 条审计记录的内容与其哈希不符（已被改动）")
        prev_hash, expected, count = entry.hash, expected + 1, count + 1
    if count < head_seq:
        span = f"第 {expected} 条" if expected == head_seq else f"第 {expected}–{head_seq} 条"
        return bad(expected, f"{span}审计记录缺失（末尾记录已被删除）")
    if prev_hash != head_hash:
        return bad(head_seq, f"第 {head_seq} 条审计记录的哈希与链头不符（记录或链头被改动）")
    return ChainReport(True, count, head_seq, head_hash, checked_at=now)

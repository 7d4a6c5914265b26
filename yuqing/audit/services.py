"""Writing and verifying the audit chain."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from yuqing.audit import crosscheck
from yuqing.audit.context import context_for, current_context
from yuqing.audit.hashing import GENESIS, jsonable
from yuqing.audit.models import AuditChainHead, AuditEntry

HEAD_ID = 1
SYSTEM_LABEL = "系统"


class AuditError(RuntimeError):
    """The audit trail cannot be written as required (a programming or integrity error)."""


class AuditChainBroken(AuditError):
    """The chain is in a state no append of ours leaves it in (head reset, rows past the head): writes
    are refused, with this text, until the 纪检组 has looked — appending would bury the evidence."""


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
        raise AuditChainBroken(
            "审计链头记录缺失或被重置而审计记录仍在：审计链可能被篡改，写操作已暂停。"
            "请运行 yuqing audit verify 并报告纪检组"
        )
    stray = AuditEntry.objects.filter(seq__gt=head.seq).order_by("seq").values_list("seq", flat=True).first()
    if stray is not None:
        raise AuditChainBroken(
            f"审计记录中有第 {stray} 条，序号在链头（第 {head.seq} 条）之后，不是经审计链写入的"
            "（可能是伪造的）：为保全证据，写操作已暂停。请运行 yuqing audit verify 并报告纪检组"
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

    Refuses (:class:`AuditChainBroken`) while the head is missing or rows are numbered past it: such a
    trail was changed behind our back, and the write fails clearly instead of building on it.

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
    entry.save(force_insert=True)  # seq is the primary key: never an UPDATE of a row already there
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
    """``ok`` when the chain is whole: every row verified, nothing beyond the head, nothing missing that
    the rest of the database says was written. ``reason`` is the first problem, ``problems`` all of them
    (chain first, then the cross-checks), ``first_bad`` the first entry concerned when there is one."""

    ok: bool
    count: int
    head_seq: int
    head_hash: str
    first_bad: int | None = None
    reason: str = ""
    checked_at: datetime | None = None
    problems: tuple[str, ...] = ()


def _span(first: int, last: int) -> str:
    return f"第 {first} 条" if first == last else f"第 {first}–{last} 条"


def audit_verify(*, chunk_size: int = 2000) -> ChainReport:
    """Verify the chain (:func:`_audit_verify`). On PostgreSQL, outside any transaction, the whole check
    reads one REPEATABLE READ snapshot, so the head, the cross-checked tables and the entries agree however
    many writers append meanwhile (without it, a run overtaken by appends could report the newest entries
    as deleted); it takes no lock, so writers are never held up. SQLite's writers are serialised, and
    its reads without a transaction use the re-reads described below."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            return _audit_verify(chunk_size=chunk_size)
    return _audit_verify(chunk_size=chunk_size)


def _audit_verify(*, chunk_size: int = 2000) -> ChainReport:
    """Check every row of the audit table, not only those up to the head: recompute each hash in ``seq``
    order (the sequence number is the primary key and is hashed, so a renumbered row breaks the chain),
    report rows numbered past the head, and compare entries with the business rows written together
    with them (:mod:`yuqing.audit.crosscheck`: an empty or shortened chain while cases exist, an entry
    with no row behind it, an entry that disagrees with its row).

    Cost: one SM3 per entry, read in chunks (see ``hashing`` for timings), plus one read of each
    cross-checked table. Runs without locking writers: the head is read before the tables and again
    after the walk, and entries appended meanwhile are walked too, so a concurrent append is never
    mistaken for damage. What it cannot find without the head anchored outside the database: a chain
    rewritten consistently from an edited entry on, or cut short, where no cross-checked row tells.
    """
    now = timezone.now()
    head0 = AuditChainHead.objects.filter(pk=HEAD_ID).first()
    vouched = head0.seq if head0 else 0
    rows = crosscheck.snapshot()
    problems: list[tuple[int | None, str]] = []  # (entry concerned, text), in the order found
    seen: list[crosscheck.Seen] = []
    expected, prev_hash, count, last_at = 1, GENESIS, 0, None
    chain_broken = False
    beyond: list[int] = []

    def walk(after: int) -> int:
        """Check the entries numbered after ``after``; returns the last ``seq`` read."""
        nonlocal expected, prev_hash, count, last_at, chain_broken
        last = after
        for entry in AuditEntry.objects.filter(seq__gt=after).order_by("seq").iterator(chunk_size=chunk_size):
            last = entry.seq
            if entry.action in crosscheck.ACTIONS:
                seen.append(
                    crosscheck.Seen(
                        entry.seq,
                        entry.action,
                        entry.object_type,
                        entry.object_id,
                        entry.actor_id,
                        entry.old,
                        entry.new,
                    )
                )
            if chain_broken:
                continue
            if entry.seq != expected:
                chain_broken = True
                problems.append((expected, f"{_span(expected, entry.seq - 1)}审计记录缺失（已被删除或改号）"))
            elif entry.prev_hash != prev_hash:
                chain_broken = True
                problems.append(
                    (entry.seq, f"第 {entry.seq} 条记录的前序哈希与上一条不符（上一条或本条被改动）")
                )
            elif entry.compute_hash() != entry.hash:
                chain_broken = True
                problems.append((entry.seq, f"第 {entry.seq} 条审计记录的内容与其哈希不符（已被改动）"))
            else:
                prev_hash, expected, count, last_at = entry.hash, expected + 1, count + 1, entry.at
        return last

    last_read = walk(0)
    head = AuditChainHead.objects.filter(pk=HEAD_ID).first()
    for _ in range(3):  # appends committed while we walked: walk them too (the head only moves forward)
        if head is None or head.seq <= last_read:
            break
        last_read = walk(last_read)
        head = AuditChainHead.objects.filter(pk=HEAD_ID).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)

    if head is None and last_read:
        problems.insert(0, (1, "审计链头记录缺失（可能被删除），无法确认末尾记录是否完整"))
    if last_read > head_seq:
        beyond = list(
            AuditEntry.objects.filter(seq__gt=head_seq).order_by("seq").values_list("seq", flat=True)[:20]
        )
    if beyond:
        problems.append(
            (
                beyond[0],
                f"{_span(beyond[0], last_read)}中有记录的序号在链头（第 {head_seq} 条）之后：它们不是经"
                "审计链写入的（可能是伪造的追加记录），审计记录页将其标为“未验证”",
            )
        )
    if not chain_broken:
        if count < head_seq:
            problems.append((expected, f"{_span(expected, head_seq)}审计记录缺失（末尾记录已被删除）"))
        elif count == head_seq and prev_hash != head_hash:
            problems.append((head_seq, f"第 {head_seq} 条审计记录的哈希与链头不符（记录或链头被改动）"))
        elif head is not None and count == head_seq and head_seq and last_at != head.updated_at:
            # audit_record() sets the head's time to its last entry's: a head moved by hand rarely is.
            problems.append(
                (head_seq, f"链头的更新时间与第 {head_seq} 条记录的时间不符：链头被改动过（如被移回或前移）")
            )
    if count == 0 and not problems and any(rows.values()):
        problems.append(
            (None, "审计链为空，但数据库中已有应当留下审计记录的业务数据：审计记录可能被整体删除")
        )
    for problem in crosscheck.compare(rows, seen, vouched_up_to=vouched):
        problems.append((problem.seq, problem.text))

    if not problems:
        return ChainReport(True, count, head_seq, head_hash, checked_at=now)
    first_bad = next((seq for seq, _ in problems if seq is not None), None)
    texts = tuple(text for _, text in problems)
    return ChainReport(False, count, head_seq, head_hash, first_bad, texts[0], now, texts)

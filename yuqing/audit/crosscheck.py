"""Facts written twice: business rows that are always created in the same transaction as an audit entry
about the same thing, by the same person. ``yuqing audit verify`` compares the two copies.

The hash chain alone cannot tell a chain that was cut short, extended or recomputed by someone who can
write the database: it is internally consistent again. These rows can, for what they cover — a case with
no 立案 entry (the entry was deleted, or the whole trail emptied), a 状态变更 or 签批 entry with no row
behind it (forged), or an entry whose actor or states differ from the row's (edited and recomputed).
Whoever rewrites both copies consistently, or tampers with entries that have no second copy (exports,
notifications, settings), is not found here: that needs the head anchored outside the database.

Each :class:`Twin` names the model, the audit actions that create its rows, how a row names the entry's
object, which row field holds the entry's actor, and which values must agree. Rows and entries about the
same object are paired in order (rows by primary key, entries by ``seq``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps

SHOWN = 8  # ids or entries listed per problem; the rest are counted


@dataclass(frozen=True)
class Twin:
    model: str  # app_label.model_name
    label: str  # what a row is called in the report
    actions: frozenset[str]
    actor: str  # row attribute holding the user id that must be the entry's actor
    object_type: str = ""  # the entry's object type when fixed ("cases.case" for a case's transitions)
    object_type_field: str = ""  # …or the row field holding it (signatures)
    object_id_field: str = "pk"  # the row field holding the entry's object id
    # (row attribute, "old"/"new", key, required): values that must agree; optional ones only when present
    values: tuple[tuple[str, str, str, bool], ...] = field(default=())

    def key_of(self, row: dict[str, Any]) -> tuple[str, str]:
        kind = row[self.object_type_field] if self.object_type_field else self.object_type
        return str(kind), str(row[self.object_id_field])

    def columns(self) -> list[str]:
        names = {"pk", self.actor, self.object_id_field, *(v[0] for v in self.values)}
        if self.object_type_field:
            names.add(self.object_type_field)
        return sorted(names)


TWINS: tuple[Twin, ...] = (
    Twin("cases.case", "处置案件", frozenset({"case.open"}), "opened_by_id", object_type="cases.case"),
    Twin(
        "cases.casetransition",
        "状态变更记录",
        frozenset({"case.transition"}),
        "actor_id",
        object_type="cases.case",
        object_id_field="case_id",
        values=(("from_state", "old", "state", True), ("to_state", "new", "state", True)),
    ),
    Twin(
        "cases.signature",
        "签发/审批记录",
        frozenset({"report.sign", "release.sign", "plan.approve"}),
        "signer_id",
        object_type_field="object_type",
        object_id_field="object_id",
        values=(("content_hash", "new", "content_hash", False), ("pk", "new", "signature_id", False)),
    ),
    Twin(
        "cases.verificationtask",
        "核实任务",
        frozenset({"verification.assign"}),
        "assigned_by_id",
        object_type="cases.verificationtask",
    ),
    Twin(
        "cases.situationreport",
        "情况报告",
        frozenset({"report.draft", "report.oral"}),
        "created_by_id",
        object_type="cases.situationreport",
    ),
    Twin(
        "cases.responseplan",
        "应对方案",
        frozenset({"plan.draft"}),
        "created_by_id",
        object_type="cases.responseplan",
    ),
    Twin(
        "cases.attachment",
        "证据材料",
        frozenset({"attachment.add"}),
        "uploaded_by_id",
        object_type="cases.attachment",
        values=(("sha256", "new", "sha256", True),),
    ),
    Twin(
        "releases.release",
        "发布稿",
        frozenset({"release.create"}),
        "author_id",
        object_type="releases.release",
    ),
)
ACTIONS: frozenset[str] = frozenset().union(*(t.actions for t in TWINS))


@dataclass(frozen=True)
class Seen:
    """What the check needs of one audit entry."""

    seq: int
    action: str
    object_type: str
    object_id: str
    actor_id: int | None
    old: Any
    new: Any


@dataclass
class Problem:
    text: str
    seq: int | None = None  # the entry concerned, when there is one


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """The rows of every twin model (the columns the check needs), read *before* the entries, so that a
    row committed meanwhile always finds its entry (they commit together)."""
    rows: dict[str, list[dict[str, Any]]] = {}
    for twin in TWINS:
        try:
            model = apps.get_model(twin.model)
        except LookupError:
            continue
        rows[twin.model] = list(model._default_manager.order_by("pk").values(*twin.columns()))
    return rows


def _value(data: Any, key: str) -> tuple[bool, Any]:
    if isinstance(data, dict) and key in data:
        return True, data[key]
    return False, None


def _listing(items: list[str]) -> str:
    more = f" 等 {len(items)} 项" if len(items) > SHOWN else ""
    return "、".join(items[:SHOWN]) + more


def compare(
    rows: dict[str, list[dict[str, Any]]], entries: Iterable[Seen], *, vouched_up_to: int
) -> list[Problem]:
    """Problems found by pairing ``rows`` (from :func:`snapshot`) with ``entries``. An entry with no row is
    reported only if its ``seq`` ≤ ``vouched_up_to`` (the head read before the rows): later entries may
    belong to rows committed after the snapshot."""
    by_key: dict[tuple[str, tuple[str, str]], list[Seen]] = defaultdict(list)
    for entry in sorted(entries, key=lambda e: e.seq):
        for twin in TWINS:
            if entry.action in twin.actions:
                by_key[(twin.model, (entry.object_type, entry.object_id))].append(entry)
    problems: list[Problem] = []
    for twin in TWINS:
        if twin.model not in rows:
            continue
        grouped: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for row in rows[twin.model]:
            grouped[twin.key_of(row)].append(row)
        missing: list[str] = []
        keys = set(grouped) | {k for (m, k) in by_key if m == twin.model}
        for key in sorted(keys):
            these, found = grouped.get(key, []), by_key.get((twin.model, key), [])
            for row, entry in zip(these, found, strict=False):
                problems.extend(_disagreements(twin, row, entry))
            missing.extend(f"#{row['pk']}" for row in these[len(found) :])
            for entry in found[len(these) :]:
                if entry.seq <= vouched_up_to:
                    problems.append(
                        Problem(
                            f"第 {entry.seq} 条审计记录（{entry.action}，{entry.object_type} "
                            f"{entry.object_id}）找不到对应的{twin.label}：该记录可能是伪造的",
                            entry.seq,
                        )
                    )
        if missing:
            actions = "/".join(sorted(twin.actions))
            problems.append(
                Problem(
                    f"{len(missing)} 条{twin.label}没有对应的审计记录（{actions}）：{_listing(missing)}"
                    "——审计记录被删除，或链尾被截短、整条链被清空"
                )
            )
    return problems


def _disagreements(twin: Twin, row: dict[str, Any], entry: Seen) -> list[Problem]:
    where = f"第 {entry.seq} 条审计记录（{entry.action}）与{twin.label} #{row['pk']}"
    out: list[Problem] = []
    if row[twin.actor] != entry.actor_id:
        out.append(
            Problem(
                f"{where}的操作人不符（记录为用户 {entry.actor_id}，{twin.label}为用户 {row[twin.actor]}）："
                "审计记录被改动后重算了哈希，或该表被改动",
                entry.seq,
            )
        )
    for attr, side, key, required in twin.values:
        present, recorded = _value(entry.old if side == "old" else entry.new, key)
        if not present and not required:
            continue
        if not present or str(recorded) != str(row[attr]):
            shown = recorded if present else "（缺失）"
            out.append(
                Problem(
                    f"{where}不符（{key}：记录为 {shown}，{twin.label}为 {row[attr]}）："
                    "审计记录被改动后重算了哈希，或该表被改动",
                    entry.seq,
                )
            )
    return out

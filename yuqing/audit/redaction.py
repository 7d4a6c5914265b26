"""Which audit entries are about a case, and what a reader below that case's 密级 may see of them.

Rule: every reader of the trail sees every entry's number, time, actor, action, object type and object
number, and whether the chain vouches for it. The *content* — the object's description
(``object_repr``, e.g. a case's title) and the recorded values (``old``/``new``) — of an entry about a
case is shown only to a reader whose clearance (:func:`yuqing.org.clearance.clearance`) reaches the case's
level *now*; anyone else reads ``内容需「秘密」级权限``. The 纪检组 auditor is cleared up to the middle level,
the system administrator (a superuser without office roles) only the lowest.

An entry is about a case when its object is the case, a row with a ``case`` (or ``case_id``) column —
verification tasks, reports, plans, measures, attachments, releases, deliveries… — or a row one foreign
key away from one (a release's secrecy review, a guidance task's post). A case-bound object that no longer
exists counts as the top level.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from django.apps import apps
from django.db import models

from yuqing.audit.models import AuditEntry
from yuqing.org.clearance import TOP_LEVEL, case_levels, restricted_notice

CASE_MODEL = "cases.case"
GONE = -1  # the object (or its case) no longer exists: treated as the top level


def _is_case_fk(field: Any) -> bool:
    return (
        isinstance(field, models.ForeignKey)
        and field.related_model is not None
        and field.related_model._meta.label_lower == CASE_MODEL
    )


@lru_cache(maxsize=256)
def case_path(object_type: str) -> str | None:
    """The ``values_list`` path from a row of ``object_type`` to its case id, or None when rows of that
    type are not about a case (``"pk"`` for the case itself)."""
    if object_type == CASE_MODEL:
        return "pk"
    try:
        model = apps.get_model(object_type) if "." in object_type else None
    except (LookupError, ValueError):
        return None
    if model is None:
        return None
    fields = model._meta.concrete_fields
    for field in fields:
        if _is_case_fk(field):
            return field.attname
    for field in fields:  # a plain number column naming the case (yuqing.notify: notify sits below cases)
        if field.name == "case_id" and not field.is_relation:
            return "case_id"
    for field in fields:
        if isinstance(field, models.ForeignKey) and field.related_model is not None:
            for inner in field.related_model._meta.concrete_fields:
                if _is_case_fk(inner):
                    return f"{field.name}__{inner.attname}"
    return None


def entry_levels(entries: Iterable[AuditEntry]) -> dict[int, int]:
    """``seq`` → the 密级 of the case each entry is about, for entries about a case (others are left out).
    One query per object type present and one for the cases' levels."""
    wanted: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for entry in entries:
        if entry.object_id and case_path(entry.object_type) is not None:
            wanted[entry.object_type][entry.object_id].append(entry.seq)
    case_of_seq: dict[int, int | None] = {}
    for object_type, by_id in wanted.items():
        path = case_path(object_type)
        assert path is not None
        ids = [i for i in by_id if i.isdigit()]
        found: dict[str, Any] = {}
        if path == "pk":
            found = {i: int(i) for i in ids}
        elif ids:
            model = apps.get_model(object_type)
            found = {
                str(pk): case
                for pk, case in model._default_manager.filter(pk__in=ids).values_list("pk", path)
            }
        for object_id, seqs in by_id.items():
            for seq in seqs:
                # None: a row bound to no case (a talking point for general use); GONE: no such row.
                case_of_seq[seq] = found.get(object_id, GONE)
    levels = case_levels(c for c in case_of_seq.values() if c is not None and c != GONE)
    result: dict[int, int] = {}
    for seq, case_id in case_of_seq.items():
        if case_id is not None:
            result[seq] = TOP_LEVEL if case_id == GONE else levels.get(case_id, TOP_LEVEL)
    return result


def restrict(entries: list[AuditEntry], *, clearance: int) -> list[AuditEntry]:
    """Mark each of ``entries`` with ``restricted``: the notice shown instead of its content, or ""."""
    levels = entry_levels(entries)
    for entry in entries:
        level = levels.get(entry.seq, 0)
        entry.restricted = restricted_notice(level) if level > clearance else ""  # type: ignore[attr-defined]
    return entries

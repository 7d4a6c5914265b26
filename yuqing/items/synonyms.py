"""The tax synonym dictionary of the search: the built-in list (``data/tax_synonyms.txt``) and the groups
the office adds (:class:`~yuqing.items.models.SearchSynonym`, 本局设置), with their one writer.

The table maps each term (by :func:`yuqing.items.search.synonym_key`) to the other terms of every group it
is in; :func:`yuqing.items.search.parse_query` expands a query with it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.db import transaction

from yuqing.audit.services import audit_record
from yuqing.core.errors import INVALID, NOT_FOUND, ServiceError
from yuqing.items.models import SearchSynonym, split_terms
from yuqing.items.search import synonym_key

BUILTIN_PATH = Path(__file__).resolve().parent / "data" / "tax_synonyms.txt"
MAX_TERMS = 8
MAX_TERM_CHARS = 30
MAX_GROUPS = 500


@functools.cache
def builtin_groups() -> tuple[tuple[str, ...], ...]:
    """The built-in groups, one a line of the data file (``#`` starts a comment)."""
    groups = []
    for line in BUILTIN_PATH.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            terms = split_terms(line)
            if len(terms) > 1:
                groups.append(tuple(terms))
    return tuple(groups)


@functools.lru_cache(maxsize=64)
def _table(groups: tuple[tuple[str, ...], ...]) -> Mapping[str, tuple[str, ...]]:
    table: dict[str, list[str]] = {}
    for group in groups:
        keys = [synonym_key(term) for term in group]
        for key in keys:
            if not key:
                continue
            others = table.setdefault(key, [])
            for term, other_key in zip(group, keys, strict=True):
                if other_key and other_key != key and term not in others:
                    others.append(term)
    return {key: tuple(others) for key, others in table.items() if others}


def synonym_table() -> Mapping[str, tuple[str, ...]]:
    """Term key → the other terms of its groups, built-in and the office's (one small query; the table
    itself is cached per distinct set of groups)."""
    staff = tuple(
        tuple(split_terms(terms))
        for terms in SearchSynonym.objects.order_by("id").values_list("terms", flat=True)
    )
    return _table(builtin_groups() + tuple(g for g in staff if len(g) > 1))


def _clean(terms: str, note: str) -> tuple[str, str]:
    words = split_terms(terms)
    errors = {}
    if len(words) < 2:
        errors["terms"] = "同义词：请至少填写两个不同的词，用空格或顿号分隔"
    elif len(words) > MAX_TERMS:
        errors["terms"] = f"同义词：一组最多 {MAX_TERMS} 个词，本次 {len(words)} 个"
    elif too_long := [w for w in words if len(w) > MAX_TERM_CHARS]:
        errors["terms"] = f"同义词：每个词最多 {MAX_TERM_CHARS} 个字，“{too_long[0][:MAX_TERM_CHARS]}…”过长"
    elif empty := [w for w in words if not synonym_key(w)]:
        errors["terms"] = f"同义词：“{empty[0]}”不含文字或数字，无法检索"
    elif len({synonym_key(w) for w in words}) < 2:
        errors["terms"] = "同义词：这些词检索时相同，请至少填写两个不同的词"
    if len(note) > 200:
        errors["note"] = "说明：最多 200 个字"
    if errors:
        raise ServiceError(kind=INVALID, errors=errors)
    return " ".join(words), note.strip()


def _snapshot(obj: SearchSynonym) -> dict[str, Any]:
    return {"terms": obj.terms, "note": obj.note}


def synonym_save(*, actor: Any, terms: str, note: str = "", synonym_id: int | None = None) -> SearchSynonym:
    """Add a synonym group, or change the one with ``synonym_id``; audited (``search_synonym.create`` /
    ``.update``). Refuses (invalid, by field) fewer than two distinct terms or over-long ones."""
    terms, note = _clean(terms, note)
    with transaction.atomic():
        if synonym_id is None:
            if SearchSynonym.objects.count() >= MAX_GROUPS:
                raise ServiceError(
                    f"本局同义词最多 {MAX_GROUPS} 组，请先删除不用的词组", kind=INVALID, field="terms"
                )
            obj = SearchSynonym.objects.create(terms=terms, note=note, created_by=actor)
            audit_record(actor=actor, action="search_synonym.create", obj=obj, new=_snapshot(obj))
            return obj
        obj = _get_for_update(synonym_id)
        before = _snapshot(obj)
        obj.terms, obj.note = terms, note
        obj.save(update_fields=["terms", "note", "updated_at"])
        if before != _snapshot(obj):
            audit_record(actor=actor, action="search_synonym.update", obj=obj, old=before, new=_snapshot(obj))
        return obj


def synonym_delete(*, actor: Any, synonym_id: int) -> None:
    """Remove an office synonym group; audited (``search_synonym.delete``). Built-in groups are not rows."""
    with transaction.atomic():
        obj = _get_for_update(synonym_id)
        before, ident, text = _snapshot(obj), obj.pk, str(obj)
        obj.delete()
        audit_record(
            actor=actor,
            action="search_synonym.delete",
            obj=(SearchSynonym._meta.label_lower, ident, text),
            old=before,
        )


def _get_for_update(synonym_id: int) -> SearchSynonym:
    obj = SearchSynonym.objects.select_for_update().filter(id=synonym_id).first()
    if obj is None:
        raise ServiceError("这组同义词不存在或已被删除", kind=NOT_FOUND)
    return obj

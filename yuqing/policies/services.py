"""Writes to the policy library. Every change goes through :func:`policy_save` (one transaction: save,
audit entry) — API, admin, importer and demo loader alike."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from yuqing.analysis.text import search_tokens
from yuqing.audit.services import audit_changes, audit_record
from yuqing.core.errors import INVALID, ServiceError
from yuqing.policies import parsing, similarity
from yuqing.policies.models import PolicyDocument

EDITABLE = ("title", "doc_number", "issuer", "issued_on", "validity", "text")


class PolicyInvalid(ServiceError, ValueError):
    """The input cannot be saved (a ServiceError of kind ``invalid``; still a ValueError for older
    callers); ``errors`` maps each field to a Chinese message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("；".join(errors.values()), kind=INVALID, errors=errors)


def segment(title: str, text: str) -> str:
    """Title and text as space-separated search-mode words, with a space at both ends."""
    words = search_tokens(title + "\n" + text)
    return " " + " ".join(words) + " "


def _snapshot(policy: PolicyDocument) -> dict[str, Any]:
    """Audit view of a policy; the full text is summarised by its length and SHA-256 digest."""
    data = {name: getattr(policy, name) for name in EDITABLE if name != "text"}
    data["issued_on"] = policy.issued_on.isoformat() if policy.issued_on else None
    data["text_chars"] = len(policy.text or "")
    data["text_sha256"] = hashlib.sha256((policy.text or "").encode("utf-8")).hexdigest()
    return data


def policy_save(
    *, actor: Any, policy: PolicyDocument, data: Mapping[str, Any], source: str = "", is_demo: bool = False
) -> PolicyDocument:
    """Create (``policy`` unsaved) or update ``policy`` from raw ``data``; raises :class:`PolicyInvalid`.

    Fields absent from ``data`` keep their current value. (title, issued_on) must stay unique.
    """
    merged = {name: getattr(policy, name) for name in EDITABLE} if policy.pk else {}
    merged.update({k: v for k, v in data.items() if k in EDITABLE})
    clean, errors = parsing.clean_policy(merged)
    if errors:
        raise PolicyInvalid(errors)
    creating = policy.pk is None
    with transaction.atomic():
        clash = PolicyDocument.objects.filter(title=clean["title"], issued_on=clean["issued_on"])
        if not creating:
            clash = clash.exclude(pk=policy.pk)
        other = clash.values_list("id", flat=True).first()
        if other is not None:
            raise PolicyInvalid({"title": f"已有同标题、同发文日期的政策文件（编号 {other}）"})
        before = None if creating else _snapshot(PolicyDocument.objects.select_for_update().get(pk=policy.pk))
        for name, value in clean.items():
            setattr(policy, name, value)
        policy.search_text = segment(policy.title, policy.text)
        if creating:
            policy.source = source[:300]
            policy.is_demo = is_demo
            policy.created_by = actor if getattr(actor, "is_authenticated", False) else None
            policy.save()
            audit_record(actor=actor, action="policy.create", obj=policy, new=_snapshot(policy))
        else:
            policy.save(update_fields=[*EDITABLE, "search_text", "updated_at"])
            old, new = audit_changes(before, _snapshot(policy))
            if old or new:
                audit_record(actor=actor, action="policy.update", obj=policy, old=old, new=new)
        transaction.on_commit(similarity.invalidate)
    return policy


def policy_create(*, actor: Any, data: Mapping[str, Any], source: str = "") -> PolicyDocument:
    return policy_save(actor=actor, policy=PolicyDocument(), data=data, source=source)


def policy_update(*, actor: Any, policy: PolicyDocument, data: Mapping[str, Any]) -> PolicyDocument:
    return policy_save(actor=actor, policy=policy, data=data)


def policy_delete(*, actor: Any, policy: PolicyDocument) -> None:
    with transaction.atomic():
        ident, text, old = policy.pk, str(policy), _snapshot(policy)
        policy.delete()
        audit_record(
            actor=actor, action="policy.delete", obj=("policies.policydocument", ident, text), old=old
        )
        transaction.on_commit(similarity.invalidate)


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[str] = field(default_factory=list)  # "file:line: reason"

    def summary(self) -> str:
        return f"新增 {self.created}，更新 {self.updated}，未变 {self.unchanged}，拒绝 {len(self.rejected)}"


def policy_upsert(*, actor: Any, data: Mapping[str, Any], source: str = "", is_demo: bool = False) -> str:
    """Insert or update by (title, issued_on): returns "created", "updated" or "unchanged"."""
    clean, errors = parsing.clean_policy(data)
    if errors:
        raise PolicyInvalid(errors)
    existing = PolicyDocument.objects.filter(title=clean["title"], issued_on=clean["issued_on"]).first()
    if existing is None:
        policy_save(actor=actor, policy=PolicyDocument(), data=clean, source=source, is_demo=is_demo)
        return "created"
    if all(getattr(existing, name) == clean[name] for name in EDITABLE):
        return "unchanged"
    policy_save(actor=actor, policy=existing, data=clean)
    return "updated"


def _candidates(paths: Iterable[str | Path], report: ImportReport) -> Iterable[parsing.Parsed]:
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = sorted(
                p for p in path.iterdir() if p.suffix.lower() in {".txt", ".jsonl"} and p.is_file()
            )
        elif path.is_file():
            files = [path]
        else:
            report.rejected.append(f"{path}: 文件不存在")
            continue
        for file in files:
            try:
                content = parsing.decode(file.read_bytes())
            except (OSError, UnicodeDecodeError) as exc:
                report.rejected.append(f"{file}: 无法读取（{exc}）")
                continue
            if file.suffix.lower() == ".jsonl":
                yield from parsing.parse_jsonl(content, str(file))
            else:
                yield parsing.parse_text_file(content, str(file))


def policies_import(paths: Iterable[str | Path], *, actor: Any = None, is_demo: bool = False) -> ImportReport:
    """Import text files (seed layout) and JSONL files, or the folders holding them; idempotent.

    A bad document is reported as ``file:line: reason`` and skipped; the others are saved, each in
    its own transaction.
    """
    report = ImportReport()
    for parsed in _candidates(paths, report):
        errors = dict(parsed.errors)
        if not errors:
            try:
                outcome = policy_upsert(actor=actor, data=parsed.data, source=parsed.origin, is_demo=is_demo)
            except PolicyInvalid as exc:
                errors = exc.errors
            else:
                setattr(report, outcome, getattr(report, outcome) + 1)
                continue
        for name, message in errors.items():
            line = parsed.lines.get(name)
            report.rejected.append(f"{parsed.origin}{f':{line}' if line else ''}: {message}")
    return report

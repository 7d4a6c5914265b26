"""Reads of the audit trail."""

from __future__ import annotations

import re
from datetime import datetime

from django.apps import apps
from django.db.models import CharField, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Cast

from yuqing.audit.models import AuditChainHead, AuditEntry
from yuqing.audit.redaction import CASE_MODEL, case_path


def audit_entries(
    *,
    actor: str = "",
    action: str = "",
    object_type: str = "",
    case: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEntry]:
    """Entries newest first; ``actor`` matches a name or user name in part, ``case`` keeps the entries
    about that case (:func:`about_case`), ``until`` is exclusive."""
    qs = AuditEntry.objects.order_by("-seq")
    if case is not None:
        qs = qs.filter(about_case(case))
    if actor:
        qs = qs.filter(Q(actor_label__icontains=actor) | Q(actor__username=actor))
    if action:
        qs = qs.filter(action=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if since is not None:
        qs = qs.filter(at__gte=since)
    if until is not None:
        qs = qs.filter(at__lt=until)
    return qs


def about_case(case_id: int) -> Q:
    """The entries about case ``case_id``: on the case itself, on a row bound to it (a report, a
    release, a release's review…: :func:`yuqing.audit.redaction.case_path`), or naming it in their
    details (an alert settled by its closing). One statement, a subquery per kind of row."""
    q = Q(object_type=CASE_MODEL, object_id=str(case_id)) | Q(new__case_id=case_id)
    for model in apps.get_models():
        label = model._meta.label_lower
        path = case_path(label)
        if path is None or path == "pk":
            continue
        ids = (
            model._default_manager.filter(**{path: case_id})
            .annotate(audit_object_id=Cast("pk", CharField()))
            .values("audit_object_id")
        )
        q |= Q(object_type=label, object_id__in=ids)
    return q


def parse_case_number(text: str) -> int | None:
    """``12``, ``案件12`` or ``#12`` → 12; None when it names no case number."""
    found = re.fullmatch(r"(?:案件|#|＃)?\s*(\d{1,9})", text.strip())
    return int(found.group(1)) if found else None


def audit_actor_names() -> list[str]:
    """The names of everyone who wrote to the trail (as recorded, without the login), for the person
    filter's suggestions. One query."""
    labels = AuditEntry.objects.order_by().values_list("actor_label", flat=True).distinct()
    return sorted({re.sub(r"（[^（）]*）$", "", label) or label for label in labels})


def audit_facets() -> tuple[list[str], list[str]]:
    """The actions and object types present, for the filter drop-downs."""
    actions = list(AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct())
    types = list(
        AuditEntry.objects.exclude(object_type="")
        .order_by("object_type")
        .values_list("object_type", flat=True)
        .distinct()
    )
    return actions, types


def chain_head() -> tuple[AuditChainHead | None, bool]:
    """The chain head, and whether any entry is numbered past it (never, in a sound chain: such a row
    was not written through ``audit_record``). One query."""
    head = (
        AuditChainHead.objects.annotate(beyond=Exists(AuditEntry.objects.filter(seq__gt=OuterRef("seq"))))
        .order_by("pk")
        .first()
    )
    if head is None:
        return None, AuditEntry.objects.exists()
    return head, bool(head.beyond)  # type: ignore[attr-defined]

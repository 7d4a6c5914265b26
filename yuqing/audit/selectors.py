"""Reads of the audit trail."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from yuqing.audit.models import AuditChainHead, AuditEntry


def audit_entries(
    *,
    actor: str = "",
    action: str = "",
    object_type: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEntry]:
    """Entries newest first; ``actor`` matches a name or user name in part, ``until`` is exclusive."""
    qs = AuditEntry.objects.order_by("-seq")
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

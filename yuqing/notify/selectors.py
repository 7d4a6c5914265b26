"""Reads of notifications: one's own notifications, a person's preferences, the delivery log. Texts about
a case come back as the reader may see them now (:mod:`.confidential`). Who is on duty and the escalation
chain: :mod:`yuqing.notify.duty`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from yuqing import vocab
from yuqing.notify.confidential import redact_rows
from yuqing.notify.models import Delivery, DeliveryStatus, Notification, NotificationPreference
from yuqing.org.clearance import user_clearance

MAJOR_RANK = vocab.SEVERITY_ORDER.index("major")


def notifications_for(user: Any, *, limit: int = 100) -> list[Notification]:
    """``user``'s newest notifications, each title and body as their clearance allows now (a case whose
    level was raised, or a role given up, hides what was stored). Two queries."""
    rows = Notification.objects.filter(recipient_id=user.pk).order_by("-created_at", "-id")[:limit]
    return redact_rows(rows, clearance=user_clearance(user))


def pending_count(user: Any) -> int:
    """How many of ``user``'s notifications still wait for them: unread and not done (the bell)."""
    return Notification.objects.filter(
        recipient_id=user.pk, read_at__isnull=True, closed_at__isnull=True
    ).count()


def deliveries_for(reader: Any, rows: Any) -> list[Delivery]:
    """Rows of the delivery log as ``reader`` may see them (titles of cases above their clearance
    redacted; one query for the cases' levels)."""
    return redact_rows(rows, clearance=user_clearance(reader))


def preference_for(user: Any) -> NotificationPreference:
    """The saved preference of ``user``, or the defaults (unsaved) when they never set one."""
    pref = NotificationPreference.objects.filter(user_id=user.pk).first()
    return pref or NotificationPreference(user_id=user.pk)


def in_quiet_hours(pref: NotificationPreference, at: datetime) -> bool:
    if pref.quiet_start is None or pref.quiet_end is None:
        return False
    now = timezone.localtime(at).time()
    if pref.quiet_start < pref.quiet_end:
        return pref.quiet_start <= now < pref.quiet_end
    return now >= pref.quiet_start or now < pref.quiet_end  # across midnight


def suppression_reason(pref: NotificationPreference, level: str, at: datetime) -> str:
    """Why a push to this person is held back now, or "" to send. 重大 and above always go through."""
    rank = vocab.SEVERITY_ORDER.index(level) if level in vocab.SEVERITY_ORDER else 0
    if rank >= MAJOR_RANK:
        return ""
    if in_quiet_hours(pref, at):
        assert pref.quiet_start is not None and pref.quiet_end is not None
        return f"免打扰时段（{pref.quiet_start:%H:%M}–{pref.quiet_end:%H:%M}），该等级未推送"
    if rank < vocab.SEVERITY_ORDER.index(pref.min_level):
        return f"低于个人接收等级（{vocab.SEVERITIES[pref.min_level]}）"
    return ""


def deliveries(*, status: str = "", kind: str = "") -> QuerySet[Delivery]:
    """The delivery log, newest first, optionally by status and channel kind."""
    qs = Delivery.objects.select_related("channel", "recipient__person").order_by("-created_at", "-id")
    if status in DeliveryStatus.values:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def delivery_counts() -> dict[str, int]:
    counts = dict.fromkeys(DeliveryStatus.values, 0)
    for row in Delivery.objects.order_by().values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return counts

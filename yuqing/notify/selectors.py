"""Reads of notifications: one's own notifications, who is on duty (值班表), a person's preferences, the
delivery log. Texts about a case come back as the reader may see them now (:mod:`.confidential`)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, QuerySet
from django.utils import timezone

from yuqing import vocab
from yuqing.notify.confidential import redact_rows
from yuqing.notify.models import Delivery, DeliveryStatus, DutyShift, Notification, NotificationPreference
from yuqing.org import access
from yuqing.org.clearance import user_clearance
from yuqing.org.selectors import ESCALATION_LEVELS, current_assignments

MAJOR_RANK = vocab.SEVERITY_ORDER.index("major")


def notifications_for(user: Any, *, limit: int = 100) -> list[Notification]:
    """``user``'s newest notifications, each title and body as their clearance allows now (a case whose
    level was raised, or a role given up, hides what was stored). Two queries."""
    rows = Notification.objects.filter(recipient_id=user.pk).order_by("-created_at", "-id")[:limit]
    return redact_rows(rows, clearance=user_clearance(user))


def deliveries_for(reader: Any, rows: Any) -> list[Delivery]:
    """Rows of the delivery log as ``reader`` may see them (titles of cases above their clearance
    redacted; one query for the cases' levels)."""
    return redact_rows(rows, clearance=user_clearance(reader))


def _window(at: date | datetime | None) -> tuple[datetime, datetime]:
    """``[start, end)`` to test shifts against: an instant, or the whole local day of a date."""
    if at is None or isinstance(at, datetime):
        moment = at or timezone.now()
        return moment, moment
    start = timezone.make_aware(datetime.combine(at, time.min))
    return start, start + timedelta(days=1)


def duty_shifts_at(at: date | datetime | None = None) -> QuerySet[DutyShift]:
    """Shifts covering ``at`` (now by default; a date means any time that day), earliest start first."""
    start, end = _window(at)
    if start == end:
        qs = DutyShift.objects.filter(start__lte=start, end__gt=start)
    else:
        qs = DutyShift.objects.filter(start__lt=end, end__gt=start)
    return qs.select_related("person__user", "person__department").order_by("start", "id")


def on_duty_user_ids(at: date | datetime | None = None) -> list[int]:
    """User ids of whoever is on duty at ``at`` per the 值班表, active accounts only, each once. One query."""
    ids: list[int] = []
    rows = duty_shifts_at(at).filter(person__user__is_active=True).values_list("person__user_id", flat=True)
    for user_id in rows:
        if user_id not in ids:
            ids.append(user_id)
    return ids


def escalation_chain(*, at: date | datetime | None = None) -> list[int]:
    """User ids of the default alert chain from the organisation: whoever the 值班表 has on duty at
    ``at`` → 应急办值班成员 → 副主任 → 主任 → 副组长 → 组长; active accounts only. Two queries."""
    rows = (
        current_assignments(at=at, roles={role for role, _ in ESCALATION_LEVELS})
        .filter(person__user__is_active=True)
        .values_list("role", "on_duty", "person__user_id")
    )
    by_role: dict[str, list[int]] = {}
    for role, on_duty, user_id in rows:
        if role == access.OFFICE_MEMBER and not on_duty:
            continue
        by_role.setdefault(role, []).append(user_id)
    chain: list[int] = on_duty_user_ids(at)
    for role, _ in ESCALATION_LEVELS:
        for user_id in by_role.get(role, []):
            if user_id not in chain:
                chain.append(user_id)
    return chain


def on_duty_users(at: date | datetime | None = None) -> list[Any]:
    """The users on duty at ``at`` (see :func:`on_duty_user_ids`), in the roster's order."""
    ids = on_duty_user_ids(at)
    users = get_user_model().objects.in_bulk(ids)
    return [users[i] for i in ids if i in users]


def week_shifts(day: date | None = None) -> tuple[date, QuerySet[DutyShift]]:
    """Monday of the week of ``day`` and the shifts overlapping that week."""
    day = day or timezone.localdate()
    monday = day - timedelta(days=day.weekday())
    start = timezone.make_aware(datetime.combine(monday, time.min))
    qs = DutyShift.objects.filter(start__lt=start + timedelta(days=7), end__gt=start)
    return monday, qs.select_related("person__department").order_by("start", "id")


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

"""Sending messages to people: the delivery log, retries, preferences and the duty roster (writes).

``notify()`` writes the in-app notification and one :class:`Delivery` row per recipient × push channel
(and one per group channel) in one transaction; after commit a Huey task sends the pending rows. A send
claims its row with a conditional UPDATE, so a repeated task or a concurrent sweep never sends twice;
failures back off exponentially and end as ``failed`` with the reason. Every outcome is audited.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from yuqing import vocab
from yuqing.audit.services import audit_record, audit_snapshot
from yuqing.notify import confidential, selectors
from yuqing.notify.channels import channel_class
from yuqing.notify.channels.base import DeliveryError, Message, PermanentDeliveryError, mask_settings
from yuqing.notify.channels.inapp import InAppChannel
from yuqing.notify.models import (
    PERSONAL_KINDS,
    ChannelConfig,
    ChannelKind,
    Delivery,
    DeliveryStatus,
    DutyShift,
    Notification,
    NotificationPreference,
)
from yuqing.org.clearance import clearances

logger = logging.getLogger(__name__)
SEND_BATCH = 100
PREFERENCE_FIELDS = ("by_email", "by_sms", "quiet_start", "quiet_end", "min_level")


def _rank(level: str) -> int:
    return vocab.SEVERITY_ORDER.index(level) if level in vocab.SEVERITY_ORDER else 0


def _users(recipients: Iterable[Any]) -> list[Any]:
    """Users from users or ids, each once, in order; inactive accounts dropped."""
    seen: list[Any] = []
    ids = [r for r in recipients if isinstance(r, int)]
    by_id = get_user_model().objects.in_bulk(ids) if ids else {}
    for r in recipients:
        user = by_id.get(r) if isinstance(r, int) else r
        if user is not None and user.is_active and all(u.pk != user.pk for u in seen):
            seen.append(user)
    return seen


def notify(recipients: Iterable[Any], message: Message) -> int:
    """Deliver ``message`` to ``recipients`` (users or user ids): in-app at once, email/SMS per each
    person's preferences, group channels once. Returns the number of delivery rows written.

    Never raises for a channel's sake: a push that cannot be queued is logged as failed with the reason.

    A message about a case (:func:`~yuqing.notify.confidential.case_of`) above a recipient's clearance
    reaches that recipient — and every group channel — without the case's name or content.
    """
    recipients = list(recipients)
    users = _users(recipients)
    now = timezone.now()
    case_id = confidential.case_of(message)
    message = replace(message, case_id=case_id)
    level = confidential.case_level(case_id)
    cleared = clearances([u.pk for u in users]) if level else {}

    def told(user: Any) -> Message:
        allowed = cleared.get(user.pk, 0) if user is not None else confidential.GROUP_CLEARANCE
        return confidential.for_clearance(message, case_id=case_id, level=level, clearance=allowed)

    configs = [
        c for c in ChannelConfig.objects.filter(enabled=True) if _rank(message.level) >= _rank(c.min_level)
    ]
    prefs = {p.user_id: p for p in NotificationPreference.objects.filter(user__in=[u.pk for u in users])}
    inapp = InAppChannel()
    rows: list[Delivery] = []

    def row(text: Message, **kw: Any) -> Delivery:
        return Delivery(
            title=text.title[:300],
            body=text.body,
            link=message.link[:300],
            level=message.level if message.level in vocab.SEVERITIES else "general",
            alert_id=message.alert_id,
            case_id=case_id,
            **{"next_attempt_at": now, **kw},
        )

    with transaction.atomic():
        for user in users:
            text = told(user)
            rows.append(
                row(
                    text,
                    kind=InAppChannel.kind,
                    recipient=user,
                    status=DeliveryStatus.SENT,
                    attempts=1,
                    sent_at=now,
                    response=inapp.send(user, text),
                    next_attempt_at=None,
                )
            )
            pref = prefs.get(user.pk) or NotificationPreference(user_id=user.pk)
            for config in configs:
                if config.is_group or not getattr(pref, f"by_{config.kind}", True):
                    continue
                status, error, address = DeliveryStatus.PENDING, "", ""
                try:
                    address = channel_class(config.kind)(config.settings).address(user)
                    error = selectors.suppression_reason(pref, message.level, now)
                    status = DeliveryStatus.SUPPRESSED if error else status
                except PermanentDeliveryError as exc:
                    status, error = DeliveryStatus.FAILED, str(exc)
                rows.append(
                    row(
                        text,
                        kind=config.kind,
                        channel=config,
                        recipient=user,
                        address=address,
                        status=status,
                        last_error=error,
                        next_attempt_at=now if status == DeliveryStatus.PENDING else None,
                    )
                )
        for config in configs:  # a group hears of every message, even one nobody could be paged for
            if config.is_group:
                url = config.masked_settings().get("url", "")
                rows.append(row(told(None), kind=config.kind, channel=config, address=str(url)[:300]))
        Delivery.objects.bulk_create(rows)
        counts: dict[str, int] = {}
        for r in rows:
            counts[r.status] = counts.get(r.status, 0) + 1
        if message.alert_id:
            about: tuple[str, Any, str] = ("events.alert", message.alert_id, message.title)
        elif case_id:  # filed under the case, so the audit page shows its title only to the cleared
            about = ("cases.case", case_id, message.title)
        else:
            about = ("notify.message", "", message.title)
        audit_record(
            actor=None,
            action="notify.dispatch",
            obj=about,
            new={"recipients": [u.pk for u in users], "level": message.level, "deliveries": counts},
        )
        pending = [r.pk for r in rows if r.status == DeliveryStatus.PENDING]
        if pending:
            transaction.on_commit(lambda: _enqueue(pending))
    if len(users) < len(recipients):
        logger.info(
            "notify: %d of %d recipients skipped (inactive or repeated)",
            len(recipients) - len(users),
            len(recipients),
        )
    return len(rows)


def _enqueue(ids: list[int]) -> None:
    from yuqing.notify.tasks import send_deliveries

    try:
        send_deliveries(ids)
    except Exception:  # the queue is down: the periodic sweep sends them
        logger.exception("could not enqueue deliveries %s; the sweeper will send them", ids)


def _backoff(attempts: int) -> timedelta:
    return timedelta(
        seconds=min(settings.NOTIFY_RETRY_BASE * 2 ** max(attempts - 1, 0), settings.NOTIFY_RETRY_MAX)
    )


def _due(now: datetime) -> Q:
    stale = now - timedelta(seconds=settings.NOTIFY_CLAIM_TIMEOUT)
    return Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now) & (
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale)
    )


def deliveries_send(*, ids: Iterable[int] | None = None, now: datetime | None = None) -> int:
    """Attempt the due pending deliveries (those of ``ids``, or any); returns how many were sent."""
    now = now or timezone.now()
    qs = Delivery.objects.filter(_due(now))
    if ids is not None:
        qs = qs.filter(id__in=list(ids))
    due = list(qs.order_by("next_attempt_at", "id").values_list("id", flat=True)[:SEND_BATCH])
    sent = 0
    for delivery_id in due:
        result = delivery_attempt(delivery_id, now=now)
        sent += result is not None and result.status == DeliveryStatus.SENT
    return sent


def _channel_for(delivery: Delivery) -> Any:
    config = delivery.channel
    if config is None or not config.enabled:
        raise PermanentDeliveryError("渠道已删除或停用，未发送")
    errors = channel_class(config.kind).validate(config.settings)
    if errors:
        raise PermanentDeliveryError("渠道参数有误：" + "；".join(errors))
    return channel_class(config.kind)(config.settings)


def delivery_attempt(delivery_id: int, *, now: datetime | None = None) -> Delivery | None:
    """Claim and send one delivery; None when it is not due or another worker has it."""
    now = now or timezone.now()
    if not Delivery.objects.filter(_due(now), id=delivery_id).update(claimed_at=now):
        return None
    delivery = Delivery.objects.select_related("channel", "recipient__person").get(id=delivery_id)
    message = _message_now(delivery)
    error, retry, response = "", False, ""
    try:
        if delivery.recipient is not None and not delivery.recipient.is_active:
            raise PermanentDeliveryError("接收人账号已停用")
        response = _channel_for(delivery).send(delivery.recipient, message, address=delivery.address)
    except DeliveryError as exc:
        error, retry = str(exc) or type(exc).__name__, exc.retry
    except Exception as exc:  # a defect in a channel must leave a trace, not lose the alert
        logger.exception("delivery %s: unexpected error", delivery_id)
        error, retry = f"内部错误（{type(exc).__name__}）：{exc}", True
    old = {"status": delivery.status, "attempts": delivery.attempts}
    delivery.attempts += 1
    delivery.claimed_at = None
    delivery.response = response[:300]
    if not error:
        delivery.status, delivery.sent_at, delivery.next_attempt_at = (
            DeliveryStatus.SENT,
            timezone.now(),
            None,
        )
        action = "delivery.sent"
    elif retry and delivery.attempts < settings.NOTIFY_MAX_ATTEMPTS:
        delivery.next_attempt_at = now + _backoff(delivery.attempts)
        action = "delivery.retry"
    else:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
        action = "delivery.failed"
    delivery.last_error = error[:2000]
    with transaction.atomic():
        delivery.save(
            update_fields=[
                "attempts",
                "claimed_at",
                "response",
                "status",
                "sent_at",
                "next_attempt_at",
                "last_error",
            ]
        )
        audit_record(
            actor=None,
            action=action,
            obj=delivery,
            old=old,
            new={
                "status": delivery.status,
                "attempts": delivery.attempts,
                "error": delivery.last_error,
                "next_attempt_at": delivery.next_attempt_at,
            },
        )
    if error:
        logger.warning("delivery %s via %s: %s (%s)", delivery.id, delivery.kind, error, delivery.status)
    return delivery


def _message_now(delivery: Delivery) -> Message:
    """What ``delivery`` may say when it is pushed: the stored text, redacted again if the case's level
    is now above the recipient's clearance (a retry can come hours after the message was written)."""
    message = Message(
        title=delivery.title,
        body=delivery.body,
        link=delivery.link,
        level=delivery.level,
        alert_id=delivery.alert_id,
        case_id=delivery.case_id,
        extra={"delivery_id": delivery.id},
    )
    if delivery.case_id is None:
        return message
    level = confidential.case_level(delivery.case_id)
    if delivery.recipient_id is None:
        allowed = confidential.GROUP_CLEARANCE
    else:
        allowed = clearances([delivery.recipient_id]).get(delivery.recipient_id, 0)
    return confidential.for_clearance(message, case_id=delivery.case_id, level=level, clearance=allowed)


def delivery_retry(*, delivery: Delivery, actor: Any) -> Delivery:
    """Send a failed or suppressed delivery again from scratch (an administrator's decision)."""
    if delivery.status not in {DeliveryStatus.FAILED, DeliveryStatus.SUPPRESSED} or delivery.kind == "inapp":
        raise ValueError("只有发送失败或未发送的推送可以重发")
    old = {"status": delivery.status, "attempts": delivery.attempts, "error": delivery.last_error}
    delivery.status, delivery.attempts, delivery.next_attempt_at = DeliveryStatus.PENDING, 0, timezone.now()
    delivery.claimed_at = None
    with transaction.atomic():
        delivery.save(update_fields=["status", "attempts", "next_attempt_at", "claimed_at"])
        audit_record(
            actor=actor, action="delivery.requeue", obj=delivery, old=old, new={"status": delivery.status}
        )
        transaction.on_commit(lambda: _enqueue([delivery.id]))
    return delivery


def channel_test(*, config: ChannelConfig, actor: Any) -> Delivery:
    """Queue a test message on ``config`` (to ``actor`` for personal channels) and send it now."""
    message = Message(
        title="【测试】舆情系统通知渠道测试", body=f"这是发往“{config.name}”的测试消息。", level="general"
    )
    address = ""
    if config.kind in PERSONAL_KINDS:
        try:
            address = channel_class(config.kind)(config.settings).address(actor)
        except PermanentDeliveryError as exc:
            raise ValueError(str(exc))
    with transaction.atomic():
        delivery = Delivery.objects.create(
            kind=config.kind,
            channel=config,
            recipient=actor if config.kind in PERSONAL_KINDS else None,
            address=address or mask_settings(config.settings).get("url", "")[:300],
            title=message.title,
            body=message.body,
            level=message.level,
            next_attempt_at=timezone.now(),
        )
        audit_record(actor=actor, action="channelconfig.test", obj=config, new={"delivery": delivery.id})
    delivery_attempt(delivery.id)
    delivery.refresh_from_db()
    return delivery


def preference_update(
    *,
    user: Any,
    actor: Any,
    by_email: bool,
    by_sms: bool,
    quiet_start: time | None,
    quiet_end: time | None,
    min_level: str,
) -> NotificationPreference:
    """Save ``user``'s preferences; raises ValidationError (field-named, Chinese) on a bad combination."""
    pref = selectors.preference_for(user)
    before = audit_snapshot(pref, fields=PREFERENCE_FIELDS) if pref.pk else None
    pref.by_email, pref.by_sms, pref.min_level = by_email, by_sms, min_level
    pref.quiet_start, pref.quiet_end = quiet_start, quiet_end
    pref.full_clean(exclude=["user"])
    with transaction.atomic():
        pref.save()
        after = audit_snapshot(pref, fields=PREFERENCE_FIELDS)
        audit_record(
            actor=actor,
            action="notificationpreference.update" if before else "notificationpreference.create",
            obj=pref,
            old=before,
            new=after,
        )
    return pref


def duty_shift_create(
    *, person: Any, start: datetime, end: datetime, note: str = "", actor: Any
) -> DutyShift:
    """Add a shift to the 值班表; raises ValidationError when it ends before it starts or is too long."""
    shift = DutyShift(person=person, start=start, end=end, note=note)
    shift.full_clean()
    with transaction.atomic():
        shift.save()
        audit_record(actor=actor, action="dutyshift.create", obj=shift, new=audit_snapshot(shift))
    return shift


def notifications_mark_read(*, user: Any, ids: Iterable[int] | None = None) -> int:
    """Mark ``user``'s unread notifications (those of ``ids``, or all: 全部已读) read; returns how many.
    Not audited: reading one's own messages changes nothing of the procedure."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(id__in=list(ids))
    return qs.update(read_at=timezone.now())


def notification_open(*, user: Any, notification_id: int) -> Notification | None:
    """``user`` opens one of their notifications: it is read from now on. None when it is not theirs."""
    row = Notification.objects.filter(recipient_id=user.pk, id=notification_id).first()
    if row is not None and row.read_at is None:
        row.read_at = timezone.now()
        row.save(update_fields=["read_at"])
    return row


def notifications_close(
    *, subjects: Iterable[str] = (), case_id: int | None = None, at: datetime | None = None
) -> int:
    """Close the open task notifications of ``subjects`` (the task is done or no longer possible), or —
    with ``case_id`` — every notification about that case (it was closed: nothing about it waits for
    anyone any more). Closed notifications leave the counts; returns how many were closed.

    The owning app calls this when the task ends; a notification sent after commit is closed after
    commit too, so callers inside a transaction use :func:`notifications_close_after_commit`."""
    qs = Notification.objects.filter(closed_at__isnull=True)
    subjects = [s for s in subjects if s]
    if case_id is not None:
        qs = qs.filter(case_id=case_id)
    elif subjects:
        qs = qs.filter(subject__in=subjects)
    else:
        return 0
    return qs.update(closed_at=at or timezone.now())


def notifications_close_after_commit(*, subjects: Iterable[str] = (), case_id: int | None = None) -> None:
    """:func:`notifications_close` once the surrounding transaction commits: the task's own notification
    is written on commit (``notify_after_commit``), so closing it earlier would miss it when both happen
    in one transaction (the demo takes a whole case through in one)."""
    subjects = list(subjects)
    transaction.on_commit(lambda: notifications_close(subjects=subjects, case_id=case_id))


__all__ = ["ChannelKind", "DeliveryError", "Message", "notify"]

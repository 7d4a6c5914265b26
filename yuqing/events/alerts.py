"""预警: rules raise at most one alert per event and level; unacknowledged alerts escalate along the chain
frozen on them when they were raised, until someone acknowledges them or the case handling them closes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from yuqing import vocab
from yuqing.audit.services import audit_record
from yuqing.core.errors import ServiceError
from yuqing.core.hooks import run_hooks
from yuqing.core.statemachine import Move, StateMachine
from yuqing.events.models import (
    UNACKNOWLEDGED,
    Alert,
    AlertRule,
    AlertState,
    EscalationContact,
    Event,
    SeveritySettings,
)
from yuqing.items.models import Item
from yuqing.notify.channels.base import Message
from yuqing.notify.duty import alert_chain
from yuqing.notify.services import notifications_close_after_commit, notify

ACK_FROM = vocab.SEVERITY_ORDER.index("significant")


class AlertError(ServiceError):
    """A refused alert action (a ServiceError, ``conflict`` unless said otherwise); the text says why."""


def rule_matches(rule: AlertRule, event: Event) -> str | None:
    """Why ``rule`` fires for ``event`` (a Chinese sentence), or None."""
    reasons = []
    if event.size < rule.min_size:
        return None
    if event.severity_rank < vocab.SEVERITY_ORDER.index(rule.min_severity):
        return None
    reasons.append(f"等级{vocab.SEVERITIES[event.severity]}（得分 {event.score:.0f}）")
    if rule.categories:
        hit = [c for c in rule.categories if c in (event.categories or {})]
        if not hit:
            return None
        reasons.append("类别：" + "、".join(vocab.CATEGORIES.get(c, c) for c in hit))
    if rule.plan_id:
        plan_name = rule.plan.name if rule.plan else ""
        matched = any(
            plan_name in (plans or [])
            for plans in Item.objects.filter(event=event).values_list("matched_plans", flat=True)[:500]
        )
        if not matched:
            return None
        reasons.append(f"命中监测方案“{plan_name}”")
    if rule.spike_velocity is not None:
        if event.velocity < rule.spike_velocity:
            return None
        reasons.append(f"近 1 小时量为此前均值的 {event.velocity:.1f} 倍")
    return "；".join(reasons)


def default_chain() -> list[int]:
    """The chain to freeze onto an alert raised now: the 值班表, the explicit EscalationContact list, the
    organisation's chain, the superusers (:func:`yuqing.notify.duty.alert_chain`)."""
    return alert_chain(EscalationContact.objects.order_by("position").values_list("user_id", flat=True))


def _message(alert: Alert, prefix: str = "") -> Message:
    event = alert.event
    return Message(
        title=f"{prefix}【{vocab.SEVERITIES[alert.level]}预警】{event.title}"[:300],
        body=alert.reason,
        link=reverse("events:detail", args=[event.id]),
        level=alert.level,
        alert_id=alert.id,
        subject=_ack_subject(alert) if alert.ack_deadline else "",
    )


def _ack_subject(alert: Alert) -> str:
    """The task an alert that must be acknowledged asks for: done when anyone acknowledges or settles it."""
    return f"events.alert:{alert.pk}:ack"


def _notify_position(alert: Alert, position: int, prefix: str = "") -> None:
    if position >= len(alert.chain):
        return
    user = get_user_model().objects.filter(id=alert.chain[position], is_active=True).first()
    if user is not None:
        message = _message(alert, prefix)
        transaction.on_commit(lambda: notify([user], message))


def alerts_evaluate(event: Event, *, now: datetime | None = None) -> list[Alert]:
    """Raise the alerts ``event`` deserves now; an existing alert for the same event and level is kept."""
    now = now or timezone.now()
    raised = []
    for rule in AlertRule.objects.filter(enabled=True).select_related("plan").order_by("id"):
        reason = rule_matches(rule, event)
        if reason is None:
            continue
        if Alert.objects.filter(event=event, level=event.severity).exists():
            break
        settings_row = SeveritySettings.current()
        needs_ack = event.severity_rank >= ACK_FROM
        try:
            with transaction.atomic():
                alert = Alert.objects.create(
                    event=event,
                    level=event.severity,
                    rule=rule,
                    reason=f"规则“{rule.name}”：{reason}",
                    ack_deadline=now + timedelta(minutes=settings_row.ack_minutes) if needs_ack else None,
                    chain=default_chain(),
                )
                audit_record(
                    actor=None,
                    action="alert.raise",
                    obj=alert,
                    new={"level": alert.level, "reason": alert.reason, "chain": alert.chain},
                )
                # In the same transaction: a case the alert opens (cases) commits with it, or neither does.
                run_hooks("alert.raised", alert=alert, now=now)
        except IntegrityError:  # raised concurrently: one alert per event and level
            break
        _notify_position(alert, 0)
        raised.append(alert)
        break
    return raised


def _acknowledged_already(alert: Alert) -> str:
    by, at = alert.acknowledged_by, alert.acknowledged_at
    return f"该预警已由 {by} 于 {at:%m-%d %H:%M} 确认" if at else "该预警已处理"


# The person-made moves of Alert.state (raise, escalate, settle and re-arm are the system's, above/below).
ALERTS = StateMachine(
    Alert,
    {"acknowledge": Move(UNACKNOWLEDGED, AlertState.ACKNOWLEDGED, refusal=_acknowledged_already)},
    audit_prefix="alert",
    field="state",
    error=AlertError,
)


def alert_acknowledge(alert: Alert, *, user: Any, now: datetime | None = None) -> Alert:
    """Acknowledge an alert. The row is locked and read again first, so of two people acknowledging at once
    (or one holding a page loaded before someone else acknowledged) the later is told who was first."""
    at = now or timezone.now()

    def apply(locked: Alert) -> dict[str, Any]:
        locked.acknowledged_at = at
        locked.acknowledged_by = user
        notifications_close_after_commit(subjects=[_ack_subject(locked)])
        return {"at": at}

    ALERTS.transition(alert, "acknowledge", user=user, apply=apply)
    return alert


def _settle(alert: Alert, *, user: Any, case: Any, reason: str, now: datetime) -> None:
    alert.acknowledged_at = now
    alert.acknowledged_by = user
    alert.ack_deadline = None
    alert.state = AlertState.CLOSED
    alert.save(update_fields=["acknowledged_at", "acknowledged_by", "ack_deadline", "state"])
    notifications_close_after_commit(subjects=[_ack_subject(alert)])
    audit_record(
        actor=user,
        action="alert.settle",
        obj=alert,
        new={"at": now, "case_id": case.pk, "case_state": case.state, "reason": reason},
    )


def alerts_settle_for_case(
    case: Any, *, user: Any, action: str = "结案", reason: str = "", now: datetime | None = None
) -> int:
    """A case closed (结案, or 不予立案 as a false alarm): its event's open alerts are settled —
    acknowledged by whoever closed it, their deadline cleared, audited — so none of them escalates any
    more. Runs in the caller's transaction (``case_transition``); returns how many were settled."""
    now = now or timezone.now()
    if case.event_id is None and case.alert_id is None:
        return 0
    open_alerts = (
        Alert.objects.select_for_update()
        .filter(Q(event_id=case.event_id) | Q(id=case.alert_id), state__in=UNACKNOWLEDGED)
        .order_by("id")
    )
    settled = 0
    with transaction.atomic():
        for alert in open_alerts:
            why = f"案件「{case.title}」{action}" + (f"：{reason}" if reason else "")
            _settle(alert, user=user, case=case, reason=why, now=now)
            settled += 1
    return settled


# Which closed case handled an alert: cases knows (it registers in ``CasesConfig.ready``); events sits
# below cases and cannot read its models (the layer contract in pyproject.toml).
CLOSED_CASE_PROVIDERS: list[Callable[[Alert], Any]] = []


def closed_case_provider(fn: Callable[[Alert], Any]) -> Callable[[Alert], Any]:
    """Register ``fn(alert)`` → the closed case that handled ``alert``, or None (once, however often)."""
    if fn not in CLOSED_CASE_PROVIDERS:
        CLOSED_CASE_PROVIDERS.append(fn)
    return fn


def closed_case_of(alert: Alert) -> Any:
    """The closed case that handled ``alert`` (closed after the alert was raised, and no case for its
    event open since), or None. Such an alert must not escalate."""
    for provider in CLOSED_CASE_PROVIDERS:
        case = provider(alert)
        if case is not None:
            return case
    return None


def alert_escalation_claim(alert: Alert, *, now: datetime, minutes: int) -> bool:
    """Take the next escalation step of ``alert`` for this run, as read: a conditional UPDATE from the
    state, chain position and deadline this run saw, so that of two schedulers escalating at once only
    one moves the alert (the other's UPDATE finds no such row and it leaves the alert alone). On
    PostgreSQL the row lock already keeps them apart; the claim also holds where there is none (SQLite).
    True when claimed; ``alert`` then carries the new position, deadline and state."""
    nxt = alert.chain_position + 1
    if nxt < len(alert.chain):
        values: dict[str, Any] = {
            "chain_position": nxt,
            "ack_deadline": now + timedelta(minutes=minutes),
            "state": AlertState.ESCALATED,
        }
    else:
        values = {"ack_deadline": None}  # the chain is exhausted: stays overdue on the list
    claimed = Alert.objects.filter(
        pk=alert.pk,
        state=alert.state,
        chain_position=alert.chain_position,
        ack_deadline=alert.ack_deadline,
    ).update(**values)
    if claimed:
        for name, value in values.items():
            setattr(alert, name, value)
    return bool(claimed)


def alerts_escalate(*, now: datetime | None = None) -> int:
    """Move every overdue, unacknowledged alert to the next person of its chain; returns how many moved.
    An alert whose case has been closed is settled instead, never escalated. Each step is claimed
    (:func:`alert_escalation_claim`), so two schedulers running at once escalate an alert once."""
    now = now or timezone.now()
    minutes = SeveritySettings.current().ack_minutes
    moved = 0
    overdue = list(Alert.objects.filter(state__in=UNACKNOWLEDGED, ack_deadline__lte=now).only("id"))
    for candidate in overdue:
        with transaction.atomic():
            # Locked and read again: a case closed (or an acknowledgement made) since the list was read wins;
            # a row another scheduler holds is skipped (PostgreSQL), it is escalating that one.
            alert = (
                Alert.objects.select_for_update(of=("self",), skip_locked=True)
                .select_related("event")
                .filter(pk=candidate.pk, state__in=UNACKNOWLEDGED, ack_deadline__lte=now)
                .first()
            )
            if alert is None:
                continue
            case = closed_case_of(alert)
            if case is not None:  # closed before this fix, or by a path that did not settle it
                _settle(alert, user=None, case=case, reason=f"案件「{case.title}」已结案，不再升级", now=now)
                continue
            if not alert_escalation_claim(alert, now=now, minutes=minutes):
                continue
            if alert.ack_deadline is not None:
                step: dict[str, Any] = {"at": now.isoformat(), "to": alert.chain[alert.chain_position]}
                _notify_position(alert, alert.chain_position, prefix="【超时升级】")
                moved += 1
            else:
                step = {"at": now.isoformat(), "to": None, "exhausted": True}
            alert.escalations = [*alert.escalations, step]
            alert.save(update_fields=["escalations"])
            audit_record(actor=None, action="alert.escalate", obj=alert, new=step)
    return moved


def alert_rearm(event: Event, *, level: str, reason: str, now: datetime | None = None) -> Alert:
    """Raise (or re-raise) the alert of ``event`` at ``level`` for a restart of its case (后期处置: 重新启动
    舆情响应程序): acknowledgement is needed again and escalation starts over from the first person."""
    now = now or timezone.now()
    minutes = SeveritySettings.current().ack_minutes
    with transaction.atomic():
        alert = Alert.objects.select_for_update().filter(event=event, level=level).first()
        fields = {
            "reason": reason,
            "ack_deadline": now + timedelta(minutes=minutes),
            "acknowledged_at": None,
            "acknowledged_by": None,
            "chain": default_chain(),
            "chain_position": 0,
            "state": AlertState.OPEN,
        }
        if alert is None:
            alert = Alert.objects.create(event=event, level=level, **fields)
        else:
            for name, value in fields.items():
                setattr(alert, name, value)
            alert.save(update_fields=list(fields))
        audit_record(actor=None, action="alert.rearm", obj=alert, new={"level": level, "reason": reason})
        _notify_position(alert, 0, prefix="【重新启动】")
    return alert

"""Reads on events, alerts and plans."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from yuqing.events.models import UNACKNOWLEDGED, Alert, Event
from yuqing.items.models import Item


def event_list(*, severity: str = "", phase: str = "", include_demo: bool = True) -> QuerySet[Event]:
    """Live events (not merged away), by severity, then heat (score), then recency."""
    qs = Event.objects.filter(merged_into__isnull=True, size__gt=0).select_related("first_item")
    if severity:
        qs = qs.filter(severity=severity)
    if phase:
        qs = qs.filter(phase=phase)
    if not include_demo:
        qs = qs.filter(is_demo=False)
    return qs.order_by("-severity_rank", "-score", "-last_at")


def event_members(event: Event, limit: int = 500) -> list[Item]:
    return list(
        Item.objects.filter(event=event)
        .select_related("source")
        .defer("raw", "search_text", "explanation")
        .order_by("published_at", "id")[:limit]
    )


def alert_list(*, open_only: bool = False) -> QuerySet[Alert]:
    qs = Alert.objects.select_related("event", "acknowledged_by__person", "rule").prefetch_related(
        "event__cases"
    )
    if open_only:
        qs = qs.filter(state__in=UNACKNOWLEDGED)
    return qs.order_by("acknowledged_at", "-created_at")


def alert_counts() -> dict[str, Any]:
    return Alert.objects.aggregate(open=Count("id", filter=Q(state__in=UNACKNOWLEDGED)), total=Count("id"))

"""Reads on sources."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from yuqing.sources.models import Source


def source_health_list() -> QuerySet[Source]:
    """Every source with ``items_24h`` annotated, failing ones first, longest-failing first."""
    since = timezone.now() - timedelta(hours=24)
    return Source.objects.annotate(items_24h=Count("items", filter=Q(items__fetched_at__gte=since))).order_by(
        "-consecutive_failures", "failing_since", "name"
    )

"""Writes on sources: create, claim due polls, poll (fetch + ingest + health)."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from yuqing.audit.services import audit_record, audit_snapshot
from yuqing.items.canonical import canonical_url
from yuqing.items.ingest import IngestReport, ingest_entries
from yuqing.items.models import Item
from yuqing.sources.fetchers.base import FetchError, FetchState, SourceSpec, fetch
from yuqing.sources.fetchers.http import HttpClient
from yuqing.sources.models import Source, SourceKind

logger = logging.getLogger(__name__)


@dataclass
class PollOutcome:
    source_id: int
    status: str  # ok | not_modified | unchanged | error | skipped
    created: int = 0
    duplicates: int = 0
    rejected: int = 0
    requests: int = 0
    error: str = ""
    warnings: tuple[str, ...] = ()


HEADER_MASK = "***"


def masked_headers(headers: Any) -> Any:
    """Request headers as the audit trail and the admin show them: names kept, values (cookies,
    credentials) replaced by ``***``."""
    return {name: HEADER_MASK for name in headers} if isinstance(headers, dict) else HEADER_MASK


def headers_fingerprint(headers: Any) -> str:
    """A keyed fingerprint of the header values, so an audit entry shows that they changed, never what
    they are."""
    raw = json.dumps(headers or {}, sort_keys=True, ensure_ascii=False)
    return salted_hmac("yuqing.sources.headers", raw).hexdigest()[:16]


def source_audit_snapshot(source: Source) -> dict[str, Any]:
    """:func:`audit_snapshot` of ``source`` with the header values masked, plus their fingerprint."""
    data = audit_snapshot(source, exclude=("headers",))
    data["headers"] = masked_headers(source.headers or {})
    data["headers_fingerprint"] = headers_fingerprint(source.headers)
    return data


def source_create(
    *,
    name: str,
    kind: str,
    url: str = "",
    media_type: str = "other",
    poll_interval: int = 300,
    intranet: bool = False,
    respect_robots: bool = True,
    headers: dict[str, str] | None = None,
    options: dict | None = None,
    is_demo: bool = False,
    actor: Any = None,
) -> Source:
    source = Source(
        name=name,
        kind=kind,
        url=url,
        media_type=media_type,
        poll_interval=poll_interval,
        intranet=intranet,
        respect_robots=respect_robots,
        headers=headers or {},
        options=options or {},
        is_demo=is_demo,
    )
    source.full_clean()
    with transaction.atomic():
        source.save()
        audit_record(actor=actor, action="source.create", obj=source, new=source_audit_snapshot(source))
    return source


def push_source_for(user: Any) -> Source:
    """The push source of ``user``: every item pushed with their tokens is stored under it (kind webhook),
    never under a source an item names. Created, and audited, on their first push.

    Named "API 推送（user name）"; if an unrelated source already has that name, the user's id is added.
    Two first pushes at once: the unique ``push_user`` lets one create it and the other read it.
    """
    source = Source.objects.filter(push_user=user).first()
    if source is not None:
        return source
    name = f"API 推送（{user.get_username()}）"[:180]
    with transaction.atomic():
        if Source.objects.filter(name=name).exclude(push_user=user).exists():
            name = f"{name}#{user.pk}"
        source, created = Source.objects.get_or_create(
            push_user=user, defaults={"name": name, "kind": SourceKind.WEBHOOK, "media_type": "other"}
        )
        if created:
            audit_record(actor=user, action="source.create", obj=source, new=source_audit_snapshot(source))
    return source


def import_source_for(name: str, media_type: str | None) -> Source:
    """The source an import (``yuqing import --source NAME``) stores its rows under: created on first use
    as kind webhook. A name that belongs to another kind of source (an RSS feed, a site) is refused with
    :class:`ValueError`, so imported rows never pass for that source's items. The push API uses
    :func:`push_source_for` instead."""
    name = (name or "").strip()[:200] or "文件导入"
    source, _ = Source.objects.get_or_create(
        name=name, defaults={"kind": SourceKind.WEBHOOK, "media_type": media_type or "other"}
    )
    if source.kind != SourceKind.WEBHOOK or source.push_user_id is not None:
        raise ValueError(
            f"“{name}”是已有的监测源（{source.get_kind_display()}），不能作为导入来源；"
            "请用 --source 换一个名称"
        )
    return source


def sources_claim_due(*, now=None, limit: int = 100) -> list[int]:
    """Claim sources whose poll is due, or whose earlier claim is older than the claim timeout (its
    worker died). Each claim is a conditional UPDATE, so two schedulers never claim one source twice.
    """
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.POLL_CLAIM_TIMEOUT)
    due = (
        Source.objects.filter(enabled=True, next_poll_at__lte=now)
        .exclude(kind=SourceKind.WEBHOOK)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
        .order_by("next_poll_at")
        .values_list("id", "claimed_at")[:limit]
    )
    claimed: list[int] = []
    for source_id, previous in due:
        won = Source.objects.filter(id=source_id, claimed_at=previous).update(claimed_at=now)
        if won:
            claimed.append(source_id)
    return claimed


def _spec(source: Source) -> SourceSpec:
    return SourceSpec(
        kind=source.kind,
        url=source.url,
        headers=dict(source.headers or {}),
        intranet=source.intranet,
        respect_robots=source.respect_robots,
        options=dict(source.options or {}),
        media_type=source.media_type,
    )


def _known_url(url: str) -> bool:
    return Item.objects.filter(canonical_url=canonical_url(url, settings.URL_HOST_ALIASES)).exists()


_client: HttpClient | None = None


def http_client() -> HttpClient:
    global _client
    if _client is None:
        _client = HttpClient(min_host_interval=settings.FETCH_MIN_HOST_INTERVAL)
    return _client


def source_poll(source_id: int, *, client: HttpClient | None = None) -> PollOutcome:
    """Fetch one source now, ingest what it returned, record health and schedule the next poll.

    Never raises for a source's own failure: the error is stored on the source (shown on 源状态)
    and the next poll backs off exponentially.
    """
    source = Source.objects.get(id=source_id)
    if not source.polls:
        return PollOutcome(source_id, "skipped", error="推送类型的源无需采集")
    state = FetchState(
        etag=source.etag,
        last_modified=source.last_modified,
        content_hash=source.content_hash,
        extra=dict(source.fetch_extra or {}),
    )
    started = timezone.now()
    try:
        result = fetch(_spec(source), state, client=client or http_client(), is_known=_known_url)
    except FetchError as exc:
        return _record_failure(source, str(exc) or exc.__class__.__name__, started)
    except Exception as exc:  # a worker must never die of one source's bad input
        logger.exception("poll of source %s failed unexpectedly", source_id)
        return _record_failure(source, f"内部错误：{exc.__class__.__name__}: {exc}"[:500], started)

    report = ingest_entries(result.entries, source=source, fetched_at=started) if result.entries else None
    with transaction.atomic():
        Source.objects.filter(id=source.id).update(
            etag=result.state.etag,
            last_modified=result.state.last_modified,
            content_hash=result.state.content_hash,
            fetch_extra=result.state.extra,
            last_polled_at=started,
            last_success_at=started,
            last_status=result.status,
            last_new_items=report.created if report else 0,
            consecutive_failures=0,
            failing_since=None,
            last_error="；".join(result.warnings)[:2000] if result.warnings else "",
            next_poll_at=started + timedelta(seconds=source.poll_interval),
            claimed_at=None,
        )
    return _outcome(source.id, result.status, report, result.requests, result.warnings)


def _outcome(
    source_id: int, status: str, report: IngestReport | None, requests: int, warnings: list[str]
) -> PollOutcome:
    return PollOutcome(
        source_id,
        status,
        created=report.created if report else 0,
        duplicates=report.duplicates if report else 0,
        rejected=report.rejected if report else 0,
        requests=requests,
        warnings=tuple(warnings),
    )


def _record_failure(source: Source, message: str, started) -> PollOutcome:
    failures = source.consecutive_failures + 1
    source.consecutive_failures = failures
    Source.objects.filter(id=source.id).update(
        last_polled_at=started,
        last_error=message[:2000],
        last_error_at=started,
        last_status="error",
        last_new_items=0,
        consecutive_failures=failures,
        failing_since=source.failing_since or started,
        next_poll_at=started + source.backoff(),
        claimed_at=None,
    )
    return PollOutcome(source.id, "error", error=message)


def source_set_enabled(source: Source, enabled: bool) -> None:
    source.enabled = enabled
    if enabled:
        source.next_poll_at = timezone.now()
    source.save(update_fields=["enabled", "next_poll_at"])

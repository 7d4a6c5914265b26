"""The analysis pipeline after ingest, listed in :data:`PIPELINE` like ingest's steps:

analyse → cluster into events → per event, in one transaction: refresh (figures, grade) → raise alerts →
hooks (``alert.raised``: cases opens the case an alert calls for, in that same transaction).

Run on one worker at a time, under a lease in the database (``Lease``, see ``analysis_run``): the
clusterer is sequential by nature and its state is one row. Each stage is driven by ``Item.stage`` and
``Event.needs_refresh``, so a killed worker's batch is simply picked up again once its lease expires.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from yuqing import vocab
from yuqing.analysis.analyze import RESULT_KEYS
from yuqing.analysis.cluster import Clusterer, ClusterItem
from yuqing.analysis.event_summary import summarize_event
from yuqing.analysis.propagation import propagation_graph
from yuqing.analysis.severity import Thresholds, event_stats, score_event
from yuqing.audit.services import audit_changes, audit_record, audit_snapshot
from yuqing.core.hooks import run_hooks
from yuqing.events.alerts import alerts_evaluate
from yuqing.events.models import ClusterState, Event, LabelCorrection, Lease, MonitoringPlan, SeveritySettings
from yuqing.items.models import Item, ItemStage
from yuqing.items.services import items_mark_duplicates

logger = logging.getLogger(__name__)
CLUSTER_STATE = "main"
MAX_EVENT_MEMBERS = 2000  # newest members read to refresh an event's figures
ANALYSIS_LEASE = "analysis"


# --- the analysis lease --------------------------------------------------------------------------------


class LeaseLost(Exception):
    """Another worker took the analysis lease (this pass outlived it): the pass stops without writing."""


def lease_holder_name() -> str:
    """A name for one pass, unique across machines, processes, threads and passes."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}:{uuid.uuid4().hex[:8]}"[:200]


def lease_acquire(*, holder: str, name: str = ANALYSIS_LEASE, now: datetime | None = None) -> bool:
    """Take the lease if it is free or expired; True when ``holder`` won it. One conditional UPDATE, so of
    several workers on several machines exactly one wins."""
    now = now or timezone.now()
    Lease.objects.get_or_create(name=name)
    won = (
        Lease.objects.filter(name=name)
        .filter(Q(holder="") | Q(expires_at__isnull=True) | Q(expires_at__lte=now))
        .update(
            holder=holder,
            acquired_at=now,
            expires_at=now + timedelta(seconds=settings.ANALYSIS_LEASE_SECONDS),
        )
    )
    return won == 1


def lease_renew(*, holder: str, name: str = ANALYSIS_LEASE, now: datetime | None = None) -> None:
    """Extend the lease ``holder`` still holds, or raise LeaseLost. Called as the first write of each of a
    pass's transactions: the UPDATE locks the lease row (PostgreSQL) or the database (SQLite) until the
    commit, so nobody can take the lease between this check and the pass's writes."""
    now = now or timezone.now()
    renewed = Lease.objects.filter(name=name, holder=holder).update(
        expires_at=now + timedelta(seconds=settings.ANALYSIS_LEASE_SECONDS)
    )
    if not renewed:
        raise LeaseLost(f"任务租约 {name} 已被其他工作进程取得，本轮分析停止")


def lease_release(*, holder: str, name: str = ANALYSIS_LEASE) -> None:
    """Give the lease back (nothing happens when ``holder`` no longer holds it)."""
    Lease.objects.filter(name=name, holder=holder).update(holder="", expires_at=None)


def _fence(holder: str | None) -> None:
    if holder is not None:
        lease_renew(holder=holder)


# --- the stages ---------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def get_analyzer():  # -> Analyzer (loads the model files once per process)
    # Lazy: the classifiers (scikit-learn, the model files) load only in a process that analyses.
    from yuqing.analysis.analyze import Analyzer

    return Analyzer()


def monitoring_plans_active() -> list[tuple[str, Any]]:
    plans = []
    for plan in MonitoringPlan.objects.filter(enabled=True).order_by("id"):
        try:
            plans.append((plan.name, plan.compile()))
        except ValueError as exc:  # saved before validation existed, or edited in the database
            logger.warning("monitoring plan %s skipped: %s", plan.name, exc)
    return plans


def items_analyze(limit: int = 500, *, holder: str | None = None) -> list[int]:
    """Analyse up to ``limit`` stored items (oldest first); returns their ids. The results are saved
    only while ``holder`` (when given) still holds the analysis lease."""
    rows = list(Item.objects.filter(stage=ItemStage.STORED).select_related("source").order_by("id")[:limit])
    if not rows:
        return []
    analyzer = get_analyzer()
    plans = monitoring_plans_active()
    now = timezone.now()
    for item in rows:
        result = analyzer.analyze(
            item.content, item.title, author=item.author, source=item.source_name, plans=plans
        )
        apply_analysis(item, result)
        item.analyzed_at = now
        item.stage = ItemStage.ANALYZED
    with transaction.atomic():
        _fence(holder)
        # The Item fields carry the analysis result's own names (the design's output contract).
        Item.objects.bulk_update(rows, [*RESULT_KEYS, "analyzed_at", "stage"], batch_size=200)
    return [item.id for item in rows]


def apply_analysis(item: Item, result: dict[str, Any]) -> None:
    item.tax_related = bool(result["tax_related"])
    item.relevance = float(result["relevance"])
    cats = [c for c in result.get("categories") or [] if c in vocab.CATEGORIES]
    item.categories = f",{','.join(cats)}," if cats else ""
    item.sentiment = result.get("sentiment") or ""
    item.negative_score = result.get("negative_score")
    item.matched_plans = list(result.get("matched_plans") or [])
    item.explanation = result.get("explanation") or {}
    item.model_version = str(result.get("model_version") or "")[:40]


def _load_clusterer() -> tuple[ClusterState | None, Clusterer]:
    """The saved clusterer; a fresh one (with a new event-key generation, so it can never reuse the keys
    of existing events) when there is none or it cannot be read."""
    row = ClusterState.objects.filter(name=CLUSTER_STATE).first()
    if row is None:
        return None, Clusterer(id_prefix="g1")
    try:
        return row, Clusterer.from_state(bytes(row.state))
    except ValueError:  # an incompatible state after an upgrade: start a new window, keep the events
        logger.exception("cluster state unreadable; starting a fresh window")
        row.generation += 1
        return row, Clusterer(id_prefix=f"g{row.generation}")


def cluster_item(item: Item) -> ClusterItem:
    return ClusterItem(
        id=item.id,
        text=item.content,
        title=item.title,
        url=item.url,
        # A far-future timestamp would evict the whole window: never later than collection.
        published_at=min(item.published_at, item.fetched_at),
        source=item.source_name,
        media_type=item.media_type,
        engagement=sum(item.engagement.values()),
        sentiment=item.sentiment or None,
        negative_score=item.negative_score,
        categories=item.category_codes,
        author=item.author,
        duplicate_of=item.duplicate_of_id,
    )


def items_cluster(limit: int = 500, *, holder: str | None = None) -> int:
    """Cluster analysed tax-related items into events (others just move on) and mark the events they
    touched for refreshing; returns how many items moved on. Saved only while ``holder`` (when given)
    still holds the analysis lease: the clusterer's state is one row, read here and written back."""
    rows = list(Item.objects.filter(stage=ItemStage.ANALYZED).select_related("source").order_by("id")[:limit])
    if not rows:
        return 0
    state_row, clusterer = _load_clusterer()
    touched: set[int] = set()
    with transaction.atomic():
        # Still ours means nobody else held the lease since this pass read the state above.
        _fence(holder)
        events_by_key: dict[str, Event] = {}
        originals: dict[int, int] = {}  # near-duplicates the clusterer found: item → its original
        for item in rows:
            item.stage = ItemStage.CLUSTERED
            if not item.tax_related:
                continue
            assignment = clusterer.add(cluster_item(item))
            event = events_by_key.get(assignment.event_id)
            if event is None:
                event, _ = Event.objects.get_or_create(
                    key=assignment.event_id,
                    defaults={
                        "title": item.title[:300],
                        "is_demo": item.is_demo,
                        "first_at": item.published_at,
                    },
                )
                events_by_key[assignment.event_id] = event
            item.event = event
            if assignment.duplicate_of is not None and item.duplicate_of_id is None:
                originals[item.id] = int(assignment.duplicate_of)  # type: ignore[call-overload]
            touched.add(event.id)
        for source_key, target_key in clusterer.drain_merges():
            target, _ = Event.objects.get_or_create(key=target_key, defaults={"title": ""})
            source = Event.objects.filter(key=source_key).first()
            if source is None or source.id == target.id:
                continue
            Item.objects.filter(event=source).update(event=target)
            for item in rows:
                if item.event_id == source.id:
                    item.event = target
            Event.objects.filter(id=source.id).update(merged_into=target, size=0, needs_refresh=False)
            touched.discard(source.id)
            touched.add(target.id)
        Item.objects.bulk_update(rows, ["stage", "event"], batch_size=200)
        items_mark_duplicates(originals)
        Event.objects.filter(id__in=touched).update(needs_refresh=True)
        data = clusterer.to_state()
        if state_row is None:
            ClusterState.objects.create(name=CLUSTER_STATE, state=data, items_seen=len(rows), generation=1)
        else:
            ClusterState.objects.filter(id=state_row.id).update(
                state=data,
                items_seen=state_row.items_seen + len(rows),
                generation=state_row.generation,
                updated_at=timezone.now(),
            )
    return len(rows)


def thresholds() -> Thresholds:
    s = SeveritySettings.current()
    return Thresholds(
        significant=s.significant,
        major=s.major,
        especially_major=s.especially_major,
        min_negative_share=s.min_negative_share,
        min_sites_not_local=max(1, s.min_sites_not_local),
    )


def event_refresh(event: Event, *, now: datetime | None = None) -> Event:
    """Recompute an event's summary, propagation graph and severity from its members."""
    members = list(
        Item.objects.filter(event=event).select_related("source").order_by("-id")[:MAX_EVENT_MEMBERS]
    )
    if not members:
        Event.objects.filter(id=event.id).update(needs_refresh=False)
        return event
    members.reverse()
    cluster_members = [cluster_item(m) for m in members]
    summary = summarize_event(cluster_members, now=now)
    stats = event_stats(cluster_members, now=now)
    result = score_event(stats, thresholds())
    old_rank = event.severity_rank if event.severity in vocab.SEVERITY_ORDER else 0
    first = summary["first_publisher"]
    event.title = (summary["title"] or event.title)[:300]
    event.first_item_id = first["item_id"]
    event.first_publisher = f"{first['source']}（{first['site']}）"[:300]
    event.first_reason = str(first["reason"])[:300]
    event.size = summary["size"]
    event.duplicates = summary["duplicates"]
    event.sites = summary["sites"]
    event.engagement = summary["engagement"]
    event.media_types = summary["media_types"]
    event.hourly = summary["hourly"]
    event.sentiment = summary["sentiment"]
    event.categories = summary["categories"]
    event.hot_words = summary["hot_words"]
    event.phase = summary["phase"]
    event.velocity = summary["velocity"]
    event.score = result.score
    event.severity = result.level
    event.severity_rank = vocab.SEVERITY_ORDER.index(result.level)
    event.factors = [f.__dict__ for f in result.factors]
    event.level_rule = result.rule[:300]
    event.propagation = propagation_graph(cluster_members)
    event.first_at = (
        members[0].published_at if not event.first_at else min(event.first_at, members[0].published_at)
    )
    event.last_at = max(m.published_at for m in members)
    event.needs_refresh = False
    event.save()
    if event.severity_rank > old_rank:
        # cases raises the event's open cases with it, in this transaction (yuqing/cases/hooks.py)
        run_hooks("event.severity_raised", event=event, now=now)
    return event


# --- the pipeline -------------------------------------------------------------------------------------


@dataclass
class Batch:
    """One batch through the pipeline: what each step was given and what it did."""

    limit: int
    holder: str | None
    analyzed: list[int] = field(default_factory=list)
    clustered: int = 0
    refreshed: list[Event] = field(default_factory=list)
    alerts: list[Any] = field(default_factory=list)

    @property
    def moved(self) -> int:
        """Items that moved a stage."""
        return len(self.analyzed) + self.clustered


def step_analyse(batch: Batch) -> None:
    batch.analyzed = items_analyze(batch.limit, holder=batch.holder)


def step_cluster(batch: Batch) -> None:
    batch.clustered = items_cluster(batch.limit, holder=batch.holder)


def step_event_refresh(event: Event, batch: Batch) -> None:
    event_refresh(event)
    batch.refreshed.append(event)


def step_alerts_raise(event: Event, batch: Batch) -> None:
    """The alerts the event now deserves; each runs the ``alert.raised`` hook in this transaction."""
    batch.alerts.extend(alerts_evaluate(event))


EventStep = Callable[[Event, Batch], None]
# For each event marked for refreshing, in one transaction (renewing the lease first).
EVENT_STEPS: Sequence[EventStep] = (step_event_refresh, step_alerts_raise)


def step_events(batch: Batch, event_ids: Iterable[int] | None = None) -> None:
    if event_ids is None:
        event_ids = Event.objects.filter(needs_refresh=True).values_list("id", flat=True)
    for event in Event.objects.filter(id__in=list(event_ids)):
        with transaction.atomic():
            _fence(batch.holder)
            for step in EVENT_STEPS:
                step(event, batch)


Step = Callable[[Batch], None]
# Each step picks up what the ones before it left (Item.stage, Event.needs_refresh), each in its own
# transaction(s): a killed worker's batch resumes at the step it reached.
PIPELINE: Sequence[Step] = (step_analyse, step_cluster, step_events)


def events_refresh(event_ids: Iterable[int], *, holder: str | None = None) -> list[Event]:
    """Refresh each event and raise the alerts it now deserves (:data:`EVENT_STEPS`), one transaction
    per event (each renews ``holder``'s lease when given)."""
    batch = Batch(limit=0, holder=holder)
    step_events(batch, event_ids)
    return batch.refreshed


def process_pending(limit: int = 500, *, holder: str | None = None) -> int:
    """One batch of every step of :data:`PIPELINE` over whatever is waiting; returns how many items moved
    a stage. ``holder`` is the analysis lease this batch runs under (``analysis_run``); without one the
    caller vouches that nothing else analyses at the same time."""
    batch = Batch(limit=limit, holder=holder)
    for step in PIPELINE:
        step(batch)
    return batch.moved


def analysis_pending() -> bool:
    """Whether anything waits for the analysis stages."""
    return (
        Item.objects.filter(stage__in=[ItemStage.STORED, ItemStage.ANALYZED]).exists()
        or Event.objects.filter(needs_refresh=True).exists()
    )


def analysis_run(*, limit: int = 500) -> int:
    """Run the stages batch after batch until nothing waits, on one worker at a time; returns how many
    items moved a stage.

    One worker at a time is the analysis lease, a row in the database (so it holds across processes and
    machines, whatever the task queue) that expires after ``YUQING_ANALYSIS_LEASE_SECONDS``: a worker
    killed while holding it blocks analysis only until then, and the minute's sweep takes over. Each
    batch renews it in the transactions that write, so a healthy pass keeps it, and a pass that lost it
    stops before writing anything. Returns 0 at once when another worker holds it; that pass, or the
    sweep, picks the items up."""
    total = 0
    while True:
        holder = lease_holder_name()
        if not lease_acquire(holder=holder):
            return total
        moved_now = 0
        try:
            while moved := process_pending(limit, holder=holder):
                moved_now += moved
        except LeaseLost:
            logger.warning("analysis lease lost by %s; the pass stops", holder)
            return total + moved_now
        finally:
            lease_release(holder=holder)
        total += moved_now
        # Items stored while this pass was releasing found the lease taken: look once more.
        if not moved_now or not analysis_pending():
            return total


def label_correct(*, item: Item, field: str, value: Any, user: Any) -> Any:
    """Record a staff correction and apply it to the item (it becomes a training example)."""
    if field == "tax_related":
        new: Any = bool(value)
        old: Any = item.tax_related
        item.tax_related = new
    elif field == "sentiment":
        if value not in vocab.SENTIMENTS:
            raise ValueError(f"情感必须是 {'/'.join(vocab.SENTIMENTS)} 之一")
        new, old = value, item.sentiment
        item.sentiment = new
    elif field == "categories":
        codes = [c for c in value if c]
        unknown = [c for c in codes if c not in vocab.CATEGORIES]
        if unknown:
            raise ValueError(f"未知类别：{'、'.join(unknown)}")
        new, old = codes, item.category_codes
        item.categories = f",{','.join(codes)}," if codes else ""
    else:
        raise ValueError(f"不能更正字段 {field}")
    with transaction.atomic():
        item.save(update_fields=[field])
        LabelCorrection.objects.create(
            item=item, field=field, old_value=old, new_value=new, corrected_by=user
        )
        audit_record(actor=user, action="label.correct", obj=item, old={field: old}, new={field: new})
    return new


MONITORING_PLAN_FIELDS = (
    "name",
    "description",
    "region_words",
    "subject_words",
    "event_words",
    "exclude_words",
    "expression",
    "enabled",
)


def monitoring_plan_save(
    *, actor: Any, plan: MonitoringPlan | None, data: Mapping[str, Any], request: Any = None
) -> MonitoringPlan:
    """Create (``plan`` None) or change a monitoring plan from ``data`` (the editable
    :data:`MONITORING_PLAN_FIELDS`; others are ignored) and audit it (``plan.create`` / ``plan.update``
    with the changed values) in one transaction. The stored row is locked and re-read, so an instance a
    form has already changed does not hide the old values. Raises ``ValidationError`` on invalid values."""
    with transaction.atomic():
        if plan is None or plan.pk is None:
            target, before = MonitoringPlan(), None
        else:
            target = MonitoringPlan.objects.select_for_update().get(pk=plan.pk)
            before = audit_snapshot(target)
        for name in MONITORING_PLAN_FIELDS:
            if name in data:
                setattr(target, name, data[name])
        target.full_clean()
        target.save()
        after = audit_snapshot(target)
        if before is None:
            audit_record(actor=actor, action="plan.create", obj=target, new=after, request=request)
        else:
            old, new = audit_changes(before, after)
            if old or new:
                audit_record(actor=actor, action="plan.update", obj=target, old=old, new=new, request=request)
    return target


def corrections_as_examples() -> Sequence[dict[str, Any]]:
    """Staff corrections as ``train_all(extra_examples=…)`` takes them: one example per item carrying the
    latest corrected value of each field (``tax_related`` / ``sentiment`` / ``categories``)."""
    by_item: dict[int, dict[str, Any]] = {}
    for c in LabelCorrection.objects.select_related("item").order_by("id"):
        example = by_item.setdefault(
            c.item_id, {"id": f"item{c.item_id}", "text": c.item.content, "title": c.item.title}
        )
        example[c.field] = c.new_value
    return list(by_item.values())

"""The ingest pipeline: an explicit, ordered list of steps over a batch of collected entries.

Prepared outside any transaction: normalise → canonical URL → segment (the items not stored yet).
Then, in one transaction: dedupe by URL → dedupe by content → segment (the rest) → store → index → hand over.

Every step takes the whole batch, so each costs a constant number of queries per batch rather than
per item. Segmentation, the costly part, runs before the transaction so the write lock (SQLite has one
for the whole database) is held only for the queries; each row is still written once with its search
text. The unique canonical URL makes concurrent workers safe (``ON CONFLICT DO NOTHING``: a row another
worker stored first is reported as a duplicate, never doubled); rows are written in canonical-URL order
so two batches never wait on each other in opposite orders (a PostgreSQL deadlock). A busy database is
retried a few times; then the ``OperationalError`` goes up (the API answers 503 with Retry-After).

Whatever a door hands in, normalisation makes it storable on both databases: NUL characters and lone
surrogates are removed from the text, the URL and the raw JSON copy (PostgreSQL refuses them in text and
in jsonb); counts outside 0..MAX_COUNT are dropped.
"""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from yuqing.analysis.dedupe import same_text_hash
from yuqing.core.busy import database_busy
from yuqing.core.hooks import run_hooks
from yuqing.items import search
from yuqing.items.canonical import canonical_url, host_of
from yuqing.items.models import Item
from yuqing.sources.fetchers.base import RawEntry
from yuqing.sources.fetchers.records import MAX_COUNT
from yuqing.sources.models import Source
from yuqing.vocab import ENGAGEMENT_FIELDS, MEDIA_TYPES

logger = logging.getLogger(__name__)

MAX_TITLE = 500
MAX_CONTENT = 200_000
MAX_ORIGIN = 200
MAX_RAW_DEPTH = 20
# Attempts at the write transaction while the database is busy (SQLite: another writer holds the lock
# for longer than the busy timeout), with this many seconds between them.
BUSY_ATTEMPTS = 3
BUSY_PAUSE = 0.5
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# PostgreSQL refuses NUL in text and in jsonb, and no database can encode a lone surrogate (half of a
# UTF-16 pair, e.g. an emoji cut in two by a client): NUL goes, a lone surrogate becomes U+FFFD.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_URL_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\u3000\xa0]+")


class Status:
    CREATED = "created"
    DUPLICATE = "duplicate"
    UPDATED = "updated"  # a duplicate whose engagement counts were refreshed
    REJECTED = "rejected"


@dataclass
class Candidate:
    index: int
    entry: RawEntry
    status: str = ""
    reason: str = ""
    field: str = ""  # the field a rejection is about
    canonical_url: str = ""
    content_hash: str = ""
    search_text: str = ""
    item_id: int | None = None
    duplicate_of_id: int | None = None

    @property
    def pending(self) -> bool:
        return not self.status


@dataclass
class Batch:
    source: Source
    fetched_at: datetime
    candidates: list[Candidate]
    created_ids: list[int] = field(default_factory=list)

    def pending(self) -> list[Candidate]:
        return [c for c in self.candidates if c.pending]


@dataclass
class IngestReport:
    candidates: list[Candidate]

    def count(self, status: str) -> int:
        return sum(1 for c in self.candidates if c.status == status)

    @property
    def created(self) -> int:
        return self.count(Status.CREATED)

    @property
    def duplicates(self) -> int:
        return self.count(Status.DUPLICATE) + self.count(Status.UPDATED)

    @property
    def rejected(self) -> int:
        return self.count(Status.REJECTED)

    @property
    def created_ids(self) -> list[int]:
        return [c.item_id for c in self.candidates if c.status == Status.CREATED and c.item_id]


def clean_text(text: str) -> str:
    text = unicodedata.normalize("NFC", _SURROGATE.sub("\ufffd", text or ""))
    text = _CONTROL.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def clean_raw(value: Any, depth: int = 0) -> Any:
    """A copy of the JSON-safe ``value`` that both databases store: no NUL, no lone surrogate, in keys or
    values; containers deeper than MAX_RAW_DEPTH become None."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value.replace("\x00", ""))
    if isinstance(value, dict):
        if depth >= MAX_RAW_DEPTH:
            return None
        return {clean_raw(str(k)): clean_raw(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        if depth >= MAX_RAW_DEPTH:
            return None
        return [clean_raw(v, depth + 1) for v in value]
    return value


def storable_count(value: object) -> int | None:
    """An engagement count the database can hold, else None (the count is unknown rather than wrong)."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_COUNT:
        return value
    return None


# --- steps ------------------------------------------------------------------------------------


def step_normalise(batch: Batch) -> None:
    for c in batch.pending():
        e = c.entry
        e.title = clean_text(e.title)[:MAX_TITLE]
        e.content = clean_text(e.content)[:MAX_CONTENT]
        e.author = clean_text(e.author)[:200]
        e.source_name = " ".join(clean_text(e.source_name or "").split())[:MAX_ORIGIN] or None
        e.url = _URL_CONTROL.sub("", e.url or "").strip()
        e.raw = clean_raw(e.raw) if isinstance(e.raw, dict) else {}
        e.engagement = {
            name: count
            for name, value in (e.engagement or {}).items()
            if name in ENGAGEMENT_FIELDS and (count := storable_count(value)) is not None
        }
        if not e.content and not e.title:
            c.status, c.reason, c.field = Status.REJECTED, "标题和正文都为空", "content"
            continue
        if not e.title:
            e.title = e.content.split("\n", 1)[0][:60]
        if not e.content:
            e.content = e.title
        if e.published_at is not None and timezone.is_naive(e.published_at):
            e.published_at = timezone.make_aware(e.published_at)
        if e.media_type not in MEDIA_TYPES:
            e.media_type = None


def step_canonicalise(batch: Batch) -> None:
    seen: set[str] = set()
    for c in batch.pending():
        if not c.entry.url.lower().startswith(("http://", "https://")):
            c.status, c.reason, c.field = Status.REJECTED, "链接必须以 http:// 或 https:// 开头", "url"
            continue
        if _SURROGATE.search(c.entry.url):
            c.status, c.reason, c.field = (
                Status.REJECTED,
                "链接含有无效的 Unicode 字符（孤立的代理项）",
                "url",
            )
            continue
        try:
            c.canonical_url = canonical_url(c.entry.url, settings.URL_HOST_ALIASES)[:2000]
        except ValueError:  # a bad port or IPv6 literal
            c.status, c.reason, c.field = Status.REJECTED, f"无效的链接：{c.entry.url[:100]}", "url"
            continue
        if c.canonical_url in seen:
            c.status, c.reason = Status.DUPLICATE, "同一批次内链接重复"
            continue
        seen.add(c.canonical_url)


def step_segment_new(batch: Batch) -> None:
    """Segment, before the write transaction, the items whose link is not stored yet (one read)."""
    pending = batch.pending()
    stored = set(
        Item.objects.filter(canonical_url__in=[c.canonical_url for c in pending]).values_list(
            "canonical_url", flat=True
        )
    )
    for c in pending:
        if c.canonical_url not in stored:
            c.search_text = search.segment_for_index(c.entry.title, c.entry.content)


def step_dedupe_url(batch: Batch) -> None:
    pending = {c.canonical_url: c for c in batch.pending()}
    if not pending:
        return
    existing = (
        Item.objects.filter(canonical_url__in=list(pending))
        .only("id", "canonical_url", *ENGAGEMENT_FIELDS)
        .order_by("id")  # rows locked in one order by every writer
    )
    refreshed: list[Item] = []
    for item in existing:
        c = pending[item.canonical_url]
        c.item_id = item.id
        c.status, c.reason = Status.DUPLICATE, "链接已存在"
        changed = [
            name
            for name, value in c.entry.engagement.items()
            if name in ENGAGEMENT_FIELDS and getattr(item, name) != value
        ]
        if changed:
            for name in changed:
                setattr(item, name, c.entry.engagement[name])
            refreshed.append(item)
            c.status, c.reason = Status.UPDATED, "链接已存在，已更新互动数"
    if refreshed:
        Item.objects.bulk_update(refreshed, list(ENGAGEMENT_FIELDS))


def step_dedupe_content(batch: Batch) -> None:
    """Same text again from the same source is a duplicate (a feed that changed its links). The same
    text from another source is stored — who re-published what is evidence of spread — but points at
    the earliest copy. "Same text" is :func:`yuqing.analysis.dedupe.same_text_hash`, the clusterer's
    exact match too.
    """
    by_hash: dict[str, Candidate] = {}
    for c in batch.pending():
        c.content_hash = same_text_hash(c.entry.title, c.entry.content)
        if not c.content_hash:  # nothing left to compare (emoji only): never a copy of anything
            continue
        if c.content_hash in by_hash:
            c.status, c.reason = Status.DUPLICATE, "同一批次内内容重复"
            continue
        by_hash[c.content_hash] = c
    if not by_hash:
        return
    earliest: dict[str, tuple[int, int]] = {}
    for item_id, source_id, digest in (
        Item.objects.filter(content_hash__in=list(by_hash))
        .order_by("id")
        .values_list("id", "source_id", "content_hash")
    ):
        earliest.setdefault(digest, (item_id, source_id))
        if source_id == batch.source.id and by_hash[digest].pending:
            c = by_hash[digest]
            c.item_id, c.status, c.reason = item_id, Status.DUPLICATE, "同一来源内容已存在"
    for digest, (item_id, _source_id) in earliest.items():
        c = by_hash[digest]
        if c.pending:
            c.duplicate_of_id = item_id


def step_segment(batch: Batch) -> None:
    """Segment what :func:`step_segment_new` left (its row was deleted since); usually nothing."""
    for c in batch.pending():
        if not c.search_text:
            c.search_text = search.segment_for_index(c.entry.title, c.entry.content)


def step_store(batch: Batch) -> None:
    pending = batch.pending()
    if not pending:
        return
    source = batch.source
    rows = []
    for c in sorted(pending, key=lambda c: c.canonical_url):
        e = c.entry
        engagement = {name: e.engagement.get(name) for name in ENGAGEMENT_FIELDS}
        rows.append(
            Item(
                source=source,
                url=e.url[:2000],
                canonical_url=c.canonical_url,
                host=host_of(c.canonical_url)[:255],
                title=e.title,
                content=e.content,
                author=e.author,
                origin=e.source_name or "",
                published_at=e.published_at or batch.fetched_at,
                published_at_known=e.published_at is not None,
                fetched_at=batch.fetched_at,
                media_type=e.media_type or source.media_type,
                raw=e.raw,
                content_hash=c.content_hash,
                duplicate_of_id=c.duplicate_of_id,
                search_text=c.search_text,
                is_demo=source.is_demo,
                **engagement,
            )
        )
    insert_ignoring_conflicts(rows)
    # ignore_conflicts returns no primary keys: read them back. A row that another worker stored
    # first has a different content hash or source here, and is reported as a duplicate.
    stored = {
        url: (item_id, source_id == source.id and fetched_at == batch.fetched_at)
        for url, item_id, source_id, fetched_at in Item.objects.filter(
            canonical_url__in=[c.canonical_url for c in pending]
        ).values_list("canonical_url", "id", "source_id", "fetched_at")
    }
    for c in pending:
        c.item_id, mine = stored.get(c.canonical_url, (None, False))
        if mine and c.item_id is not None:
            c.status = Status.CREATED
            batch.created_ids.append(c.item_id)
        else:
            c.status, c.reason = Status.DUPLICATE, "链接已由其他进程写入"


def insert_ignoring_conflicts(rows: list[Item]) -> None:
    """``bulk_create(rows, ignore_conflicts=True)`` as one prepared INSERT run by ``executemany``.

    Django's bulk_create splits rows into multi-row INSERTs under SQLite's 999-variable limit and compiles
    each (about 3 rows a statement for the 30 columns here); that compilation was a third of the ingest
    profile. The statement is the same on SQLite and PostgreSQL; values go through each field's
    ``pre_save`` / ``get_db_prep_save``, so defaults, ``auto_now_add`` and JSON are handled as Django does.
    """
    if not rows:
        return
    fields = [f for f in Item._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(Item._meta.db_table)} ({', '.join(quote(str(f.column)) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) ON CONFLICT DO NOTHING"
    )
    params = [[f.get_db_prep_save(f.pre_save(row, True), connection) for f in fields] for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def step_index(batch: Batch) -> None:
    search.index_items(
        (c.item_id, c.search_text) for c in batch.candidates if c.status == Status.CREATED and c.item_id
    )


def step_hand_over(batch: Batch) -> None:
    """Tell the apps above that new items are stored: events queues their analysis once the batch is
    committed (its handler is robust: the items are committed whatever happens to the queue — a busy or
    unreachable queue is logged; the sweeper picks the items up within a minute)."""
    if not batch.created_ids:
        return
    run_hooks("items.stored", item_ids=list(batch.created_ids))


Step = Callable[[Batch], None]

# Before the transaction: no writes, the CPU-heavy part.
PREPARE_STEPS: Sequence[Step] = (step_normalise, step_canonicalise, step_segment_new)
# In one transaction.
STORE_STEPS: Sequence[Step] = (
    step_dedupe_url,
    step_dedupe_content,
    step_segment,
    step_store,
    step_index,
    step_hand_over,
)


def ingest_entries(
    entries: Iterable[RawEntry], *, source: Source, fetched_at: datetime | None = None
) -> IngestReport:
    """Run one batch of entries from ``source`` through every step; the writes in one transaction.

    While the database is busy, the transaction is tried BUSY_ATTEMPTS times (not inside a caller's
    transaction, which a failed statement has spoilt); then the ``OperationalError`` is raised.
    """
    batch = Batch(
        source=source,
        fetched_at=fetched_at or timezone.now(),
        candidates=[Candidate(index=i, entry=e) for i, e in enumerate(entries)],
    )
    for step in PREPARE_STEPS:
        step(batch)
    prepared = [(c.status, c.reason) for c in batch.candidates]
    for attempt in range(1, BUSY_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                for step in STORE_STEPS:
                    step(batch)
            break
        except OperationalError as exc:
            if attempt == BUSY_ATTEMPTS or not database_busy(exc) or connection.in_atomic_block:
                raise
            logger.warning("ingest: database busy (attempt %s of %s): %s", attempt, BUSY_ATTEMPTS, exc)
            for c, (status, reason) in zip(batch.candidates, prepared, strict=True):
                c.status, c.reason, c.item_id, c.duplicate_of_id = status, reason, None, None
            batch.created_ids.clear()
            time.sleep(BUSY_PAUSE * attempt)
    return IngestReport(batch.candidates)

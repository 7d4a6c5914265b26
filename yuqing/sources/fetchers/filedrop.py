"""A watched folder of export files (commercial monitoring systems, manual collection by staff).

Options: ``pattern`` — a glob or list of globs (default ``["*.jsonl", "*.csv"]``; ``.ndjson`` and
``.tsv`` are read too if matched); ``settle_seconds`` — skip files modified more recently than this
(default 5), so a file still being copied in is read whole next poll; ``source`` — default source name.

``state.extra["seen"]`` maps each file name to ``{"size", "mtime_ns", "sha256", "rows", "errors"}``.
A file is read when it is new or its content hash changed (a size/mtime match skips hashing); files
that vanished are dropped from the map. A file that cannot be read is recorded too, so its warning is
not repeated every poll; replacing it with a good file makes it read.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

from yuqing.sources.fetchers.base import (
    FetchError,
    FetchResult,
    FetchState,
    RawEntry,
    SourceSpec,
    add_warning,
)
from yuqing.sources.fetchers.records import RecordError, read_export_file

DEFAULT_PATTERNS = ("*.jsonl", "*.csv")
DEFAULT_SETTLE_SECONDS = 5.0


def fetch_folder(spec: SourceSpec, state: FetchState, *, now: float | None = None) -> FetchResult:
    """Read new and changed export files; bad rows become warnings naming file and line."""
    folder = Path(spec.url).expanduser()
    if not folder.is_dir():
        raise FetchError(f"文件夹不存在或无法访问：{spec.url}")
    patterns = spec.options.get("pattern") or DEFAULT_PATTERNS
    if isinstance(patterns, str):
        patterns = [patterns]
    try:
        settle = float(spec.options.get("settle_seconds", DEFAULT_SETTLE_SECONDS))
    except (TypeError, ValueError):
        settle = DEFAULT_SETTLE_SECONDS
    default_source = str(spec.options.get("source") or "") or None
    current = time.time() if now is None else now
    previous: dict[str, Any] = dict(state.extra.get("seen") or {})
    seen: dict[str, Any] = {}
    entries: list[RawEntry] = []
    warnings: list[str] = []
    read_any = False
    try:
        paths = sorted({p for pattern in patterns for p in folder.glob(str(pattern)) if p.is_file()})
    except (OSError, ValueError) as exc:
        raise FetchError(f"无法列出文件夹内容：{spec.url}（{exc}）")
    for path in paths:
        name = path.name
        if name.startswith((".", "~$")):
            continue
        try:
            stat = path.stat()
        except OSError:
            continue
        prior = previous.get(name)
        if current - stat.st_mtime < settle:  # still being written; look again next poll
            if prior is not None:
                seen[name] = prior
            continue
        if prior and prior.get("size") == stat.st_size and prior.get("mtime_ns") == stat.st_mtime_ns:
            seen[name] = prior
            continue
        try:
            digest = _sha256(path)
        except OSError as exc:
            add_warning(warnings, f"{name}：无法读取（{exc.strerror or exc}）")
            continue
        record = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": digest}
        if prior and prior.get("sha256") == digest:
            seen[name] = {**prior, **record}
            continue
        rows, errors = _read(path, default_source, entries, warnings)
        seen[name] = {**record, "rows": rows, "errors": errors}
        read_any = True
    extra = {**state.extra, "seen": seen}
    new_state = FetchState(state.etag, state.last_modified, state.content_hash, extra)
    return FetchResult("ok" if read_any else "unchanged", entries, new_state, 0, warnings)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _read(
    path: Path, default_source: str | None, entries: list[RawEntry], warnings: list[str]
) -> tuple[int, int]:
    """Append ``path``'s good rows to ``entries``; return (good rows, bad rows)."""
    good = bad = 0
    try:
        for line, result in read_export_file(path, default_source=default_source):
            if isinstance(result, RecordError):
                bad += 1
                add_warning(warnings, f"{path.name}:{line}：{result}")
            else:
                good += 1
                entries.append(result)
    except RecordError as exc:  # the file as a whole: unsupported, unreadable, no header
        bad += 1
        add_warning(warnings, f"{path.name}：{exc}")
    return good, bad

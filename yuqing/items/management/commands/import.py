"""``yuqing import FILE.jsonl|FILE.csv``: import exports of other crawlers or commercial systems."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from yuqing.items.ingest import Status
from yuqing.items.services import ingest_import
from yuqing.sources.fetchers.base import RawEntry
from yuqing.sources.fetchers.records import RecordError, read_export_file

BATCH = 500


class Command(BaseCommand):
    help = "导入 JSONL/CSV 文件（字段见 README），显示进度并汇总新增/重复/拒绝"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument(
            "--source",
            default="",
            help="导入来源名称（全部行归入此来源；行中注明的来源作为报称来源保存；默认“文件导入”）",
        )
        parser.add_argument("--max-errors", type=int, default=50, help="最多列出多少条拒绝原因")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        if path.suffix.lower() not in {".jsonl", ".csv", ".json"}:
            raise CommandError("只支持 .jsonl 和 .csv 文件")
        default_source = options["source"] or "文件导入"
        counts = {Status.CREATED: 0, "duplicate": 0, Status.REJECTED: 0}
        rejected: list[tuple[int, str]] = []
        pending: list[tuple[int, RawEntry]] = []
        size = 0

        def flush() -> None:
            nonlocal size
            try:
                outcomes = list(ingest_import(pending, default_source))
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            for line_no, candidate in outcomes:
                if candidate.status == Status.CREATED:
                    counts[Status.CREATED] += 1
                elif candidate.status == Status.REJECTED:
                    counts[Status.REJECTED] += 1
                    rejected.append((line_no, candidate.reason))
                else:
                    counts["duplicate"] += 1
            pending.clear()
            size = 0

        total_bytes = path.stat().st_size
        console = Console(stderr=True)
        with Progress(
            TextColumn("[bold]导入"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        ) as progress:
            task = progress.add_task("import", total=None)
            for line_no, result in read_export_file(path):
                progress.advance(task)
                if isinstance(result, RecordError):
                    counts[Status.REJECTED] += 1
                    rejected.append(
                        (line_no, f"{result.field}: {result.message}" if result.field else result.message)
                    )
                    continue
                pending.append((line_no, result))
                size += 1
                if size >= BATCH:
                    flush()
            flush()
            progress.update(task, total=progress.tasks[0].completed)
        rejected.sort()
        self.stdout.write(
            f"导入完成（{total_bytes} 字节）：新增 {counts[Status.CREATED]}，重复 {counts['duplicate']}，"
            f"拒绝 {counts[Status.REJECTED]}"
        )
        for line_no, reason in rejected[: options["max_errors"]]:
            self.stdout.write(f"  第 {line_no} 行：{reason}")
        if len(rejected) > options["max_errors"]:
            self.stdout.write(f"  ……另有 {len(rejected) - options['max_errors']} 条拒绝未列出")

"""``yuqing poll --once [--source ID]``: fetch now, synchronously, and print a summary."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from yuqing.sources import services
from yuqing.sources.models import Source, SourceKind


class Command(BaseCommand):
    help = "立即采集（同步执行），打印汇总"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="采集一轮后退出（否则每分钟采集到期的源）")
        parser.add_argument("--source", type=int, help="只采集这个 ID 的源（不论是否到期）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["source"] is not None:
            if not Source.objects.filter(id=options["source"]).exists():
                raise CommandError(f"没有 ID 为 {options['source']} 的监测源")
            self._poll([options["source"]])
            return
        if options["once"]:
            ids = list(
                Source.objects.filter(enabled=True)
                .exclude(kind=SourceKind.WEBHOOK)
                .values_list("id", flat=True)
            )
            self._poll(ids)
            return
        while True:
            self._poll(services.sources_claim_due())
            time.sleep(60)

    def _poll(self, ids: list[int]) -> None:
        totals = {"created": 0, "duplicates": 0, "errors": 0, "requests": 0}
        for source_id in ids:
            out = services.source_poll(source_id)
            name = Source.objects.values_list("name", flat=True).get(id=source_id)
            line = f"[{source_id}] {name}: {out.status}"
            if out.status == "error":
                line += f" — {out.error}"
                totals["errors"] += 1
            else:
                line += f"，新增 {out.created}，重复 {out.duplicates}，请求 {out.requests} 次"
            for warning in out.warnings:
                line += f"\n    警告：{warning}"
            self.stdout.write(line)
            totals["created"] += out.created
            totals["duplicates"] += out.duplicates
            totals["requests"] += out.requests
        self.stdout.write(
            f"共 {len(ids)} 个源：新增 {totals['created']}，重复 {totals['duplicates']}，"
            f"失败 {totals['errors']}，请求 {totals['requests']} 次"
        )

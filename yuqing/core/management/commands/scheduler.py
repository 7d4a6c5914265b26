"""``yuqing scheduler``: the one process that enqueues periodic work (run exactly one)."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动定时调度进程（全局只运行一个）"

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("run_huey", workers=1, worker_type="thread", periodic=True)

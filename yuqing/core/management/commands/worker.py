"""``yuqing worker``: a task worker without the periodic scheduler (run as many as needed)."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动后台任务进程（不含定时调度，可在多台机器上运行多个）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("run_huey", workers=options["workers"], worker_type="thread", periodic=False)

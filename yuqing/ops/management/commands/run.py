"""``yuqing run``: web server + worker/scheduler in one go; Ctrl-C stops all of them."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from yuqing.demo.services import demo_sources_follow_port
from yuqing.sources.tasks import schedule_polls


class Command(BaseCommand):
    help = "启动 Web 服务、后台任务与调度（嵌入式默认部署）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--workers", type=int, default=2, help="后台任务线程数")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.DEMO:
            demo_sources_follow_port()  # setup may have run with another YUQING_PORT
        schedule_polls()  # queue the first poll now rather than at the next minute boundary
        python = [sys.executable, "-m", "yuqing.cli"]
        procs = [
            subprocess.Popen([*python, "serve"]),
            subprocess.Popen([*python, "run_huey", "--workers", str(options["workers"]), "-k", "thread"]),
        ]
        self.stdout.write(f"系统已启动：http://{settings.HOST}:{settings.PORT}/ （Ctrl-C 停止）")

        def stop(*_: object) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        try:
            while all(p.poll() is None for p in procs):
                time.sleep(0.5)
            self.stderr.write("有子进程意外退出，正在停止全部进程")
        except KeyboardInterrupt:
            self.stdout.write("正在停止…")
        finally:
            for p in procs:
                if p.poll() is None:
                    p.terminate()
            for p in procs:
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()

"""``yuqing policy import PATH...``: load policy documents into the library."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from yuqing.policies import services


class Command(BaseCommand):
    help = "政策库：import 导入政策文件（文本文件或 JSONL，可给文件夹）"

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser(
            "import",
            help="导入：.txt 为 第1行标题、第2行效力、第3行日期、其后全文；"
            ".jsonl 每行 {title, doc_number, issuer, issued_on, validity, text}。同标题同日期则更新",
        )
        imp.add_argument("paths", nargs="+", metavar="PATH", help="文件或文件夹")
        imp.add_argument("--actor", default="", help="记入审计的操作人用户名（默认：系统）")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = None
        if options["actor"]:
            actor = get_user_model().objects.filter(username=options["actor"]).first()
            if actor is None:
                raise CommandError(f"--actor：用户 {options['actor']} 不存在")
        report = services.policies_import(options["paths"], actor=actor)
        for line in report.rejected:
            self.stderr.write(f"拒绝 {line}")
        self.stdout.write(report.summary())
        if report.rejected:
            raise CommandError(f"有 {len(report.rejected)} 处问题未导入，见上方“拒绝”各行；其余已导入")

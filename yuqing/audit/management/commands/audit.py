"""``yuqing audit verify``: check the audit hash chain and what the rest of the database says was written;
exit 0 when whole, 1 listing every problem found (the first bad entry named)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from yuqing.audit.services import audit_verify


class Command(BaseCommand):
    help = "审计链：verify 校验全部审计记录的 SM3 哈希链（完好时退出码 0，否则 1 并指出第一条问题记录）"

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="逐条重算哈希，检查记录是否被修改或删除")

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_verify()
        if not report.ok:
            where = f"第一条问题记录：seq={report.first_bad}；" if report.first_bad is not None else ""
            lines = [f"审计链不完整（已损坏）：{report.reason}（{where}链上连续完好 {report.count} 条）"]
            if len(report.problems) > 1:
                lines.append(f"共发现 {len(report.problems)} 处问题：")
                lines.extend(f"  {n}. {text}" for n, text in enumerate(report.problems, 1))
            raise CommandError("\n".join(lines), returncode=1)
        self.stdout.write(f"审计链完好：共 {report.count} 条记录")
        self.stdout.write(f"链头：seq={report.head_seq} SM3={report.head_hash}")
        self.stdout.write("（可将链头哈希记入书面记录，日后校验时比对，以防整条链被重算伪造）")

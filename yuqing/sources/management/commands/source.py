"""``yuqing source add|list``."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from yuqing.sources import selectors, services
from yuqing.sources.models import SourceKind
from yuqing.vocab import MEDIA_TYPES


class Command(BaseCommand):
    help = "管理监测源：add 新增，list 列出"

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="新增监测源，打印新 ID")
        add.add_argument("--kind", required=True, choices=SourceKind.values)
        add.add_argument("--url", default="", help="订阅/列表/接口地址，或文件夹路径")
        add.add_argument("--media-type", required=True, choices=list(MEDIA_TYPES))
        add.add_argument("--name", default="", help="名称（默认取地址）")
        add.add_argument("--interval", type=int, default=300, help="采集间隔秒数（≥60）")
        add.add_argument("--intranet", action="store_true", help="允许内网/本机地址")
        add.add_argument("--ignore-robots", action="store_true", help="不遵守 robots.txt（仅网页列表）")
        add.add_argument("--link-selector", default="", help="网页列表：文章链接的 CSS 选择器")
        add.add_argument("--options", default="", help="采集选项 JSON")
        add.add_argument("--header", action="append", default=[], help="自定义请求头 Name: value，可重复")
        sub.add_parser("list", help="列出监测源及健康状况")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            self._list()
        else:
            self._add(options)

    def _add(self, o: dict[str, Any]) -> None:
        extra: dict[str, Any] = {}
        if o["options"]:
            try:
                extra = json.loads(o["options"])
            except json.JSONDecodeError as exc:
                raise CommandError(f"--options 不是合法 JSON：{exc}") from None
        if o["link_selector"]:
            extra["link_selector"] = o["link_selector"]
        headers: dict[str, str] = {}
        for raw in o["header"]:
            name, sep, value = raw.partition(":")
            if not sep or not name.strip():
                raise CommandError(f"--header {raw!r} 应为 'Name: value'")
            headers[name.strip()] = value.strip()
        try:
            source = services.source_create(
                name=o["name"] or o["url"] or "推送源",
                kind=o["kind"],
                url=o["url"],
                media_type=o["media_type"],
                poll_interval=o["interval"],
                intranet=o["intranet"],
                respect_robots=not o["ignore_robots"],
                headers=headers,
                options=extra,
            )
        except ValidationError as exc:
            messages = "; ".join(f"{field}: {' '.join(errs)}" for field, errs in exc.message_dict.items())
            raise CommandError(messages) from None
        self.stdout.write(str(source.id))

    def _list(self) -> None:
        for s in selectors.source_health_list():
            state = "停用" if not s.enabled else ("失败" if s.consecutive_failures else "正常")
            recent = getattr(s, "items_24h", 0)
            self.stdout.write(
                f"{s.id}\t{s.name}\t{s.kind}\t{s.media_type}\t{state}\t24h:{recent}\t{s.url}"
                + (f"\t错误: {s.last_error[:80]}" if s.consecutive_failures else "")
            )

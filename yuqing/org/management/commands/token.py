"""``yuqing token create USERNAME``: print a new API token (shown once; only its hash is kept)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from yuqing.org.services import api_token_create


class Command(BaseCommand):
    help = "API 令牌：create USERNAME 生成新令牌并打印（只显示一次）"

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("username")
        create.add_argument("--name", default="命令行创建")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"没有用户 {options['username']!r}")
        self.stdout.write(api_token_create(user=user, name=options["name"]))

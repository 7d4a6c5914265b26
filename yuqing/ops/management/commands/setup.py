"""``yuqing setup``: migrate, load the demo (unless YUQING_DEMO=0) and make sure an admin exists."""

from __future__ import annotations

import os
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

from yuqing.demo.services import demo_disable, demo_load


class Command(BaseCommand):
    help = "初始化：数据库迁移、演示数据、管理员账号"

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("数据库迁移完成")
        if settings.DEMO:
            sources = demo_load()
            self.stdout.write(f"演示数据已就绪：{len(sources)} 个演示订阅源（YUQING_DEMO=0 可关闭）")
        else:
            demo_disable()
        self._admin()

    def _admin(self) -> None:
        User = get_user_model()
        if User.objects.filter(username="admin").exists():
            if os.environ.get("YUQING_ADMIN_PASSWORD"):
                user = User.objects.get(username="admin")
                if not user.check_password(os.environ["YUQING_ADMIN_PASSWORD"]):
                    user.set_password(os.environ["YUQING_ADMIN_PASSWORD"])
                    user.save(update_fields=["password"])
                    self.stdout.write("管理员 admin 的密码已按 YUQING_ADMIN_PASSWORD 更新")
            return
        password = os.environ.get("YUQING_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        User.objects.create_superuser("admin", email="", password=password)
        if os.environ.get("YUQING_ADMIN_PASSWORD"):
            self.stdout.write("已创建管理员 admin（密码取自 YUQING_ADMIN_PASSWORD）")
        else:
            self.stdout.write(
                self.style.WARNING(f"已创建管理员 admin，初始密码：{password} （只显示这一次，请妥善保存）")
            )

"""``yuqing serve``: the web application under waitress (a production WSGI server)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "仅启动 Web 服务（waitress）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args: Any, **options: Any) -> None:
        from waitress import serve

        from yuqing.wsgi import application  # lazy: importing it builds the WSGI handler

        self.stdout.write(f"Web 服务：http://{settings.HOST}:{settings.PORT}/")
        serve(application, host=settings.HOST, port=settings.PORT, threads=options["threads"], ident="yuqing")

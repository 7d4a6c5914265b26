"""``yuqing train``: retrain the classifiers from the labelled sets in the repo plus staff corrections."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from yuqing.analysis.classify.datasets import CorpusError
from yuqing.analysis.train import MODELS_DIR, train_all
from yuqing.events.services import corrections_as_examples


class Command(BaseCommand):
    help = "用仓库内的标注数据和工作人员的更正重新训练分类模型，生成新版本"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--out", default="", help="模型输出目录（默认：替换随程序发布的模型）")
        parser.add_argument(
            "--data-dir", default=str(settings.PROJECT_DIR.parent / "shared" / "data"), help="公开数据集目录"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        examples = list(corrections_as_examples())
        out = Path(options["out"]) if options["out"] else MODELS_DIR
        self.stdout.write(f"训练中：{len(examples)} 条工作人员更正将作为补充样本……")
        try:
            manifest = train_all(out_dir=out, extra_examples=examples, data_dir=options["data_dir"])
        except CorpusError as exc:
            raise CommandError(f"{exc}（已有模型未改动）") from exc
        self.stdout.write(f"完成：模型版本 {manifest['version']}，保存在 {out}")

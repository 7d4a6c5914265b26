"""监测源 (monitoring sources) and their health."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yuqing.core.choices import MEDIA_TYPE_CHOICES

MIN_POLL_INTERVAL = 60
DEFAULT_POLL_INTERVAL = 300


class SourceKind(models.TextChoices):
    RSS = "rss", _("RSS/Atom 订阅")
    HTML = "html", _("网页列表")
    JSONAPI = "jsonapi", _("JSON 接口")
    FILE = "file", _("文件夹导入")
    WEBHOOK = "webhook", _("推送(Webhook)")


class Source(models.Model):
    name = models.CharField(_("名称"), max_length=200, unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=SourceKind.choices)
    url = models.CharField(
        _("地址"),
        max_length=2000,
        blank=True,
        help_text=_("订阅/列表/接口地址；文件夹类型填服务器上的目录路径"),
    )
    media_type = models.CharField(_("媒体类型"), max_length=32, choices=MEDIA_TYPE_CHOICES, default="other")
    poll_interval = models.PositiveIntegerField(
        _("采集间隔(秒)"), default=DEFAULT_POLL_INTERVAL, validators=[MinValueValidator(MIN_POLL_INTERVAL)]
    )
    enabled = models.BooleanField(_("启用"), default=True)
    headers = models.JSONField(_("自定义请求头"), default=dict, blank=True)
    options = models.JSONField(
        _("采集选项"),
        default=dict,
        blank=True,
        help_text=_('网页列表：{"link_selector": "CSS 选择器"}；JSON 接口：{"items_path": …, "fields": {…}}'),
    )
    intranet = models.BooleanField(
        _("内网源"), default=False, help_text=_("允许访问内网/本机地址（仅管理员确认的内部源）")
    )
    respect_robots = models.BooleanField(_("遵守 robots.txt"), default=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    # A push source belongs to one user: everything pushed with that user's tokens is stored under it,
    # whatever "source" the items name (kept on each item as Item.origin).
    push_user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="push_source",
        verbose_name=_("推送账号"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    # Fetch state (conditional GET and content hash), persisted between polls.
    etag = models.CharField(max_length=500, blank=True, default="")
    last_modified = models.CharField(max_length=200, blank=True, default="")
    content_hash = models.CharField(max_length=64, blank=True, default="")
    fetch_extra = models.JSONField(default=dict, blank=True)

    # Scheduling: the database holds the truth; a poll is claimed with a conditional UPDATE.
    next_poll_at = models.DateTimeField(_("下次采集"), default=timezone.now, db_index=True)
    claimed_at = models.DateTimeField(_("领取时间"), null=True, blank=True)

    # Health.
    last_polled_at = models.DateTimeField(_("最近采集"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("最近成功"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True, default="")
    last_error_at = models.DateTimeField(_("最近出错"), null=True, blank=True)
    failing_since = models.DateTimeField(_("连续失败起始"), null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(_("连续失败次数"), default=0)
    last_status = models.CharField(_("最近结果"), max_length=32, blank=True, default="")
    last_new_items = models.PositiveIntegerField(_("最近新增"), default=0)

    class Meta:
        verbose_name = _("监测源")
        verbose_name_plural = _("监测源")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.kind != SourceKind.WEBHOOK and not self.url.strip():
            errors["url"] = "除推送类型外，必须填写地址"
        fetched_over_http = self.kind in {SourceKind.RSS, SourceKind.HTML, SourceKind.JSONAPI}
        if fetched_over_http and self.url and not self.url.lower().startswith(("http://", "https://")):
            errors["url"] = "地址必须以 http:// 或 https:// 开头"
        if self.kind == SourceKind.HTML and not (self.options or {}).get("link_selector"):
            errors["options"] = '网页列表类型需要 {"link_selector": "CSS 选择器"}'
        if not isinstance(self.headers, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in (self.headers or {}).items()
        ):
            errors["headers"] = '请求头必须是 {"名称": "值"} 形式的 JSON 对象'
        if not isinstance(self.options, dict):
            errors["options"] = "采集选项必须是 JSON 对象"
        if errors:
            raise ValidationError(errors)

    @property
    def is_failing(self) -> bool:
        return self.consecutive_failures > 0

    @property
    def polls(self) -> bool:
        """Webhook sources are pushed to; every other kind is polled."""
        return self.kind != SourceKind.WEBHOOK

    def backoff(self) -> timedelta:
        """Delay before the next poll after ``consecutive_failures`` failures (exponential, capped)."""
        if self.consecutive_failures <= 0:
            return timedelta(seconds=self.poll_interval)
        seconds = self.poll_interval * 2 ** min(self.consecutive_failures, 16)
        return timedelta(seconds=min(seconds, max(settings.POLL_MAX_BACKOFF, self.poll_interval)))

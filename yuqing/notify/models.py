"""Notifications: the in-app bell, channel configurations, personal preferences, the delivery log and the
duty roster (值班表). The channels themselves live in :mod:`yuqing.notify.channels`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yuqing import vocab

LEVEL_CHOICES = [(code, label) for code, label in vocab.SEVERITIES.items()]


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("接收人"),
    )
    title = models.CharField(_("标题"), max_length=300)
    body = models.TextField(_("内容"), blank=True, default="")
    link = models.CharField(_("链接"), max_length=300, blank=True, default="")
    alert = models.ForeignKey(
        "events.Alert", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    # The case the message is about: who may read title and body is decided again when it is shown.
    # A plain number, not a foreign key: notify sits below cases.
    case_id = models.PositiveBigIntegerField(_("案件编号"), null=True, blank=True)
    # What the message asks of its recipient, when it is a task (待签发, 待审批, 核实任务…): a key such as
    # ``cases.situationreport:12:sign`` set by the app that owns the task, which closes it (``closed_at``)
    # when the task is done or no longer possible (:func:`yuqing.notify.services.notifications_close`).
    subject = models.CharField(_("待办事项"), max_length=100, blank=True, default="", db_index=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_task(self) -> bool:
        return bool(self.subject)

    @property
    def pending(self) -> bool:
        """Still waiting for its reader: unread, and (for a task) not yet done."""
        return self.read_at is None and self.closed_at is None


class ChannelKind(models.TextChoices):
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信网关")
    WECOM = "wecom", _("企业微信群机器人")
    DINGTALK = "dingtalk", _("钉钉群机器人")
    WEBHOOK = "webhook", _("通用 Webhook（HMAC 签名）")


# Personal channels reach each recipient at their own address; group channels post once to a group.
PERSONAL_KINDS = frozenset({ChannelKind.EMAIL, ChannelKind.SMS})
SETTINGS_HELP = (
    'JSON。电子邮件：{"subject_prefix": "【舆情预警】"}（服务器取自 YUQING_EMAIL_*）；'
    '企业微信：{"url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"}；'
    '钉钉：{"url": "https://oapi.dingtalk.com/robot/send?access_token=…", "secret": "SEC…"}；'
    '通用 Webhook：{"url": "http://…", "secret": "…"}；'
    '短信网关：{"url": "http://…", "method": "POST", "body_template": '
    '"{\\"mobile\\": \\"{phone}\\", \\"content\\": \\"{text}\\"}", '
    '"content_type": "application/json", "headers": {}, "success_keyword": ""}。'
    '群机器人可加 "mention_all_from": "major"（该等级及以上 @所有人）。'
)


class ChannelConfig(models.Model):
    """One configured outbound channel. ``settings`` are checked per kind in :meth:`clean`."""

    kind = models.CharField(_("类型"), max_length=20, choices=ChannelKind.choices)
    name = models.CharField(_("名称"), max_length=100, unique=True)
    enabled = models.BooleanField(_("启用"), default=True)
    min_level = models.CharField(
        _("最低等级"),
        max_length=20,
        choices=LEVEL_CHOICES,
        default="general",
        help_text=_("低于此等级的消息不经此渠道发送"),
    )
    settings = models.JSONField(_("参数"), default=dict, blank=True, help_text=SETTINGS_HELP)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("通知渠道")
        verbose_name_plural = _("通知渠道")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(enabled=True, kind__in=sorted(PERSONAL_KINDS)),
                name="one_enabled_personal_channel_per_kind",
                violation_error_message="同一类型的个人渠道（邮件、短信）只能启用一个",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}）"

    @property
    def is_group(self) -> bool:
        return self.kind not in PERSONAL_KINDS

    def clean(self) -> None:
        from yuqing.notify.channels import channel_class

        if self.kind not in ChannelKind.values:
            return  # the field's own choices check reports it
        errors = channel_class(self.kind).validate(self.settings)
        if errors:
            raise ValidationError({"settings": errors})

    def masked_settings(self) -> dict[str, Any]:
        """``settings`` with secrets hidden, for the audit trail and API (URLs of bots carry tokens)."""
        from yuqing.notify.channels.base import mask_settings

        return mask_settings(self.settings)


class NotificationPreference(models.Model):
    """How one person wants to be reached. In-app is always on (it is the record); email and SMS follow
    these choices, quiet hours and the minimum level — except 重大 and 特别重大, which always go through."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("用户"),
    )
    by_email = models.BooleanField(_("接收邮件"), default=True)
    by_sms = models.BooleanField(_("接收短信"), default=True)
    quiet_start = models.TimeField(_("免打扰开始"), null=True, blank=True, help_text=_("如 22:00；可跨午夜"))
    quiet_end = models.TimeField(_("免打扰结束"), null=True, blank=True, help_text=_("如 07:00"))
    min_level = models.CharField(
        _("最低等级"),
        max_length=20,
        choices=LEVEL_CHOICES,
        default="general",
        help_text=_("重大及以上总会送达"),
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("通知偏好")
        verbose_name_plural = _("通知偏好")

    def __str__(self) -> str:
        return f"{self.user} 的通知偏好"

    def clean(self) -> None:
        if (self.quiet_start is None) != (self.quiet_end is None):
            missing = "quiet_end" if self.quiet_end is None else "quiet_start"
            raise ValidationError({missing: "免打扰开始与结束须同时填写，或都不填"})
        if self.quiet_start is not None and self.quiet_start == self.quiet_end:
            raise ValidationError({"quiet_end": "免打扰结束时间不能与开始时间相同"})


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    SUPPRESSED = "suppressed", _("未发送（免打扰/偏好）")


class Delivery(models.Model):
    """One message to one recipient (or one group) over one channel: the delivery log. State-driven: the
    sender claims pending rows whose ``next_attempt_at`` is due; failures back off until ``failed``."""

    kind = models.CharField(_("渠道类型"), max_length=20)
    channel = models.ForeignKey(
        ChannelConfig,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("渠道"),
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("接收人"),
        help_text=_("群渠道为空"),
    )
    address = models.CharField(_("地址"), max_length=300, blank=True, default="")
    title = models.CharField(_("标题"), max_length=300)
    body = models.TextField(_("内容"), blank=True, default="")
    link = models.CharField(_("链接"), max_length=300, blank=True, default="")
    level = models.CharField(_("等级"), max_length=20, choices=LEVEL_CHOICES, default="general")
    alert = models.ForeignKey(
        "events.Alert", on_delete=models.SET_NULL, null=True, blank=True, related_name="deliveries"
    )
    case_id = models.PositiveBigIntegerField(_("案件编号"), null=True, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("失败原因"), blank=True, default="")
    response = models.CharField(_("应答摘要"), max_length=300, blank=True, default="")
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("发送开始"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("投递记录")
        verbose_name_plural = _("投递记录")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]

    def __str__(self) -> str:
        who = self.recipient or self.channel or self.kind
        return f"{self.title[:40]} → {who}（{self.get_status_display()}）"

    @property
    def kind_label(self) -> str:
        return str(
            dict(ChannelKind.choices).get(self.kind, "站内通知" if self.kind == "inapp" else self.kind)
        )

    @property
    def tone(self) -> str:
        """The delivery log's colour class: ``ok`` when sent, ``bad`` when it failed for good."""
        return {DeliveryStatus.SENT: "ok", DeliveryStatus.FAILED: "bad"}.get(DeliveryStatus(self.status), "")

    @property
    def retry_pending(self) -> bool:
        """Still waiting to be sent, with the time of the next attempt known."""
        return self.status == DeliveryStatus.PENDING and self.next_attempt_at is not None


class DutyShift(models.Model):
    """A 值班 shift: ``person`` is on duty from ``start`` until ``end``; they get the first page."""

    person = models.ForeignKey(
        "org.Person", on_delete=models.PROTECT, related_name="duty_shifts", verbose_name=_("值班人员")
    )
    start = models.DateTimeField(_("开始"), db_index=True)
    end = models.DateTimeField(_("结束"), db_index=True)
    note = models.CharField(_("备注"), max_length=200, blank=True, default="")
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("值班班次")
        verbose_name_plural = _("值班表")
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")),
                name="duty_shift_ends_after_it_starts",
                violation_error_message="值班结束时间必须晚于开始时间",
            )
        ]

    def __str__(self) -> str:
        start, end = timezone.localtime(self.start), timezone.localtime(self.end)
        return f"{self.person} {start:%m-%d %H:%M}–{end:%m-%d %H:%M}"

    def clean(self) -> None:
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": "值班结束时间必须晚于开始时间"})
        if self.start and self.end and (self.end - self.start).days > 7:
            raise ValidationError({"end": "一个班次不能超过 7 天：请分成多个班次"})

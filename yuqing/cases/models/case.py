"""The case (处置案件) and what every stage shares: transitions, deadlines, signatures, attachments."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from yuqing import vocab
from yuqing.cases import vocab as cv

SEVERITY_CHOICES = list(vocab.SEVERITIES.items())
STATE_CHOICES = list(cv.STATES.items())
FINDING_CHOICES = list(cv.FINDINGS.items())


def confidentiality_choices() -> list[tuple[int, str]]:
    return list(enumerate(settings.CONFIDENTIALITY_LEVELS))


class ProcedureSettings(models.Model):
    """Time limits of the procedure, by severity where the plan makes them depend on it. One row."""

    verify_hours_general = models.PositiveIntegerField(_("核实时限·一般/较大(小时)"), default=24)
    verify_hours_major = models.PositiveIntegerField(_("核实时限·重大及以上(小时)"), default=2)
    report_hours_general = models.PositiveIntegerField(_("核实后首报时限·一般/较大(小时)"), default=24)
    report_hours_major = models.PositiveIntegerField(_("核实后首报时限·重大及以上(小时)"), default=1)
    oral_followup_hours = models.PositiveIntegerField(_("口头报告后补报书面报告时限(小时)"), default=24)
    plan_hours = models.PositiveIntegerField(_("报告后应对方案报批时限(小时)"), default=4)
    tracking_hours = models.PositiveIntegerField(_("后期跟踪期(小时)"), default=72)
    first_response_hours = models.PositiveIntegerField(_("重大及以上首次权威回应时限(小时)"), default=5)
    press_conference_hours = models.PositiveIntegerField(_("重大及以上新闻发布会时限(小时)"), default=24)
    auto_open_level = models.CharField(
        _("预警自动立案起点"),
        max_length=20,
        choices=[("", "不自动立案"), *SEVERITY_CHOICES[1:]],
        default="significant",
        blank=True,
        help_text=_("达到该等级的预警自动立案（状态为“发现”），由应急办通报事发科室"),
    )
    reopen_growth = models.PositiveIntegerField(
        _("重新启动阈值·跟踪期新增信息数"), default=10, help_text=_("跟踪期内事件新增信息达到该数即重新启动")
    )
    reopen_negative_share = models.FloatField(
        _("重新启动阈值·新增负面占比"), default=0.6, help_text=_("且新增信息中负面占比不低于该值（0–1）")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("处置时限设置")
        verbose_name_plural = _("处置时限设置")

    def __str__(self) -> str:
        return "处置时限设置"

    def clean(self) -> None:
        if not 0 <= self.reopen_negative_share <= 1:
            raise ValidationError({"reopen_negative_share": "须在 0 到 1 之间"})

    @classmethod
    def current(cls) -> ProcedureSettings:
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj

    @staticmethod
    def is_major(severity: str) -> bool:
        return vocab.SEVERITY_ORDER.index(severity) >= vocab.SEVERITY_ORDER.index("major")

    def verify_within(self, severity: str) -> timedelta:
        return timedelta(
            hours=self.verify_hours_major if self.is_major(severity) else self.verify_hours_general
        )

    def report_within(self, severity: str) -> timedelta:
        return timedelta(
            hours=self.report_hours_major if self.is_major(severity) else self.report_hours_general
        )


class Case(models.Model):
    """One 涉税舆情事件 being handled, from discovery to 结案 (一案一档)."""

    title = models.CharField(_("案件名称"), max_length=300)
    description = models.TextField(_("舆情线索"), blank=True, default="")
    severity = models.CharField(_("舆情等级"), max_length=20, choices=SEVERITY_CHOICES, default="general")
    state = models.CharField(_("状态"), max_length=20, choices=STATE_CHOICES, default=cv.NEW, db_index=True)
    finding = models.CharField(_("事实认定"), max_length=20, choices=FINDING_CHOICES, default="pending")
    confidentiality = models.PositiveSmallIntegerField(_("密级"), default=0)
    event = models.ForeignKey(
        "events.Event",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("舆情事件"),
    )
    alert = models.ForeignKey(
        "events.Alert",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("来源预警"),
    )
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("事发科室"),
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("立案人"),
    )
    opened_at = models.DateTimeField(_("立案时间"))
    state_changed_at = models.DateTimeField(_("状态变更时间"))
    verified_at = models.DateTimeField(_("核实完成时间"), null=True, blank=True)
    tracking_until = models.DateTimeField(_("跟踪截止"), null=True, blank=True)
    tracking_baseline = models.JSONField(_("跟踪起点的事件规模"), default=dict, blank=True)
    restarts = models.PositiveSmallIntegerField(_("重新启动次数"), default=0)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("处置案件")
        verbose_name_plural = _("处置案件")
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return f"案件{self.pk}：{self.title}"

    @property
    def confidentiality_label(self) -> str:
        levels = settings.CONFIDENTIALITY_LEVELS
        return levels[min(self.confidentiality, len(levels) - 1)]

    @property
    def state_label(self) -> str:
        return cv.STATES.get(self.state, self.state)

    @property
    def found_true(self) -> bool:
        """The finding is 属实 or 部分属实 (the handling branch: guide, disclose, hold to account)."""
        return self.finding in cv.TRUE_FINDINGS

    @property
    def found_false(self) -> bool:
        """The finding is 失实 (the handling branch: clarify, control the source)."""
        return self.finding == cv.FINDING_FALSE


class CaseTransition(models.Model):
    """One state change, written by ``case_transition`` only; the timeline's backbone. Never edited."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(_("原状态"), max_length=20, choices=STATE_CHOICES)
    to_state = models.CharField(_("新状态"), max_length=20, choices=STATE_CHOICES)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    reason = models.TextField(_("说明"), blank=True, default="")
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("状态变更")
        verbose_name_plural = _("状态变更")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"


class DeadlineStatus(models.TextChoices):
    """A deadline's status, derived from its timestamps (not stored)."""

    OPEN = "open", _("进行中")
    MET = "met", _("按时完成")
    LATE = "late", _("超期完成")
    MISSED = "missed", _("已超期")
    CANCELLED = "cancelled", _("已取消")


class Deadline(models.Model):
    """A time limit of the procedure: created, met or cancelled by the service that owns the step; a
    periodic sweep marks it missed (迟报/超期) and records that for accountability (三(五))."""

    KINDS = {
        "verification": "核实",
        "first_report": "首次情况报告",
        "written_followup": "口头报告后补报书面报告",
        "response_plan": "应对方案报批",
        "handling": "处置措施",
        "first_response": "首次权威回应",
        "press_conference": "新闻发布会",
        "guidance": "舆论引导任务",
        "tracking": "后期跟踪期满",
    }
    REPORTING = frozenset({"first_report", "written_followup"})

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="deadlines")
    kind = models.CharField(_("类型"), max_length=30, choices=list(KINDS.items()))
    title = models.CharField(_("事项"), max_length=300)
    object_type = models.CharField(max_length=100, blank=True, default="")
    object_id = models.CharField(max_length=64, blank=True, default="")
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("责任科室"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("责任人"),
    )
    created_at = models.DateTimeField(_("设定时间"))
    due_at = models.DateTimeField(_("截止时间"), db_index=True)
    met_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    missed_at = models.DateTimeField(_("判定超期时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("时限")
        verbose_name_plural = _("时限")
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["met_at", "cancelled_at", "due_at"], name="deadline_open")]

    def __str__(self) -> str:
        return f"{self.title}（{self.due_at:%m-%d %H:%M}前）"

    @property
    def status(self) -> DeadlineStatus:
        if self.cancelled_at:
            return DeadlineStatus.CANCELLED
        if self.met_at:
            return DeadlineStatus.LATE if self.met_at > self.due_at else DeadlineStatus.MET
        return DeadlineStatus.MISSED if self.missed_at else DeadlineStatus.OPEN

    @property
    def status_label(self) -> str:
        return str(DeadlineStatus(self.status).label)

    @property
    def overdue(self) -> bool:
        """Missed, or met late (shown in red)."""
        return self.status in (DeadlineStatus.MISSED, DeadlineStatus.LATE)


SIGNED_KINDS = {
    "cases.situationreport": "情况报告",
    "cases.responseplan": "应对方案",
    "releases.release": "信息发布稿",
}


class Signature(models.Model):
    """签发: who signed which content, when, in which role, and the SHA-256 of the signed content.

    The content itself is kept as signed (``content``), so the frozen text can be re-hashed any time."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="signatures")
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("签发人")
    )
    signer_label = models.CharField(_("签发人"), max_length=150)
    role = models.CharField(_("签发身份"), max_length=30)
    purpose = models.CharField(_("签发事项"), max_length=50, default="签发")
    signed_at = models.DateTimeField(_("签发时间"))
    content = models.JSONField(_("签发内容"))
    content_hash = models.CharField(_("内容哈希(SHA-256)"), max_length=64)

    class Meta:
        verbose_name = _("签发记录")
        verbose_name_plural = _("签发记录")
        ordering = ["signed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["object_type", "object_id", "purpose"], name="signature_once_per_purpose"
            )
        ]

    def __str__(self) -> str:
        return f"{self.signer_label} {self.purpose} {self.object_label}"

    @property
    def object_label(self) -> str:
        """What was signed, in words: 情况报告 #2."""
        return f"{SIGNED_KINDS.get(self.object_type, self.object_type)} #{self.object_id}"


class Attachment(models.Model):
    """Evidence (证据材料): stored under ``var/attachments`` (outside the web root), served by a view that
    checks the reader may see the case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    verification = models.ForeignKey(
        "cases.VerificationTask", on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    name = models.CharField(_("文件名"), max_length=200)
    kind = models.CharField(_("类型"), max_length=20)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("大小(字节)"))
    sha256 = models.CharField(max_length=64)
    path = models.CharField(max_length=300)
    description = models.CharField(_("说明"), max_length=300, blank=True, default="")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("上传人")
    )
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        verbose_name = _("证据附件")
        verbose_name_plural = _("证据附件")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name

"""情况报告 (二(三)): versions 初报/续报/终报, written (signed) or oral (with a written follow-up due),
at one of four levels, level by level. A report is never deleted, only superseded."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yuqing.cases import vocab as cv
from yuqing.cases.models.case import Case


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SIGNED = "signed", _("已签发")
    ORAL = "oral", _("已口头报告")
    SUPERSEDED = "superseded", _("已被替代")


class SituationReport(models.Model):
    Status = ReportStatus
    STATUSES = dict(ReportStatus.choices)
    # A report that was given: signed in writing, reported orally, or given and later superseded.
    GIVEN = (ReportStatus.SIGNED, ReportStatus.ORAL, ReportStatus.SUPERSEDED)

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(_("报告类别"), max_length=20, choices=list(cv.REPORT_KINDS.items()))
    mode = models.CharField(
        _("报告方式"), max_length=20, choices=list(cv.REPORT_MODES.items()), default="written"
    )
    level = models.CharField(_("报告层级"), max_length=20, choices=list(cv.REPORT_LEVELS.items()))
    skip_level = models.BooleanField(_("越级上报"), default=False)
    skip_reason = models.TextField(_("越级理由"), blank=True, default="")
    status = models.CharField(
        _("状态"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    title = models.CharField(_("标题"), max_length=300)
    # The elements the plan requires (vocab.REPORT_ELEMENTS).
    occurred_at = models.DateTimeField(_("时间"), null=True, blank=True)
    place = models.CharField(_("地点"), max_length=300, blank=True, default="")
    people = models.TextField(_("人物"), blank=True, default="")
    cause = models.TextField(_("事件起因"), blank=True, default="")
    nature = models.TextField(_("性质"), blank=True, default="")
    scale = models.TextField(_("规模"), blank=True, default="")
    course = models.TextField(_("基本过程"), blank=True, default="")
    harm = models.TextField(_("已造成的危害"), blank=True, default="")
    scope = models.TextField(_("影响范围"), blank=True, default="")
    info_source = models.TextField(_("信息来源"), blank=True, default="")
    current_state = models.TextField(_("舆情现状"), blank=True, default="")
    trend_judgement = models.TextField(_("未来走势判断"), blank=True, default="")
    handling_so_far = models.TextField(_("目前处置情况"), blank=True, default="")
    development_trend = models.TextField(_("事态发展趋势"), blank=True, default="")
    next_steps = models.TextField(_("下一步工作建议"), blank=True, default="")
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("签发人"),
    )
    # Oral reports (口头报告): who told whom, when; a written report must follow.
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("报告人"),
    )
    reported_to = models.CharField(_("报告对象"), max_length=200, blank=True, default="")
    reported_at = models.DateTimeField(_("报告时间"), null=True, blank=True)
    follows_up = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followups",
        verbose_name=_("补报的口头报告"),
    )
    supersedes = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("替代的报告"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("起草人")
    )
    created_at = models.DateTimeField(_("起草时间"))
    signed_at = models.DateTimeField(_("签发时间"), null=True, blank=True)
    content_hash = models.CharField(_("签发内容哈希"), max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("情况报告")
        verbose_name_plural = _("情况报告")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def frozen(self) -> bool:
        return self.status != ReportStatus.DRAFT

    @property
    def status_label(self) -> str:
        return str(ReportStatus(self.status).label)

    def element_values(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in cv.REPORT_ELEMENTS}

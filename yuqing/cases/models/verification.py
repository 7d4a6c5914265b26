"""初步核实 (二(二)): the task the office sends the 事发科室, and what the department records."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yuqing.cases import vocab as cv
from yuqing.cases.models.case import FINDING_CHOICES, Case


class VerificationStatus(models.TextChoices):
    OPEN = "open", _("待核实")
    SUBMITTED = "submitted", _("已提交")
    CANCELLED = "cancelled", _("已撤销")


class VerificationTask(models.Model):
    Status = VerificationStatus
    STATUSES = dict(VerificationStatus.choices)

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="verifications")
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        related_name="verification_tasks",
        verbose_name=_("事发科室"),
    )
    instructions = models.TextField(_("通报内容与核实要求"), blank=True, default="")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("通报人")
    )
    assigned_at = models.DateTimeField(_("通报时间"))
    due_at = models.DateTimeField(_("核实时限"))
    status = models.CharField(
        _("状态"), max_length=20, choices=VerificationStatus.choices, default=VerificationStatus.OPEN
    )
    basic_facts = models.TextField(_("基本情况"), blank=True, default="")
    cause = models.TextField(_("产生原因"), blank=True, default="")
    consequences = models.TextField(_("造成后果"), blank=True, default="")
    proposed_handling = models.TextField(_("处置意见"), blank=True, default="")
    finding = models.CharField(
        _("事实认定"), max_length=20, choices=FINDING_CHOICES, default=cv.FINDING_PENDING
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("填报人"),
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("核实任务")
        verbose_name_plural = _("核实任务")
        ordering = ["assigned_at", "id"]

    def __str__(self) -> str:
        return f"{self.department}核实：{self.case.title}"

    @property
    def is_submitted(self) -> bool:
        return self.status == VerificationStatus.SUBMITTED

    @property
    def status_label(self) -> str:
        return str(VerificationStatus(self.status).label)

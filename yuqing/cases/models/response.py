"""应急响应 and after (二(四)–(六)): the response plan, handling actions, accountability, source control,
coordination with outside agencies, and the evaluation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yuqing.cases import vocab as cv
from yuqing.cases.models.case import Case


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审批")
    APPROVED = "approved", _("已批准")
    RETURNED = "returned", _("已退回")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class ResponsePlan(models.Model):
    """应对方案: drafted by the office, approved (or returned with comments) by 组长/副组长; the approved
    version is frozen (its hash is on the approval's Signature). A returned plan is redrafted as a new
    version, so every version the group saw stays on file."""

    Status = PlanStatus
    STATUSES = dict(PlanStatus.choices)

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="plans")
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    status = models.CharField(_("状态"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    summary = models.TextField(_("处置意见与总体思路"), blank=True, default="")
    # [{"measure": str, "owner_id": int, "owner": str, "due_at": iso str}] — validated by the service.
    measures = models.JSONField(_("措施"), default=list, blank=True)
    resources = models.TextField(_("所需资源"), blank=True, default="")
    task_force = models.TextField(_("临时工作组"), blank=True, default="")
    on_site = models.BooleanField(_("派员赴事发地"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("起草人")
    )
    created_at = models.DateTimeField(_("起草时间"))
    submitted_at = models.DateTimeField(_("报批时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审批人"),
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    comments = models.TextField(_("审批意见"), blank=True, default="")
    content_hash = models.CharField(_("批准内容哈希"), max_length=64, blank=True, default="")
    launched_at = models.DateTimeField(_("启动时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("应对方案")
        verbose_name_plural = _("应对方案")
        ordering = ["case", "version"]
        constraints = [models.UniqueConstraint(fields=["case", "version"], name="plan_version_unique")]

    def __str__(self) -> str:
        return f"应对方案第{self.version}版"

    @property
    def status_label(self) -> str:
        return str(self.STATUSES[self.status])


class HandlingAction(models.Model):
    """One handling measure (应急处置) as a task with an owner and a deadline."""

    KINDS = {
        "guidance": "主动引导/平衡舆论",
        "disclosure": "公开事实、回应关切",
        "clarification": "澄清事实",
        "source_control": "源头控制",
        "rectification": "整改",
        "other": "其他",
    }
    Status = ActionStatus
    STATUSES = dict(ActionStatus.choices)

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(_("类型"), max_length=20, choices=list(KINDS.items()))
    title = models.CharField(_("措施"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("责任人")
    )
    due_at = models.DateTimeField(_("完成时限"))
    status = models.CharField(
        _("状态"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    result = models.TextField(_("完成情况"), blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("布置人")
    )
    created_at = models.DateTimeField(_("布置时间"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("处置措施")
        verbose_name_plural = _("处置措施")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == ActionStatus.OPEN


class AccountabilityRecord(models.Model):
    """问责 (二(五), 三(五)): who, which responsibility, why, what was decided."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="accountability")
    person = models.ForeignKey(
        "org.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("责任人"),
    )
    person_name = models.CharField(_("责任人姓名"), max_length=50)
    responsibility = models.CharField(_("责任类型"), max_length=20, choices=list(cv.RESPONSIBILITIES.items()))
    reason = models.TextField(_("事由"))
    decision = models.TextField(_("处理决定"), blank=True, default="")
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("记录人"),
        help_text=_("空：系统自动记录（如迟报）"),
    )
    recorded_at = models.DateTimeField(_("记录时间"))
    # Set when the record was raised automatically, e.g. for a late report (迟报).
    deadline = models.ForeignKey(
        "cases.Deadline", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("问责记录")
        verbose_name_plural = _("问责记录")
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.person_name}：{self.get_responsibility_display()}"


class SourceControlRequest(models.Model):
    """源头控制: a takedown or correction request to the first publisher or a platform."""

    KINDS = {"takedown": "删除/屏蔽", "correction": "更正", "label": "加注辟谣标签", "other": "其他"}
    OUTCOMES = {
        "pending": "待答复",
        "done": "已处理",
        "partly": "部分处理",
        "refused": "拒绝",
        "no_answer": "无答复",
    }

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="source_requests")
    agency = models.ForeignKey(
        "org.ExternalAgency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("对象单位"),
    )
    target = models.CharField(_("对象（首发网站/平台）"), max_length=200)
    url = models.URLField(_("信息链接"), max_length=500, blank=True, default="")
    contact = models.CharField(_("联系人及方式"), max_length=200, blank=True, default="")
    kind = models.CharField(_("请求类型"), max_length=20, choices=list(KINDS.items()))
    request = models.TextField(_("请求内容"))
    requested_at = models.DateTimeField(_("请求时间"))
    answer = models.TextField(_("对方答复"), blank=True, default="")
    outcome = models.CharField(_("结果"), max_length=20, choices=list(OUTCOMES.items()), default="pending")
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人")
    )

    class Meta:
        verbose_name = _("源头控制请求")
        verbose_name_plural = _("源头控制请求")
        ordering = ["requested_at", "id"]

    def __str__(self) -> str:
        return f"{self.target}：{self.get_kind_display()}"


class CoordinationLog(models.Model):
    """协调配合: a contact with an outside agency or website — who, when, what was asked, outcome."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="coordination")
    agency = models.ForeignKey(
        "org.ExternalAgency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("单位"),
    )
    counterpart = models.CharField(_("对方单位/网站"), max_length=200)
    contact_person = models.CharField(_("对方联系人"), max_length=100, blank=True, default="")
    contacted_at = models.DateTimeField(_("联系时间"))
    channel = models.CharField(
        _("方式"), max_length=50, blank=True, default="", help_text=_("电话、公函、面谈……")
    )
    request = models.TextField(_("商请事项"))
    outcome = models.TextField(_("结果"), blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人")
    )

    class Meta:
        verbose_name = _("协调记录")
        verbose_name_plural = _("协调记录")
        ordering = ["contacted_at", "id"]

    def __str__(self) -> str:
        return f"{self.counterpart} {self.contacted_at:%Y-%m-%d}"


class Evaluation(models.Model):
    """评估报告 (二(六)): submitted to the working group; required before 结案."""

    FIELDS = {
        "cause": "起因",
        "nature": "性质",
        "impact": "影响",
        "responsibility": "责任",
        "lessons": "经验教训",
        "improvements": "整改措施",
    }

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="evaluation")
    cause = models.TextField(_("起因"), blank=True, default="")
    nature = models.TextField(_("性质"), blank=True, default="")
    impact = models.TextField(_("影响"), blank=True, default="")
    responsibility = models.TextField(_("责任"), blank=True, default="")
    lessons = models.TextField(_("经验教训"), blank=True, default="")
    improvements = models.TextField(_("整改措施"), blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("起草人")
    )
    created_at = models.DateTimeField(_("起草时间"))
    submitted_at = models.DateTimeField(_("提交工作组时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("评估报告")
        verbose_name_plural = _("评估报告")

    def __str__(self) -> str:
        return f"评估报告：{self.case}"

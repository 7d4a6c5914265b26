"""监测方案, 舆情事件, 严重程度阈值, 预警规则与预警."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from yuqing import vocab
from yuqing.analysis.plans import PlanError, compile_plan

SEVERITY_CHOICES = list(vocab.SEVERITIES.items())
PHASE_CHOICES = list(vocab.PHASES.items())
#: Below this many items an event's hourly curve says nothing: the page shows "信息过少", not 发酵.
MIN_PHASE_ITEMS = 3
_WORD_SPLIT = re.compile(r"[\s,，、;；|]+")


def split_words(text: str) -> list[str]:
    return [w for w in _WORD_SPLIT.split(text or "") if w]


class MonitoringPlan(models.Model):
    """A 监测方案: word groups (地域/主体/事件/排除) and/or an advanced expression."""

    name = models.CharField(_("方案名称"), max_length=100, unique=True)
    description = models.CharField(_("说明"), max_length=300, blank=True, default="")
    region_words = models.TextField(_("地域词"), blank=True, default="", help_text=_("空格、逗号或顿号分隔"))
    subject_words = models.TextField(_("主体词"), blank=True, default="")
    event_words = models.TextField(_("事件词"), blank=True, default="")
    exclude_words = models.TextField(_("排除词"), blank=True, default="")
    expression = models.TextField(
        _("高级表达式"),
        blank=True,
        default="",
        help_text=_(
            '支持 AND / OR / NOT、括号、"短语"、税务局 NEAR/10 打人、title: content: author: source:'
        ),
    )
    enabled = models.BooleanField(_("启用"), default=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("监测方案")
        verbose_name_plural = _("监测方案")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def compile(self):  # -> CompiledPlan

        return compile_plan(
            region=split_words(self.region_words),
            subject=split_words(self.subject_words),
            event=split_words(self.event_words),
            exclude=split_words(self.exclude_words),
            expression=self.expression,
            name=self.name,
        )

    def clean(self) -> None:
        try:
            self.compile()
        except PlanError as exc:
            field = "expression" if self.expression.strip() else "subject_words"
            raise ValidationError({field: str(exc)}) from None


class Event(models.Model):
    """A 舆情事件: items about one story, clustered online; its numbers are refreshed as members arrive."""

    key = models.CharField(_("聚类编号"), max_length=64, unique=True)
    title = models.CharField(_("标题"), max_length=300)
    first_item = models.ForeignKey(
        "items.Item",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("首发信息"),
    )
    first_publisher = models.CharField(_("首发者"), max_length=300, blank=True, default="")
    first_reason = models.CharField(_("首发判定依据"), max_length=300, blank=True, default="")
    size = models.PositiveIntegerField(_("信息数"), default=0)
    duplicates = models.PositiveIntegerField(_("转载数"), default=0)
    sites = models.PositiveIntegerField(_("站点数"), default=0)
    engagement = models.PositiveBigIntegerField(_("互动量"), default=0)
    media_types = models.JSONField(_("媒体类型分布"), default=dict, blank=True)
    hourly = models.JSONField(_("小时量"), default=list, blank=True)
    sentiment = models.JSONField(_("情感分布"), default=dict, blank=True)
    categories = models.JSONField(_("类别分布"), default=dict, blank=True)
    hot_words = models.JSONField(_("热词"), default=list, blank=True)
    phase = models.CharField(_("态势"), max_length=16, choices=PHASE_CHOICES, default="emerging")
    velocity = models.FloatField(_("增速"), default=0.0)
    severity = models.CharField(
        _("等级"), max_length=20, choices=SEVERITY_CHOICES, default="general", db_index=True
    )
    severity_rank = models.PositiveSmallIntegerField(default=0, db_index=True)
    score = models.FloatField(_("严重程度得分"), default=0.0)
    factors = models.JSONField(_("得分因素"), default=list, blank=True)
    level_rule = models.CharField(_("定级规则说明"), max_length=300, blank=True, default="")
    propagation = models.JSONField(_("传播路径"), default=dict, blank=True)
    first_at = models.DateTimeField(_("最早发布"), null=True, blank=True)
    last_at = models.DateTimeField(_("最近发布"), null=True, blank=True, db_index=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("已并入")
    )
    # Set in the clustering transaction, cleared by the refresh: a worker killed between the two leaves
    # the event marked, and the next pass refreshes it (and raises its alerts).
    needs_refresh = models.BooleanField(_("待重新计算"), default=False, db_index=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    created_at = models.DateTimeField(_("发现时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("舆情事件")
        verbose_name_plural = _("舆情事件")
        ordering = ["-severity_rank", "-score", "-last_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def phase_label(self) -> str:
        """The phase in words; an event of fewer than :data:`MIN_PHASE_ITEMS` items has no trend to read."""
        if self.size < MIN_PHASE_ITEMS:
            return "信息过少"
        return self.get_phase_display()


class ClusterState(models.Model):
    """The online clusterer's serialised state (one writer at a time, under the analysis lease)."""

    name = models.CharField(max_length=50, unique=True)
    state = models.BinaryField()
    items_seen = models.PositiveBigIntegerField(default=0)
    generation = models.PositiveIntegerField(_("事件编号代次"), default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("聚类状态")
        verbose_name_plural = _("聚类状态")

    def __str__(self) -> str:
        return self.name


class Lease(models.Model):
    """A lease on work that must run on one worker at a time, across processes and machines (the analysis
    pipeline: the clusterer is sequential). Taken with a conditional UPDATE while free or expired, renewed
    by its holder before each write, so a killed holder blocks the work only until ``expires_at``."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    holder = models.CharField(_("持有者"), max_length=200, blank=True, default="")
    acquired_at = models.DateTimeField(_("取得时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("到期时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("任务租约")
        verbose_name_plural = _("任务租约")

    def __str__(self) -> str:
        return f"{self.name}: {self.holder or '空闲'}"


class SeveritySettings(models.Model):
    """Score thresholds of the levels above 一般 (0–100), editable by administrators."""

    significant = models.FloatField(_("较大(Ⅲ级)起点"), default=40.0)
    major = models.FloatField(_("重大(Ⅱ级)起点"), default=60.0)
    especially_major = models.FloatField(_("特别重大(Ⅰ级)起点"), default=80.0)
    ack_minutes = models.PositiveIntegerField(_("较大及以上预警的确认时限(分钟)"), default=30)
    min_negative_share = models.FloatField(
        _("升至较大及以上所需的负面占比(本局设置)"),
        default=0.5,
        help_text=_(
            "0–1。事件中负面信息占比低于此值时，等级不高于一般（群体性、突发性事件除外）。"
            "预案二(一)监控的是“批评性舆论”和造成“负面影响”的舆情，正面或中性的报道再多也不是应急事件。"
        ),
    )
    min_sites_not_local = models.PositiveSmallIntegerField(
        _("未涉及本地时升至较大所需的站点数(本局设置)"),
        default=2,
        help_text=_(
            "未点名本局、也未提到本地的事件，只见于少于此数的站点时等级不高于一般。"
            "预案适用于“对铁门关税务局各项工作造成重大负面影响的涉税舆情”。"
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("等级阈值")
        verbose_name_plural = _("等级阈值")

    def __str__(self) -> str:
        return f"较大≥{self.significant} 重大≥{self.major} 特别重大≥{self.especially_major}"

    def clean(self) -> None:
        if not 0 < self.significant < self.major < self.especially_major <= 100:
            raise ValidationError("阈值必须满足 0 < 较大 < 重大 < 特别重大 ≤ 100")
        if not 0 <= self.min_negative_share <= 1:
            raise ValidationError({"min_negative_share": "负面占比须在 0 到 1 之间"})

    @classmethod
    def current(cls) -> SeveritySettings:
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


class AlertRule(models.Model):
    """When an event raises an alert: at or above a level, in given categories, matched by a plan, or
    growing fast (a spike). Every condition given must hold."""

    name = models.CharField(_("规则名称"), max_length=100, unique=True)
    enabled = models.BooleanField(_("启用"), default=True)
    min_severity = models.CharField(
        _("最低等级"), max_length=20, choices=SEVERITY_CHOICES, default="significant"
    )
    categories = models.JSONField(
        _("类别(任一)"), default=list, blank=True, help_text='如 ["mass_incident"]；空表示不限'
    )
    plan = models.ForeignKey(
        MonitoringPlan, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("命中监测方案")
    )
    spike_velocity = models.FloatField(
        _("突增倍数"),
        null=True,
        blank=True,
        help_text=_("近 1 小时量 / 此前 12 小时小时均量 ≥ 该值；空表示不限"),
    )
    min_size = models.PositiveIntegerField(_("最少信息数"), default=1)

    class Meta:
        verbose_name = _("预警规则")
        verbose_name_plural = _("预警规则")

    def __str__(self) -> str:
        return self.name


class EscalationContact(models.Model):
    """The default escalation chain (值班人员 first). Frozen onto each alert when it is raised."""

    position = models.PositiveSmallIntegerField(_("顺序"), unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, verbose_name=_("人员"))
    note = models.CharField(_("职责"), max_length=100, blank=True, default="")

    class Meta:
        verbose_name = _("预警升级链")
        verbose_name_plural = _("预警升级链")
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.position}. {self.user}"


class AlertState(models.TextChoices):
    """Where an alert stands. Written only by ``yuqing.events.alerts`` (raise, acknowledge, escalate,
    settle, re-arm); ``acknowledged_at``, ``chain_position`` and ``ack_deadline`` keep the details."""

    OPEN = "open", _("待确认")
    ESCALATED = "escalated", _("已升级，待确认")
    ACKNOWLEDGED = "acknowledged", _("已确认")
    CLOSED = "closed", _("随案件结案")


# Alerts still waiting for someone to acknowledge them (they may escalate).
UNACKNOWLEDGED = (AlertState.OPEN, AlertState.ESCALATED)


class Alert(models.Model):
    """One alert per event and level. At 较大 and above it must be acknowledged before its deadline, or it
    escalates to the next person of the chain frozen on it."""

    State = AlertState

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="alerts", verbose_name=_("事件"))
    level = models.CharField(_("等级"), max_length=20, choices=SEVERITY_CHOICES)
    rule = models.ForeignKey(
        AlertRule, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("规则")
    )
    reason = models.TextField(_("触发原因"))
    created_at = models.DateTimeField(_("预警时间"), auto_now_add=True)
    ack_deadline = models.DateTimeField(_("确认时限"), null=True, blank=True, db_index=True)
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    chain = models.JSONField(_("升级链(用户ID)"), default=list)
    chain_position = models.PositiveSmallIntegerField(_("当前责任人序号"), default=0)
    escalations = models.JSONField(_("升级记录"), default=list, blank=True)
    state = models.CharField(
        _("状态"), max_length=20, choices=AlertState.choices, default=AlertState.OPEN, db_index=True
    )

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["event", "level"], name="one_alert_per_event_level")]

    def __str__(self) -> str:
        return f"[{self.get_level_display()}] {self.event}"


class LabelCorrection(models.Model):
    """A staff correction of an analysis label; corrections are training examples for `yuqing train`."""

    FIELDS = [("tax_related", "是否涉税"), ("categories", "类别"), ("sentiment", "情感")]
    item = models.ForeignKey("items.Item", on_delete=models.CASCADE, related_name="corrections")
    field = models.CharField(_("字段"), max_length=20, choices=FIELDS)
    old_value = models.JSONField(_("原值"), null=True)
    new_value = models.JSONField(_("新值"))
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    created_at = models.DateTimeField(_("更正时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("标签更正")
        verbose_name_plural = _("标签更正")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.item_id}.{self.field}: {self.old_value} → {self.new_value}"

"""监测方案, 舆情事件, 严重程度阈值, 预警规则与预警."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

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

    name = models.CharField("方案名称", max_length=100, unique=True)
    description = models.CharField("说明", max_length=300, blank=True, default="")
    region_words = models.TextField("地域词", blank=True, default="", help_text="空格、逗号或顿号分隔")
    subject_words = models.TextField("主体词", blank=True, default="")
    event_words = models.TextField("事件词", blank=True, default="")
    exclude_words = models.TextField("排除词", blank=True, default="")
    expression = models.TextField(
        "高级表达式",
        blank=True,
        default="",
        help_text='支持 AND / OR / NOT、括号、"短语"、税务局 NEAR/10 打人、title: content: author: source:',
    )
    enabled = models.BooleanField("启用", default=True)
    is_demo = models.BooleanField("演示数据", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "监测方案"
        verbose_name_plural = "监测方案"
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

    key = models.CharField("聚类编号", max_length=64, unique=True)
    title = models.CharField("标题", max_length=300)
    first_item = models.ForeignKey(
        "items.Item",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="首发信息",
    )
    first_publisher = models.CharField("首发者", max_length=300, blank=True, default="")
    first_reason = models.CharField("首发判定依据", max_length=300, blank=True, default="")
    size = models.PositiveIntegerField("信息数", default=0)
    duplicates = models.PositiveIntegerField("转载数", default=0)
    sites = models.PositiveIntegerField("站点数", default=0)
    engagement = models.PositiveBigIntegerField("互动量", default=0)
    media_types = models.JSONField("媒体类型分布", default=dict, blank=True)
    hourly = models.JSONField("小时量", default=list, blank=True)
    sentiment = models.JSONField("情感分布", default=dict, blank=True)
    categories = models.JSONField("类别分布", default=dict, blank=True)
    hot_words = models.JSONField("热词", default=list, blank=True)
    phase = models.CharField("态势", max_length=16, choices=PHASE_CHOICES, default="emerging")
    velocity = models.FloatField("增速", default=0.0)
    severity = models.CharField(
        "等级", max_length=20, choices=SEVERITY_CHOICES, default="general", db_index=True
    )
    severity_rank = models.PositiveSmallIntegerField(default=0, db_index=True)
    score = models.FloatField("严重程度得分", default=0.0)
    factors = models.JSONField("得分因素", default=list, blank=True)
    level_rule = models.CharField("定级规则说明", max_length=300, blank=True, default="")
    propagation = models.JSONField("传播路径", default=dict, blank=True)
    first_at = models.DateTimeField("最早发布", null=True, blank=True)
    last_at = models.DateTimeField("最近发布", null=True, blank=True, db_index=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="已并入"
    )
    # Set in the clustering transaction, cleared by the refresh: a worker killed between the two leaves
    # the event marked, and the next pass refreshes it (and raises its alerts).
    needs_refresh = models.BooleanField("待重新计算", default=False, db_index=True)
    is_demo = models.BooleanField("演示数据", default=False)
    created_at = models.DateTimeField("发现时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "舆情事件"
        verbose_name_plural = "舆情事件"
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
    generation = models.PositiveIntegerField("事件编号代次", default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "聚类状态"
        verbose_name_plural = "聚类状态"

    def __str__(self) -> str:
        return self.name


class Lease(models.Model):
    """A lease on work that must run on one worker at a time, across processes and machines (the analysis
    pipeline: the clusterer is sequential). Taken with a conditional UPDATE while free or expired, renewed
    by its holder before each write, so a killed holder blocks the work only until ``expires_at``."""

    name = models.CharField("名称", max_length=50, unique=True)
    holder = models.CharField("持有者", max_length=200, blank=True, default="")
    acquired_at = models.DateTimeField("取得时间", null=True, blank=True)
    expires_at = models.DateTimeField("到期时间", null=True, blank=True)

    class Meta:
        verbose_name = "任务租约"
        verbose_name_plural = "任务租约"

    def __str__(self) -> str:
        return f"{self.name}: {self.holder or '空闲'}"


class SeveritySettings(models.Model):
    """Score thresholds of the levels above 一般 (0–100), editable by administrators."""

    significant = models.FloatField("较大(Ⅲ级)起点", default=40.0)
    major = models.FloatField("重大(Ⅱ级)起点", default=60.0)
    especially_major = models.FloatField("特别重大(Ⅰ级)起点", default=80.0)
    ack_minutes = models.PositiveIntegerField("较大及以上预警的确认时限(分钟)", default=30)
    min_negative_share = models.FloatField(
        "升至较大及以上所需的负面占比(本局设置)",
        default=0.5,
        help_text="0–1。事件中负面信息占比低于此值时，等级不高于一般（群体性、突发性事件除外）。"
        "预案二(一)监控的是“批评性舆论”和造成“负面影响”的舆情，正面或中性的报道再多也不是应急事件。",
    )
    min_sites_not_local = models.PositiveSmallIntegerField(
        "未涉及本地时升至较大所需的站点数(本局设置)",
        default=2,
        help_text="未点名本局、也未提到本地的事件，只见于少于此数的站点时等级不高于一般。"
        "预案适用于“对铁门关税务局各项工作造成重大负面影响的涉税舆情”。",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "等级阈值"
        verbose_name_plural = "等级阈值"

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

    name = models.CharField("规则名称", max_length=100, unique=True)
    enabled = models.BooleanField("启用", default=True)
    min_severity = models.CharField(
        "最低等级", max_length=20, choices=SEVERITY_CHOICES, default="significant"
    )
    categories = models.JSONField(
        "类别(任一)", default=list, blank=True, help_text='如 ["mass_incident"]；空表示不限'
    )
    plan = models.ForeignKey(
        MonitoringPlan, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="命中监测方案"
    )
    spike_velocity = models.FloatField(
        "突增倍数", null=True, blank=True, help_text="近 1 小时量 / 此前 12 小时小时均量 ≥ 该值；空表示不限"
    )
    min_size = models.PositiveIntegerField("最少信息数", default=1)

    class Meta:
        verbose_name = "预警规则"
        verbose_name_plural = "预警规则"

    def __str__(self) -> str:
        return self.name


class EscalationContact(models.Model):
    """The default escalation chain (值班人员 first). Frozen onto each alert when it is raised."""

    position = models.PositiveSmallIntegerField("顺序", unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, verbose_name="人员")
    note = models.CharField("职责", max_length=100, blank=True, default="")

    class Meta:
        verbose_name = "预警升级链"
        verbose_name_plural = "预警升级链"
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.position}. {self.user}"


class AlertState(models.TextChoices):
    """Where an alert stands. Written only by ``yuqing.events.alerts`` (raise, acknowledge, escalate,
    settle, re-arm); ``acknowledged_at``, ``chain_position`` and ``ack_deadline`` keep the details."""

    OPEN = "open", "待确认"
    ESCALATED = "escalated", "已升级，待确认"
    ACKNOWLEDGED = "acknowledged", "已确认"
    CLOSED = "closed", "随案件结案"


# Alerts still waiting for someone to acknowledge them (they may escalate).
UNACKNOWLEDGED = (AlertState.OPEN, AlertState.ESCALATED)


class Alert(models.Model):
    """One alert per event and level. At 较大 and above it must be acknowledged before its deadline, or it
    escalates to the next person of the chain frozen on it."""

    State = AlertState

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="alerts", verbose_name="事件")
    level = models.CharField("等级", max_length=20, choices=SEVERITY_CHOICES)
    rule = models.ForeignKey(AlertRule, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="规则")
    reason = models.TextField("触发原因")
    created_at = models.DateTimeField("预警时间", auto_now_add=True)
    ack_deadline = models.DateTimeField("确认时限", null=True, blank=True, db_index=True)
    acknowledged_at = models.DateTimeField("确认时间", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    chain = models.JSONField("升级链(用户ID)", default=list)
    chain_position = models.PositiveSmallIntegerField("当前责任人序号", default=0)
    escalations = models.JSONField("升级记录", default=list, blank=True)
    state = models.CharField(
        "状态", max_length=20, choices=AlertState.choices, default=AlertState.OPEN, db_index=True
    )

    class Meta:
        verbose_name = "预警"
        verbose_name_plural = "预警"
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["event", "level"], name="one_alert_per_event_level")]

    def __str__(self) -> str:
        return f"[{self.get_level_display()}] {self.event}"


class LabelCorrection(models.Model):
    """A staff correction of an analysis label; corrections are training examples for `yuqing train`."""

    FIELDS = [("tax_related", "是否涉税"), ("categories", "类别"), ("sentiment", "情感")]
    item = models.ForeignKey("items.Item", on_delete=models.CASCADE, related_name="corrections")
    field = models.CharField("字段", max_length=20, choices=FIELDS)
    old_value = models.JSONField("原值", null=True)
    new_value = models.JSONField("新值")
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    created_at = models.DateTimeField("更正时间", auto_now_add=True)

    class Meta:
        verbose_name = "标签更正"
        verbose_name_plural = "标签更正"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.item_id}.{self.field}: {self.old_value} → {self.new_value}"

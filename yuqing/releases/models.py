"""信息发布 (二(五), 三(四)): releases with 保密审查 and 签发, the 统一口径 library, 舆论引导 tasks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

KINDS = {
    "press_release": "新闻通稿",
    "situation": "情况通报",
    "response": "回应",
    "policy": "政策解读",
}
# Kinds whose publication is the case's first authoritative response (首次权威回应).
RESPONSE_KINDS = frozenset({"press_release", "situation", "response"})
CHANNELS = {
    "website": "官网",
    "weibo": "官方微博",
    "wechat": "微信公众号",
    "press_conference": "新闻发布会",
    "interview": "媒体采访",
}


class ReleaseStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待保密审查")
    REVIEWED = "reviewed", _("已通过保密审查，待签发")
    SIGNED = "signed", _("已签发，待发布")
    PUBLISHED = "published", _("已发布")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


STATUSES = dict(ReleaseStatus.choices)
# The reviewer's checklist (三(四) 严格信息发布审批程序和保密审查): every item must be confirmed to pass.
CHECKLIST = {
    "no_state_secrets": "不含国家秘密和工作秘密",
    "no_taxpayer_privacy": "不含纳税人涉税隐私（姓名、识别号、申报与纳税信息等）",
    "facts_verified": "所述事实已经核实",
    "consistent_with_points": "口径与统一口径一致",
    "no_unpublished_info": "不含未经公开的税收信息",
}
REVIEW_RESULTS = {"pass": "通过", "return": "退回修改"}
TASK_STATUSES = dict(TaskStatus.choices)


class TalkingPoint(models.Model):
    """统一口径: one version of the approved points on a topic. A new version of a topic replaces the
    previous one from its ``valid_from``; old versions stay on file."""

    topic = models.CharField(_("主题"), max_length=100, db_index=True)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    text = models.TextField(_("口径内容"))
    key_terms = models.JSONField(
        _("关键词"),
        default=list,
        blank=True,
        help_text=_("核对稿件是否采用本口径所看的词；空则由系统自动提取"),
    )
    valid_from = models.DateTimeField(_("生效时间"))
    valid_until = models.DateTimeField(_("失效时间"), null=True, blank=True)
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="talking_points",
        verbose_name=_("关联案件"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("审定人")
    )
    created_at = models.DateTimeField(_("审定时间"))

    class Meta:
        verbose_name = _("统一口径")
        verbose_name_plural = _("统一口径")
        ordering = ["topic", "-version"]
        constraints = [models.UniqueConstraint(fields=["topic", "version"], name="talking_point_version")]

    def __str__(self) -> str:
        return f"{self.topic}（第{self.version}版）"


class Release(models.Model):
    """One draft for publication: written by the office, 保密审查 by a designated reviewer, 签发 by a
    leader, then marked published. The signed text is frozen (``content_hash`` and a cases.Signature)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="releases")
    kind = models.CharField(_("类型"), max_length=20, choices=list(KINDS.items()))
    channel = models.CharField(_("发布渠道"), max_length=20, choices=list(CHANNELS.items()))
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    topics = models.JSONField(_("采用的口径主题"), default=list, blank=True)
    planned_at = models.DateTimeField(_("计划发布时间"), null=True, blank=True)
    Status = ReleaseStatus
    status = models.CharField(
        _("状态"), max_length=20, choices=ReleaseStatus.choices, default=ReleaseStatus.DRAFT
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("起草人")
    )
    created_at = models.DateTimeField(_("起草时间"))
    updated_at = models.DateTimeField(_("修改时间"))
    revision = models.PositiveIntegerField(_("修改次数"), default=1)
    submitted_at = models.DateTimeField(_("送审时间"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("签发人"),
    )
    signed_at = models.DateTimeField(_("签发时间"), null=True, blank=True)
    content_hash = models.CharField(_("签发内容哈希"), max_length=64, blank=True, default="")
    published_url = models.URLField(_("发布地址"), max_length=500, blank=True, default="")
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发布登记人"),
    )

    class Meta:
        verbose_name = _("信息发布")
        verbose_name_plural = _("信息发布")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{KINDS.get(self.kind, self.kind)}：{self.title}"

    @property
    def status_label(self) -> str:
        return str(STATUSES[self.status])

    @property
    def is_draft(self) -> bool:
        return self.status == ReleaseStatus.DRAFT

    @property
    def is_published(self) -> bool:
        return self.status == ReleaseStatus.PUBLISHED

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)

    @property
    def channel_label(self) -> str:
        return CHANNELS.get(self.channel, self.channel)


class SecrecyReview(models.Model):
    """保密审查 record: who reviewed which revision, when, the checklist answers and the result."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="reviews")
    revision = models.PositiveIntegerField(_("审查的稿件版次"))
    content_hash = models.CharField(_("审查内容哈希"), max_length=64)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("审查人")
    )
    reviewed_at = models.DateTimeField(_("审查时间"))
    checklist = models.JSONField(_("审查清单"))
    result = models.CharField(_("结论"), max_length=10, choices=list(REVIEW_RESULTS.items()))
    comments = models.TextField(_("审查意见"), blank=True, default="")
    # Talking-point coverage the reviewer saw: [{"id", "topic", "version", "share", "used", "contradicted"}]
    coverage = models.JSONField(_("口径核对"), default=list, blank=True)

    class Meta:
        verbose_name = _("保密审查记录")
        verbose_name_plural = _("保密审查记录")
        ordering = ["reviewed_at", "id"]

    def __str__(self) -> str:
        return f"保密审查（{REVIEW_RESULTS.get(self.result, self.result)}）"

    @property
    def result_label(self) -> str:
        return REVIEW_RESULTS.get(self.result, self.result)

    @property
    def checklist_rows(self) -> list[tuple[str, bool]]:
        return [(label, bool(self.checklist.get(key))) for key, label in CHECKLIST.items()]


class GuidanceTask(models.Model):
    """舆论引导 task for a 税收评论员 / 网络宣传员: which points to use, where, by when."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="guidance_tasks")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("承办人")
    )
    instructions = models.TextField(_("引导要求"), blank=True, default="")
    where = models.CharField(_("发声平台/位置"), max_length=300)
    talking_points = models.ManyToManyField(
        TalkingPoint, blank=True, related_name="+", verbose_name=_("口径")
    )
    due_at = models.DateTimeField(_("完成时限"))
    Status = TaskStatus
    status = models.CharField(_("状态"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("布置人")
    )
    created_at = models.DateTimeField(_("布置时间"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("舆论引导任务")
        verbose_name_plural = _("舆论引导任务")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"引导任务：{self.where}"

    @property
    def status_label(self) -> str:
        return str(TASK_STATUSES[self.status])

    @property
    def is_open(self) -> bool:
        return self.status == TaskStatus.OPEN

    @property
    def is_done(self) -> bool:
        return self.status == TaskStatus.DONE


class GuidancePost(models.Model):
    """What a commentator posted for a task (URL, time)."""

    task = models.ForeignKey(GuidanceTask, on_delete=models.CASCADE, related_name="posts")
    url = models.URLField(_("帖文地址"), max_length=500)
    platform = models.CharField(_("平台"), max_length=100, blank=True, default="")
    posted_at = models.DateTimeField(_("发布时间"))
    note = models.TextField(_("说明"), blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )
    recorded_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("引导发帖记录")
        verbose_name_plural = _("引导发帖记录")
        ordering = ["posted_at", "id"]

    def __str__(self) -> str:
        return self.url

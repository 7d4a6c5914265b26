"""舆情信息 (collected items)."""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yuqing import vocab
from yuqing.core.choices import MEDIA_TYPE_CHOICES

SENTIMENT_CHOICES = list(vocab.SENTIMENTS.items())


class ItemStage(models.TextChoices):
    """Where an item stands in the pipeline; background work is driven by this field."""

    STORED = "stored", _("已入库")
    ANALYZED = "analyzed", _("已分析")
    CLUSTERED = "clustered", _("已聚类")


class Item(models.Model):
    source = models.ForeignKey(
        "sources.Source", on_delete=models.PROTECT, related_name="items", verbose_name=_("监测源")
    )
    url = models.CharField(_("原始链接"), max_length=2000)
    canonical_url = models.CharField(_("规范链接"), max_length=2000, unique=True)
    host = models.CharField(_("站点"), max_length=255, db_index=True)
    title = models.CharField(_("标题"), max_length=500)
    content = models.TextField(_("正文"))
    author = models.CharField(_("作者"), max_length=200, blank=True, default="")
    published_at = models.DateTimeField(_("发布时间"), db_index=True)
    published_at_known = models.BooleanField(_("发布时间来自信源"), default=True)
    fetched_at = models.DateTimeField(_("采集时间"))
    media_type = models.CharField(_("媒体类型"), max_length=32, choices=MEDIA_TYPE_CHOICES, db_index=True)
    # The site or account the item reports as its origin ("source" of a pushed record, 来源 of an export
    # row). A pushed item belongs to its pusher's source; this is only what the record says.
    origin = models.CharField(_("报称来源"), max_length=200, blank=True, default="")
    # Up to MAX_COUNT (10^12; yuqing.sources.fetchers.records): 30亿 views are real and exceed int32.
    reposts = models.PositiveBigIntegerField(_("转发数"), null=True, blank=True)
    comments = models.PositiveBigIntegerField(_("评论数"), null=True, blank=True)
    likes = models.PositiveBigIntegerField(_("点赞数"), null=True, blank=True)
    views = models.PositiveBigIntegerField(_("阅读数"), null=True, blank=True)
    raw = models.JSONField(_("原始数据(证据)"), default=dict, blank=True)
    content_hash = models.CharField(_("内容指纹"), max_length=64, db_index=True)
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
        verbose_name=_("重复于(最早副本)"),
    )
    # Pre-segmented text (jieba search mode) that the full-text index is built over:
    # SQLite FTS5 external-content table, or a generated tsvector column on PostgreSQL.
    search_text = models.TextField(default="", editable=False)
    stage = models.CharField(max_length=16, choices=ItemStage.choices, default=ItemStage.STORED)

    # Analysis (see yuqing.analysis.analyze): filled when the item leaves the "stored" stage.
    tax_related = models.BooleanField(_("涉税"), null=True, blank=True, db_index=True)
    relevance = models.FloatField(_("涉税相关度"), null=True, blank=True)
    # Multi-label, stored as ",code,code," so one LIKE filter works on SQLite and PostgreSQL alike.
    categories = models.CharField(_("类别"), max_length=200, blank=True, default="")
    sentiment = models.CharField(_("情感"), max_length=10, choices=SENTIMENT_CHOICES, blank=True, default="")
    negative_score = models.FloatField(_("负面度"), null=True, blank=True)
    matched_plans = models.JSONField(_("命中方案"), default=list, blank=True)
    explanation = models.JSONField(_("分析依据"), default=dict, blank=True)
    model_version = models.CharField(_("模型版本"), max_length=40, blank=True, default="")
    analyzed_at = models.DateTimeField(_("分析时间"), null=True, blank=True)
    event = models.ForeignKey(
        "events.Event",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="items",
        verbose_name=_("所属事件"),
    )
    is_demo = models.BooleanField(_("演示数据"), default=False)
    created_at = models.DateTimeField(_("入库时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("舆情信息")
        verbose_name_plural = _("舆情信息")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["source", "-id"], name="item_source_recent"),
            models.Index(fields=["stage", "id"], name="item_stage"),
            models.Index(fields=["source", "fetched_at"], name="item_source_fetched"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def source_name(self) -> str:
        """The name to show and to analyse as the item's source: what the record reported, else the
        source it was collected from."""
        return self.origin or self.source.name

    @property
    def category_codes(self) -> list[str]:
        return [c for c in self.categories.split(",") if c]

    @property
    def category_labels(self) -> list[str]:
        return [vocab.CATEGORIES.get(c, c) for c in self.category_codes]

    @property
    def engagement(self) -> dict[str, int]:
        return {
            name: value
            for name in ("reposts", "comments", "likes", "views")
            if (value := getattr(self, name)) is not None
        }


class SearchSynonym(models.Model):
    """A group of search synonyms the office added (本局设置), beside the built-in tax list
    (``items/data/tax_synonyms.txt``). Written only by ``items.synonyms`` services, audited."""

    terms = models.CharField(
        _("同义词"), max_length=500, help_text=_("两个或以上的词，用空格或顿号分隔，如：个税 个人所得税")
    )
    note = models.CharField(_("说明"), max_length=200, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("添加人"),
    )
    created_at = models.DateTimeField(_("添加时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("检索同义词")
        verbose_name_plural = _("检索同义词")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.terms

    @property
    def term_list(self) -> list[str]:
        return split_terms(self.terms)


_TERM_SEPARATORS = re.compile(r"[\s,，、;；/|]+")


def split_terms(text: str) -> list[str]:
    """The distinct terms of a synonym line, in order (spaces, commas, 顿号 or semicolons separate them)."""
    out: list[str] = []
    for term in _TERM_SEPARATORS.split(text or ""):
        term = term.strip()
        if term and term not in out:
            out.append(term)
    return out

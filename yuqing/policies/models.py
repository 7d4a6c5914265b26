"""政策库（解疑释惑）: tax policy documents cited when clarifying a misreading of tax policy."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Validity(models.TextChoices):
    VALID = "valid", _("全文有效")
    PARTIALLY_VALID = "partially_valid", _("部分有效")
    CLAUSES_REPEALED = "clauses_repealed", _("条款失效")
    REPEALED = "repealed", _("失效")


class PolicyDocument(models.Model):
    """One policy document. Identity for imports is (title, issued_on): re-importing updates it."""

    title = models.CharField(_("标题"), max_length=300)
    doc_number = models.CharField(_("文号"), max_length=100, blank=True, default="")
    issuer = models.CharField(_("发文机关"), max_length=200, blank=True, default="")
    issued_on = models.DateField(_("发文日期"))
    validity = models.CharField(_("效力"), max_length=20, choices=Validity.choices, default=Validity.VALID)
    text = models.TextField(_("全文"))
    # Title and text segmented by jieba search mode, space-separated with a space at both ends, so a
    # word is found with `contains=" word "` on any database (the library is small: no FTS table).
    search_text = models.TextField(default="", editable=False)
    source = models.CharField(
        _("来源"), max_length=300, blank=True, default="", help_text=_("导入文件或录入方式")
    )
    is_demo = models.BooleanField(_("演示数据"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("录入人"),
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("政策文件")
        verbose_name_plural = _("政策文件")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["title", "issued_on"],
                name="policies_unique_title_date",
                violation_error_message="已有同标题、同发文日期的政策文件",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.doc_number}）" if self.doc_number else self.title

    @property
    def is_repealed(self) -> bool:
        return self.validity == Validity.REPEALED

    def paragraphs(self) -> list[str]:
        return [line.strip() for line in self.text.splitlines() if line.strip()]

"""会商 and the working group's decisions (一(三) "研究、协调、决定涉税舆情应急工作的重大问题", 二(一)
"及时与相关部门会商解决对策", 二(四) "根据舆情应急工作组的处置意见…研究制定应对方案")."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yuqing.cases.models import Case
from yuqing.org.models import ExternalAgency, Person


class ConsultationMeeting(models.Model):
    """One 会商: when, who took part (staff, outside agencies, others by name), on what, and what was
    concluded. Its follow-up actions are :class:`ConsultationAction` rows. Recorded once, not edited:
    a correction is a new 会商 record."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consultations")
    held_at = models.DateTimeField(_("会商时间"))
    topic = models.CharField(_("会商议题"), max_length=200)
    people = models.ManyToManyField(Person, blank=True, related_name="+", verbose_name=_("参会人员"))
    agencies = models.ManyToManyField(
        ExternalAgency, blank=True, related_name="+", verbose_name=_("参会外部单位")
    )
    others = models.CharField(_("其他参会单位/人员"), max_length=300, blank=True, default="")
    conclusions = models.TextField(_("会商结论"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人")
    )
    recorded_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("会商记录")
        verbose_name_plural = _("会商记录")
        ordering = ["-held_at", "-id"]

    def __str__(self) -> str:
        return f"会商：{self.topic}"


class ConsultationAction(models.Model):
    """A follow-up action agreed at a 会商: what, who owns it, by when; done when ``done_at`` is set."""

    meeting = models.ForeignKey(ConsultationMeeting, on_delete=models.CASCADE, related_name="actions")
    text = models.CharField(_("落实事项"), max_length=500)
    owner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("责任人"))
    due_at = models.DateTimeField(_("完成时限"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记完成人"),
    )
    done_note = models.TextField(_("落实情况"), blank=True, default="")

    class Meta:
        verbose_name = _("会商落实事项")
        verbose_name_plural = _("会商落实事项")
        ordering = ["due_at", "id"]

    def __str__(self) -> str:
        return self.text

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    @property
    def done_late(self) -> bool:
        return self.done_at is not None and self.done_at > self.due_at


class DecisionKind(models.TextChoices):
    DISPOSAL_OPINION = "disposal_opinion", _("处置意见（制定应对方案前，二(四)）")
    MAJOR_ISSUE = "major_issue", _("重大问题决定（一(三)）")
    OTHER = "other", _("其他决定")


class GroupDecision(models.Model):
    """A decision of the 舆情应急工作组 on a case: the text, the 组长/副组长 who decided, and when.
    ``recorded_by`` may be the office recording a decision given in a meeting or by phone."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="group_decisions")
    kind = models.CharField(_("决定类别"), max_length=30, choices=DecisionKind.choices)
    text = models.TextField(_("决定内容"))
    decided_by = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("决定人")
    )
    decided_at = models.DateTimeField(_("决定时间"))
    meeting = models.ForeignKey(
        ConsultationMeeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("所在会商"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人")
    )
    recorded_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("工作组决定")
        verbose_name_plural = _("工作组决定")
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"工作组决定：{self.text[:30]}"

    @property
    def kind_label(self) -> str:
        return str(DecisionKind(self.kind).label)

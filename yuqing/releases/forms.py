"""Server-rendered forms of the release pages. They render and collect; the services validate."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yuqing.cases.services.common import ProcedureError
from yuqing.releases.models import CHANNELS, CHECKLIST, KINDS, REVIEW_RESULTS

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def refusal_to_form(form: forms.Form, exc: ProcedureError) -> None:
    """Put a service's refusal on the form: field errors where the field exists, else on the form."""
    placed = False
    for name, message in exc.errors.items():
        if name in form.fields:
            form.add_error(name, message)
            placed = True
    if not placed or any(name not in form.fields for name in exc.errors):
        form.add_error(None, exc.message)


class ReleaseForm(forms.Form):
    kind = forms.ChoiceField(label=_("稿件类型"), choices=list(KINDS.items()))
    channel = forms.ChoiceField(label=_("发布渠道"), choices=list(CHANNELS.items()))
    title = forms.CharField(label=_("标题"), max_length=200)
    body = forms.CharField(label=_("正文"), widget=forms.Textarea(attrs={"rows": 14}))
    topics = forms.MultipleChoiceField(
        label=_("采用的统一口径"), required=False, widget=forms.CheckboxSelectMultiple, choices=[]
    )
    planned_at = forms.CharField(label=_("计划发布时间"), required=False, widget=DATETIME)

    def __init__(self, *args: Any, topics: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topics"].choices = [(t, t) for t in topics]  # type: ignore[attr-defined]


class ReviewForm(forms.Form):
    result = forms.ChoiceField(
        label=_("审查结论"), choices=list(REVIEW_RESULTS.items()), widget=forms.RadioSelect
    )
    comments = forms.CharField(label=_("审查意见"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label in CHECKLIST.items():
            self.fields[f"check_{key}"] = forms.BooleanField(label=label, required=False)

    def checklist(self) -> dict[str, bool]:
        return {key: bool(self.cleaned_data.get(f"check_{key}")) for key in CHECKLIST}

    def checklist_fields(self) -> list[forms.BoundField]:
        return [self[f"check_{key}"] for key in CHECKLIST]


class PublishForm(forms.Form):
    url = forms.CharField(label=_("发布地址（网址）"), max_length=500)
    published_at = forms.CharField(
        label=_("发布时间"), required=False, widget=DATETIME, help_text=_("不填则为当前时间")
    )


class PointForm(forms.Form):
    topic = forms.CharField(label=_("主题"), max_length=100, help_text=_("已有主题将生成新版本"))
    text = forms.CharField(label=_("口径内容"), widget=forms.Textarea(attrs={"rows": 6}))
    key_terms = forms.CharField(
        label=_("关键词"), required=False, help_text=_("用逗号或顿号分隔；不填则由系统从口径内容中提取")
    )
    valid_from = forms.CharField(
        label=_("生效时间"), required=False, widget=DATETIME, help_text=_("不填则立即生效")
    )
    valid_until = forms.CharField(
        label=_("失效时间"), required=False, widget=DATETIME, help_text=_("不填则长期有效")
    )


class TaskForm(forms.Form):
    assignee_id = forms.ChoiceField(label=_("承办人（税收评论员/网络宣传员）"), choices=[])
    where = forms.CharField(label=_("发声平台/位置"), max_length=300)
    instructions = forms.CharField(
        label=_("引导要求"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    talking_point_ids = forms.MultipleChoiceField(
        label=_("使用的口径"), required=False, widget=forms.CheckboxSelectMultiple, choices=[]
    )
    due_at = forms.CharField(
        label=_("完成时限"), required=False, widget=DATETIME, help_text=_("不填则 4 小时内")
    )

    def __init__(self, *args: Any, people: list[tuple[int, str]], points: list[tuple[int, str]], **kw: Any):
        super().__init__(*args, **kw)
        self.fields["assignee_id"].choices = [("", "请选择"), *people]  # type: ignore[attr-defined]
        self.fields["talking_point_ids"].choices = points  # type: ignore[attr-defined]


class PostForm(forms.Form):
    url = forms.CharField(label=_("帖文地址"), max_length=500)
    platform = forms.CharField(label=_("平台"), max_length=100, required=False)
    posted_at = forms.CharField(
        label=_("发帖时间"), required=False, widget=DATETIME, help_text=_("不填则为当前时间")
    )
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    done = forms.BooleanField(label=_("任务已完成"), required=False)

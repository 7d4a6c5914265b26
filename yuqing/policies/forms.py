from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yuqing.policies.models import Validity
from yuqing.policies.parsing import MAX_LENGTHS


class PolicyForm(forms.Form):
    """The page form; checks beyond required/length are the service's (``parsing.clean_policy``)."""

    title = forms.CharField(label=_("标题"), max_length=MAX_LENGTHS["title"])
    doc_number = forms.CharField(
        label=_("文号"),
        max_length=MAX_LENGTHS["doc_number"],
        required=False,
        help_text=_("留空则从标题或正文开头识别"),
    )
    issuer = forms.CharField(
        label=_("发文机关"), max_length=MAX_LENGTHS["issuer"], required=False, help_text=_("留空则从标题识别")
    )
    issued_on = forms.CharField(label=_("发文日期"), help_text=_("如 2018-11-30 或 2018年11月30日"))
    validity = forms.ChoiceField(label=_("效力"), choices=Validity.choices)
    text = forms.CharField(label=_("全文"), widget=forms.Textarea(attrs={"rows": 20}))

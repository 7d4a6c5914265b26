"""Server-rendered forms of the 会商 pages. They render and collect (nothing is required here); the
services validate and name the field in every message."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yuqing.consult.models import DecisionKind
from yuqing.core.errors import ServiceError

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
ACTION_ROWS = 3


def refusal_to_form(form: forms.Form, exc: ServiceError, aliases: dict[str, str] | None = None) -> None:
    """Put a service's refusal on the form: each error on its field (``aliases`` maps a service key to a
    form field), the rest on the form itself."""
    aliases = aliases or {}
    rest = []
    for key, message in exc.errors.items():
        name = aliases.get(key, key)
        if name in form.fields:
            form.add_error(name, message)
        else:
            rest.append(message)
    if rest or not exc.errors:
        form.add_error(None, "；".join(rest) or exc.message)


class MeetingForm(forms.Form):
    held_at = forms.CharField(label=_("会商时间"), required=False, widget=DATETIME)
    topic = forms.CharField(label=_("会商议题"), required=False, max_length=1000)
    people = forms.MultipleChoiceField(
        label=_("参会人员"), required=False, choices=[], widget=forms.SelectMultiple(attrs={"size": 8})
    )
    agencies = forms.MultipleChoiceField(
        label=_("参会外部单位"), required=False, choices=[], widget=forms.CheckboxSelectMultiple
    )
    others = forms.CharField(
        label=_("其他参会单位/人员"), required=False, help_text=_("不在名册中的单位或人员，用顿号分隔")
    )
    conclusions = forms.CharField(
        label=_("会商结论"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args: Any, people: list[tuple[int, str]], agencies: list[tuple[int, str]], **kw: Any):
        super().__init__(*args, **kw)
        self.fields["people"].choices = people  # type: ignore[attr-defined]
        self.fields["agencies"].choices = agencies  # type: ignore[attr-defined]
        for n in range(ACTION_ROWS):
            self.fields[f"action_{n}_text"] = forms.CharField(
                label=_("落实事项 %(n)s") % {"n": n + 1}, required=False
            )
            self.fields[f"action_{n}_owner"] = forms.ChoiceField(
                label=_("责任人"), required=False, choices=[("", "（请选择）"), *people]
            )
            self.fields[f"action_{n}_due"] = forms.CharField(
                label=_("完成时限"), required=False, widget=DATETIME
            )

    def main_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in ("held_at", "topic", "people", "agencies", "others", "conclusions")]

    def action_rows(self) -> list[list[forms.BoundField]]:
        return [[self[f"action_{n}_{p}"] for p in ("text", "owner", "due")] for n in range(ACTION_ROWS)]

    def data_for_service(self) -> dict[str, Any]:
        c = self.cleaned_data
        return {
            "held_at": c["held_at"],
            "topic": c["topic"],
            "people": c["people"],
            "agencies": c["agencies"],
            "others": c["others"],
            "conclusions": c["conclusions"],
            "actions": [
                {
                    "text": c[f"action_{n}_text"],
                    "owner_id": c[f"action_{n}_owner"],
                    "due_at": c[f"action_{n}_due"],
                }
                for n in range(ACTION_ROWS)
            ],
        }

    @staticmethod
    def aliases() -> dict[str, str]:
        out = {}
        for n in range(ACTION_ROWS):
            out[f"actions.{n}.text"] = f"action_{n}_text"
            out[f"actions.{n}.owner"] = f"action_{n}_owner"
            out[f"actions.{n}.due_at"] = f"action_{n}_due"
        return out


class DecisionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("决定类别"), required=False, choices=[("", "（请选择）"), *DecisionKind.choices]
    )
    text = forms.CharField(label=_("决定内容"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    decided_by = forms.ChoiceField(label=_("决定人（组长/副组长）"), required=False, choices=[])
    decided_at = forms.CharField(
        label=_("决定时间"), required=False, widget=DATETIME, help_text=_("不填为当前时间")
    )
    meeting = forms.ChoiceField(label=_("所在会商"), required=False, choices=[])

    def __init__(
        self, *args: Any, deciders: list[tuple[int, str]], meetings: list[tuple[int, str]], **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        self.fields["decided_by"].choices = [("", "（本人）"), *deciders]  # type: ignore[attr-defined]
        self.fields["meeting"].choices = [("", "（不关联）"), *meetings]  # type: ignore[attr-defined]


class CompleteForm(forms.Form):
    note = forms.CharField(label=_("落实情况"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

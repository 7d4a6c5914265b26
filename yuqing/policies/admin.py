"""Create and edit policies in the Django admin; saves go through the service (validation, search
text, audit). Only the system administrator and the office's 主任/副主任 may change the library."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from yuqing.org import access
from yuqing.policies import parsing, services
from yuqing.policies.models import PolicyDocument

EDITORS = frozenset({access.SYSTEM_ADMIN, access.OFFICE_DIRECTOR, access.OFFICE_DEPUTY})


class PolicyForm(forms.ModelForm):
    class Meta:
        model = PolicyDocument
        fields = ("title", "doc_number", "issuer", "issued_on", "validity", "text")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _, errors = parsing.clean_policy({**data, "issued_on": data.get("issued_on") or ""})
        for name, message in errors.items():
            if name in self.fields and name not in self.errors:
                self.add_error(name, message)
        return data


@admin.register(PolicyDocument)
class PolicyDocumentAdmin(admin.ModelAdmin):
    form = PolicyForm
    list_display = ("title", "doc_number", "issuer", "issued_on", "validity", "updated_at")
    list_filter = ("validity", "is_demo")
    search_fields = ("title", "doc_number", "issuer", "text")
    date_hierarchy = "issued_on"
    readonly_fields = ("source", "created_by", "created_at", "updated_at")

    def _may(self, request: HttpRequest, roles: frozenset[str]) -> bool:
        return bool(access.cached_roles(request.user) & roles)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, EDITORS) or super().has_view_permission(request, obj)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may(request, EDITORS) or super().has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._may(request, EDITORS)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, EDITORS)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, frozenset({access.SYSTEM_ADMIN}))

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = {name: form.cleaned_data.get(name) for name in services.EDITABLE}
        target = PolicyDocument.objects.get(pk=obj.pk) if change else PolicyDocument()
        saved = services.policy_save(actor=request.user, policy=target, data=data, source="管理后台")
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.policy_delete(actor=request.user, policy=obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            services.policy_delete(actor=request.user, policy=obj)

"""Admin: only the procedure's time limits. Cases themselves change through the procedure's pages, never
here (an admin edit would bypass the state table, the deadlines and the audit trail)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from yuqing.audit.services import audit_changes, audit_record, audit_snapshot
from yuqing.cases.models import ProcedureSettings


@admin.register(ProcedureSettings)
class ProcedureSettingsAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "verify_hours_major",
        "report_hours_major",
        "tracking_hours",
        "auto_open_level",
    )
    fieldsets = (
        ("立案", {"fields": ("auto_open_level",)}),
        (
            "核实与报告",
            {
                "fields": (
                    "verify_hours_general",
                    "verify_hours_major",
                    "report_hours_general",
                    "report_hours_major",
                    "oral_followup_hours",
                    "plan_hours",
                )
            },
        ),
        ("信息发布", {"fields": ("first_response_hours", "press_conference_hours")}),
        ("后期处置", {"fields": ("tracking_hours", "reopen_growth", "reopen_negative_share")}),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not ProcedureSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ProcedureSettings, form: Any, change: bool) -> None:
        with transaction.atomic():
            before = ProcedureSettings.objects.filter(pk=obj.pk).first() if obj.pk else None
            old = audit_snapshot(before) if before else None
            super().save_model(request, obj, form, change)
            old, new = audit_changes(old, audit_snapshot(obj))
            audit_record(
                actor=request.user,
                action="procedure_settings.change",
                obj=obj,
                old=old,
                new=new,
                request=request,
            )

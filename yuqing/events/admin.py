"""Admin: the alerting settings (rules, the escalation chain, the level thresholds) are edited here, every
save audited; monitoring plans save through :func:`~yuqing.events.services.monitoring_plan_save`.
Events, alerts and label corrections are read-only: an alert is acknowledged and escalated by
:mod:`yuqing.events.alerts`, an event's severity is computed by the analysis, and labels are corrected
on the item's page (``label_correct``) — an admin edit would bypass those rules and the audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from yuqing.audit.admin import AuditedAdmin, ReadOnlyAdmin
from yuqing.events import services
from yuqing.events.models import (
    Alert,
    AlertRule,
    EscalationContact,
    Event,
    LabelCorrection,
    MonitoringPlan,
    SeveritySettings,
)


@admin.register(MonitoringPlan)
class MonitoringPlanAdmin(admin.ModelAdmin):
    """Saved through the service (validation, audit); a plan is switched off (启用), not deleted."""

    list_display = ("name", "enabled", "updated_at")
    list_filter = ("enabled",)
    fields = services.MONITORING_PLAN_FIELDS

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: MonitoringPlan, form: Any, change: bool) -> None:
        current = MonitoringPlan.objects.get(pk=obj.pk) if change else None
        saved = services.monitoring_plan_save(
            actor=request.user, plan=current, data=form.cleaned_data, request=request
        )
        obj.pk = saved.pk


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("title", "severity", "score", "phase", "size", "sites", "last_at")
    list_filter = ("severity", "phase", "is_demo")
    search_fields = ("title",)
    raw_id_fields = ("first_item", "merged_into")


@admin.register(SeveritySettings)
class SeveritySettingsAdmin(AuditedAdmin):
    list_display = ("__str__", "ack_minutes", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not SeveritySettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AlertRule)
class AlertRuleAdmin(AuditedAdmin):
    list_display = ("name", "enabled", "min_severity", "categories", "plan", "spike_velocity", "min_size")


@admin.register(EscalationContact)
class EscalationContactAdmin(AuditedAdmin):
    list_display = ("position", "user", "note")


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ("event", "level", "created_at", "ack_deadline", "acknowledged_at", "chain_position")
    list_filter = ("level",)
    raw_id_fields = ("event",)


@admin.register(LabelCorrection)
class LabelCorrectionAdmin(ReadOnlyAdmin):
    list_display = ("item", "field", "old_value", "new_value", "corrected_by", "created_at")
    list_filter = ("field",)
    raw_id_fields = ("item",)

from django.contrib import admin

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
    list_display = ("name", "enabled", "updated_at")
    list_filter = ("enabled",)


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("title", "severity", "score", "phase", "size", "sites", "last_at")
    list_filter = ("severity", "phase", "is_demo")
    search_fields = ("title",)
    raw_id_fields = ("first_item", "merged_into")
    readonly_fields = ("key", "factors", "propagation", "hourly")


@admin.register(SeveritySettings)
class SeveritySettingsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "ack_minutes", "updated_at")

    def has_add_permission(self, request):
        return not SeveritySettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AlertRule)
class AlertRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "enabled", "min_severity", "categories", "plan", "spike_velocity", "min_size")


@admin.register(EscalationContact)
class EscalationContactAdmin(admin.ModelAdmin):
    list_display = ("position", "user", "note")


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ("event", "level", "created_at", "ack_deadline", "acknowledged_at", "chain_position")
    list_filter = ("level",)
    raw_id_fields = ("event",)
    readonly_fields = ("chain", "escalations")


@admin.register(LabelCorrection)
class LabelCorrectionAdmin(admin.ModelAdmin):
    list_display = ("item", "field", "old_value", "new_value", "corrected_by", "created_at")
    list_filter = ("field",)
    raw_id_fields = ("item",)

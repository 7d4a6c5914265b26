"""Admin: monitored sources; every add, change and delete is audited (``source.create|update|delete``)."""

from django.contrib import admin

from yuqing.audit.admin import AuditedAdmin
from yuqing.sources.models import Source


@admin.register(Source)
class SourceAdmin(AuditedAdmin):
    list_display = (
        "name",
        "kind",
        "media_type",
        "enabled",
        "intranet",
        "poll_interval",
        "last_success_at",
        "consecutive_failures",
        "next_poll_at",
    )
    list_filter = ("kind", "media_type", "enabled", "intranet", "is_demo")
    search_fields = ("name", "url")
    fieldsets = (
        (None, {"fields": ("name", "kind", "url", "media_type", "poll_interval", "enabled")}),
        ("采集设置", {"fields": ("headers", "options", "intranet", "respect_robots")}),
        (
            "健康状况",
            {
                "fields": (
                    "last_polled_at",
                    "last_success_at",
                    "last_status",
                    "last_new_items",
                    "consecutive_failures",
                    "failing_since",
                    "last_error_at",
                    "last_error",
                    "next_poll_at",
                )
            },
        ),
    )
    readonly_fields = (
        "last_polled_at",
        "last_success_at",
        "last_status",
        "last_new_items",
        "consecutive_failures",
        "failing_since",
        "last_error_at",
        "last_error",
    )
    actions = ["poll_now"]

    @admin.action(description="立即采集所选源")
    def poll_now(self, request, queryset):
        from django.utils import timezone

        updated = queryset.update(next_poll_at=timezone.now(), claimed_at=None)
        self.message_user(request, f"已安排 {updated} 个源在一分钟内采集")

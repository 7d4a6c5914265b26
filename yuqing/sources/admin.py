"""Admin: monitored sources; every add, change and delete is audited (``source.create|update|delete``)."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from yuqing.audit.admin import AuditedAdmin
from yuqing.audit.services import audit_record
from yuqing.sources.models import Source
from yuqing.sources.services import HEADER_MASK as MASK
from yuqing.sources.services import headers_fingerprint, masked_headers


class SourceForm(forms.ModelForm):
    """Request headers may carry credentials (Cookie, Authorization): the page shows their names with the
    values masked; a header left as ``***`` keeps its stored value."""

    class Meta:
        model = Source
        fields = (
            "name",
            "kind",
            "url",
            "media_type",
            "poll_interval",
            "enabled",
            "headers",
            "options",
            "intranet",
            "respect_robots",
            "next_poll_at",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        headers = self.instance.headers if self.instance.pk is not None else None
        if isinstance(headers, dict) and "headers" in self.fields:
            self.initial["headers"] = {name: MASK for name in headers}
            self.fields["headers"].help_text = "已保存的请求头的值显示为 ***：保留即沿用原值，填新值即替换。"

    def clean_headers(self) -> Any:
        value = self.cleaned_data.get("headers")
        if self.instance.pk is None or not isinstance(value, dict):
            return value
        stored = Source.objects.filter(pk=self.instance.pk).values_list("headers", flat=True).first()
        stored = stored if isinstance(stored, dict) else {}
        return {name: stored.get(name, v) if v == MASK else v for name, v in value.items()}


@admin.register(Source)
class SourceAdmin(AuditedAdmin):
    form = SourceForm
    audit_exclude = ("headers",)

    def _reload(self, obj: Any) -> dict[str, Any] | None:
        """The audit view of a source: header values masked, plus a keyed fingerprint so a change shows."""
        data = super()._reload(obj)
        if data is not None:
            headers = Source.objects.filter(pk=obj.pk).values_list("headers", flat=True).first() or {}
            data["headers"] = masked_headers(headers)
            data["headers_fingerprint"] = headers_fingerprint(headers)
        return data

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
    def poll_now(self, request: HttpRequest, queryset: Any) -> None:
        now = timezone.now()
        with transaction.atomic():
            sources = list(queryset.select_for_update().order_by("pk"))
            for source in sources:
                old = source.next_poll_at
                Source.objects.filter(pk=source.pk).update(next_poll_at=now, claimed_at=None)
                audit_record(
                    actor=request.user,
                    action="source.poll_now",
                    obj=source,
                    old={"next_poll_at": old.isoformat() if old else None},
                    new={"next_poll_at": now.isoformat()},
                    request=request,
                )
        self.message_user(request, f"已安排 {len(sources)} 个源在一分钟内采集")

"""Admin: channels (with a test action), preferences, the 值班表, and the delivery log (read-only)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.db import transaction
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from yuqing.audit.admin import AuditedAdmin
from yuqing.audit.services import audit_changes, audit_record, audit_snapshot
from yuqing.notify import services
from yuqing.notify.channels.base import mask_settings
from yuqing.notify.confidential import redact_rows
from yuqing.notify.models import (
    ChannelConfig,
    Delivery,
    DeliveryStatus,
    DutyShift,
    Notification,
    NotificationPreference,
)
from yuqing.org.clearance import user_clearance


def _channel_snapshot(obj: ChannelConfig) -> dict[str, Any]:
    """The audit view of a channel: secrets masked, plus a keyed fingerprint so a changed secret shows."""
    data = audit_snapshot(obj, exclude=("settings",))
    raw = json.dumps(obj.settings, sort_keys=True, ensure_ascii=False)
    data["settings"] = obj.masked_settings()
    data["settings_fingerprint"] = salted_hmac("yuqing.notify.channel", raw).hexdigest()[:16]
    return data


def unmask_settings(submitted: Any, stored: dict[str, Any]) -> Any:
    """``submitted`` with every value still shown masked (``***``, a bot URL without its token) replaced
    by the stored secret it stands for: saving the page unchanged keeps the secrets."""
    if not isinstance(submitted, dict):
        return submitted
    merged = dict(submitted)
    for key, value in submitted.items():
        if key in stored and mask_settings({key: stored[key]}).get(key) == value:
            merged[key] = stored[key]
    return merged


class ChannelConfigForm(forms.ModelForm):
    """The page shows the settings masked (secrets, bot tokens in URLs): a secret is never sent to the
    browser. Leave ``***`` to keep a stored secret, or type a new one."""

    class Meta:
        model = ChannelConfig
        fields = ("kind", "name", "enabled", "min_level", "settings")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial["settings"] = self.instance.masked_settings()
            self.fields["settings"].help_text = (
                "密钥与机器人地址中的令牌显示为 ***：保留 *** 即沿用原值，改填新值即替换。"
                + str(self.fields["settings"].help_text)
            )

    def clean_settings(self) -> Any:
        value = self.cleaned_data.get("settings")
        if self.instance.pk is None:
            return value
        stored = ChannelConfig.objects.filter(pk=self.instance.pk).values_list("settings", flat=True).first()
        return unmask_settings(value, stored if isinstance(stored, dict) else {})


@admin.register(ChannelConfig)
class ChannelConfigAdmin(AuditedAdmin):
    form = ChannelConfigForm
    list_display = ("name", "kind", "enabled", "min_level", "updated_at")
    list_filter = ("kind", "enabled")
    search_fields = ("name",)
    actions = ("send_test",)

    def _reload(self, obj: Any) -> dict[str, Any] | None:
        saved = ChannelConfig.objects.filter(pk=obj.pk).first() if obj.pk else None
        return _channel_snapshot(saved) if saved is not None else None

    def _audit_save(self, request: HttpRequest, obj: Any, name: str, before: dict | None) -> None:
        after = _channel_snapshot(obj)
        if before is None:
            audit_record(actor=request.user, action=f"{name}.create", obj=obj, new=after)
            return
        old, new = audit_changes(before, after)
        if old or new:
            audit_record(actor=request.user, action=f"{name}.update", obj=obj, old=old, new=new)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        before, ident, text = _channel_snapshot(obj), obj.pk, str(obj)
        with transaction.atomic():
            obj.delete()
            audit_record(
                actor=request.user,
                action="channelconfig.delete",
                obj=("notify.channelconfig", ident, text),
                old=before,
            )

    @admin.action(description="发送测试消息（个人渠道发给自己）")
    def send_test(self, request: HttpRequest, queryset: Any) -> None:
        for config in queryset:
            try:
                delivery = services.channel_test(config=config, actor=request.user)
            except ValueError as exc:
                self.message_user(request, f"{config.name}：{exc}", messages.ERROR)
                continue
            if delivery.status == DeliveryStatus.SENT:
                self.message_user(request, f"{config.name}：测试消息已发送（{delivery.response}）")
            else:
                self.message_user(
                    request,
                    f"{config.name}：发送失败：{delivery.last_error}（{delivery.get_status_display()}）",
                    messages.ERROR,
                )


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(AuditedAdmin):
    list_display = ("user", "by_email", "by_sms", "quiet_start", "quiet_end", "min_level")
    search_fields = ("user__username", "user__person__name")
    autocomplete_fields = ("user",)


@admin.register(DutyShift)
class DutyShiftAdmin(AuditedAdmin):
    list_display = ("person", "start", "end", "note")
    list_filter = ("person__department",)
    search_fields = ("person__name", "note")
    autocomplete_fields = ("person",)
    date_hierarchy = "start"


class _RedactingChangeList(ChangeList):
    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        self.result_list = redact_rows(self.result_list, clearance=user_clearance(request.user))


class ConfidentialTextAdmin(admin.ModelAdmin):
    """Rows with ``title``/``body``/``case_id``: the text of a case above the viewer's clearance is
    shown redacted, in the list and on the row's page (the system administrator reads the lowest level
    only). Titles are not searchable, so a search cannot tell whether a hidden title contains a word."""

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return _RedactingChangeList

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            redact_rows([obj], clearance=user_clearance(request.user))
        return obj


@admin.register(Delivery)
class DeliveryAdmin(ConfidentialTextAdmin):
    """The delivery log: read-only; failed pushes can be queued again."""

    list_display = ("created_at", "title", "kind", "channel", "recipient", "status", "attempts", "last_error")
    list_filter = ("status", "kind", "level", "channel")
    search_fields = ("recipient__username", "recipient__person__name", "last_error")
    list_select_related = ("channel", "recipient")
    date_hierarchy = "created_at"
    actions = ("requeue",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="重新发送所选的失败/未发送推送")
    def requeue(self, request: HttpRequest, queryset: Any) -> None:
        done = 0
        for delivery in queryset.filter(status__in=[DeliveryStatus.FAILED, DeliveryStatus.SUPPRESSED]):
            if delivery.kind != "inapp":
                services.delivery_retry(delivery=delivery, actor=request.user)
                done += 1
        self.message_user(request, f"已重新排队 {done} 条推送")


@admin.register(Notification)
class NotificationAdmin(ConfidentialTextAdmin):
    list_display = ("created_at", "recipient", "title", "read_at", "closed_at")
    search_fields = ("recipient__username",)
    list_select_related = ("recipient",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # an inbox is evidence that a person was told

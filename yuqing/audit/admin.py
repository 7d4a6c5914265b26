"""Admin: the audit trail, read-only; :class:`AuditedAdmin` for screens whose saves must be audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.http import HttpRequest

from yuqing.audit.models import AuditChainHead, AuditEntry
from yuqing.audit.services import audit_changes, audit_record, audit_snapshot


class AuditedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose every add, change and delete — inlines included — leaves an audit entry
    (``<model_name>.create|update|delete``) in the admin's own transaction."""

    audit_exclude: tuple[str, ...] = ()

    @staticmethod
    def _audit_name(obj: models.Model) -> str:
        return obj._meta.model_name or "object"

    def _reload(self, obj: models.Model) -> dict[str, Any] | None:
        if obj.pk is None:
            return None
        saved = type(obj)._default_manager.filter(pk=obj.pk).first()
        return audit_snapshot(saved, exclude=self.audit_exclude) if saved is not None else None

    def _audit_save(self, request: HttpRequest, obj: models.Model, name: str, before: dict | None) -> None:
        # Read back as stored, like ``before``: the form's values (local-time datetimes) would otherwise
        # show as changed when only their spelling differs.
        after = self._reload(obj) or audit_snapshot(obj, exclude=self.audit_exclude)
        if before is None:
            audit_record(actor=request.user, action=f"{name}.create", obj=obj, new=after)
            return
        old, new = audit_changes(before, after)
        if old or new:
            audit_record(actor=request.user, action=f"{name}.update", obj=obj, old=old, new=new)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = self._reload(obj) if change else None
        super().save_model(request, obj, form, change)
        self._audit_save(request, obj, self._audit_name(obj), before)

    @staticmethod
    def _related_ids(obj: models.Model) -> dict[str, list[Any]]:
        return {
            field.name: sorted(getattr(obj, field.name).values_list("pk", flat=True))
            for field in obj._meta.many_to_many
        }

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Many-to-many fields (a user's groups and permissions) are saved after the row: audited here."""
        obj = form.instance
        before = self._related_ids(obj)
        if not change:
            before = {name: [] for name in before}
        super().save_related(request, form, formsets, change)
        old, new = audit_changes(before, self._related_ids(obj))
        if old or new:
            action = f"{self._audit_name(obj)}.update"
            audit_record(actor=request.user, action=action, obj=obj, old=old, new=new)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        before = audit_snapshot(obj, exclude=self.audit_exclude)
        ident, text = obj.pk, str(obj)
        with transaction.atomic():
            super().delete_model(request, obj)
            audit_record(
                actor=request.user,
                action=f"{self._audit_name(obj)}.delete",
                obj=(obj._meta.label_lower, ident, text),
                old=before,
            )

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            removed = audit_snapshot(obj)
            ident, text = obj.pk, str(obj)
            obj.delete()
            audit_record(
                actor=request.user,
                action=f"{self._audit_name(obj)}.delete",
                obj=(obj._meta.label_lower, ident, text),
                old=removed,
            )
        for obj in instances:
            before = self._reload(obj)
            obj.save()
            self._audit_save(request, obj, self._audit_name(obj), before)
        formset.save_m2m()


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Number, time, actor, action and object only: the content (names and values) is read on the audit
    page, which shows it by the reader's 密级 (yuqing.audit.redaction); nor can it be searched here."""

    list_display = ("seq", "at", "actor_label", "action", "object_type", "object_id", "ip")
    list_filter = ("action", "object_type")
    search_fields = ("actor_label", "object_id", "request_id")
    date_hierarchy = "at"
    exclude = ("object_repr", "old", "new")
    readonly_fields = ("content",)

    @admin.display(description="内容")
    def content(self, obj: AuditEntry) -> str:
        return "对象名称、原值和新值请在“审计记录”页查看（涉及案件的按密级显示）"


@admin.register(AuditChainHead)
class AuditChainHeadAdmin(ReadOnlyAdmin):
    list_display = ("seq", "hash", "updated_at")

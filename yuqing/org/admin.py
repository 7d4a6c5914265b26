"""Admin screens for the organisation. Every save is audited (:class:`~yuqing.audit.admin.AuditedAdmin`)."""

from __future__ import annotations

from typing import Any

from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.admin import AccessFailureLogAdmin as AxesAccessFailureLogAdmin
from axes.admin import AccessLogAdmin as AxesAccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse

from yuqing.audit.admin import AuditedAdmin, ReadOnlyAdmin
from yuqing.audit.services import audit_record
from yuqing.org.models import (
    ApiToken,
    Department,
    ExternalAgency,
    Person,
    RoleAssignment,
    TrainingRecord,
)
from yuqing.org.services import login_unlock


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdmin):
    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked")
    list_filter = ("revoked",)
    readonly_fields = ("prefix", "created_at", "last_used_at")
    exclude = ("token_hash",)  # not the token, but nothing of it is shown: only the prefix names it
    audit_exclude = ("token_hash",)


@admin.register(Department)
class DepartmentAdmin(AuditedAdmin):
    list_display = ("name", "position", "active")
    list_editable = ("position", "active")
    search_fields = ("name",)


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fields = ("role", "department", "start_date", "end_date", "on_duty", "note")
    extra = 0
    show_change_link = True

    def has_delete_permission(self, request, obj=None):
        return bool(request.user.is_superuser)  # see RoleAssignmentAdmin


class TrainingRecordInline(admin.TabularInline):
    model = TrainingRecord
    fields = ("course", "date", "hours", "organizer", "notes")
    extra = 0


@admin.register(Person)
class PersonAdmin(AuditedAdmin):
    list_display = ("name", "department", "title", "phone", "skills", "user", "is_demo")
    list_filter = ("department", "is_demo")
    search_fields = ("name", "title", "skills", "user__username")
    autocomplete_fields = ("user",)
    inlines = (RoleAssignmentInline, TrainingRecordInline)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(AuditedAdmin):
    list_display = ("person", "role", "department", "start_date", "end_date", "on_duty")
    list_filter = ("role", "department", "on_duty", ("end_date", admin.EmptyFieldListFilter))
    search_fields = ("person__name", "person__user__username")
    autocomplete_fields = ("person",)
    date_hierarchy = "start_date"

    def has_delete_permission(self, request, obj=None):
        # History stays true: an assignment is ended (卸任日期), not deleted. Superusers may still remove
        # one entered by mistake, and that deletion is audited.
        return bool(request.user.is_superuser)


@admin.register(TrainingRecord)
class TrainingRecordAdmin(AuditedAdmin):
    list_display = ("person", "course", "date", "hours", "organizer")
    list_filter = ("date",)
    search_fields = ("person__name", "course", "organizer")
    autocomplete_fields = ("person",)
    date_hierarchy = "date"


@admin.register(ExternalAgency)
class ExternalAgencyAdmin(AuditedAdmin):
    list_display = ("name", "kind", "contact_person", "phone", "url", "position")
    list_filter = ("kind", "is_demo")
    search_fields = ("name", "contact_person", "notes")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)


# django-axes' failed logins: deleting a user name's records at an address lifts the locks they make
# (org.selectors.login_lock), through the audited org.services.login_unlock. The login logs are
# evidence and read-only here.
for _axes_model in (AccessAttempt, AccessLog, AccessFailureLog):
    if admin.site.is_registered(_axes_model):
        admin.site.unregister(_axes_model)


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin, AxesAccessLogAdmin):
    pass


@admin.register(AccessFailureLog)
class AccessFailureLogAdmin(ReadOnlyAdmin, AxesAccessFailureLogAdmin):
    pass


@admin.register(AccessAttempt)
class AccessAttemptAdmin(AxesAccessAttemptAdmin):
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        login_unlock(username=obj.username, ip_address=obj.ip_address, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic():
            for username, ip in sorted(set(queryset.values_list("username", "ip_address")), key=str):
                login_unlock(username=username, ip_address=ip, actor=request.user)


# Accounts: every save (flags, groups, permissions included) is audited; a password reset is audited
# without its hash; an account is deactivated (有效 off), never deleted, so its audit trail keeps a name.
User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)
if admin.site.is_registered(Group):
    admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    audit_exclude = ("password", "last_login")
    readonly_fields = ("last_login", "date_joined")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        user = self.get_object(request, unquote(id))
        before = user.password if user is not None else None
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if user is not None:
                user.refresh_from_db(fields=["password"])
                if user.password != before:
                    state = "已重设" if user.has_usable_password() else "已停用密码登录"
                    new = {"password": state}
                    audit_record(actor=request.user, action="user.password", obj=user, new=new)
        return response


@admin.register(Group)
class GroupAdmin(AuditedAdmin, DjangoGroupAdmin):
    pass

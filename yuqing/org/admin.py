from django.contrib import admin

from yuqing.org.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked")
    list_filter = ("revoked",)
    readonly_fields = ("prefix", "token_hash", "created_at", "last_used_at")

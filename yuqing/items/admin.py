from django.contrib import admin

from yuqing.items.models import Item


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ("title", "source", "media_type", "published_at", "fetched_at", "stage")
    list_filter = ("media_type", "stage", "is_demo")
    search_fields = ("title", "canonical_url")
    raw_id_fields = ("source", "duplicate_of")
    readonly_fields = ("raw", "content_hash", "canonical_url", "fetched_at")
    list_select_related = ("source",)
    show_full_result_count = False

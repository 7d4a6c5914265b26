"""Admin: items are read-only here. Their labels are corrected on the item's page (``label_correct``,
audited and kept as training examples); everything else is written by ingest and the analysis."""

from django.contrib import admin

from yuqing.audit.admin import ReadOnlyAdmin
from yuqing.items.models import Item


@admin.register(Item)
class ItemAdmin(ReadOnlyAdmin):
    list_display = ("title", "source", "media_type", "published_at", "fetched_at", "stage")
    list_filter = ("media_type", "stage", "is_demo")
    search_fields = ("title", "canonical_url")
    raw_id_fields = ("source", "duplicate_of")
    list_select_related = ("source",)
    show_full_result_count = False

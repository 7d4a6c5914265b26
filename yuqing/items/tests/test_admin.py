"""Items are read-only in the admin: their labels are corrected on the item's page, audited."""

from __future__ import annotations

import pytest

from yuqing.items.ingest import ingest_entries
from yuqing.items.models import Item
from yuqing.sources.fetchers.base import RawEntry
from yuqing.sources.models import Source, SourceKind

pytestmark = pytest.mark.django_db


def test_an_item_label_cannot_be_changed_in_the_admin(admin_client):
    source = Source.objects.create(name="测试源", kind=SourceKind.RSS, url="https://example.org/feed")
    entry = RawEntry(url="https://example.org/1", title="个税汇算退税", content="正文", published_at=None)
    ingest_entries([entry], source=source)
    item = Item.objects.get()
    item.sentiment, item.tax_related = "neutral", False
    item.save(update_fields=["sentiment", "tax_related"])
    url = f"/admin/items/item/{item.id}/change/"
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"title": item.title, "sentiment": "negative", "tax_related": "on"})
    assert response.status_code == 403
    item.refresh_from_db()
    assert (item.sentiment, item.tax_related) == ("neutral", False)
    assert admin_client.post(f"/admin/items/item/{item.id}/delete/", {"post": "yes"}).status_code == 403
    assert Item.objects.filter(pk=item.pk).exists()

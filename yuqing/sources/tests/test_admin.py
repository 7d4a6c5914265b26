"""Sources in the admin: every save audited; request headers (credentials) never shown in clear."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.admin_forms import change_page_data
from yuqing.audit.models import AuditEntry
from yuqing.sources.models import Source, SourceKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def source():
    return Source.objects.create(
        name="内网论坛",
        kind=SourceKind.RSS,
        url="http://bbs.example.cn/rss",
        headers={"Cookie": "session=SECRET-COOKIE", "Accept": "text/xml"},
        next_poll_at=timezone.now().replace(microsecond=0),  # the admin's field keeps whole seconds
    )


def test_the_source_page_shows_header_names_but_not_their_values(admin_client, source):
    page = admin_client.get(f"/admin/sources/source/{source.id}/change/").content.decode()
    assert "Cookie" in page and "SECRET-COOKIE" not in page


def test_a_source_saved_unchanged_keeps_its_headers_and_the_change_is_audited(admin_client, source):
    url = f"/admin/sources/source/{source.id}/change/"
    data = change_page_data(admin_client, url)
    data["poll_interval"] = source.poll_interval + 60
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    source.refresh_from_db()
    assert source.headers == {"Cookie": "session=SECRET-COOKIE", "Accept": "text/xml"}
    entry = AuditEntry.objects.get(action="source.update")
    assert entry.new == {"poll_interval": source.poll_interval}


def test_a_new_header_value_typed_on_the_source_page_replaces_the_old_one(admin_client, source):
    url = f"/admin/sources/source/{source.id}/change/"
    data = change_page_data(admin_client, url)
    data["headers"] = '{"Cookie": "session=NEW", "Accept": "***"}'
    assert admin_client.post(url, data).status_code == 302
    source.refresh_from_db()
    assert source.headers == {"Cookie": "session=NEW", "Accept": "text/xml"}
    entry = AuditEntry.objects.get(action="source.update")
    assert set(entry.new) == {"headers_fingerprint"} and "session=" not in str(entry.old) + str(entry.new)


def test_polling_a_source_now_from_the_admin_is_audited(admin_client, source):
    response = admin_client.post(
        "/admin/sources/source/", {"action": "poll_now", "_selected_action": [source.id]}
    )
    assert response.status_code == 302
    source.refresh_from_db()
    entry = AuditEntry.objects.get(action="source.poll_now")
    assert entry.object_id == str(source.id)
    assert entry.new == {"next_poll_at": source.next_poll_at.isoformat()}

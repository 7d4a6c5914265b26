"""Request-header values (cookies, credentials) never reach the audit trail of a source."""

from __future__ import annotations

import pytest

from yuqing.audit.models import AuditEntry
from yuqing.sources import services
from yuqing.sources.models import SourceKind

pytestmark = pytest.mark.django_db


def test_a_source_created_with_a_cookie_header_audits_its_name_not_its_value():
    source = services.source_create(
        name="带登录的网站",
        kind=SourceKind.RSS,
        url="https://example.com/feed.xml",
        headers={"Cookie": "session=SECRET-COOKIE", "Authorization": "Bearer SECRET-TOKEN"},
    )
    entry = AuditEntry.objects.get(action="source.create", object_id=str(source.pk))
    assert "SECRET" not in str(entry.new) and "SECRET" not in str(entry.old)
    assert entry.new["headers"] == {"Cookie": "***", "Authorization": "***"}
    assert entry.new["headers_fingerprint"] == services.headers_fingerprint(source.headers)
    assert entry.new["url"] == "https://example.com/feed.xml"


def test_the_header_fingerprint_changes_with_the_values():
    one = services.headers_fingerprint({"Cookie": "a=1"})
    assert one != services.headers_fingerprint({"Cookie": "a=2"})
    assert one == services.headers_fingerprint({"Cookie": "a=1"})
    assert services.masked_headers({"Cookie": "a=1"}) == {"Cookie": "***"}

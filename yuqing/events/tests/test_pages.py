"""The pages of events."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_an_event_of_one_or_two_items_shows_no_phase(clerk_client):
    from yuqing.events.models import Event

    small = Event.objects.create(key="p1", title="单条信息", size=1, phase="emerging")
    big = Event.objects.create(key="p2", title="多条信息", size=12, phase="emerging")
    assert small.phase_label == "信息过少" and big.phase_label == "发酵"
    page = clerk_client.get(f"/events/{small.pk}/").content.decode()
    assert "信息过少" in page and "<b>发酵</b>" not in page

"""后期处置: tracking for 72 h; the case restarts by itself when its event flares up again."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from yuqing.audit.models import AuditEntry
from yuqing.cases import services
from yuqing.cases import vocab as cv
from yuqing.cases.models import Deadline
from yuqing.cases.tests.drive import advance, open_case
from yuqing.events.models import Alert
from yuqing.items.models import Item
from yuqing.sources.models import Source

pytestmark = pytest.mark.django_db


def add_items(event, n, *, negative):
    source = Source.objects.get_or_create(
        name="论坛", defaults={"kind": "rss", "url": "http://forum.test/rss"}
    )[0]
    start = Item.objects.count()
    Item.objects.bulk_create(
        [
            Item(
                source=source,
                url=f"http://forum.test/{start + i}",
                canonical_url=f"http://forum.test/{start + i}",
                title=f"帖子{start + i}",
                content="定额调整不合理",
                event=event,
                sentiment="negative" if i < negative else "neutral",
                published_at=timezone.now(),
                fetched_at=timezone.now(),
            )
            for i in range(n)
        ]
    )


def test_tracking_lasts_72_hours_by_default(cast, event):
    case = advance(open_case(cast, event=event), cast, cv.TRACKING)
    assert case.tracking_until - case.state_changed_at == timedelta(hours=72)
    assert Deadline.objects.get(case=case, kind="tracking").due_at == case.tracking_until


def test_a_flare_up_restarts_the_case_by_itself_with_an_alert_and_an_audit_entry(
    cast, event, django_capture_on_commit_callbacks
):
    add_items(event, 5, negative=3)
    case = advance(open_case(cast, event=event), cast, cv.TRACKING)
    assert case.tracking_baseline == {"size": 6, "negative": 4}  # with the fixture's own item
    add_items(event, 4, negative=4)  # below the growth threshold of 10
    assert services.tracking_check() == []
    add_items(event, 8, negative=6)  # 12 new, 10 negative
    later = timezone.now() + timedelta(hours=30)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        restarted = services.tracking_check()
    assert [c.pk for c in restarted] == [case.pk]
    case.refresh_from_db()
    assert case.state == cv.RESPONDING and case.restarts == 1
    entry = AuditEntry.objects.filter(action="case.transition", object_id=str(case.pk)).latest("seq")
    assert entry.actor is None and entry.new["state"] == cv.RESPONDING and "新增 12 条" in entry.new["reason"]
    alert = Alert.objects.get(event=event, level=case.severity)
    assert alert.acknowledged_at is None and "重新启动" in alert.reason
    assert Deadline.objects.get(case=case, kind="tracking").status == "cancelled"


def test_mostly_neutral_growth_does_not_restart(cast, event):
    case = advance(open_case(cast, event=event), cast, cv.TRACKING)
    add_items(event, 20, negative=5)
    assert services.tracking_check() == []
    case.refresh_from_db()
    assert case.state == cv.TRACKING


def test_the_office_ends_tracking_and_the_tracking_deadline_is_met(cast, event):
    case = advance(open_case(cast, event=event), cast, cv.EVALUATING)
    assert Deadline.objects.get(case=case, kind="tracking").status == "met"

"""issue 12: the case's level follows its event up (the system, audited, on the timeline, announced with
the new deadlines); lowering it is a person's decision with a reason."""

from __future__ import annotations

import pytest

from yuqing import vocab
from yuqing.audit.models import AuditEntry
from yuqing.cases import services
from yuqing.cases import vocab as cv
from yuqing.cases.models import Case, Deadline
from yuqing.cases.services import ProcedureError
from yuqing.cases.tests.drive import advance, open_case
from yuqing.events.models import Event, SeveritySettings
from yuqing.events.services import event_refresh
from yuqing.notify.models import Notification

pytestmark = pytest.mark.django_db


def _rise(event: Event) -> Event:
    """Refresh the event with thresholds so low that its members now score 特别重大."""
    SeveritySettings.objects.update_or_create(
        pk=1,
        defaults={"significant": 0.01, "major": 0.02, "especially_major": 0.03, "min_sites_not_local": 1},
    )
    return event_refresh(Event.objects.get(pk=event.pk))


def test_when_the_event_rises_its_open_case_rises_with_new_deadlines_audited_and_announced(
    cast, event, django_capture_on_commit_callbacks
):
    Event.objects.filter(pk=event.pk).update(severity="significant", severity_rank=1)
    case = advance(open_case(cast, severity="significant", event=event), cast, cv.NOTIFIED)
    task = case.verifications.get()
    before = Deadline.objects.get(case=case, kind="verification").due_at
    with django_capture_on_commit_callbacks(execute=True):
        refreshed = _rise(event)
    assert refreshed.severity == "especially_major", refreshed.level_rule
    case.refresh_from_db()
    task.refresh_from_db()
    assert case.severity == "especially_major"
    after = Deadline.objects.get(case=case, kind="verification").due_at
    assert after < before and task.due_at == after  # the 重大 verification time applies now
    entry = AuditEntry.objects.get(action="case.severity", object_id=str(case.pk))
    assert entry.actor is None and entry.old == {"severity": "significant"}
    assert "舆情事件等级升为" in entry.new["reason"] and entry.new["deadlines"]
    leaders = Notification.objects.filter(recipient=cast.leader, title__contains="等级升为")
    assert leaders.exists() and "新的时限" in leaders.first().body
    assert Notification.objects.filter(recipient=cast.head, title__contains="等级升为").exists()
    page = cast.client(cast.office).get(f"/cases/{case.pk}/").content.decode()
    assert "舆情等级：较大(Ⅲ级) → 特别重大(Ⅰ级)" in page


def test_a_case_already_at_or_above_the_events_level_stays(cast, event):
    Event.objects.filter(pk=event.pk).update(severity="general", severity_rank=0)
    higher = open_case(cast, severity="especially_major", event=event)
    _rise(event)
    higher.refresh_from_db()
    assert higher.severity == "especially_major"
    assert not AuditEntry.objects.filter(action="case.severity").exists()


def test_lowering_a_case_is_a_persons_decision_with_a_reason(cast, event):
    case = open_case(cast, severity="major", event=event)
    with pytest.raises(ProcedureError) as err:
        services.case_severity_set(case=case, user=cast.office, severity="general", reason="影响有限")
    assert err.value.code == "forbidden"
    with pytest.raises(ProcedureError) as err:
        services.case_severity_set(case=case, user=cast.director, severity="general", reason="")
    assert err.value.errors == {"reason": "请填写理由"}
    c = cast.client(cast.director)
    r = c.post(f"/cases/{case.pk}/severity/", {"severity": "general", "reason": ""})
    assert r.status_code == 422 and "请填写理由" in r.content.decode()
    r = c.post(f"/cases/{case.pk}/severity/", {"severity": "general", "reason": "影响仅限本地，已平息"})
    assert r.status_code == 302
    assert Case.objects.get(pk=case.pk).severity == "general"
    entry = AuditEntry.objects.get(action="case.severity", object_id=str(case.pk))
    assert entry.actor == cast.director and entry.new["reason"] == "影响仅限本地，已平息"
    assert vocab.SEVERITIES["general"] in c.get(f"/cases/{case.pk}/").content.decode()


def test_an_opened_case_takes_the_events_title_and_links_it(cast, event):
    case = services.case_open(user=cast.office, title="", event_id=event.pk)
    assert case.title == event.title
    html = cast.client(cast.office).get(f"/cases/{case.pk}/").content.decode()
    assert f'<a href="/events/{event.pk}/">{event.title}</a>' in html

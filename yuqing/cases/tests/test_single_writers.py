"""One audited writer each: the case's finding (set by a verification or revised by the leaders) and a
report's 已被替代 status."""

from __future__ import annotations

import pytest

from yuqing.audit.models import AuditEntry
from yuqing.audit.services import audit_verify
from yuqing.cases import services
from yuqing.cases.tests.test_reports import verified_case, written

pytestmark = pytest.mark.django_db


def case_entries(case, action):
    found = AuditEntry.objects.filter(action=action, object_type="cases.case", object_id=str(case.pk))
    return list(found.order_by("seq"))


def test_the_finding_a_verification_sets_is_audited_on_the_case(cast):
    case = verified_case(cast)
    task = case.verifications.get()
    [entry] = case_entries(case, "case.finding")
    assert entry.actor == cast.head
    assert entry.old == {"finding": "pending"}
    assert entry.new == {"finding": case.finding, "verification_id": task.pk}
    assert case.verified_at == task.submitted_at


def test_a_revised_finding_is_audited_with_its_reason(cast):
    case = verified_case(cast)
    before = case.finding
    services.case_finding_set(case=case, user=cast.leader, finding="false", reason="复查后认定失实")
    assert case.finding == "false"
    revised = case_entries(case, "case.finding")[-1]
    assert revised.old == {"finding": before}
    assert revised.new == {"finding": "false", "reason": "复查后认定失实"}
    assert audit_verify().ok


def test_a_superseded_report_is_marked_with_an_audit_entry(cast):
    case = verified_case(cast)
    first = services.report_create(case=case, user=cast.office, data=written(cast))
    services.report_sign(report=first, user=cast.director)
    second = services.report_create(
        case=case, user=cast.office, data=written(cast, supersedes_id=first.pk, harm="更正：无人员受伤")
    )
    services.report_sign(report=second, user=cast.director)
    first.refresh_from_db()
    assert first.status == "superseded"
    entry = AuditEntry.objects.get(action="report.supersede")
    assert (entry.object_type, entry.object_id) == ("cases.situationreport", str(first.pk))
    assert entry.actor == cast.director
    assert entry.old == {"status": "signed"}
    assert entry.new == {"status": "superseded", "superseded_by": second.pk}
    assert audit_verify().ok

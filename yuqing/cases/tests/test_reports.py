"""情况报告: every element required, 签发 by the named signer in a signing role, frozen once signed,
oral reports with a written follow-up due in 24 h (迟报 when late), level by level, 越级 only for 特别重大."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from yuqing.cases import services
from yuqing.cases import vocab as cv
from yuqing.cases.models import AccountabilityRecord, Deadline, Signature
from yuqing.cases.services import ProcedureError
from yuqing.cases.tests.conftest import FULL_REPORT
from yuqing.cases.tests.drive import advance, open_case

pytestmark = pytest.mark.django_db


def verified_case(cast, severity="major"):
    case = advance(open_case(cast, severity=severity), cast, cv.VERIFYING)
    from yuqing.cases.tests.drive import VERIFIED

    services.verification_submit(task=case.verifications.get(), user=cast.head, data=VERIFIED)
    case.refresh_from_db()
    return case


def written(cast, **kw):
    return {**FULL_REPORT, "signer_id": cast.director.pk, **kw}


def test_a_report_missing_elements_is_refused_listing_every_missing_element_by_name(cast):
    case = verified_case(cast)
    data = {k: v for k, v in written(cast).items() if k not in ("place", "harm", "next_steps", "occurred_at")}
    with pytest.raises(ProcedureError) as err:
        services.report_create(case=case, user=cast.office, data=data)
    assert err.value.code == "invalid"
    assert err.value.missing == ["时间", "地点", "已造成的危害", "下一步工作建议"]
    assert "缺少时间、地点、已造成的危害、下一步工作建议" in err.value.message
    assert not case.reports.exists()


def test_a_report_time_in_the_future_is_refused(cast):
    case = verified_case(cast)
    future = (timezone.now() + timedelta(days=1)).isoformat()
    with pytest.raises(ProcedureError) as err:
        services.report_create(case=case, user=cast.office, data=written(cast, occurred_at=future))
    assert err.value.errors["occurred_at"] == "时间不能晚于当前时间"


def test_the_signer_must_hold_a_signing_role_for_the_level(cast):
    case = verified_case(cast)
    with pytest.raises(ProcedureError) as err:
        services.report_create(case=case, user=cast.office, data=written(cast, signer_id=cast.head.pk))
    assert "不能签发" in err.value.errors["signer_id"]
    # The office director signs for the working group, not for the bureau's leaders.
    services.report_sign(
        report=services.report_create(case=case, user=cast.office, data=written(cast)), user=cast.director
    )
    with pytest.raises(ProcedureError) as err:
        services.report_create(
            case=case, user=cast.office, data=written(cast, level="bureau_leaders", kind="followup")
        )
    assert "须为舆情应急工作组组长" in err.value.errors["signer_id"]


def test_only_the_named_signer_signs_and_the_signed_content_is_frozen_and_hashed(cast):
    case = verified_case(cast)
    report = services.report_create(case=case, user=cast.office, data=written(cast))
    for who in (cast.office, cast.leader):  # the leader could sign, but is not the named signer
        with pytest.raises(ProcedureError) as err:
            services.report_sign(report=report, user=who)
        assert err.value.code == "forbidden"
    signature = services.report_sign(report=report, user=cast.director)
    report.refresh_from_db()
    assert report.status == "signed" and report.content_hash == signature.content_hash
    assert len(signature.content_hash) == 64 and signature.content["place"] == FULL_REPORT["place"]
    assert services.signature_verify(signature)
    with pytest.raises(ProcedureError) as err:
        services.report_update(report=report, user=cast.office, data={"place": "别处"})
    assert "已冻结" in err.value.message
    with pytest.raises(ProcedureError):
        services.report_sign(report=report, user=cast.director)
    # Tampering with the stored report behind the service's back is detected.
    type(report).objects.filter(pk=report.pk).update(place="篡改后的地点")
    assert not services.signature_verify(Signature.objects.get(pk=signature.pk))


def test_a_signing_role_lost_before_signing_blocks_the_signature(cast):
    from yuqing.org.models import RoleAssignment

    case = verified_case(cast)
    report = services.report_create(case=case, user=cast.office, data=written(cast))
    RoleAssignment.objects.filter(person__user=cast.director).update(
        end_date=timezone.localdate(), start_date=timezone.localdate() - timedelta(days=30)
    )
    with pytest.raises(ProcedureError) as err:
        services.report_sign(report=report, user=cast.director)
    assert "没有这些角色" in err.value.message


def test_reports_go_level_by_level(cast):
    case = verified_case(cast)
    with pytest.raises(ProcedureError) as err:
        services.report_create(
            case=case, user=cast.office, data=written(cast, level="city", signer_id=cast.leader.pk)
        )
    assert "须逐级上报" in err.value.errors["level"]
    services.report_sign(
        report=services.report_create(case=case, user=cast.office, data=written(cast)), user=cast.director
    )
    report = services.report_create(
        case=case, user=cast.office, data=written(cast, level="bureau_leaders", signer_id=cast.leader.pk)
    )
    assert report.level == "bureau_leaders" and not report.skip_level


def test_skip_level_only_for_especially_major_and_with_a_reason(cast):
    case = verified_case(cast, severity="major")
    with pytest.raises(ProcedureError) as err:
        services.report_create(
            case=case,
            user=cast.office,
            data=written(cast, level="region", signer_id=cast.leader.pk, skip_level=True, skip_reason="紧急"),
        )
    assert err.value.errors["skip_level"] == "只有特别重大(Ⅰ级)涉税舆情可以越级上报"
    grave = verified_case(cast, severity="especially_major")
    with pytest.raises(ProcedureError) as err:
        services.report_create(
            case=grave,
            user=cast.office,
            data=written(cast, level="region", signer_id=cast.leader.pk, skip_level=True),
        )
    assert "skip_reason" in err.value.errors
    report = services.report_create(
        case=grave,
        user=cast.office,
        data=written(
            cast,
            level="region",
            signer_id=cast.leader.pk,
            skip_level=True,
            skip_reason="涉及全区政策，须立即上报",
        ),
    )
    assert report.skip_level


def test_an_oral_report_makes_a_written_follow_up_due_and_late_follow_up_is_recorded(cast):
    case = verified_case(cast, severity="significant")  # no public-response targets to miss meanwhile
    start = timezone.now()
    oral = services.report_create(
        case=case,
        user=cast.office,
        data={
            **{
                k: FULL_REPORT[k]
                for k in (
                    "kind",
                    "level",
                    "occurred_at",
                    "place",
                    "people",
                    "cause",
                    "current_state",
                    "handling_so_far",
                )
            },
            "mode": "oral",
            "reported_to": "副组长（电话）",
            "reported_at": start.isoformat(),
        },
    )
    assert oral.status == "oral"
    due = Deadline.objects.get(case=case, kind="written_followup")
    assert due.due_at == oral.reported_at + timedelta(hours=24)
    assert Deadline.objects.get(case=case, kind="first_report").status == "met"
    with time_machine.travel(start + timedelta(hours=23), tick=False):
        services.deadlines_sweep()
    due.refresh_from_db()
    assert due.status == "open"
    with time_machine.travel(start + timedelta(hours=25), tick=False):
        assert services.deadlines_sweep() == 1
        assert services.deadlines_sweep() == 0  # once only
    due.refresh_from_db()
    assert due.status == "missed"
    record = AccountabilityRecord.objects.get(case=case, deadline=due)
    assert record.reason.startswith("迟报") and record.responsibility == "direct"
    assert record.person_name == "应急办成员甲"  # the one who gave the oral report owns the follow-up
    with time_machine.travel(start + timedelta(hours=26), tick=False):
        report = services.report_create(
            case=case, user=cast.office, data=written(cast, kind="followup", follows_up_id=oral.pk)
        )
        services.report_sign(report=report, user=cast.director)
    due.refresh_from_db()
    assert due.status == "late"


def test_an_oral_report_still_needs_the_core_elements_and_who_was_told(cast):
    case = verified_case(cast)
    with pytest.raises(ProcedureError) as err:
        services.report_create(
            case=case, user=cast.office, data={"kind": "initial", "level": "working_group", "mode": "oral"}
        )
    assert "reported_to" in err.value.errors and "reported_at" in err.value.errors
    assert "地点" in err.value.missing


def test_a_late_first_report_after_verification_shows_on_the_board(cast):
    from yuqing.cases import selectors

    case = verified_case(cast, severity="major")
    deadline = Deadline.objects.get(case=case, kind="first_report")
    assert deadline.due_at - case.verified_at == timedelta(hours=1)
    with time_machine.travel(deadline.due_at + timedelta(minutes=5), tick=False):
        services.deadlines_sweep()
        board = list(selectors.overdue_deadlines(user=cast.director, reporting_only=True))
    assert [d.pk for d in board] == [deadline.pk]
    assert list(selectors.overdue_deadlines(user=cast.other_head)) == []


def test_a_signed_report_is_superseded_not_deleted(cast):
    case = verified_case(cast)
    first = services.report_create(case=case, user=cast.office, data=written(cast))
    services.report_sign(report=first, user=cast.director)
    second = services.report_create(
        case=case,
        user=cast.office,
        data=written(cast, supersedes_id=first.pk, harm="更正：无人员受伤，财产无损失"),
    )
    services.report_sign(report=second, user=cast.director)
    first.refresh_from_db()
    assert first.status == "superseded"
    assert case.reports.count() == 2


def test_script_in_a_report_is_kept_as_text(cast):
    case = verified_case(cast)
    report = services.report_create(
        case=case, user=cast.office, data=written(cast, place="<script>alert(1)</script>")
    )
    assert report.place == "<script>alert(1)</script>"

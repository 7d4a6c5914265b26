"""Drive a case through the procedure with the services, to any state, as the right people."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from yuqing.cases import services
from yuqing.cases import vocab as cv
from yuqing.cases.models import Case
from yuqing.cases.tests.conftest import FULL_REPORT, Cast

ORDER = [
    cv.NEW,
    cv.NOTIFIED,
    cv.VERIFYING,
    cv.REPORTED,
    cv.PLAN_PENDING,
    cv.RESPONDING,
    cv.TRACKING,
    cv.EVALUATING,
    cv.CLOSED,
]

VERIFIED = {
    "basic_facts": "经核实，分局于11月20日调整定额，未提前公示。",
    "cause": "公示环节遗漏",
    "consequences": "商户不满，网上转发约两百次",
    "proposed_handling": "补充公示，开通复核渠道",
    "finding": "true",
}


def open_case(cast: Cast, *, severity: str = "major", event: Any = None, **kw: Any) -> Case:
    return services.case_open(
        user=cast.office,
        title="定额调整引发商户聚集",
        severity=severity,
        event_id=event.pk if event else None,
        **kw,
    )


def advance(case: Case, cast: Cast, to: str, *, finding: str = "true") -> Case:
    """Take ``case`` forward to state ``to`` doing what each step needs."""
    soon = timezone.now() + timedelta(hours=6)
    while ORDER.index(case.state) < ORDER.index(to):
        state = case.state
        if state == cv.NEW:
            services.verification_assign(case=case, user=cast.office, department_id=cast.department.pk)
        elif state == cv.NOTIFIED:
            # the department opens its task: the system moves the case (no button)
            services.verification_open(task=case.verifications.get(status="open"), user=cast.head)
        elif state == cv.VERIFYING:
            task = case.verifications.get(status="open")
            services.verification_submit(task=task, user=cast.handler, data={**VERIFIED, "finding": finding})
            report = services.report_create(
                case=case, user=cast.office, data={**FULL_REPORT, "signer_id": cast.director.pk}
            )
            services.report_sign(report=report, user=cast.director)  # → 已报告 by the system
        elif state == cv.REPORTED:
            plan = services.response_plan_draft(
                case=case,
                user=cast.office,
                data={
                    "summary": "公开依据、回应关切、问责",
                    "measures": [
                        {
                            "measure": "官网发布情况说明",
                            "owner_id": cast.office.pk,
                            "due_at": soon.isoformat(),
                            "kind": "disclosure" if finding != "false" else "clarification",
                        }
                    ],
                },
            )
            services.response_plan_submit(plan=plan, user=cast.office)
        elif state == cv.PLAN_PENDING:
            plan = case.plans.get(status="submitted")
            services.response_plan_decide(plan=plan, user=cast.leader, approve=True)  # launches it
        elif state == cv.RESPONDING:
            for action in case.actions.filter(status="open"):
                services.action_complete(action=action, user=action.owner, result="已完成")
            if finding == "false":
                services.source_request_create(
                    case=case,
                    user=cast.office,
                    data={"target": "某论坛", "kind": "takedown", "request": "删除不实帖子"},
                )
            else:
                services.accountability_record(
                    case=case,
                    user=cast.office,
                    data={
                        "person_name": "张三",
                        "responsibility": "direct",
                        "reason": "未按规定公示定额调整",
                    },
                )
            services.case_transition(case=case, to=cv.TRACKING, user=cast.office)
        elif state == cv.TRACKING:
            services.tracking_end(case=case, user=cast.office)
        elif state == cv.EVALUATING:
            services.evaluation_save(
                case=case,
                user=cast.office,
                submit=True,
                data={
                    "cause": "公示遗漏",
                    "nature": "服务问题",
                    "impact": "本地",
                    "responsibility": "分局",
                    "lessons": "先公示后执行",
                    "improvements": "建立定额调整公示清单",
                },
            )
            services.case_transition(case=case, to=cv.CLOSED, user=cast.leader)
        case.refresh_from_db()
        assert case.state != state, f"stuck at {state}"
    return case

"""Who may open which 应急处置 route (checked by tests/test_permission_matrix.py).

How to declare: see :mod:`yuqing.testing.routes`. The gates are the role sets of :mod:`yuqing.cases.flow`;
which cases a reader then sees is :func:`yuqing.cases.access.case_scope` (tested in yuqing/cases/tests).
The objects are made on a case of 征管科, so the matrix's department head and handler may read it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from yuqing.cases import flow
from yuqing.testing.factories import make_case, make_persona
from yuqing.testing.routes import RouteSpec


def _user(username: str, role: str) -> Any:
    return make_persona(username, username, role)


def _case() -> tuple[Any, Any]:
    from yuqing.org import access

    author = _user("perm_case_office", access.OFFICE_DEPUTY)
    return author, make_case(author, title="权限矩阵案件")


def a_case() -> int:
    return _case()[1].pk


def _task() -> Any:
    from yuqing.cases.services import verification_assign

    author, case = _case()
    return verification_assign(case=case, user=author, department_id=case.department_id)


def case_and_task() -> dict[str, int]:
    task = _task()
    return {"case_id": task.case_id, "task_id": task.pk}


def case_and_report() -> dict[str, int]:
    """A written draft naming a 副组长 as signer (so signing pages have something to refuse or do)."""
    from yuqing.cases.services import report_create
    from yuqing.org import access

    author, case = _case()
    signer = _user("perm_case_signer", access.GROUP_DEPUTY)
    data = {
        "kind": "initial",
        "level": "working_group",
        "mode": "written",
        "signer_id": signer.pk,
        "occurred_at": "2026-11-26T09:00:00+08:00",
        "place": "分局",
        "people": "商户",
        "cause": "定额",
        "nature": "服务",
        "scale": "小",
        "course": "聚集",
        "harm": "无",
        "scope": "本地",
        "info_source": "监测",
        "current_state": "平稳",
        "trend_judgement": "回落",
        "handling_so_far": "解释",
        "development_trend": "平稳",
        "next_steps": "公示",
    }
    return {"case_id": case.pk, "report_id": report_create(case=case, user=author, data=data).pk}


def case_and_plan() -> dict[str, int]:
    from django.utils import timezone

    from yuqing.cases.models import ResponsePlan

    author, case = _case()
    plan = ResponsePlan.objects.create(
        case=case, summary="方案", created_by=author, created_at=timezone.now()
    )
    return {"case_id": case.pk, "plan_id": plan.pk}


def case_and_action() -> dict[str, int]:
    from django.utils import timezone

    from yuqing.cases.models import HandlingAction

    author, case = _case()
    now = timezone.now()
    action = HandlingAction.objects.create(
        case=case,
        kind="guidance",
        title="引导",
        owner=author,
        due_at=now + timedelta(hours=2),
        created_by=author,
        created_at=now,
    )
    return {"case_id": case.pk, "action_id": action.pk}


def case_and_request() -> dict[str, int]:
    from yuqing.cases.services import source_request_create

    author, case = _case()
    row = source_request_create(
        case=case, user=author, data={"target": "论坛", "kind": "takedown", "request": "删除"}
    )
    return {"case_id": case.pk, "row_id": row.pk}


def case_and_attachment() -> dict[str, int]:
    from yuqing.cases.services import attachment_add

    author, case = _case()
    att = attachment_add(case=case, user=author, name="证据.txt", data="权限矩阵测试".encode())
    return {"case_id": case.pk, "attachment_id": att.pk}


def pair(factory: Any, key: str) -> dict[str, object]:
    """URL kwargs ``case_id`` and ``key`` of one object: the first call makes it, the second reads it."""
    made: dict[str, int] = {}

    def first() -> int:
        made.update(factory())
        return made["case_id"]

    def second() -> int:
        return made[key]

    return {"case_id": first, key: second}


CASE: dict[str, object] = {"case_id": a_case}
TASK = pair(case_and_task, "task_id")
REPORT = pair(case_and_report, "report_id")
PLAN = pair(case_and_plan, "plan_id")
ACTION = pair(case_and_action, "action_id")
REQUEST = pair(case_and_request, "row_id")
ATTACHMENT = pair(case_and_attachment, "attachment_id")
R = flow.READERS
W = flow.WRITERS

ROUTES: dict[str, RouteSpec] = {
    "cases:list": {"allow": R},
    "cases:new": {"allow": W},
    "cases:late": {"allow": R},
    "cases:accountability_board": {"allow": flow.ACCOUNTABILITY_READERS},
    "cases:detail": {"allow": R, "kwargs": CASE},
    "cases:dossier": {"allow": R, "kwargs": CASE},
    "cases:move": {"allow": R, "kwargs": CASE, "method": "post"},
    "cases:verification_assign": {"allow": W, "kwargs": CASE, "method": "post"},
    "cases:verification": {"allow": R, "kwargs": TASK},
    "cases:attachment_upload": {"allow": flow.UPLOADERS, "kwargs": CASE, "method": "post"},
    "cases:attachment": {"allow": R, "kwargs": ATTACHMENT},
    "cases:report_new": {"allow": W, "kwargs": CASE},
    "cases:report": {"allow": R, "kwargs": REPORT},
    "cases:report_sign": {"allow": flow.REPORT_SIGNERS, "kwargs": REPORT, "method": "post"},
    "cases:plan_create": {"allow": W, "kwargs": CASE, "method": "post"},
    "cases:plan_action": {"allow": W, "kwargs": PLAN, "method": "post", "data": {"do": "submit"}},
    "cases:action_create": {"allow": W, "kwargs": CASE, "method": "post"},
    # The owner (here the case's author, an office deputy) or the office may report a measure done.
    "cases:action_complete": {"allow": W, "kwargs": ACTION, "method": "post"},
    "cases:finding": {"allow": flow.FINDING_EDITORS, "kwargs": CASE, "method": "post"},
    "cases:severity": {"allow": flow.SEVERITY_SETTERS, "kwargs": CASE, "method": "post"},
    "cases:accountability": {"allow": flow.ACCOUNTABILITY_WRITERS, "kwargs": CASE, "method": "post"},
    "cases:source_request": {"allow": W, "kwargs": CASE, "method": "post"},
    "cases:source_answer": {"allow": W, "kwargs": REQUEST, "method": "post"},
    "cases:coordination": {"allow": W, "kwargs": CASE, "method": "post"},
    "cases:evaluation": {"allow": W, "kwargs": CASE, "method": "post"},
    "api:case_create": {"allow": W, "method": "post"},
    "api:case_index": {"allow": R},
    "api:case_detail": {"allow": R, "kwargs": CASE},
    "api:case_move": {"allow": R, "kwargs": CASE, "method": "post", "data": {"to": "reported"}},
    "api:verification_create": {"allow": W, "kwargs": CASE, "method": "post", "data": {"department_id": 0}},
    "api:verification_result": {"allow": flow.DEPARTMENT, "kwargs": TASK, "method": "post"},
    "api:report_create": {"allow": W, "kwargs": CASE, "method": "post"},
    # Only the 签发人 the report names (a 副组长 made for it, none of the personas) may sign: 403 for all.
    # The page answers the other signers with a redirect and a message instead (same refusal).
    "api:report_sign": {"allow": frozenset(), "kwargs": REPORT, "method": "post"},
    "api:plan_create": {"allow": W, "kwargs": CASE, "method": "post"},
    "api:plan_submit": {"allow": W, "kwargs": PLAN, "method": "post"},
    "api:plan_decision": {
        "allow": flow.LEADERS,
        "kwargs": PLAN,
        "method": "post",
        "data": {"approve": False},
    },
    "api:plan_launch": {"allow": flow.LEADERS, "kwargs": PLAN, "method": "post"},
    "api:action_create": {"allow": W, "kwargs": CASE, "method": "post"},
    "api:action_complete": {"allow": W, "kwargs": ACTION, "method": "post"},
    "api:case_finding": {
        "allow": flow.FINDING_EDITORS,
        "kwargs": CASE,
        "method": "post",
        "data": {"finding": "false"},
    },
    "api:accountability": {"allow": flow.ACCOUNTABILITY_WRITERS, "kwargs": CASE, "method": "post"},
    "api:source_request": {"allow": W, "kwargs": CASE, "method": "post"},
    "api:source_answer": {
        "allow": W,
        "kwargs": REQUEST,
        "method": "post",
        "data": {"outcome": "done"},
    },
    "api:coordination": {"allow": W, "kwargs": CASE, "method": "post"},
    "api:evaluation": {"allow": W, "kwargs": CASE, "method": "put"},
    "api:overdue": {"allow": R},
}

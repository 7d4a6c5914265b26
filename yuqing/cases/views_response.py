"""Pages of the response stage: plans, handling measures, finding, accountability, source control,
coordination, evaluation. Each POST calls one service; refusals re-render the case page (see ``_act``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from yuqing.cases import flow, services
from yuqing.cases.models import HandlingAction, ResponsePlan, SourceControlRequest
from yuqing.cases.views import MEASURE_ROWS, _act, _case_or_404
from yuqing.org import access

# --- response, handling, evaluation ------------------------------------------------------------------


def _measures(post: Any) -> list[dict[str, Any]]:
    rows = []
    for i in range(1, MEASURE_ROWS + 1):
        measure = post.get(f"measure_{i}", "").strip()
        if measure or post.get(f"owner_{i}") or post.get(f"due_{i}"):
            rows.append(
                {
                    "measure": measure,
                    "owner_id": post.get(f"owner_{i}"),
                    "due_at": post.get(f"due_{i}"),
                    "kind": post.get(f"kind_{i}", "other"),
                }
            )
    return rows


@require_POST
@access.role_required(*flow.WRITERS)
def plan_create(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    data = {
        **request.POST.dict(),
        "measures": _measures(request.POST),
        "on_site": request.POST.get("on_site") == "1",
    }

    def run() -> None:
        plan = services.response_plan_draft(case=case, user=request.user, data=data)
        if request.POST.get("submit") == "1":
            services.response_plan_submit(plan=plan, user=request.user)

    return _act(
        request,
        case,
        "plan",
        run,
        "应对方案已保存" if request.POST.get("submit") != "1" else "应对方案已报批",
    )


@require_POST
@access.role_required(*flow.WRITERS)
def plan_action(request: HttpRequest, case_id: int, plan_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    plan = get_object_or_404(ResponsePlan, pk=plan_id, case=case)
    what = request.POST.get("do", "")
    ops: dict[str, tuple[Callable[[], Any], str]] = {
        "submit": (lambda: services.response_plan_submit(plan=plan, user=request.user), "应对方案已报批"),
        "approve": (
            lambda: services.response_plan_decide(
                plan=plan, user=request.user, approve=True, comments=request.POST.get("comments", "")
            ),
            "已批准应对方案，应急响应已启动，各项措施已布置",
        ),
        "return": (
            lambda: services.response_plan_decide(
                plan=plan, user=request.user, approve=False, comments=request.POST.get("comments", "")
            ),
            "已退回应对方案",
        ),
    }
    if what not in ops:
        raise Http404("未知操作")
    fn, success = ops[what]
    form = "decide" if what in ("approve", "return") else f"plan{plan.pk}"  # the 下一步 panel's form
    return _act(request, case, form, fn, success)


@require_POST
@access.role_required(*flow.WRITERS)
def action_create(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    return _act(
        request,
        case,
        "action",
        lambda: services.action_create(case=case, user=request.user, data=request.POST.dict()),
        "处置措施已布置",
    )


@require_POST
@access.role_required(*flow.READERS)
def action_complete(request: HttpRequest, case_id: int, action_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    action = get_object_or_404(HandlingAction, pk=action_id, case=case)
    return _act(
        request,
        case,
        f"action{action.pk}",
        lambda: services.action_complete(
            action=action, user=request.user, result=request.POST.get("result", "")
        ),
        "已填报完成情况",
    )


@require_POST
@access.role_required(*flow.FINDING_EDITORS)
def finding_set(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    return _act(
        request,
        case,
        "finding",
        lambda: services.case_finding_set(
            case=case,
            user=request.user,
            finding=request.POST.get("finding", ""),
            reason=request.POST.get("reason", ""),
        ),
        "事实认定已修改",
    )


@require_POST
@access.role_required(*flow.SEVERITY_SETTERS)
def severity_set(request: HttpRequest, case_id: int) -> HttpResponse:
    """A person sets the case's 舆情等级 (lowering it is never automatic), with a reason."""
    case = _case_or_404(request, case_id)
    return _act(
        request,
        case,
        "severity",
        lambda: services.case_severity_set(
            case=case,
            user=request.user,
            severity=request.POST.get("severity", ""),
            reason=request.POST.get("reason", ""),
        ),
        "舆情等级已调整",
    )


@require_POST
@access.role_required(*flow.ACCOUNTABILITY_WRITERS)
def accountability(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    return _act(
        request,
        case,
        "accountability",
        lambda: services.accountability_record(case=case, user=request.user, data=request.POST.dict()),
        "问责情况已记录",
    )


@require_POST
@access.role_required(*flow.WRITERS)
def source_request(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    return _act(
        request,
        case,
        "source",
        lambda: services.source_request_create(case=case, user=request.user, data=request.POST.dict()),
        "源头控制请求已记录",
    )


@require_POST
@access.role_required(*flow.WRITERS)
def source_answer(request: HttpRequest, case_id: int, row_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    row = get_object_or_404(SourceControlRequest, pk=row_id, case=case)
    return _act(
        request,
        case,
        f"source{row.pk}",
        lambda: services.source_request_answer(
            row=row,
            user=request.user,
            outcome=request.POST.get("outcome", ""),
            answer=request.POST.get("answer", ""),
        ),
        "对方答复已记录",
    )


@require_POST
@access.role_required(*flow.WRITERS)
def coordination(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    return _act(
        request,
        case,
        "coordination",
        lambda: services.coordination_log(case=case, user=request.user, data=request.POST.dict()),
        "协调情况已记录",
    )


@require_POST
@access.role_required(*flow.WRITERS)
def evaluation(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    submit = request.POST.get("submit") == "1"
    return _act(
        request,
        case,
        "evaluation",
        lambda: services.evaluation_save(
            case=case, user=request.user, data=request.POST.dict(), submit=submit
        ),
        "评估报告已提交工作组" if submit else "评估报告已保存",
    )

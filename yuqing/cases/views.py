"""Pages of the procedure. Thin: parse the form, call one service, render; refusals re-render the page with
the reason and everything the user typed (nothing is lost)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from yuqing import vocab
from yuqing.cases import dossier, flow, selectors, services
from yuqing.cases import vocab as cv
from yuqing.cases.access import case_scope, department_of_case
from yuqing.cases.models import (
    AccountabilityRecord,
    Attachment,
    Case,
    Deadline,
    Evaluation,
    HandlingAction,
    SituationReport,
    SourceControlRequest,
    VerificationTask,
)
from yuqing.cases.report_selectors import input_time, report_initial, report_signer_choices
from yuqing.cases.services import ProcedureError
from yuqing.cases.services.reports import SIGNERS_BY_LEVEL
from yuqing.cases.services.verification import attachment_path
from yuqing.events.models import Alert, Event
from yuqing.org import access
from yuqing.org.models import Department, ExternalAgency
from yuqing.org.selectors import role_holders

MEASURE_ROWS = 5


def _case_or_404(request: HttpRequest, case_id: int) -> Case:
    case = selectors.case_get(user=request.user, case_id=case_id)
    if case is None:
        raise Http404("案件不存在或您无权查看")
    return case


def _people(roles: frozenset[str] | set[str] | None = None) -> list[Any]:
    return [user.person for user in role_holders(roles) if user.is_active]


@access.role_required(*flow.READERS)
def case_index(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    qs = selectors.case_list(
        user=request.user,
        state=state,
        severity=request.GET.get("severity", ""),
        q=request.GET.get("q", "").strip()[:100],
        open_only=request.GET.get("open") == "1",
    )
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    roles = access.cached_roles(request.user)
    return render(
        request,
        "cases/list.html",
        {
            "page": page,
            "states": cv.STATES,
            "severities": vocab.SEVERITIES,
            "filters": request.GET,
            "may_open": bool(roles & (flow.OFFICE | flow.LEADERS)),
            "overdue": selectors.overdue_deadlines(user=request.user).filter(met_at__isnull=True).count(),
        },
    )


@access.role_required(*flow.WRITERS)
def case_new(request: HttpRequest) -> HttpResponse:
    values: dict[str, Any] = {
        "event_id": request.GET.get("event", ""),
        "alert_id": request.GET.get("alert", ""),
        "confidentiality": "0",
    }
    event = Event.objects.filter(pk=values["event_id"]).first() if values["event_id"].isdigit() else None
    alert = Alert.objects.filter(pk=values["alert_id"]).first() if values["alert_id"].isdigit() else None
    if event is not None:
        values.update(title=event.title, severity=event.severity)
    if alert is not None:
        values.update(severity=alert.level)
    errors: dict[str, str] = {}
    message = ""
    status = 200
    if request.method == "POST":
        values = request.POST.dict()
        try:
            case = services.case_open(
                user=request.user,
                title=values.get("title", ""),
                severity=values.get("severity", ""),
                description=values.get("description", ""),
                event_id=_int(values.get("event_id")),
                alert_id=_int(values.get("alert_id")),
                department_id=_int(values.get("department_id")),
                confidentiality=_int(values.get("confidentiality")) or 0,
            )
        except ProcedureError as exc:
            errors, message, status = exc.errors, exc.message, exc.status
        else:
            messages.success(request, f"已立案：{case.title}")
            return redirect("cases:detail", case.pk)
    elif not access.cached_roles(request.user) & (flow.OFFICE | flow.LEADERS):
        return access.forbidden(request, flow.OFFICE | flow.LEADERS)
    return render(
        request,
        "cases/new.html",
        {
            "values": values,
            "errors": errors,
            "message": message,
            "event": event,
            "alert": alert,
            "severities": vocab.SEVERITIES,
            "departments": Department.objects.filter(active=True),
            "levels": list(enumerate(settings.CONFIDENTIALITY_LEVELS)),
        },
        status=status,
    )


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _detail_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    user = request.user
    roles = access.cached_roles(user)
    office = bool(roles & (flow.OFFICE | flow.LEADERS))
    evaluation = Evaluation.objects.filter(case=case).first()
    next_step = selectors.case_next_step(case, user)
    plans = list(case.plans.select_related("created_by__person", "decided_by__person"))
    for plan in plans:
        actions = selectors.plan_actions(plan, user)
        if next_step.plan is not None and next_step.plan.pk == plan.pk:
            actions -= {"submit", "decide"}  # the 下一步 panel holds them: no second button
        plan.actions = actions  # type: ignore[attr-defined]
    panel_move = (next_step.post or {}).get("to")
    moves = [
        m
        for m in services.available_transitions(case, user)
        # the other decisions open to this user now: not the form-made ones, not the panel's, none dead
        if not m["via"] and not m["blocked"] and m["to"] != panel_move
    ]
    return {
        "case": case,
        "next_step": next_step,
        "open_plan_form": next_step.kind == "plan",
        "moves": moves,
        "deadlines": case.deadlines.select_related("department", "owner__person"),
        "verifications": case.verifications.select_related("department"),
        "reports": case.reports.select_related("signer__person"),
        "plans": plans,
        "case_actions": selectors.case_actions(case, user),
        "actions": case.actions.select_related("owner__person"),
        "accountability": case.accountability.all(),
        "source_requests": case.source_requests.all(),
        "coordination": case.coordination.all(),
        "attachments": case.attachments.select_related("uploaded_by__person"),
        "evaluation": evaluation,
        "timeline": selectors.case_timeline(case),
        "office": office,
        "leader": bool(roles & flow.LEADERS),
        "is_department": department_of_case(user, case),
        "may_record_accountability": bool(roles & (flow.OFFICE | flow.LEADERS | {access.AUDITOR})),
        "departments": Department.objects.filter(active=True),
        "agencies": ExternalAgency.objects.all(),
        "staff": _people() if office else [],
        "findings": cv.FINDINGS,
        "severities": vocab.SEVERITIES,
        "responsibilities": cv.RESPONSIBILITIES,
        "action_kinds": HandlingAction.KINDS,
        "source_kinds": SourceControlRequest.KINDS,
        "source_outcomes": {k: v for k, v in SourceControlRequest.OUTCOMES.items() if k != "pending"},
        "evaluation_fields": [
            (name, label, getattr(evaluation, name) if evaluation else "")
            for name, label in Evaluation.FIELDS.items()
        ],
        "measure_rows": _measure_rows(request.POST if request.method == "POST" else None),
        "errors": {},
        "values": {},
    }


def _measure_rows(post: Any) -> list[dict[str, Any]]:
    """Rows of the plan form, refilled from a refused submission so nothing typed is lost."""
    return [
        {
            "i": i,
            "measure": post.get(f"measure_{i}", "") if post else "",
            "kind": post.get(f"kind_{i}", "") if post else "",
            "owner": post.get(f"owner_{i}", "") if post else "",
            "due": post.get(f"due_{i}", "") if post else "",
        }
        for i in range(1, MEASURE_ROWS + 1)
    ]


@access.role_required(*flow.READERS)
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    return render(request, "cases/detail.html", _detail_context(request, case))


@access.role_required(*flow.READERS)
def case_dossier(request: HttpRequest, case_id: int) -> HttpResponse:
    """一案一档: the whole file in order, for printing (assembled by ``dossier.case_dossier``)."""
    case = _case_or_404(request, case_id)
    return render(
        request, "cases/dossier.html", {"case": case, "dossier": dossier.case_dossier(case, request.user)}
    )


@access.role_required(*flow.READERS)
def late_board(request: HttpRequest) -> HttpResponse:
    rows = selectors.overdue_deadlines(user=request.user)
    return render(request, "cases/late.html", {"rows": rows[:300], "reporting": Deadline.REPORTING})


@access.role_required(*flow.ACCOUNTABILITY_READERS)
def accountability_board(request: HttpRequest) -> HttpResponse:
    """问责台账 (三(五)): accountability records of the cases the reader may see (纪检组, leaders)."""
    rows = (
        AccountabilityRecord.objects.filter(
            case__in=Case.objects.filter(case_scope(request.user)).values("pk")
        )
        .select_related("case", "recorded_by__person", "deadline")
        .order_by("-recorded_at")[:500]
    )
    return render(request, "cases/accountability.html", {"rows": rows})


def _act(request: HttpRequest, case: Case, form: str, fn: Callable[[], Any], success: str) -> HttpResponse:
    """Run one service for a form on the case page; on refusal, re-render with the reason and the input."""
    try:
        fn()
    except ProcedureError as exc:
        context = _detail_context(request, case)
        context["errors"] = {form: exc}
        context["values"] = {form: request.POST.dict()}
        messages.error(request, exc.message)
        return render(request, "cases/detail.html", context, status=exc.status)
    messages.success(request, success)
    return redirect("cases:detail", case.pk)


@require_POST
@access.role_required(*flow.READERS)
def case_move(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    to = request.POST.get("to", "")
    return _act(
        request,
        case,
        "move",
        lambda: services.case_transition(
            case=case, to=to, user=request.user, reason=request.POST.get("reason", "")
        ),
        f"案件已转为「{cv.STATES.get(to, to)}」",
    )


@require_POST
@access.role_required(*flow.WRITERS)
def verification_assign(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    return _act(
        request,
        case,
        "verify",
        lambda: services.verification_assign(
            case=case,
            user=request.user,
            department_id=_int(request.POST.get("department_id")) or 0,
            instructions=request.POST.get("instructions", ""),
            due_at=request.POST.get("due_at"),
        ),
        "已通报事发科室并布置核实任务",
    )


@access.role_required(*flow.READERS)
def verification(request: HttpRequest, case_id: int, task_id: int) -> HttpResponse:
    """The department's page: the lead, the deadline, and the form for its findings and evidence."""
    case = _case_or_404(request, case_id)
    task = get_object_or_404(VerificationTask, pk=task_id, case=case)
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    status = 200
    if request.method == "GET" and "submit" in selectors.verification_actions(task, request.user):
        services.verification_open(task=task, user=request.user)  # the case follows: 核实中
    if request.method == "POST":
        values = request.POST.dict()
        try:
            services.verification_submit(task=task, user=request.user, data=values)
            for upload in request.FILES.getlist("files"):
                services.attachment_add(
                    case=case,
                    user=request.user,
                    name=upload.name or "",
                    data=upload.read(),
                    verification=task,
                )
        except ProcedureError as exc:
            errors, status = {**exc.errors, "form": exc.message}, exc.status
            messages.error(request, exc.message)
        else:
            messages.success(request, "核实结果已提交应急办")
            return redirect("cases:detail", case.pk)
    return render(
        request,
        "cases/verification.html",
        {
            "case": case,
            "task": task,
            "errors": errors,
            "values": values,
            "findings": cv.FINDINGS,
            "actions": selectors.verification_actions(task, request.user),
            "attachments": task.attachments.all(),
        },
        status=status,
    )


@require_POST
@access.role_required(*flow.UPLOADERS)
def attachment_upload(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    upload = request.FILES.get("file")
    return _act(
        request,
        case,
        "attachment",
        lambda: services.attachment_add(
            case=case,
            user=request.user,
            name=(upload.name or "") if upload else "",
            data=upload.read() if upload else b"",
            description=request.POST.get("description", ""),
        ),
        "证据材料已上传",
    )


@access.role_required(*flow.READERS)
def attachment_download(request: HttpRequest, case_id: int, attachment_id: int) -> FileResponse:
    """Served only to readers of the case, always as a download (never rendered inline)."""
    case = _case_or_404(request, case_id)
    attachment = get_object_or_404(Attachment, pk=attachment_id, case=case)
    path = attachment_path(attachment)
    if not path.is_file():
        raise Http404("文件已不存在")
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=attachment.name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- reports ----------------------------------------------------------------------------------------


@access.role_required(*flow.WRITERS)
def report_new(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    if not access.cached_roles(request.user) & (flow.OFFICE | flow.LEADERS):
        return access.forbidden(request, flow.OFFICE | flow.LEADERS)
    values: dict[str, Any] = {
        "kind": "initial" if not case.reports.exists() else "followup",
        "level": "working_group",
        "mode": request.GET.get("mode", "written"),
    }
    if request.GET.get("follows_up"):
        values.update(mode="written", follows_up_id=request.GET["follows_up"])
    old = case.reports.filter(pk=_int(request.GET.get("supersedes")) or 0).first()
    prefilled: dict[str, str] = {}
    if old is None:
        prefilled = report_initial(case)
        values.update(prefilled)
    else:
        values.update(
            {name: getattr(old, name) for name in cv.REPORT_ELEMENTS},
            occurred_at=input_time(old.occurred_at),
            kind=old.kind,
            level=old.level,
            supersedes_id=old.pk,
            signer_id=old.signer_id,
        )
    errors: dict[str, str] = {}
    missing: list[str] = []
    status = 200
    if request.method == "POST":
        values = request.POST.dict()
        try:
            report = services.report_create(case=case, user=request.user, data=values)
        except ProcedureError as exc:
            errors, status = exc.errors, exc.status
            missing = exc.missing
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                "口头报告已记录，请在时限内补报书面报告"
                if report.mode == "oral"
                else "情况报告已起草，已通知签发人签发",
            )
            return redirect("cases:report", case.pk, report.pk)
    return render(
        request,
        "cases/report_form.html",
        {
            "case": case,
            "values": values,
            "errors": errors,
            "missing": missing,
            "elements": cv.REPORT_ELEMENTS,
            "kinds": cv.REPORT_KINDS,
            "levels": cv.REPORT_LEVELS,
            "modes": cv.REPORT_MODES,
            "prefilled": bool(prefilled) and request.method != "POST",
            "signers": report_signer_choices(),
            "signer_rules": [
                (level, "、".join(access.role_labels(roles))) for level, roles in SIGNERS_BY_LEVEL.items()
            ],
            "orals": case.reports.filter(mode="oral"),
        },
        status=status,
    )


@access.role_required(*flow.READERS)
def report(request: HttpRequest, case_id: int, report_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    rep = get_object_or_404(SituationReport.objects.select_related("signer__person"), pk=report_id, case=case)
    signature = case.signatures.filter(object_type=rep._meta.label_lower, object_id=str(rep.pk)).first()
    return render(
        request,
        "cases/report.html",
        {
            "case": case,
            "report": rep,
            "signature": signature,
            "signature_ok": services.signature_verify(signature) if signature else None,
            "elements": [(label, getattr(rep, name)) for name, label in cv.REPORT_ELEMENTS.items()],
            "actions": selectors.report_actions(rep, request.user),
        },
    )


@require_POST
@access.role_required(*flow.REPORT_SIGNERS)
def report_sign(request: HttpRequest, case_id: int, report_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    rep = get_object_or_404(SituationReport, pk=report_id, case=case)
    try:
        services.report_sign(report=rep, user=request.user)
    except ProcedureError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已签发，报告内容已冻结")
    return redirect("cases:report", case.pk, rep.pk)

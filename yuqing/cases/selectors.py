"""Reads of the procedure: case lists scoped to the reader, the late-report board, the timeline."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from yuqing.cases import flow
from yuqing.cases import vocab as cv
from yuqing.cases.access import case_scope, department_of_case, speaks_for_department
from yuqing.cases.models import (
    Case,
    Deadline,
    DeadlineStatus,
    Evaluation,
    PlanStatus,
    ReportStatus,
    ResponsePlan,
    SituationReport,
    VerificationStatus,
    VerificationTask,
)
from yuqing.cases.services.common import user_label
from yuqing.org import access


def case_list(
    *, user: Any, state: str = "", severity: str = "", q: str = "", open_only: bool = False
) -> QuerySet[Case]:
    qs = Case.objects.filter(case_scope(user)).distinct().select_related("department", "event")
    if state in cv.STATES:
        qs = qs.filter(state=state)
    if open_only:
        qs = qs.exclude(state=cv.CLOSED)
    if severity:
        qs = qs.filter(severity=severity)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(description__icontains=q))
    return qs.order_by("-opened_at")


def case_get(*, user: Any, case_id: int) -> Case | None:
    """The case if ``user`` may read it (None otherwise: a 404, so case ids do not leak)."""
    return (
        Case.objects.filter(case_scope(user))
        .filter(pk=case_id)
        .select_related("department", "event", "alert", "opened_by")
        .first()
    )


def overdue_deadlines(
    *, user: Any, now: datetime | None = None, reporting_only: bool = False
) -> QuerySet[Deadline]:
    """The board of 迟报/超期: open deadlines past due and deadlines met late, newest first."""
    now = now or timezone.now()
    cases = Case.objects.filter(case_scope(user)).values("pk")
    qs = Deadline.objects.filter(case__in=cases, cancelled_at__isnull=True).filter(
        Q(met_at__isnull=True, due_at__lt=now) | Q(met_at__gt=F("due_at"))
    )
    if reporting_only:
        qs = qs.filter(kind__in=sorted(Deadline.REPORTING))
    return qs.select_related("case", "department", "owner").order_by("-due_at")


@dataclass
class TimelineEntry:
    at: datetime
    kind: str  # a short code: transition, report, signature, deadline, ...
    title: str
    detail: str = ""
    actor: str = ""
    status: str = ""  # "ok" / "late" / "missed" for deadlines, "" otherwise
    link: str = ""


TimelineProvider = Callable[[Case], list[TimelineEntry]]
PROVIDERS: list[TimelineProvider] = []


def timeline_provider(fn: TimelineProvider) -> TimelineProvider:
    """Register a source of timeline entries (other apps, e.g. releases, add theirs)."""
    PROVIDERS.append(fn)
    return fn


@timeline_provider
def _transitions(case: Case) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            t.at,
            "transition",
            f"{cv.STATES[t.from_state]} → {cv.STATES[t.to_state]}",
            t.reason,
            user_label(t.actor),
        )
        for t in case.transitions.select_related("actor__person")
    ]


@timeline_provider
def _opened(case: Case) -> list[TimelineEntry]:
    source = (
        f"由预警 #{case.alert_id} 立案"
        if case.alert_id
        else (f"由舆情事件 #{case.event_id} 立案" if case.event_id else "人工立案")
    )
    return [TimelineEntry(case.opened_at, "open", "立案", source, user_label(case.opened_by))]


@timeline_provider
def _verification(case: Case) -> list[TimelineEntry]:
    out = []
    for v in case.verifications.select_related("department", "assigned_by__person", "submitted_by__person"):
        out.append(
            TimelineEntry(
                v.assigned_at,
                "verification",
                f"通报{v.department.name}并布置核实",
                v.instructions,
                user_label(v.assigned_by),
            )
        )
        if v.submitted_at:
            out.append(
                TimelineEntry(
                    v.submitted_at,
                    "verification",
                    f"{v.department.name}提交核实结果：{cv.FINDINGS[v.finding]}",
                    v.basic_facts[:200],
                    user_label(v.submitted_by),
                )
            )
    return out


@timeline_provider
def _reports(case: Case) -> list[TimelineEntry]:
    out = []
    for r in case.reports.select_related("created_by__person", "signer__person", "reported_by__person"):
        link = f"/cases/{case.pk}/reports/{r.pk}/"
        label = f"{cv.REPORT_KINDS[r.kind]}·报{cv.REPORT_LEVELS[r.level]}" + (
            "（越级）" if r.skip_level else ""
        )
        if r.mode == "oral":
            out.append(
                TimelineEntry(
                    r.reported_at or r.created_at,
                    "report",
                    f"口头报告（{label}）",
                    f"向{r.reported_to}报告",
                    user_label(r.reported_by),
                    link=link,
                )
            )
        else:
            out.append(
                TimelineEntry(
                    r.created_at,
                    "report",
                    f"起草书面报告（{label}）",
                    r.title,
                    user_label(r.created_by),
                    link=link,
                )
            )
    for s in case.signatures.all():
        out.append(
            TimelineEntry(
                s.signed_at,
                "signature",
                f"{s.purpose}记录：{s.object_label}",
                f"签发内容的 SHA-256：{s.content_hash[:16]}…",
                s.signer_label,
            )
        )
    return out


@timeline_provider
def _deadlines(case: Case) -> list[TimelineEntry]:
    out = []
    for d in case.deadlines.all():
        status = d.status
        if status == DeadlineStatus.MET:
            out.append(
                TimelineEntry(
                    d.met_at or d.due_at,
                    "deadline",
                    f"按时完成：{d.title}",
                    f"时限 {_local(d.due_at)}",
                    status="ok",
                )
            )
        elif status == DeadlineStatus.LATE:
            out.append(
                TimelineEntry(
                    d.met_at or d.due_at,
                    "deadline",
                    f"超期完成：{d.title}",
                    f"时限 {_local(d.due_at)}",
                    status="late",
                )
            )
        elif status == DeadlineStatus.MISSED:
            out.append(
                TimelineEntry(
                    d.missed_at or d.due_at,
                    "deadline",
                    f"超期未完成：{d.title}",
                    f"时限 {_local(d.due_at)}",
                    status="missed",
                )
            )
        elif status == DeadlineStatus.OPEN:
            out.append(
                TimelineEntry(d.created_at, "deadline", f"设定时限：{d.title}", f"{_local(d.due_at)} 前")
            )
    return out


@timeline_provider
def _response(case: Case) -> list[TimelineEntry]:
    out = []
    for p in case.plans.select_related("created_by__person", "decided_by__person"):
        out.append(
            TimelineEntry(
                p.created_at,
                "plan",
                f"起草应对方案第{p.version}版",
                p.summary[:200],
                user_label(p.created_by),
            )
        )
        if p.submitted_at:
            out.append(TimelineEntry(p.submitted_at, "plan", f"应对方案第{p.version}版报批", ""))
        if p.decided_at:
            verb = "批准" if p.status == PlanStatus.APPROVED else "退回"
            out.append(
                TimelineEntry(
                    p.decided_at,
                    "plan",
                    f"{verb}应对方案第{p.version}版",
                    p.comments,
                    user_label(p.decided_by),
                )
            )
        if p.launched_at:
            out.append(TimelineEntry(p.launched_at, "plan", f"启动应对方案第{p.version}版", ""))
    for a in case.actions.select_related("owner__person"):
        out.append(
            TimelineEntry(
                a.created_at,
                "action",
                f"布置处置措施：{a.title}",
                f"{a.get_kind_display()}，责任人{user_label(a.owner)}",
            )
        )
        if a.done_at:
            out.append(
                TimelineEntry(
                    a.done_at, "action", f"完成处置措施：{a.title}", a.result[:200], user_label(a.owner)
                )
            )
    for r in case.accountability.select_related("recorded_by__person"):
        out.append(
            TimelineEntry(
                r.recorded_at,
                "accountability",
                f"问责：{r.person_name}（{r.get_responsibility_display()}）",
                r.reason[:200],
                user_label(r.recorded_by),
            )
        )
    for s in case.source_requests.all():
        out.append(
            TimelineEntry(
                s.requested_at,
                "source",
                f"源头控制：向{s.target}提出{s.get_kind_display()}请求",
                s.request[:200],
            )
        )
        if s.answered_at:
            out.append(
                TimelineEntry(
                    s.answered_at, "source", f"{s.target}答复：{s.get_outcome_display()}", s.answer[:200]
                )
            )
    for c in case.coordination.all():
        out.append(
            TimelineEntry(
                c.contacted_at,
                "coordination",
                f"协调：{c.counterpart}",
                f"{c.request[:150]} → {c.outcome[:150]}",
            )
        )
    for f in case.attachments.select_related("uploaded_by__person"):
        out.append(
            TimelineEntry(
                f.uploaded_at,
                "attachment",
                f"上传证据：{f.name}",
                f.description,
                user_label(f.uploaded_by),
                link=f"/cases/{case.pk}/attachments/{f.pk}/",
            )
        )
    evaluation = Evaluation.objects.filter(case=case).first()
    if evaluation is not None and evaluation.submitted_at:
        out.append(
            TimelineEntry(
                evaluation.submitted_at, "evaluation", "评估报告提交工作组", evaluation.lessons[:200]
            )
        )
    return out


def _local(at: datetime) -> str:
    return f"{timezone.localtime(at):%Y-%m-%d %H:%M}"


def case_timeline(case: Case) -> list[TimelineEntry]:
    """Everything that happened to the case, oldest first (一案一档)."""
    entries: list[TimelineEntry] = []
    for provider in PROVIDERS:
        entries.extend(provider(case))
    return sorted(entries, key=lambda e: e.at)


# --- what a user may do now -------------------------------------------------------------------------
# The pages ask these which buttons and forms to show (they never compare states or statuses); the
# services check again when the action is taken.

PLAN_STATES = frozenset({cv.REPORTED, cv.PLAN_PENDING, cv.RESPONDING})


def case_actions(case: Case, user: Any) -> set[str]:
    """The case-page actions open to ``user`` by the case's state and their roles: ``verify`` (通报事发
    科室), ``report``, ``plan``, ``assign_action``, ``source``, ``evaluate``, ``attach``; and ``watch``
    while the case is in 后期跟踪 (the automatic restart is armed)."""
    roles = access.cached_roles(user)
    office = bool(roles & (flow.OFFICE | flow.LEADERS))
    actions: set[str] = set()
    if case.state == cv.TRACKING:
        actions.add("watch")
    if case.state == cv.CLOSED:
        return actions
    if office:
        actions |= {"verify", "report", "source"}
        if case.state in PLAN_STATES:
            actions.add("plan")
        if case.state == cv.RESPONDING:
            actions.add("assign_action")
        if case.state == cv.EVALUATING:
            actions.add("evaluate")
    if office or department_of_case(user, case):
        actions.add("attach")
    return actions


def plan_actions(plan: ResponsePlan, user: Any) -> set[str]:
    """``submit`` (报批, a draft, by the office), ``decide`` (审批, a submitted plan, by 组长/副组长 other
    than its drafter). Approval launches the plan: there is no separate 启动 (issue 12)."""
    roles = access.cached_roles(user)
    actions: set[str] = set()
    if plan.status == PlanStatus.DRAFT and roles & (flow.OFFICE | flow.LEADERS):
        actions.add("submit")
    if roles & flow.LEADERS and plan.status == PlanStatus.SUBMITTED and plan.created_by_id != user.pk:
        actions.add("decide")
    return actions


def report_actions(report: SituationReport, user: Any) -> set[str]:
    """``sign`` (a draft, by its named 签发人) and ``supersede`` (a signed report is corrected by a new
    version that replaces it)."""
    actions: set[str] = set()
    if report.status == ReportStatus.DRAFT and report.signer_id == getattr(user, "pk", None):
        actions.add("sign")
    if report.status == ReportStatus.SIGNED:
        actions.add("supersede")
    return actions


def verification_actions(task: VerificationTask, user: Any) -> set[str]:
    """``submit``: an open task, by its own department's head or handler."""
    if task.status == VerificationStatus.OPEN and speaks_for_department(user, task.department_id):
        return {"submit"}
    return set()

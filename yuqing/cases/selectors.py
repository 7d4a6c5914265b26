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
    ActionStatus,
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
    follows: bool = False  # the system's move following a fact recorded at the same instant: listed after it


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
            follows=t.actor_id is None,
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
def _severity(case: Case) -> list[TimelineEntry]:
    """Changes of the case's 舆情等级 (``case.severity`` in the audit trail: the system's or a person's)."""
    from yuqing import vocab
    from yuqing.audit.models import AuditEntry

    rows = AuditEntry.objects.filter(
        action="case.severity", object_type=case._meta.label_lower, object_id=str(case.pk)
    ).select_related("actor__person")
    out = []
    for row in rows:
        old, new = (row.old or {}).get("severity", ""), (row.new or {}).get("severity", "")
        detail = str((row.new or {}).get("reason", ""))
        changed = (row.new or {}).get("deadlines") or []
        if changed:
            detail += "。新的时限：" + "；".join(changed)
        out.append(
            TimelineEntry(
                row.at,
                "severity",
                f"舆情等级：{vocab.SEVERITIES.get(old, old)} → {vocab.SEVERITIES.get(new, new)}",
                detail,
                user_label(row.actor),
            )
        )
    return out


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
    return sorted(entries, key=lambda e: (e.at, e.follows))


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
    if roles & flow.SEVERITY_SETTERS:
        actions.add("severity")
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


# --- 下一步: the one next step of a case ---------------------------------------------------------------


@dataclass
class NextStep:
    """What the case needs now, from whom, by when, and the one button or link for it.

    ``kind`` names the step (tests and pages key on it); ``label`` is the button's text; ``url`` where
    it leads (a page, or ``#anchor`` of a form on the case page); ``post`` the fields of a one-click POST
    to ``url`` instead (then the button is a form); ``may`` whether ``user`` may press it — the button
    is shown only then; ``note`` says what still stands in the way, when something does."""

    kind: str
    what: str
    who: str
    due_at: datetime | None = None
    label: str = ""
    url: str = ""
    post: dict[str, str] | None = None
    may: bool = False
    note: str = ""
    plan: ResponsePlan | None = None  # the plan the step is about (its buttons move into the panel)
    decide: bool = False  # the panel holds the plan's decision form (comments, approve or return)


def _open_deadline(case: Case, kind: str) -> datetime | None:
    row = (
        case.deadlines.filter(kind=kind, met_at__isnull=True, cancelled_at__isnull=True)
        .order_by("due_at")
        .first()
    )
    return row.due_at if row else None


def _roles(roles: frozenset[str] | set[str]) -> str:
    return "或".join(access.role_labels(roles))


def _move_step(case: Case, user: Any, to: str, kind: str, what: str, who: str, due: Any = None) -> NextStep:
    """A step that is a person's decision to move the case (a one-click POST to the move view)."""
    from yuqing.cases.services.case import transition_check

    rule = flow.TRANSITIONS[(case.state, to)]
    why = transition_check(case, to, user=user)
    held = access.cached_roles(user) & rule.roles
    return NextStep(
        kind,
        what,
        who,
        due,
        label=rule.label,
        url=f"/cases/{case.pk}/move/",
        post={"to": to},
        may=not why,
        note=why if held else "",
    )


def case_next_step(case: Case, user: Any) -> NextStep:
    """The 下一步 panel of the case page: the one thing the procedure waits for now (read-only)."""
    from yuqing.cases.services.case import PRECONDITIONS

    office_who = _roles(flow.OFFICE)
    actions = case_actions(case, user)
    state = case.state
    if state == cv.NEW:
        return NextStep(
            "notify",
            "通报事发科室，布置核实任务",
            office_who + "或工作组组长/副组长",
            label="通报事发科室",
            url="#verify-form",
            may="verify" in actions,
        )
    if state == cv.CLOSED:
        return NextStep("closed", "案件已结案。如舆情再起，可填写理由重新启动。", "")
    if state in (cv.NOTIFIED, cv.VERIFYING):
        tasks = list(case.verifications.select_related("department"))
        waiting = [t for t in tasks if t.status == VerificationStatus.OPEN]
        if waiting and not any(t.status == VerificationStatus.SUBMITTED for t in tasks):
            task = next((t for t in waiting if "submit" in verification_actions(t, user)), waiting[0])
            return NextStep(
                "verification",
                f"{task.department.name}核实舆情事实，填报基本情况、原因、后果和处置意见",
                f"{task.department.name}（科室负责人或处置责任人）",
                task.due_at,
                label="填报核实结果",
                url=f"/cases/{case.pk}/verifications/{task.pk}/",
                may="submit" in verification_actions(task, user),
            )
        draft = (
            case.reports.filter(status=ReportStatus.DRAFT, mode="written")
            .select_related("signer__person")
            .order_by("-created_at")
            .first()
        )
        due = _open_deadline(case, "first_report")
        if draft is not None:
            return NextStep(
                "sign",
                f"签发情况报告「{draft.title}」",
                f"签发人 {user_label(draft.signer)}",
                due,
                label="签发报告",
                url=f"/cases/{case.pk}/reports/{draft.pk}/",
                may="sign" in report_actions(draft, user),
            )
        return NextStep(
            "report",
            "起草首次情况报告（初报），送签发人签发",
            office_who,
            due,
            label="起草初报",
            url=f"/cases/{case.pk}/reports/new/",
            may="report" in actions,
        )
    if state in (cv.REPORTED, cv.PLAN_PENDING):
        plans = list(case.plans.select_related("created_by__person").order_by("-version"))
        latest = plans[0] if plans else None
        if latest is not None and latest.status == PlanStatus.SUBMITTED:
            mine = latest.created_by_id == getattr(user, "pk", None)
            return NextStep(
                "decide",
                f"审批应对方案第{latest.version}版（批准即启动应急响应）",
                f"{_roles(flow.LEADERS)}（起草人{user_label(latest.created_by)}以外）",
                label="批准并启动应急响应",
                url=f"/cases/{case.pk}/plans/{latest.pk}/",
                may="decide" in plan_actions(latest, user),
                note="不能审批自己起草的应对方案"
                if mine and access.cached_roles(user) & flow.LEADERS
                else "",
                plan=latest,
                decide=True,
            )
        due = _open_deadline(case, "response_plan")
        if latest is not None and latest.status == PlanStatus.DRAFT:
            return NextStep(
                "submit_plan",
                f"应对方案第{latest.version}版报工作组审批",
                office_who,
                due,
                label="报批",
                url=f"/cases/{case.pk}/plans/{latest.pk}/",
                post={"do": "submit"},
                may="submit" in plan_actions(latest, user),
                plan=latest,
            )
        returned = latest is not None and latest.status == PlanStatus.RETURNED
        return NextStep(
            "plan",
            f"应对方案第{latest.version}版被退回（{latest.comments}），请起草新版本并报批"
            if returned and latest is not None
            else "起草应对方案（措施、责任人、完成时限）并报工作组审批",
            office_who,
            due,
            label="起草应对方案",
            url="#plan-form",
            may="plan" in actions,
        )
    if state == cv.RESPONDING:
        open_actions = list(
            case.actions.filter(status=ActionStatus.OPEN).select_related("owner__person").order_by("due_at")
        )
        if open_actions:
            owners = "、".join(dict.fromkeys(user_label(a.owner) for a in open_actions))
            mine = any(a.owner_id == getattr(user, "pk", None) for a in open_actions)
            return NextStep(
                "handle",
                f"完成处置措施（{len(open_actions)} 项未完成），填报完成情况",
                f"责任人 {owners}",
                open_actions[0].due_at,
                label="填报完成情况",
                url="#handling",
                may=mine or bool(access.cached_roles(user) & (flow.OFFICE | flow.LEADERS)),
            )
        missing = PRECONDITIONS["handled"](case)
        if missing:
            return NextStep(
                "handling",
                f"处置尚未完毕：{missing}",
                office_who + "；事实认定由工作组组长/副组长",
                label="办理处置事项",
                url="#handling",
                may=bool(access.cached_roles(user) & (flow.OFFICE | flow.LEADERS)),
            )
        return _move_step(case, user, cv.TRACKING, "to_tracking", "处置已完毕，转入后期跟踪", office_who)
    if state == cv.TRACKING:
        return _move_step(
            case,
            user,
            cv.EVALUATING,
            "end_tracking",
            "后期跟踪：继续监测，期满后结束跟踪并开展评估（新增信息超过阈值时系统自动重新启动）",
            office_who,
            case.tracking_until,
        )
    # EVALUATING
    evaluation = Evaluation.objects.filter(case=case).first()
    if evaluation is None or evaluation.submitted_at is None:
        return NextStep(
            "evaluate",
            "填写评估报告（起因、性质、影响、责任、经验教训、整改措施）并提交工作组",
            office_who,
            label="填写评估报告",
            url="#evaluation",
            may="evaluate" in actions,
        )
    return _move_step(
        case,
        user,
        cv.CLOSED,
        "close",
        "评估报告已提交，结案",
        _roles(flow.LEADERS | {access.OFFICE_DIRECTOR}),
    )

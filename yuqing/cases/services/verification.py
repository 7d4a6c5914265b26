"""初步核实 (二(二)): notify the 事发科室 with a task and a deadline; the department records its findings;
evidence attachments."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from yuqing.audit.services import audit_record
from yuqing.cases import flow
from yuqing.cases import vocab as cv
from yuqing.cases.access import department_of_case, may_read, speaks_for_department
from yuqing.cases.models import (
    Attachment,
    Case,
    ProcedureSettings,
    ReportStatus,
    VerificationStatus,
    VerificationTask,
)
from yuqing.cases.services.case import case_transition, refuse_unless_open
from yuqing.cases.services.common import (
    ProcedureError,
    clean_text,
    forbidden,
    invalid,
    notify_after_commit,
    now_or,
    parse_time,
    require_role,
    task_done,
    task_subject,
)
from yuqing.cases.services.deadlines import deadline_set, deadlines_cancel, deadlines_meet
from yuqing.cases.services.follow import case_follow_verification
from yuqing.core.statemachine import Move, StateMachine
from yuqing.org import access
from yuqing.org.models import Department
from yuqing.org.selectors import role_holders

VERIFY_FIELDS = {
    "basic_facts": "基本情况",
    "cause": "产生原因",
    "consequences": "造成后果",
    "proposed_handling": "处置意见",
}


def verification_assign(
    *,
    case: Case,
    user: Any,
    department_id: int,
    instructions: str = "",
    due_at: datetime | str | None = None,
    now: datetime | None = None,
) -> VerificationTask:
    """通报: send the department a verification task (deadline by severity unless given), notify its head
    and handlers, and move a new case to 已通报."""
    require_role(user, flow.OFFICE | flow.LEADERS, "通报事发科室")
    refuse_unless_open(case, "布置核实")
    errors: dict[str, str] = {}
    department = Department.objects.filter(pk=department_id, active=True).first()
    if department is None:
        errors["department_id"] = "请选择在用的事发科室"
    instructions = clean_text(
        instructions, field="instructions", label="核实要求", max_length=5000, errors=errors
    )
    at = now_or(now)
    chosen = parse_time(due_at, field="due_at", label="核实时限", errors=errors, after=at)
    if errors or department is None:
        raise invalid(errors)
    due = chosen or at + ProcedureSettings.current().verify_within(case.severity)
    with transaction.atomic():
        task = VerificationTask.objects.create(
            case=case,
            department=department,
            instructions=instructions,
            assigned_by=user,
            assigned_at=at,
            due_at=due,
        )
        if case.department_id is None:
            Case.objects.filter(pk=case.pk).update(department=department)
            case.department = department
        deadline_set(
            case=case,
            kind="verification",
            title=f"{department.name}核实舆情事实",
            due_at=due,
            obj=task,
            department_id=department.pk,
            now=at,
        )
        audit_record(
            actor=user,
            action="verification.assign",
            obj=task,
            new={"department": department.name, "due_at": due, "instructions": instructions},
        )
        if case.state == cv.NEW:
            case_transition(case=case, to=cv.NOTIFIED, user=user, reason=f"通报{department.name}", now=at)
        people = role_holders(flow.DEPARTMENT, department_id=department.pk)
        notify_after_commit(
            people,
            f"【核实任务】{case.title}",
            f"请于 {timezone_local(due):%m-%d %H:%M} 前核实舆情事实并填报。{instructions}",
            f"/cases/{case.pk}/verifications/{task.pk}/",
            level=case.severity,
            subject=task_subject(task),
        )
    return task


def timezone_local(at: datetime) -> datetime:
    from django.utils import timezone

    return timezone.localtime(at)


def case_finding_record(
    *,
    case: Case,
    finding: str,
    actor: Any,
    reason: str = "",
    verified_at: datetime | None = None,
    task: VerificationTask | None = None,
) -> str:
    """The one writer of ``Case.finding`` (and of ``verified_at``, when a verification sets it): locks the
    case row, saves, and audits ``case.finding`` with the old and new finding, the reason or the
    verification task it came from. Runs inside the caller's transaction; returns the old finding.
    ``finding`` must already be checked against ``cases.vocab.FINDINGS``."""
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        old = locked.finding
        locked.finding = finding
        fields = ["finding"]
        if verified_at is not None:
            locked.verified_at = verified_at
            fields.append("verified_at")
        locked.save(update_fields=fields)
        new: dict[str, Any] = {"finding": finding}
        if reason:
            new["reason"] = reason
        if task is not None:
            new["verification_id"] = task.pk
        audit_record(actor=actor, action="case.finding", obj=locked, old={"finding": old}, new=new)
    case.finding = finding
    if verified_at is not None:
        case.verified_at = verified_at
    return old


def verification_submit(
    *, task: VerificationTask, user: Any, data: dict[str, Any], now: datetime | None = None
) -> VerificationTask:
    """The department records basic facts, cause, consequences, proposed handling and a finding.

    The finding (属实/部分属实/失实) becomes the case's; 待核实 is accepted as an interim finding but
    keeps the case from being reported as verified."""
    case = task.case
    refusal = VERIFICATIONS.refusal(task, "submit", user)
    if refusal is not None:
        raise refusal
    errors: dict[str, str] = {}
    values = {
        name: clean_text(
            data.get(name), field=name, label=label, max_length=20000, required=True, errors=errors
        )
        for name, label in VERIFY_FIELDS.items()
    }
    finding = str(data.get("finding") or "")
    if finding not in cv.FINDINGS:
        errors["finding"] = f"事实认定须为{'、'.join(cv.FINDINGS.values())}之一"
    if errors:
        raise invalid(errors)
    at = now_or(now)
    audit_old: dict[str, Any] = {}

    def apply(locked: VerificationTask) -> dict[str, Any]:
        for name, value in values.items():
            setattr(locked, name, value)
        locked.finding = finding
        locked.submitted_by = user
        locked.submitted_at = at
        audit_old["finding"] = case_finding_record(
            case=case, finding=finding, actor=user, verified_at=at, task=locked
        )
        deadlines_meet(case=case, kind="verification", obj=locked, at=at)
        cfg = ProcedureSettings.current()
        if not case.reports.filter(status__in=[ReportStatus.SIGNED, ReportStatus.ORAL]).exists():
            deadline_set(
                case=case,
                kind="first_report",
                title="核实后首次情况报告",
                due_at=at + cfg.report_within(case.severity),
                now=at,
            )
        return {**values, "finding": finding}

    def then(locked: VerificationTask) -> None:
        task_done(locked)
        office = role_holders(flow.OFFICE | flow.LEADERS)
        notify_after_commit(
            office,
            f"【核实结果】{case.title}：{cv.FINDINGS[finding]}",
            values["basic_facts"][:200],
            f"/cases/{case.pk}/",
            level=case.severity,
        )
        case_follow_verification(case=case, task=locked, now=at)  # 核实中, and 已报告 if reported too

    VERIFICATIONS.transition(task, "submit", user=user, apply=apply, then=then, audit_old=audit_old)
    case.refresh_from_db()
    task.refresh_from_db()
    return task


def _speaks_for_task_department(task: VerificationTask, user: Any) -> ProcedureError | None:
    if speaks_for_department(user, task.department_id):
        return None
    # The task's own department only: a department that verifies another part of the same case must
    # not write this one's findings (they become the case's finding).
    name = task.department.name
    return forbidden(f"该核实任务交由{name}办理，核实结果须由{name}的科室负责人或处置责任人填报")


VERIFICATIONS = StateMachine(
    VerificationTask,
    {
        "submit": Move(
            {VerificationStatus.OPEN},
            VerificationStatus.SUBMITTED,
            refusal="该核实任务{label}，不能再次提交",
            who=_speaks_for_task_department,
        ),
        "cancel": Move(
            {VerificationStatus.OPEN},
            VerificationStatus.CANCELLED,
            refusal="只能撤销待核实的任务",
            roles=flow.OFFICE | flow.LEADERS,
            label="撤销核实任务",
        ),
    },
    audit_prefix="verification",
    error=ProcedureError,
)


def verification_cancel(*, task: VerificationTask, user: Any, reason: str) -> VerificationTask:
    """Withdraw an open task. Locked and read again: a task submitted meanwhile is not cancelled."""
    refusal = VERIFICATIONS.refusal(task, "cancel", user)
    if refusal is not None:
        raise refusal
    if not reason.strip():
        raise invalid({"reason": "请填写撤销理由"})

    def apply(locked: VerificationTask) -> dict[str, Any]:
        deadlines_cancel(case=locked.case, kinds={"verification"})
        task_done(locked)
        return {"reason": reason}

    VERIFICATIONS.transition(task, "cancel", user=user, apply=apply)
    return task


# --- evidence -----------------------------------------------------------------------------------------

# kind → (extensions, magic-byte check)
_ZIP = b"PK\x03\x04"
ATTACHMENT_TYPES: dict[str, tuple[tuple[str, ...], str]] = {
    "pdf": ((".pdf",), "application/pdf"),
    "png": ((".png",), "image/png"),
    "jpeg": ((".jpg", ".jpeg"), "image/jpeg"),
    "docx": ((".docx",), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ((".xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "txt": ((".txt",), "text/plain; charset=utf-8"),
}


def sniff(head: bytes) -> str:
    """The real type of a file from its first bytes ("" when not one we accept)."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(_ZIP):
        return "zip"
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = head[:-3].decode("utf-8")  # a multi-byte character cut at the sniff boundary
        except UnicodeDecodeError:
            return ""
    if "\x00" in text or ("<" in text and ("<script" in text.lower() or "<html" in text.lower())):
        return ""
    return "txt"


def attachment_add(
    *,
    case: Case,
    user: Any,
    name: str,
    data: bytes,
    description: str = "",
    verification: VerificationTask | None = None,
    now: datetime | None = None,
) -> Attachment:
    """Store evidence outside the web root after checking size, extension and the file's real type (a
    renamed executable or an HTML page called .pdf is refused)."""
    if not may_read(user, case) or not (
        access.has_role(user, *(flow.OFFICE | flow.LEADERS)) or department_of_case(user, case)
    ):
        raise forbidden("只有应急办、工作组或事发科室可以上传该案件的证据材料")
    refuse_unless_open(case, "上传证据")
    errors: dict[str, str] = {}
    name = Path(str(name or "")).name.strip()[:200]
    suffix = Path(name).suffix.lower()
    kind = next((k for k, (exts, _) in ATTACHMENT_TYPES.items() if suffix in exts), "")
    limit = settings.ATTACHMENT_MAX_BYTES
    if not name:
        errors["file"] = "请选择文件"
    elif not kind:
        allowed = "、".join(e for exts, _ in ATTACHMENT_TYPES.values() for e in exts)
        errors["file"] = f"不支持的文件类型「{suffix or '无扩展名'}」，只接受 {allowed}"
    elif len(data) > limit:
        errors["file"] = f"文件 {len(data) / 1048576:.1f} MB，超过 {limit // 1048576} MB 上限"
    elif not data:
        errors["file"] = "文件是空的"
    else:
        real = sniff(data[:512])
        expected = "zip" if kind in ("docx", "xlsx") else kind
        if real != expected:
            errors["file"] = f"文件内容与扩展名「{suffix}」不符（可能是伪装的文件），已拒绝"
    description = clean_text(description, field="description", label="说明", max_length=300, errors=errors)
    if errors:
        raise invalid(errors)
    digest = hashlib.sha256(data).hexdigest()
    folder = Path(settings.ATTACHMENT_DIR) / str(case.pk)
    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / f"{uuid.uuid4().hex}{suffix}"
    stored.write_bytes(data)
    stored.chmod(0o600)
    try:
        with transaction.atomic():
            attachment = Attachment.objects.create(
                case=case,
                verification=verification,
                name=name,
                kind=kind,
                content_type=ATTACHMENT_TYPES[kind][1],
                size=len(data),
                sha256=digest,
                path=str(stored.relative_to(settings.ATTACHMENT_DIR)),
                description=description,
                uploaded_by=user,
                uploaded_at=now_or(now),
            )
            audit_record(
                actor=user,
                action="attachment.add",
                obj=attachment,
                new={"name": name, "size": len(data), "sha256": digest},
            )
    except Exception:
        stored.unlink(missing_ok=True)
        raise
    return attachment


def attachment_path(attachment: Attachment) -> Path:
    return Path(settings.ATTACHMENT_DIR) / attachment.path

"""情况报告 (二(三)): drafting with every element checked, 签发 by a named signer, oral reports with a
written follow-up due, level-by-level reporting with 越级 only for 特别重大. Never deleted: a signed
report is only superseded by a later one."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from yuqing.audit.services import audit_record
from yuqing.cases import flow
from yuqing.cases import vocab as cv
from yuqing.cases.models import Case, ProcedureSettings, ReportStatus, Signature, SituationReport
from yuqing.cases.services.case import refuse_unless_open
from yuqing.cases.services.common import (
    ProcedureError,
    clean_text,
    content_hash,
    fetch_row,
    forbidden,
    invalid,
    notify_after_commit,
    now_or,
    parse_time,
    require_role,
    signature_create,
    task_done,
    task_subject,
    user_label,
)
from yuqing.cases.services.deadlines import deadline_set, deadlines_meet
from yuqing.cases.services.follow import case_follow_report
from yuqing.core.statemachine import Move, StateMachine
from yuqing.org import access

# Who may sign a report at each level: the office's director signs what goes to the working group; what
# goes to bureau leaders and above is signed by the group's 组长 / 副组长.
SIGNERS_BY_LEVEL: dict[str, frozenset[str]] = {
    "working_group": flow.LEADERS | {access.OFFICE_DIRECTOR},
    "bureau_leaders": flow.LEADERS,
    "city": flow.LEADERS,
    "region": flow.LEADERS,
}
# An oral report must still say at least this much; the written follow-up carries every element.
ORAL_ELEMENTS = ("occurred_at", "place", "people", "cause", "current_state", "handling_so_far")
TEXT_LIMITS = {"place": 300}


def _validate(
    case: Case, data: dict[str, Any], *, now: datetime, report: SituationReport | None
) -> tuple[dict[str, Any], list[str], dict[str, str]]:
    """Clean every field of a report; return (values, missing element labels, errors by field)."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    mode = str(data.get("mode") or "written")
    if mode not in cv.REPORT_MODES:
        errors["mode"] = "报告方式须为 written（书面）或 oral（口头）"
    kind = str(data.get("kind") or "")
    if kind not in cv.REPORT_KINDS:
        errors["kind"] = "报告类别须为 initial（初报）、followup（续报）或 final（终报）"
    level = str(data.get("level") or "")
    if level not in cv.REPORT_LEVELS:
        errors["level"] = f"报告层级须为 {'、'.join(f'{k}（{v}）' for k, v in cv.REPORT_LEVELS.items())} 之一"
    values.update(mode=mode, kind=kind, level=level)
    values["title"] = clean_text(
        data.get("title"), field="title", label="标题", max_length=300, errors=errors
    )
    required = cv.REPORT_ELEMENTS if mode == "written" else dict.fromkeys(ORAL_ELEMENTS)
    missing: list[str] = []
    for name, label in cv.REPORT_ELEMENTS.items():
        if name == "occurred_at":
            value: Any = parse_time(data.get(name), field=name, label=label, errors=errors, not_after=now)
        else:
            value = clean_text(
                data.get(name),
                field=name,
                label=label,
                max_length=TEXT_LIMITS.get(name, 20000),
                errors=errors,
            )
        if name in required and not value and name not in errors:
            missing.append(label)
            errors[name] = f"缺少要素「{label}」"
        values[name] = value
    values["skip_level"] = bool(data.get("skip_level"))
    values["skip_reason"] = clean_text(
        data.get("skip_reason"), field="skip_reason", label="越级理由", max_length=2000, errors=errors
    )
    # Level by level: a report at a level needs one at the level below, unless 越级 (especially major).
    if level in cv.REPORT_LEVELS and "level" not in errors:
        index = cv.REPORT_LEVEL_ORDER.index(level)
        if index > 0:
            below = cv.REPORT_LEVEL_ORDER[index - 1]
            has_below = case.reports.filter(level=below, status__in=SituationReport.GIVEN).exists()
            if not has_below and not values["skip_level"]:
                errors["level"] = (
                    f"须逐级上报：尚未向「{cv.REPORT_LEVELS[below]}」报告，不能直接报「{cv.REPORT_LEVELS[level]}」"
                )
            elif not has_below and case.severity != "especially_major":
                errors["skip_level"] = "只有特别重大(Ⅰ级)涉税舆情可以越级上报"
            elif not has_below and not values["skip_reason"]:
                errors["skip_reason"] = "越级上报须说明理由"
            elif has_below:
                values["skip_level"] = False
        elif values["skip_level"]:
            errors["skip_level"] = "报工作组是第一级，无需越级"
    if (
        kind in ("followup", "final")
        and not case.reports.filter(kind="initial", status__in=SituationReport.GIVEN).exists()
    ):
        errors["kind"] = "须先报送初报，才能报送续报或终报"
    if (
        kind == "initial"
        and report is None
        and mode == "written"
        and not data.get("supersedes_id")
        and (case.reports.filter(kind="initial", level=level, status=ReportStatus.SIGNED).exists())
    ):
        errors["kind"] = "该层级已有已签发的初报；后续情况请报续报，或起草新版本替代原报告"
    if mode == "written":
        signer_id = data.get("signer_id")
        signer = fetch_row(get_user_model(), signer_id)
        if signer is None or not signer.is_active:
            errors["signer_id"] = "书面报告须标明签发人"
        elif level in SIGNERS_BY_LEVEL and not access.roles_of(signer) & SIGNERS_BY_LEVEL[level]:
            names = "、".join(access.role_labels(SIGNERS_BY_LEVEL[level]))
            errors["signer_id"] = (
                f"{user_label(signer)}不能签发报「{cv.REPORT_LEVELS[level]}」的报告：须为{names}"
            )
        values["signer"] = signer
        follows = data.get("follows_up_id")
        values["follows_up"] = None
        if follows:
            oral = fetch_row(case.reports.filter(mode="oral"), follows)
            if oral is None:
                errors["follows_up_id"] = "补报对象须是本案件的一份口头报告"
            values["follows_up"] = oral
    else:
        values["reported_to"] = clean_text(
            data.get("reported_to"),
            field="reported_to",
            label="报告对象",
            max_length=200,
            required=True,
            errors=errors,
        )
        values["reported_at"] = parse_time(
            data.get("reported_at"), field="reported_at", label="报告时间", errors=errors, not_after=now
        )
        if values["reported_at"] is None and "reported_at" not in errors:
            errors["reported_at"] = "请填写口头报告的时间"
    supersedes = data.get("supersedes_id")
    values["supersedes"] = None
    if supersedes:
        old = fetch_row(case.reports.filter(status=ReportStatus.SIGNED), supersedes)
        if old is None:
            errors["supersedes_id"] = "只能替代本案件一份已签发的报告"
        values["supersedes"] = old
    if not values["title"] and kind in cv.REPORT_KINDS and level in cv.REPORT_LEVELS:
        values["title"] = (
            f"关于「{case.title[:100]}」的{cv.REPORT_KINDS[kind]}（报{cv.REPORT_LEVELS[level]}）"
        )
    return values, missing, errors


def report_create(
    *, case: Case, user: Any, data: dict[str, Any], now: datetime | None = None
) -> SituationReport:
    """Draft a written report (signed later by the named 签发人) or record an oral one as given.

    Refused with every missing element by name (``errors`` and ``missing`` on the ProcedureError)."""
    require_role(user, flow.OFFICE | flow.LEADERS, "起草情况报告")
    refuse_unless_open(case, "报送情况报告")
    at = now_or(now)
    values, missing, errors = _validate(case, data, now=at, report=None)
    if errors:
        raise invalid(errors, f"情况报告不完整：缺少{'、'.join(missing)}" if missing else "", missing=missing)
    with transaction.atomic():
        report = SituationReport(case=case, created_by=user, created_at=at, **values)
        if report.mode == "oral":
            report.status = ReportStatus.ORAL
            report.reported_by = user
        report.save()
        audit_record(
            actor=user,
            action=f"report.{'oral' if report.mode == 'oral' else 'draft'}",
            obj=report,
            new=_snapshot(report),
        )
        if report.mode == "oral" and report.reported_at is not None:
            cfg = ProcedureSettings.current()
            deadlines_meet(case=case, kind="first_report", at=report.reported_at)
            deadline_set(
                case=case,
                kind="written_followup",
                title=f"补报书面报告（口头报告于 {timezone.localtime(report.reported_at):%m-%d %H:%M}）",
                due_at=report.reported_at + timedelta(hours=cfg.oral_followup_hours),
                obj=report,
                owner=user,
                now=at,
            )
            case_follow_report(case=case, now=at)  # the case follows: 已报告 once verified too
        elif report.signer_id:
            notify_after_commit(
                [report.signer],
                f"【待签发】{report.title}",
                f"{user_label(user)}起草的情况报告请您签发。",
                f"/cases/{case.pk}/reports/{report.pk}/",
                level=case.severity,
                subject=task_subject(report, "sign"),
            )
    return report


def report_update(
    *, report: SituationReport, user: Any, data: dict[str, Any], now: datetime | None = None
) -> SituationReport:
    """Edit a draft. Signed content is frozen: correct it with a new report that supersedes it."""
    require_role(user, flow.OFFICE | flow.LEADERS, "修改情况报告")
    if report.frozen:
        raise ProcedureError(
            "报告已签发（或已口头报告），内容已冻结，不能修改；如需更正，请起草新版本替代原报告"
        )
    at = now_or(now)
    merged = {**_snapshot(report), "signer_id": report.signer_id, **data}
    values, missing, errors = _validate(report.case, merged, now=at, report=report)
    if errors:
        raise invalid(errors, f"情况报告不完整：缺少{'、'.join(missing)}" if missing else "", missing=missing)
    with transaction.atomic():
        locked = SituationReport.objects.select_for_update().get(pk=report.pk)
        if locked.frozen:
            raise ProcedureError("报告已签发，内容已冻结，不能修改")
        old = _snapshot(locked)
        for name, value in values.items():
            setattr(locked, name, value)
        locked.save()
        audit_record(actor=user, action="report.update", obj=locked, old=old, new=_snapshot(locked))
    return locked


def _snapshot(report: SituationReport) -> dict[str, Any]:
    data: dict[str, Any] = {
        "case_id": report.case_id,
        "kind": report.kind,
        "mode": report.mode,
        "level": report.level,
        "skip_level": report.skip_level,
        "skip_reason": report.skip_reason,
        "title": report.title,
        "signer_id": report.signer_id,
        "follows_up_id": report.follows_up_id,
        "supersedes_id": report.supersedes_id,
        "reported_to": report.reported_to,
        "reported_at": report.reported_at.isoformat() if report.reported_at else None,
    }
    for name in cv.REPORT_ELEMENTS:
        value = getattr(report, name)
        data[name] = value.isoformat() if isinstance(value, datetime) else value
    return data


# The report's own moves (superseding is the signing of its successor). report_sign locks the row itself:
# the signed content's hash is taken before the status changes.
REPORTS = StateMachine(
    SituationReport,
    {"sign": Move({ReportStatus.DRAFT}, ReportStatus.SIGNED, "报告{label}，不能再次签发")},
    audit_prefix="report",
    error=ProcedureError,
)


def _refuse(report: SituationReport, action: str) -> None:
    refusal = REPORTS.refusal(report, action, None)
    if refusal is not None:
        raise refusal


def report_supersede(*, report_id: int, by: SituationReport, user: Any) -> None:
    """The one writer of a report's 已被替代 status: the report ``by`` replaces, locked, marked, and
    audited (``report.supersede``), inside the signing transaction."""
    with transaction.atomic():
        old = SituationReport.objects.select_for_update().get(pk=report_id)
        previous = old.status
        old.status = ReportStatus.SUPERSEDED
        old.save(update_fields=["status"])
        audit_record(
            actor=user,
            action="report.supersede",
            obj=old,
            old={"status": previous},
            new={"status": ReportStatus.SUPERSEDED.value, "superseded_by": by.pk},
        )


def report_sign(*, report: SituationReport, user: Any, now: datetime | None = None) -> Signature:
    """签发: only the named signer, holding a signing role for the report's level now. Freezes the
    content: its SHA-256 goes on the report and on a Signature row that keeps the signed content."""
    if report.mode != "written":
        raise ProcedureError("口头报告无需签发；请起草书面报告补报")
    _refuse(report, "sign")
    if report.signer_id != user.pk:
        raise forbidden(f"该报告标明的签发人是{user_label(report.signer)}，只有其本人可以签发")
    roles = SIGNERS_BY_LEVEL[report.level]
    held = access.roles_of(user) & roles
    if not held:
        names = "、".join(access.role_labels(roles))
        raise forbidden(f"签发报「{cv.REPORT_LEVELS[report.level]}」的报告须为{names}，您当前没有这些角色")
    at = now_or(now)
    case = report.case
    with transaction.atomic():
        locked = SituationReport.objects.select_for_update().get(pk=report.pk)
        _refuse(locked, "sign")
        content = _snapshot(locked)
        digest = content_hash(content)
        locked.status = ReportStatus.SIGNED
        locked.signed_at = at
        locked.content_hash = digest
        locked.save(update_fields=["status", "signed_at", "content_hash"])
        signature = signature_create(
            case=case, obj=locked, signer=user, role=sorted(held)[0], purpose="签发", content=content, at=at
        )
        if locked.supersedes_id:
            report_supersede(report_id=locked.supersedes_id, by=locked, user=user)
        deadlines_meet(case=case, kind="first_report", at=at)
        if locked.follows_up_id:
            deadlines_meet(case=case, kind="written_followup", obj=locked.follows_up, at=at)
        task_done(locked, "sign")
        audit_record(
            actor=user,
            action="report.sign",
            obj=locked,
            old={"status": "draft"},
            new={"status": "signed", "content_hash": digest, "signature_id": signature.pk},
        )
        case_follow_report(case=case, now=at)  # the case follows: 已报告 once verified too
    report.refresh_from_db()
    return signature


def signature_verify(signature: Signature) -> bool:
    """Whether the signed content still hashes to the recorded value (and, for reports, matches the
    report as stored now)."""
    if content_hash(signature.content) != signature.content_hash:
        return False
    if signature.object_type == SituationReport._meta.label_lower:
        report = SituationReport.objects.filter(pk=signature.object_id).first()
        return report is not None and content_hash(_snapshot(report)) == signature.content_hash
    return True

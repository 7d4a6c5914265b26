"""一案一档: the whole file of a case as data — every text as it was recorded, signed or approved.

``case_dossier(case, user)`` returns plain dataclasses (no HTML): the dossier page renders them, and an
export (DOCX/PDF) can walk the same sections. Texts that were signed or approved are taken from the
Signature row that froze them (what the signer saw), with its SHA-256 and whether it still matches.

Apps above cases add their own sections with ``dossier_provider`` (releases adds the releases as
published), the same inversion as the timeline's ``timeline_provider``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from yuqing.cases import flow
from yuqing.cases import vocab as cv
from yuqing.cases.models import (
    Case,
    Evaluation,
    HandlingAction,
    ReportStatus,
    Signature,
    SituationReport,
)
from yuqing.cases.selectors import TimelineEntry, case_timeline
from yuqing.core.common import content_hash, user_label
from yuqing.org import access

# --- the shape ---------------------------------------------------------------------------------------


@dataclass
class DossierField:
    """One labelled text; ``value`` is what a person reads (dates already in local time)."""

    label: str
    value: str


@dataclass
class DossierTable:
    headers: list[str]
    rows: list[list[str]]
    caption: str = ""


@dataclass
class DossierFile:
    """An attachment as listed in the file: the bytes stay in the store, the hash proves them."""

    name: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: str
    description: str = ""
    link: str = ""

    @property
    def size_label(self) -> str:
        if self.size < 1024:
            return f"{self.size} 字节"
        if self.size < 1024 * 1024:
            return f"{self.size / 1024:.1f} KB"
        return f"{self.size / 1024 / 1024:.1f} MB"


@dataclass
class DossierSeal:
    """A 签发 or 审批 as recorded on its Signature: who, in which role, when, the SHA-256 of the content,
    and whether the kept content still hashes to it."""

    purpose: str
    signer: str
    role: str
    at: str
    content_hash: str
    intact: bool


@dataclass
class DossierRecord:
    """One document of a section (a verification, a report version, a plan version, a release…)."""

    title: str
    status: str = ""
    meta: str = ""
    fields: list[DossierField] = field(default_factory=list)
    table: DossierTable | None = None
    files: list[DossierFile] = field(default_factory=list)
    seals: list[DossierSeal] = field(default_factory=list)
    note: str = ""
    link: str = ""


@dataclass
class DossierSection:
    key: str
    title: str
    order: int
    records: list[DossierRecord] = field(default_factory=list)
    empty: str = "无"


@dataclass
class CaseDossier:
    case_id: int
    title: str
    facts: list[DossierField]
    sections: list[DossierSection]
    timeline: list[TimelineEntry]


DossierProvider = Callable[[Case, Any], list[DossierSection]]
DOSSIER_PROVIDERS: list[DossierProvider] = []


def dossier_provider(fn: DossierProvider) -> DossierProvider:
    """Register a source of dossier sections (apps above cases, e.g. releases, add theirs). A provider
    gets the case and the reader and returns sections; ``order`` places them among the others."""
    DOSSIER_PROVIDERS.append(fn)
    return fn


# --- helpers the providers share ---------------------------------------------------------------------


def when(at: datetime | str | None, *, year: bool = False) -> str:
    """Local time as people read it: ``11月28日 16:01`` (``2026年11月28日 16:01`` with ``year``)."""
    if isinstance(at, str):
        at = parse_datetime(at)
    if at is None:
        return ""
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    local = timezone.localtime(at)
    text = f"{local.month}月{local.day}日 {local:%H:%M}"
    return f"{local.year}年{text}" if year else text


def seals_of(case: Case) -> dict[tuple[str, str], list[DossierSeal]]:
    """The case's signatures by (object type, object id), oldest first; one query."""
    out: dict[tuple[str, str], list[DossierSeal]] = {}
    for s in Signature.objects.filter(case=case).order_by("signed_at", "id"):
        out.setdefault((s.object_type, s.object_id), []).append(seal(s))
    return out


def seal(s: Signature) -> DossierSeal:
    return DossierSeal(
        purpose=s.purpose,
        signer=s.signer_label,
        role=access.ROLE_LABELS.get(s.role, s.role),
        at=when(s.signed_at, year=True),
        content_hash=s.content_hash,
        intact=content_hash(s.content) == s.content_hash,
    )


def signed_content(case: Case, obj: Any, purpose: str) -> dict[str, Any] | None:
    """The content as it was signed/approved (the Signature's copy), or None if it was not."""
    row = (
        Signature.objects.filter(
            case=case, object_type=obj._meta.label_lower, object_id=str(obj.pk), purpose=purpose
        )
        .only("content")
        .first()
    )
    return row.content if row is not None and isinstance(row.content, dict) else None


def _fields(pairs: list[tuple[str, Any]]) -> list[DossierField]:
    """Labelled texts, leaving out the empty ones (a dossier lists what was written)."""
    return [DossierField(label, str(value)) for label, value in pairs if value not in (None, "")]


def may_see_accountability(user: Any) -> bool:
    """问责 records are for the group's leaders, the office and 纪检组 (who keep or read the 问责台账)."""
    return bool(access.cached_roles(user) & (flow.ACCOUNTABILITY_READERS | flow.ACCOUNTABILITY_WRITERS))


# --- the case's own sections ---------------------------------------------------------------------------


def _file(case: Case, a: Any) -> DossierFile:
    return DossierFile(
        name=a.name,
        size=a.size,
        sha256=a.sha256,
        uploaded_by=user_label(a.uploaded_by),
        uploaded_at=when(a.uploaded_at),
        description=a.description,
        link=f"/cases/{case.pk}/attachments/{a.pk}/",
    )


def _verifications(case: Case) -> DossierSection:
    section = DossierSection("verification", "初步核实", 20)
    tasks = case.verifications.select_related(
        "department", "assigned_by__person", "submitted_by__person"
    ).prefetch_related("attachments__uploaded_by__person")
    for v in tasks:
        section.records.append(
            DossierRecord(
                title=f"{v.department.name}核实情况",
                status=v.status_label,
                meta=f"{when(v.assigned_at)} {user_label(v.assigned_by)}通报，时限 {when(v.due_at)}",
                fields=_fields(
                    [
                        ("核实要求", v.instructions),
                        ("基本情况", v.basic_facts),
                        ("产生原因", v.cause),
                        ("造成后果", v.consequences),
                        ("处置意见", v.proposed_handling),
                        ("事实认定", cv.FINDINGS.get(v.finding, v.finding) if v.is_submitted else ""),
                        ("填报人", user_label(v.submitted_by) if v.submitted_by_id else ""),
                        ("提交时间", when(v.submitted_at)),
                    ]
                ),
                files=[_file(case, a) for a in v.attachments.all()],
            )
        )
    return section


_REPORT_HEAD = (
    ("kind", "报告类别", cv.REPORT_KINDS),
    ("mode", "报告方式", cv.REPORT_MODES),
    ("level", "报告层级", cv.REPORT_LEVELS),
)


def _report_fields(content: dict[str, Any]) -> list[DossierField]:
    pairs: list[tuple[str, Any]] = [
        (label, names.get(content.get(key) or "", content.get(key))) for key, label, names in _REPORT_HEAD
    ]
    if content.get("skip_level"):
        pairs.append(("越级上报理由", content.get("skip_reason") or "越级上报"))
    if content.get("reported_to"):
        pairs += [("报告对象", content["reported_to"]), ("报告时间", when(content.get("reported_at")))]
    for name, label in cv.REPORT_ELEMENTS.items():
        value = content.get(name)
        pairs.append((label, when(value, year=True) if name == "occurred_at" else value))
    return _fields(pairs)


def _report_snapshot(report: SituationReport) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": report.kind,
        "mode": report.mode,
        "level": report.level,
        "skip_level": report.skip_level,
        "skip_reason": report.skip_reason,
        "reported_to": report.reported_to,
        "reported_at": report.reported_at,
    }
    data.update(report.element_values())
    return data


def _reports(case: Case, seals: dict[tuple[str, str], list[DossierSeal]]) -> DossierSection:
    section = DossierSection("reports", "情况报告", 30)
    label = SituationReport._meta.label_lower
    reports = list(case.reports.select_related("signer__person", "reported_by__person", "created_by__person"))
    number = {r.pk: i for i, r in enumerate(reports, start=1)}
    for r in reports:
        signed = signed_content(case, r, "签发") if r.signed_at else None
        notes = []
        if r.supersedes_id:
            notes.append(f"替代第{number.get(r.supersedes_id, '?')}份报告")
        later = [number[x.pk] for x in reports if x.supersedes_id == r.pk]
        if later:
            notes.append(f"已被第{later[0]}份报告替代")
        if r.follows_up_id:
            notes.append(f"补报第{number.get(r.follows_up_id, '?')}份（口头报告）")
        if r.status == ReportStatus.DRAFT:
            notes.append("草稿，尚未签发，内容可能还会修改")
        if r.mode == "oral":
            meta = f"{when(r.reported_at)} {user_label(r.reported_by)}口头报告"
        else:
            meta = f"{when(r.created_at)} {user_label(r.created_by)}起草；签发人 {user_label(r.signer)}"
        section.records.append(
            DossierRecord(
                title=f"第{number[r.pk]}份 · {r.title}",
                status=r.status_label,
                meta=meta,
                fields=_report_fields(signed if signed is not None else _report_snapshot(r)),
                seals=seals.get((label, str(r.pk)), []),
                note="；".join(notes),
                link=f"/cases/{case.pk}/reports/{r.pk}/",
            )
        )
    return section


def _measures_table(measures: list[Any]) -> DossierTable | None:
    rows = []
    for m in measures or []:
        if not isinstance(m, dict):
            continue
        rows.append(
            [
                str(m.get("measure", "")),
                HandlingAction.KINDS.get(m.get("kind") or "", str(m.get("kind") or "")),
                str(m.get("owner") or ""),
                when(m.get("due_at")),
            ]
        )
    return DossierTable(["措施", "类型", "责任人", "完成时限"], rows, "处置措施") if rows else None


def _plans(case: Case, seals: dict[tuple[str, str], list[DossierSeal]]) -> DossierSection:
    section = DossierSection("plans", "应对方案", 40)
    label = case.plans.model._meta.label_lower
    for p in case.plans.select_related("created_by__person", "decided_by__person"):
        approved = signed_content(case, p, "审批") if p.content_hash else None
        content: dict[str, Any] = approved or {
            "summary": p.summary,
            "measures": p.measures,
            "resources": p.resources,
            "task_force": p.task_force,
            "on_site": p.on_site,
        }
        decided = f"；{when(p.decided_at)} {user_label(p.decided_by)}审批" if p.decided_at else ""
        section.records.append(
            DossierRecord(
                title=f"应对方案第{p.version}版",
                status=p.status_label,
                meta=f"{when(p.created_at)} {user_label(p.created_by)}起草{decided}",
                fields=_fields(
                    [
                        ("处置意见与总体思路", content.get("summary")),
                        ("所需资源", content.get("resources")),
                        ("临时工作组", content.get("task_force")),
                        ("派员赴事发地", "是" if content.get("on_site") else ""),
                        ("审批意见", p.comments),
                        ("启动时间", when(p.launched_at)),
                    ]
                ),
                table=_measures_table(content.get("measures") or []),
                seals=seals.get((label, str(p.pk)), []),
                note="" if p.decided_at else "尚未审批",
            )
        )
    return section


def _actions(case: Case) -> DossierSection:
    rows = [
        [
            a.title,
            a.get_kind_display(),
            user_label(a.owner),
            when(a.due_at),
            a.get_status_display(),
            when(a.done_at),
            a.result,
        ]
        for a in case.actions.select_related("owner__person")
    ]
    section = DossierSection("actions", "处置措施", 50)
    if rows:
        headers = ["措施", "类型", "责任人", "时限", "状态", "完成时间", "完成情况"]
        section.records.append(DossierRecord(title="", table=DossierTable(headers, rows)))
    return section


def _source_control(case: Case) -> DossierSection:
    section = DossierSection("source_control", "源头控制", 60)
    for s in case.source_requests.select_related("recorded_by__person"):
        section.records.append(
            DossierRecord(
                title=f"向{s.target}提出{s.get_kind_display()}请求",
                status=s.get_outcome_display(),
                meta=f"{when(s.requested_at)} {user_label(s.recorded_by)}记录",
                fields=_fields(
                    [
                        ("信息链接", s.url),
                        ("联系人及方式", s.contact),
                        ("请求内容", s.request),
                        ("对方答复", s.answer),
                        ("答复时间", when(s.answered_at)),
                    ]
                ),
            )
        )
    return section


def _coordination(case: Case) -> DossierSection:
    section = DossierSection("coordination", "协调配合", 70)
    for c in case.coordination.select_related("recorded_by__person"):
        section.records.append(
            DossierRecord(
                title=f"协调{c.counterpart}",
                meta=f"{when(c.contacted_at)} {user_label(c.recorded_by)}记录",
                fields=_fields(
                    [
                        ("对方联系人", c.contact_person),
                        ("方式", c.channel),
                        ("商请事项", c.request),
                        ("结果", c.outcome),
                    ]
                ),
            )
        )
    return section


def _accountability(case: Case) -> DossierSection:
    section = DossierSection("accountability", "问责", 80)
    for r in case.accountability.select_related("recorded_by__person"):
        section.records.append(
            DossierRecord(
                title=f"{r.person_name} · {r.get_responsibility_display()}",
                status="已决定" if r.decision else "待决定",
                meta=f"{when(r.recorded_at)} {user_label(r.recorded_by)}记录",
                fields=_fields(
                    [("事由", r.reason), ("处理决定", r.decision), ("决定时间", when(r.decided_at))]
                ),
            )
        )
    return section


def _evidence(case: Case) -> DossierSection:
    """Attachments not filed with a verification (those are listed under it)."""
    section = DossierSection("evidence", "证据材料", 90)
    files = [
        _file(case, a)
        for a in case.attachments.filter(verification__isnull=True).select_related("uploaded_by__person")
    ]
    if files:
        section.records.append(DossierRecord(title="", files=files))
    return section


def _evaluation(case: Case) -> DossierSection:
    section = DossierSection("evaluation", "评估报告", 100)
    evaluation = Evaluation.objects.filter(case=case).select_related("created_by__person").first()
    if evaluation is not None:
        submitted = f"；{when(evaluation.submitted_at)} 提交工作组" if evaluation.submitted_at else ""
        section.records.append(
            DossierRecord(
                title="评估报告",
                status="已提交工作组" if evaluation.submitted_at else "草稿",
                meta=f"{when(evaluation.created_at)} {user_label(evaluation.created_by)}起草{submitted}",
                fields=_fields(
                    [(label, getattr(evaluation, name)) for name, label in Evaluation.FIELDS.items()]
                ),
            )
        )
    return section


def _deadlines(case: Case) -> DossierSection:
    rows = [[d.title, when(d.due_at), when(d.met_at) or "—", d.status_label] for d in case.deadlines.all()]
    section = DossierSection("deadlines", "时限执行情况", 110)
    if rows:
        section.records.append(
            DossierRecord(title="", table=DossierTable(["事项", "截止", "完成", "情况"], rows))
        )
    return section


def _signatures(case: Case) -> DossierSection:
    rows = [
        [
            when(s.signed_at, year=True),
            s.signer_label,
            access.ROLE_LABELS.get(s.role, s.role),
            f"{s.purpose}：{s.object_label}",
            s.content_hash,
        ]
        for s in Signature.objects.filter(case=case).order_by("signed_at", "id")
    ]
    section = DossierSection("signatures", "签发与审批记录", 120)
    if rows:
        headers = ["时间", "签发人", "身份", "事项", "内容哈希（SHA-256）"]
        section.records.append(DossierRecord(title="", table=DossierTable(headers, rows)))
    return section


def _facts(case: Case) -> list[DossierField]:
    if case.opened_by_id:
        opened_by = user_label(case.opened_by)
    elif case.alert_id:
        opened_by = f"系统（由预警 #{case.alert_id} 自动立案）"
    else:
        opened_by = "系统自动立案"
    return _fields(
        [
            ("案件", f"{case.pk} · {case.title}"),
            ("舆情事件", f"#{case.event_id} {case.event.title}" if case.event_id and case.event else ""),
            ("等级 / 密级", f"{case.get_severity_display()} / {case.confidentiality_label}"),
            ("状态 / 事实认定", f"{case.state_label} / {case.get_finding_display()}"),
            ("事发科室", case.department.name if case.department_id and case.department else "—"),
            ("舆情线索", case.description),
            ("立案", f"{when(case.opened_at, year=True)} {opened_by}"),
            ("结案", when(case.closed_at, year=True)),
        ]
    )


def case_dossier(case: Case, user: Any) -> CaseDossier:
    """一案一档 of ``case`` as ``user`` may read it. The caller has checked that ``user`` may read the case
    (``case_get``); within it, 问责 records are left out for readers outside the leaders, the office and
    纪检组. Sections are in the order of the procedure, those of the providers placed by ``order``."""
    seals = seals_of(case)
    accountable = may_see_accountability(user)
    sections = [
        _verifications(case),
        _reports(case, seals),
        _plans(case, seals),
        _actions(case),
        _source_control(case),
        _coordination(case),
        _evidence(case),
        _evaluation(case),
        _deadlines(case),
        _signatures(case),
    ]
    if accountable:
        sections.append(_accountability(case))
    for provider in DOSSIER_PROVIDERS:
        sections.extend(provider(case, user))
    timeline = [e for e in case_timeline(case) if accountable or e.kind != "accountability"]
    return CaseDossier(
        case_id=case.pk,
        title=case.title,
        facts=_facts(case),
        sections=sorted(sections, key=lambda s: s.order),
        timeline=timeline,
    )

"""Reads for the 情况报告 form: what a new report starts from, and who may sign it at which level."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from yuqing import vocab
from yuqing.cases import flow
from yuqing.cases import vocab as cv
from yuqing.cases.models import Case, VerificationStatus
from yuqing.cases.services.reports import SIGNERS_BY_LEVEL
from yuqing.org import access
from yuqing.org.selectors import current_assignments

# A department's verification (二(二)) → the report element it answers (二(三)).
FROM_VERIFICATION: dict[str, str] = {
    "basic_facts": "course",
    "cause": "cause",
    "consequences": "harm",
    "proposed_handling": "next_steps",
}


def input_time(at: datetime | None) -> str:
    """A moment as a ``datetime-local`` input shows it: local time to the minute ("" for none)."""
    return timezone.localtime(at).strftime("%Y-%m-%dT%H:%M") if at else ""


def report_initial(case: Case) -> dict[str, str]:
    """The elements a new report of ``case`` starts from, each editable on the form: the departments'
    submitted verification (facts, cause, consequences, proposed handling, finding) and the event (time,
    sources, scale, current state). Elements nothing answers are left out (the form shows them empty)."""
    values: dict[str, str] = {}
    tasks = list(
        case.verifications.filter(status=VerificationStatus.SUBMITTED)
        .select_related("department")
        .order_by("submitted_at", "id")
    )
    for source, element in FROM_VERIFICATION.items():
        parts = [(t.department.name, getattr(t, source).strip()) for t in tasks if getattr(t, source).strip()]
        if len(parts) == 1:
            values[element] = parts[0][1]
        elif parts:
            values[element] = "\n".join(f"【{name}】{text}" for name, text in parts)
    findings = [f"{t.department.name}核实：{cv.FINDINGS.get(t.finding, '')}" for t in tasks]
    if findings:
        values["nature"] = "；".join(findings)
    event = case.event
    if event is not None:
        if event.first_at:
            values["occurred_at"] = input_time(event.first_at)
        scale = f"相关信息 {event.size} 条（其中转载 {event.duplicates} 条），涉及 {event.sites} 个站点"
        if event.engagement:
            scale += f"，互动量 {event.engagement}"
        values["scale"] = scale
        media = "、".join(
            f"{vocab.MEDIA_TYPES.get(kind, kind)} {count} 条"
            for kind, count in sorted((event.media_types or {}).items(), key=lambda kv: -int(kv[1] or 0))
        )
        sources = [
            f"首发：{event.first_publisher}" if event.first_publisher else "",
            f"媒体分布：{media}" if media else "",
        ]
        if any(sources):
            values["info_source"] = "；".join(s for s in sources if s)
        state = f"舆情态势：{event.phase_label}"
        if event.last_at:
            state += f"，最近一条发布于 {timezone.localtime(event.last_at):%-m月%-d日 %H:%M}"
        values["current_state"] = state
    return values


@dataclass
class SignerChoice:
    """One person who may sign reports: their roles (in words) and the levels they may sign for."""

    user_id: int
    name: str
    roles: list[str] = field(default_factory=list)
    levels: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.name}（{'、'.join(self.roles)}）"

    @property
    def levels_attr(self) -> str:
        return " ".join(self.levels)


def report_signer_choices() -> list[SignerChoice]:
    """Everyone who may sign a report at some level, each once, with the levels they may sign for
    (:data:`~yuqing.cases.services.reports.SIGNERS_BY_LEVEL`). One query."""
    every_role = frozenset().union(*SIGNERS_BY_LEVEL.values())
    choices: dict[int, SignerChoice] = {}
    held: dict[int, set[str]] = {}
    for assignment in current_assignments(roles=every_role):
        user = assignment.person.user
        if user is None or not user.is_active:
            continue
        choices.setdefault(user.pk, SignerChoice(user_id=user.pk, name=assignment.person.name))
        held.setdefault(user.pk, set()).add(assignment.role)
    for user_id, choice in choices.items():
        choice.roles = access.role_labels(held[user_id])
        choice.levels = [level for level, roles in SIGNERS_BY_LEVEL.items() if held[user_id] & roles]
    order = [access.GROUP_LEADER, access.GROUP_DEPUTY, *sorted(flow.REPORT_SIGNERS)]
    return sorted(
        choices.values(),
        key=lambda c: min(order.index(r) for r in held[c.user_id] if r in order),
    )

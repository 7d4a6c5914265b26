"""Writes of 会商 and working-group decisions: one function per fact, each in one transaction with its
audit entry; notifications go out on commit.

Rules that the plan does not state are the bureau's (本局设置): a 会商 or a decision is recorded on an open
case only; a 会商 names at least one participant; a follow-up action is due after the 会商; the decider is
a 组长 or 副组长 on the day of the decision."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.db import transaction

from yuqing.audit.services import audit_record
from yuqing.cases import flow
from yuqing.cases import vocab as cv
from yuqing.cases.models import Case
from yuqing.cases.services.common import ProcedureError, invalid, notify_after_commit, require_role
from yuqing.consult.models import ConsultationAction, ConsultationMeeting, DecisionKind, GroupDecision
from yuqing.core.common import clean_text, fetch_row, now_or, parse_time, user_label
from yuqing.core.errors import CONFLICT, FORBIDDEN
from yuqing.org import access
from yuqing.org.models import ExternalAgency, Person
from yuqing.org.selectors import role_holders

# Who may read the records (the case's readers, scoped by yuqing.cases.access) and who records them.
READERS = flow.READERS
WRITERS = flow.WRITERS  # 舆情应急办 and the working group's leaders
DECIDERS = frozenset({access.GROUP_LEADER, access.GROUP_DEPUTY})
MAX_ACTIONS = 20


def _open_case(case: Case, doing: str) -> None:
    if case.state == cv.CLOSED:
        raise ProcedureError(f"案件已结案，不能再{doing}；如舆情再起，请先重新启动案件", kind=CONFLICT)


def _ids(value: Any, *, field: str, label: str, errors: dict[str, str]) -> list[int]:
    """A list of ids from a form (strings) or the API (numbers); bad entries are an error on ``field``."""
    if value in (None, ""):
        return []
    items = value if isinstance(value, list | tuple | set) else [value]
    out: list[int] = []
    for item in items:
        try:
            out.append(int(item))
        except (TypeError, ValueError):
            errors[field] = f"{label}中有无效的编号「{item}」"
            return []
    return sorted(set(out))


def _people(ids: Iterable[int], *, field: str, label: str, errors: dict[str, str]) -> list[Person]:
    ids = list(ids)
    found = list(Person.objects.filter(pk__in=ids, user__is_active=True).select_related("user"))
    if len(found) != len(ids):
        errors[field] = f"{label}中有不存在或已停用的人员"
    return found


def _actions(
    rows: Any, *, held_at: datetime | None, errors: dict[str, str]
) -> list[tuple[str, Person, datetime]]:
    """The follow-up actions: each with text, an owner and a deadline after the 会商. Errors are keyed
    ``actions.<n>.text|owner|due_at`` (n from 0); rows left wholly empty are skipped."""
    if rows in (None, ""):
        return []
    if not isinstance(rows, list | tuple):
        errors["actions"] = "落实事项格式不对"
        return []
    if len(rows) > MAX_ACTIONS:
        errors["actions"] = f"落实事项最多 {MAX_ACTIONS} 项"
        return []
    out = []
    for n, row in enumerate(rows):
        row = row if isinstance(row, Mapping) else {}
        if not any(str(row.get(k) or "").strip() for k in ("text", "owner_id", "due_at")):
            continue
        label = f"第{n + 1}项落实事项"
        text = clean_text(
            row.get("text"),
            field=f"actions.{n}.text",
            label=f"{label}的内容",
            max_length=500,
            required=True,
            errors=errors,
        )
        owner = fetch_row(Person.objects.filter(user__is_active=True), row.get("owner_id"))
        if owner is None:
            errors[f"actions.{n}.owner"] = f"请为{label}选择责任人"
        due = parse_time(
            row.get("due_at"), field=f"actions.{n}.due_at", label=f"{label}的完成时限", errors=errors
        )
        if due is None and f"actions.{n}.due_at" not in errors:
            errors[f"actions.{n}.due_at"] = f"请填写{label}的完成时限"
        elif due is not None and held_at is not None and due <= held_at:
            errors[f"actions.{n}.due_at"] = f"{label}的完成时限须晚于会商时间"
        if text and owner is not None and due is not None:
            out.append((text, owner, due))
    return out


def meeting_snapshot(meeting: ConsultationMeeting) -> dict[str, Any]:
    return {
        "case_id": meeting.case_id,
        "held_at": meeting.held_at.isoformat(),
        "topic": meeting.topic,
        "people": sorted(meeting.people.values_list("pk", flat=True)),
        "agencies": sorted(meeting.agencies.values_list("pk", flat=True)),
        "others": meeting.others,
        "conclusions": meeting.conclusions,
        "actions": [
            {"id": a.pk, "text": a.text, "owner_id": a.owner_id, "due_at": a.due_at.isoformat()}
            for a in meeting.actions.all()
        ],
    }


def consultation_record(
    *, case: Case, user: Any, data: Mapping[str, Any], now: datetime | None = None
) -> ConsultationMeeting:
    """Record a 会商 held on ``case`` (二(一) 及时与相关部门会商解决对策) with its follow-up actions; each
    action's owner is told on commit. ``data``: held_at, topic, people (person ids), agencies (agency
    ids), others, conclusions, actions ([{text, owner_id, due_at}])."""
    require_role(user, WRITERS, "登记会商")
    _open_case(case, "登记会商")
    at = now_or(now)
    errors: dict[str, str] = {}
    held_at = parse_time(data.get("held_at"), field="held_at", label="会商时间", errors=errors, not_after=at)
    if held_at is None and "held_at" not in errors:
        errors["held_at"] = "请填写会商时间"
    topic = clean_text(
        data.get("topic"), field="topic", label="会商议题", max_length=200, required=True, errors=errors
    )
    others = clean_text(
        data.get("others"), field="others", label="其他参会单位/人员", max_length=300, errors=errors
    )
    conclusions = clean_text(
        data.get("conclusions"),
        field="conclusions",
        label="会商结论",
        max_length=20000,
        required=True,
        errors=errors,
    )
    people = _people(
        _ids(data.get("people"), field="people", label="参会人员", errors=errors),
        field="people",
        label="参会人员",
        errors=errors,
    )
    agency_ids = _ids(data.get("agencies"), field="agencies", label="参会外部单位", errors=errors)
    agencies = list(ExternalAgency.objects.filter(pk__in=agency_ids))
    if len(agencies) != len(agency_ids):
        errors["agencies"] = "参会外部单位中有不存在的单位"
    if not (people or agencies or others) and not {"people", "agencies", "others"} & set(errors):
        errors["people"] = "请至少填写一名参会人员或一个参会单位"
    actions = _actions(data.get("actions"), held_at=held_at, errors=errors)
    if errors:
        raise invalid(errors, "会商记录不完整：" + "；".join(errors.values()))
    assert held_at is not None
    with transaction.atomic():
        meeting = ConsultationMeeting.objects.create(
            case=case,
            held_at=held_at,
            topic=topic,
            others=others,
            conclusions=conclusions,
            recorded_by=user,
            recorded_at=at,
        )
        meeting.people.set(people)
        meeting.agencies.set(agencies)
        for text, owner, due in actions:
            ConsultationAction.objects.create(meeting=meeting, text=text, owner=owner, due_at=due)
        audit_record(actor=user, action="consultation.record", obj=meeting, new=meeting_snapshot(meeting))
        for text, owner, _due in actions:
            notify_after_commit(
                [owner.user],
                f"会商落实事项：{text}",
                f"「{topic}」会商（{user_label(user)}登记）交办您落实：{text}。",
                f"/consult/meetings/{meeting.pk}/",
                case_id=case.pk,
            )
    return meeting


def consultation_action_complete(
    *, action: ConsultationAction, user: Any, note: str = "", now: datetime | None = None
) -> ConsultationAction:
    """Mark a follow-up action done, by its owner or by the office / the group's leaders."""
    owner_user_id = Person.objects.filter(pk=action.owner_id).values_list("user_id", flat=True).first()
    if owner_user_id != getattr(user, "pk", None) and not access.roles_of(user) & WRITERS:
        raise ProcedureError("只有责任人本人或舆情应急办、工作组组长/副组长可登记完成", kind=FORBIDDEN)
    errors: dict[str, str] = {}
    note = clean_text(note, field="note", label="落实情况", max_length=2000, errors=errors)
    if errors:
        raise invalid(errors)
    at = now_or(now)
    with transaction.atomic():
        locked = ConsultationAction.objects.select_for_update().get(pk=action.pk)
        if locked.done_at is not None:
            raise ProcedureError("该事项已登记完成", kind=CONFLICT)
        locked.done_at, locked.done_by, locked.done_note = at, user, note
        locked.save(update_fields=["done_at", "done_by", "done_note"])
        audit_record(
            actor=user,
            action="consultation_action.complete",
            obj=locked,
            old={"done_at": None},
            new={"done_at": at.isoformat(), "done_note": note, "late": locked.done_late},
        )
    action.done_at, action.done_by, action.done_note = locked.done_at, locked.done_by, locked.done_note
    return action


def group_decision_record(
    *, case: Case, user: Any, data: Mapping[str, Any], now: datetime | None = None
) -> GroupDecision:
    """Record a decision of the working group on ``case``: ``kind`` (a :class:`DecisionKind`), ``text``,
    ``decided_by`` (a person id; the recorder themselves when empty and they are a leader),
    ``decided_at`` (now when empty), optionally ``meeting`` (a 会商 of the same case). A 处置意见 is sent
    to the office's heads, who draft the response plan from it (二(四))."""
    require_role(user, WRITERS, "登记工作组决定")
    _open_case(case, "登记工作组决定")
    at = now_or(now)
    errors: dict[str, str] = {}
    kind = str(data.get("kind") or "")
    if kind not in DecisionKind.values:
        errors["kind"] = "请选择决定类别：" + "、".join(str(label) for label in DecisionKind.labels)
    text = clean_text(
        data.get("text"), field="text", label="决定内容", max_length=20000, required=True, errors=errors
    )
    decided_at = parse_time(
        data.get("decided_at"), field="decided_at", label="决定时间", errors=errors, not_after=at
    )
    decided_at = decided_at or at
    decider: Person | None = None
    raw = data.get("decided_by")
    if raw in (None, ""):
        decider = Person.objects.filter(user_id=user.pk).first() if user.is_authenticated else None
    else:
        try:
            decider = Person.objects.filter(pk=int(raw)).select_related("user").first()
        except (TypeError, ValueError):
            decider = None
        if decider is None:
            errors["decided_by"] = "决定人不存在"
    if "decided_by" not in errors and (
        decider is None or not access.roles_of(decider.user, decided_at) & DECIDERS
    ):
        errors["decided_by"] = "决定人须为决定时在任的舆情应急工作组组长或副组长"
    meeting = None
    if data.get("meeting") not in (None, ""):
        try:
            meeting = ConsultationMeeting.objects.filter(pk=int(data["meeting"]), case=case).first()
        except (TypeError, ValueError):
            meeting = None
        if meeting is None:
            errors["meeting"] = "所在会商须为本案的会商记录"
    if errors:
        raise invalid(errors, "工作组决定不完整：" + "；".join(errors.values()))
    assert decider is not None
    with transaction.atomic():
        decision = GroupDecision.objects.create(
            case=case,
            kind=kind,
            text=text,
            decided_by=decider,
            decided_at=decided_at,
            meeting=meeting,
            recorded_by=user,
            recorded_at=at,
        )
        audit_record(
            actor=user,
            action="group_decision.record",
            obj=decision,
            new={
                "case_id": case.pk,
                "kind": kind,
                "text": text,
                "decided_by": decider.pk,
                "decided_at": decided_at.isoformat(),
                "meeting_id": meeting.pk if meeting else None,
            },
        )
        recipients = role_holders(flow.OFFICE_HEADS | DECIDERS)
        notify_after_commit(
            [u for u in recipients if u.pk != getattr(user, "pk", None)],
            f"工作组{decision.kind_label.split('（')[0]}：{case.title}",
            f"{decider.name}：{text}",
            f"/consult/cases/{case.pk}/",
            case_id=case.pk,
        )
    return decision

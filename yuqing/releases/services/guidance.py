"""舆论引导 (二(五)): tasks for 税收评论员 / 网络宣传员, and what they posted."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from yuqing.audit.services import audit_record
from yuqing.cases.models import Case
from yuqing.cases.services.common import (
    ProcedureError,
    forbidden,
    invalid,
    notify_after_commit,
    require_role,
    task_done,
    task_subject,
)
from yuqing.cases.services.deadlines import deadline_set, deadlines_meet
from yuqing.core.common import clean_text, fetch_row, now_or, parse_time, user_label
from yuqing.core.statemachine import Move, StateMachine
from yuqing.org import access
from yuqing.releases.models import GuidancePost, GuidanceTask, TalkingPoint, TaskStatus
from yuqing.releases.services.common import (
    COMMENTATORS,
    TASK_ASSIGNERS,
    clean_url,
    refuse_unless_readable,
)

DEFAULT_HOURS = 4


def guidance_task_create(
    *,
    case: Case,
    user: Any,
    assignee_id: Any,
    where: str,
    instructions: str = "",
    talking_point_ids: list[Any] | None = None,
    due_at: Any = None,
    now: datetime | None = None,
) -> GuidanceTask:
    """Give a 税收评论员 / 网络宣传员 a task on ``case``: where to speak, which points to use, by when (a
    舆论引导任务 deadline owned by them)."""
    require_role(user, TASK_ASSIGNERS, "布置舆论引导任务")
    refuse_unless_readable(user, case)
    at = now_or(now)
    errors: dict[str, str] = {}
    assignee = fetch_row(get_user_model(), assignee_id)
    if assignee is None:
        errors["assignee_id"] = "请选择承办的税收评论员或网络宣传员"
    elif not access.roles_of(assignee) & COMMENTATORS:
        errors["assignee_id"] = f"{user_label(assignee)}不是税收评论员或网络宣传员"
    where = clean_text(
        where, field="where", label="发声平台/位置", max_length=300, required=True, errors=errors
    )
    instructions = clean_text(
        instructions, field="instructions", label="引导要求", max_length=2000, errors=errors
    )
    due = parse_time(due_at, field="due_at", label="完成时限", errors=errors) or at + timedelta(
        hours=DEFAULT_HOURS
    )
    if due <= at:
        errors["due_at"] = "完成时限须晚于当前时间"
    ids = [fetch_row(TalkingPoint, pk) for pk in talking_point_ids or []]
    if any(p is None for p in ids):
        errors["talking_point_ids"] = "所选口径不存在"
    if errors:
        raise invalid(errors)
    with transaction.atomic():
        task = GuidanceTask.objects.create(
            case=case,
            assignee=assignee,
            where=where,
            instructions=instructions,
            due_at=due,
            created_by=user,
            created_at=at,
        )
        task.talking_points.set(ids)
        deadline_set(
            case=case,
            kind="guidance",
            title=f"舆论引导：{where}",
            due_at=due,
            obj=task,
            owner=assignee,
            now=at,
        )
        audit_record(
            actor=user,
            action="guidance.create",
            obj=task,
            new={
                "case_id": case.pk,
                "assignee": user_label(assignee),
                "where": where,
                "instructions": instructions,
                "talking_points": [p.pk for p in ids],
                "due_at": due,
            },
        )
        notify_after_commit(
            [assignee],
            f"【舆论引导任务】{case.title}",
            f"请于 {due:%m-%d %H:%M} 前在「{where}」发声引导。{instructions}",
            "/releases/tasks/",
            level=case.severity,
            case_id=case.pk,
            subject=task_subject(task),
        )
    return task


def guidance_post_record(
    *,
    task: GuidanceTask,
    user: Any,
    url: str,
    posted_at: Any = None,
    platform: str = "",
    note: str = "",
    done: bool = False,
    now: datetime | None = None,
) -> GuidancePost:
    """The assignee records a post (URL, time); ``done`` also completes the task (meets its deadline)."""
    refusal = GUIDANCE.refusal(task, "post", user)
    if refusal is not None:
        raise refusal
    at = now_or(now)
    errors: dict[str, str] = {}
    url = clean_url(url, field="url", label="帖文地址", errors=errors)
    when = parse_time(posted_at, field="posted_at", label="发帖时间", errors=errors, not_after=at) or at
    platform = clean_text(platform, field="platform", label="平台", max_length=100, errors=errors)
    note = clean_text(note, field="note", label="说明", max_length=2000, errors=errors)
    if errors:
        raise invalid(errors)
    made: list[GuidancePost] = []

    def apply(locked: GuidanceTask) -> dict[str, Any]:
        made.append(
            GuidancePost.objects.create(
                task=locked,
                url=url,
                posted_at=when,
                platform=platform,
                note=note,
                recorded_by=user,
                recorded_at=at,
            )
        )
        return {"task_id": locked.pk, "url": url, "posted_at": when, "platform": platform}

    def then(locked: GuidanceTask) -> None:
        if done:
            _complete(locked, user, at)

    GUIDANCE.transition(task, "post", user=user, apply=apply, then=then, audit_obj=lambda _: made[0])
    return made[0]


def _poster(task: GuidanceTask, user: Any) -> ProcedureError | None:
    if task.assignee_id != user.pk:
        return forbidden("只有任务承办人本人可以登记发帖")
    return None


def _assignee(task: GuidanceTask, user: Any) -> ProcedureError | None:
    if task.assignee_id != user.pk:
        return forbidden("只有任务承办人本人可以完成任务")
    return None


def _has_posts(task: GuidanceTask, user: Any) -> ProcedureError | None:
    if not task.posts.exists():
        return ProcedureError("请先登记至少一条发帖，再完成任务")
    return None


GUIDANCE = StateMachine(
    GuidanceTask,
    {
        # Recording a post keeps the task open; it is a move so that it is locked, checked and audited
        # like the others (the audit entry is on the post).
        "post": Move({TaskStatus.OPEN}, TaskStatus.OPEN, refusal="任务{label}，不能再登记发帖", who=_poster),
        "complete": Move(
            {TaskStatus.OPEN}, TaskStatus.DONE, refusal="任务{label}", who=_assignee, check=_has_posts
        ),
    },
    audit_prefix="guidance",
    error=ProcedureError,
)


def guidance_task_complete(*, task: GuidanceTask, user: Any, now: datetime | None = None) -> GuidanceTask:
    """The assignee marks the task done; needs at least one recorded post."""
    _complete(task, user, now_or(now))
    return task


def _complete(task: GuidanceTask, user: Any, at: datetime) -> None:
    def apply(locked: GuidanceTask) -> None:
        locked.done_at = at
        deadlines_meet(case=locked.case, kind="guidance", obj=locked, at=at)
        task_done(locked)

    GUIDANCE.transition(task, "complete", user=user, apply=apply)

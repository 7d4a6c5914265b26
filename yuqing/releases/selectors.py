"""Reads: releases scoped to the reader, current talking points, guidance tasks and counts, timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from yuqing.cases.access import case_scope
from yuqing.cases.models import Case
from yuqing.cases.selectors import TimelineEntry, timeline_provider
from yuqing.core.common import user_label
from yuqing.org import access
from yuqing.org.selectors import role_holders
from yuqing.releases.models import GuidancePost, GuidanceTask, Release, TalkingPoint, TaskStatus
from yuqing.releases.services.common import (
    AUTHORS,
    READ_ALL,
    RELEASES,
    REVIEWERS,
    SIGNERS,
    TASK_ASSIGNERS,
)


def release_list(*, user: Any, status: str = "", case_id: int | None = None) -> QuerySet[Release]:
    """Releases of the cases ``user`` may read; every release for the office, leaders and reviewers."""
    qs = Release.objects.select_related("case", "author__person")
    if not access.cached_roles(user) & READ_ALL:
        qs = qs.filter(case__in=Case.objects.filter(case_scope(user)).values("pk"))
    if status:
        qs = qs.filter(status=status)
    if case_id:
        qs = qs.filter(case_id=case_id)
    return qs.order_by("-created_at", "-id")


def release_moves(release: Release) -> set[str]:
    """The moves (``RELEASES``) the release's status allows now, whoever asks."""
    return {action for action, move in RELEASES.moves.items() if release.status in move.sources}


def release_actions(release: Release, user: Any) -> set[str]:
    """What ``user`` may do with ``release`` now — ``edit``, ``submit``, ``review``, ``sign``,
    ``publish`` — by its status and the user's roles (nobody reviews or signs their own draft). The
    pages show a button for each; the services check again."""
    roles = access.cached_roles(user)
    moves = release_moves(release)
    mine = release.author_id == getattr(user, "pk", None)
    actions = set()
    if roles & AUTHORS:
        actions |= moves & {"edit", "submit", "publish"}
    if roles & REVIEWERS and "review_pass" in moves and not mine:
        actions.add("review")
    if roles & SIGNERS and "sign" in moves and not mine:
        actions.add("sign")
    return actions


def release_get(*, user: Any, release_id: Any) -> Release | None:
    try:
        pk = int(release_id)
    except (TypeError, ValueError):
        return None
    return release_list(user=user).filter(pk=pk).first()


def talking_points_current(
    *, at: datetime | None = None, topics: list[str] | None = None, case: Case | None = None
) -> list[TalkingPoint]:
    """The version of each topic valid at ``at`` (now): general points plus those of ``case``."""
    at = at or timezone.now()
    qs = TalkingPoint.objects.filter(valid_from__lte=at).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gt=at)
    )
    qs = qs.filter(Q(case__isnull=True) | Q(case=case)) if case is not None else qs
    if topics:
        qs = qs.filter(topic__in=topics)
    latest: dict[str, TalkingPoint] = {}
    for point in qs.order_by("topic", "-version"):
        latest.setdefault(point.topic, point)
    return list(latest.values())


def talking_point_topics() -> list[dict[str, Any]]:
    """Every topic with its versions (newest first) and which one is current now."""
    current = {p.pk for p in talking_points_current()}
    topics: dict[str, list[TalkingPoint]] = {}
    for point in TalkingPoint.objects.select_related("created_by__person", "case").order_by(
        "topic", "-version"
    ):
        point.is_current = point.pk in current  # type: ignore[attr-defined]
        topics.setdefault(point.topic, []).append(point)
    return [
        {"topic": t, "versions": v, "current": next((p for p in v if p.pk in current), None)}
        for t, v in topics.items()
    ]


def guidance_tasks_for(*, user: Any, mine: bool = True) -> QuerySet[GuidanceTask]:
    """The user's own tasks; with ``mine=False``, every task of the cases they may read (assigners)."""
    qs = GuidanceTask.objects.select_related("case", "assignee__person").prefetch_related(
        "talking_points", "posts"
    )
    if mine or not access.cached_roles(user) & TASK_ASSIGNERS:
        return qs.filter(assignee=user)
    return qs.filter(case__in=Case.objects.filter(case_scope(user)).values("pk"))


def guidance_counts(case: Case) -> dict[str, int]:
    """Tasks (all / open / done) and recorded posts of ``case``."""
    row = GuidanceTask.objects.filter(case=case).aggregate(
        tasks=Count("id"),
        open=Count("id", filter=Q(status=TaskStatus.OPEN)),
        done=Count("id", filter=Q(status=TaskStatus.DONE)),
    )
    row["posts"] = GuidancePost.objects.filter(task__case=case).count()
    return {k: int(v or 0) for k, v in row.items()}


def commentators() -> list[Any]:
    return role_holders(access.TALENT_POOL)


@timeline_provider
def _releases(case: Case) -> list[TimelineEntry]:
    out = []
    for r in Release.objects.filter(case=case).select_related(
        "author__person", "signed_by__person", "published_by__person"
    ):
        link = f"/releases/{r.pk}/"
        label = f"{r.kind_label}（{r.channel_label}）「{r.title}」"
        out.append(
            TimelineEntry(r.created_at, "release", f"起草{label}", "", user_label(r.author), link=link)
        )
        for review in r.reviews.select_related("reviewer__person"):
            out.append(
                TimelineEntry(
                    review.reviewed_at,
                    "release",
                    f"保密审查{review.result_label}：{label}",
                    review.comments,
                    user_label(review.reviewer),
                    link=link,
                )
            )
        if r.signed_at:
            out.append(
                TimelineEntry(r.signed_at, "release", f"签发{label}", "", user_label(r.signed_by), link=link)
            )
        if r.published_at:
            out.append(
                TimelineEntry(
                    r.published_at,
                    "release",
                    f"发布{label}",
                    r.published_url,
                    user_label(r.published_by),
                    link=link,
                )
            )
    for t in GuidanceTask.objects.filter(case=case).select_related("assignee__person", "created_by__person"):
        out.append(
            TimelineEntry(
                t.created_at,
                "guidance",
                f"布置舆论引导任务（{user_label(t.assignee)}，{t.where}）",
                t.instructions,
                user_label(t.created_by),
            )
        )
        if t.done_at:
            out.append(
                TimelineEntry(
                    t.done_at, "guidance", f"完成舆论引导任务（{t.where}）", "", user_label(t.assignee)
                )
            )
    return out

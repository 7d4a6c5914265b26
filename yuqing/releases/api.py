"""信息发布 API: releases (保密审查, 签发, 发布), 统一口径, 舆论引导 tasks — same permissions as the pages.

Refusals are JSON ``{"detail", "errors"?}``: 403 missing role (or own draft), 404 an object the caller
may not see, 409 a move the release's status does not allow, 422 bad input with every field named."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from yuqing.cases.api import ERRORS, Refusal
from yuqing.cases.selectors import case_get
from yuqing.cases.services.common import require_role
from yuqing.core.common import user_label
from yuqing.releases import selectors, services
from yuqing.releases.models import GuidanceTask, Release, ReleaseStatus, TalkingPoint
from yuqing.releases.services.common import (
    AUTHORS,
    COMMENTATORS,
    POINT_EDITORS,
    POINT_READERS,
    RELEASE_READERS,
    REVIEWERS,
    SIGNERS,
    TASK_ASSIGNERS,
)

router = Router(tags=["信息发布"])
PAGE_SIZE = 50


def _gate(request: HttpRequest, roles: frozenset[str], doing: str) -> None:
    """403 for a caller without any of ``roles``, before any object is looked up (then 404)."""
    require_role(request.user, roles, doing)


def _release(request: HttpRequest, release_id: int, roles: frozenset[str] = RELEASE_READERS) -> Release:
    _gate(request, roles, "办理信息发布")
    release = selectors.release_get(user=request.user, release_id=release_id)
    if release is None:
        raise HttpError(404, f"发布稿 {release_id} 不存在或您无权查看")
    return release


def _case(request: HttpRequest, case_id: int, roles: frozenset[str]) -> Any:
    _gate(request, roles, "办理信息发布")
    case = case_get(user=request.user, case_id=case_id)
    if case is None:
        raise HttpError(404, f"案件 {case_id} 不存在或您无权查看")
    return case


def _page(page: int) -> slice:
    page = max(page, 1)
    return slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE)


class ReleaseIn(Schema):
    kind: str = ""
    channel: str = ""
    title: str = ""
    body: str = ""
    topics: list[str] = []
    planned_at: str | None = None


class CoverageOut(Schema):
    id: int
    topic: str
    version: int
    share: float
    used: bool
    missing: list[str]
    contradicted: list[str]


class ReviewOut(Schema):
    id: int
    reviewer: str
    reviewed_at: datetime
    revision: int
    result: str
    checklist: dict[str, bool]
    comments: str
    content_hash: str


class ReleaseRow(Schema):
    id: int
    case_id: int
    kind: str
    channel: str
    title: str
    status: str
    status_label: str
    author: str
    planned_at: datetime | None
    published_at: datetime | None
    published_url: str


class ReleaseOut(ReleaseRow):
    body: str
    topics: list[str]
    revision: int
    signer: str | None
    signed_at: datetime | None
    content_hash: str
    reviews: list[ReviewOut]
    coverage: list[CoverageOut]


class ReleasePage(Schema):
    items: list[ReleaseRow]
    count: int


def _row(r: Release) -> dict[str, Any]:
    return {
        "id": r.pk,
        "case_id": r.case_id,
        "kind": r.kind,
        "channel": r.channel,
        "title": r.title,
        "status": r.status,
        "status_label": r.status_label,
        "author": user_label(r.author),
        "planned_at": r.planned_at,
        "published_at": r.published_at,
        "published_url": r.published_url,
    }


def _detail(r: Release) -> dict[str, Any]:
    return {
        **_row(r),
        "body": r.body,
        "topics": r.topics,
        "revision": r.revision,
        "signer": user_label(r.signed_by) if r.signed_by_id else None,
        "signed_at": r.signed_at,
        "content_hash": r.content_hash,
        "reviews": [
            {
                "id": v.pk,
                "reviewer": user_label(v.reviewer),
                "reviewed_at": v.reviewed_at,
                "revision": v.revision,
                "result": v.result,
                "checklist": v.checklist,
                "comments": v.comments,
                "content_hash": v.content_hash,
            }
            for v in r.reviews.select_related("reviewer__person")
        ],
        "coverage": [c.as_dict() for c in services.release_coverage(r)],
    }


@router.get("/releases", response=ReleasePage, summary="发布稿列表（按您可查看的案件）")
def release_index(request: HttpRequest, page: int = 1, status: str = "", case_id: int | None = None) -> dict:
    qs = selectors.release_list(user=request.user, status=status, case_id=case_id)
    return {"items": [_row(r) for r in qs[_page(page)]], "count": qs.count()}


@router.post("/cases/{case_id}/releases", response={201: ReleaseOut, **ERRORS}, summary="起草发布稿")
def release_create(request: HttpRequest, case_id: int, payload: ReleaseIn) -> Status:
    release = services.release_create(
        case=_case(request, case_id, AUTHORS), user=request.user, data=payload.dict()
    )
    return Status(201, _detail(release))


@router.get(
    "/releases/{release_id}", response={200: ReleaseOut, 404: Refusal}, summary="发布稿详情与口径核对"
)
def release_detail(request: HttpRequest, release_id: int) -> dict:
    return _detail(_release(request, release_id))


@router.put(
    "/releases/{release_id}",
    response={200: ReleaseOut, **ERRORS},
    summary="修改发布稿（审查后修改须重新送审）",
)
def release_update(request: HttpRequest, release_id: int, payload: ReleaseIn) -> dict:
    release = services.release_update(
        release=_release(request, release_id, AUTHORS), user=request.user, data=payload.dict()
    )
    return _detail(release)


@router.post("/releases/{release_id}/submit", response={200: ReleaseOut, **ERRORS}, summary="送保密审查")
def release_submit(request: HttpRequest, release_id: int) -> dict:
    return _detail(services.release_submit(release=_release(request, release_id, AUTHORS), user=request.user))


class ReviewIn(Schema):
    checklist: dict[str, bool] = {}
    result: str = ""
    comments: str = ""


@router.post(
    "/releases/{release_id}/review", response={201: ReviewOut, **ERRORS}, summary="保密审查（逐项确认清单）"
)
def release_review(request: HttpRequest, release_id: int, payload: ReviewIn) -> Status:
    review = services.release_review(
        release=_release(request, release_id, REVIEWERS), user=request.user, **payload.dict()
    )
    return Status(
        201,
        {
            "id": review.pk,
            "reviewer": user_label(review.reviewer),
            "reviewed_at": review.reviewed_at,
            "revision": review.revision,
            "result": review.result,
            "checklist": review.checklist,
            "comments": review.comments,
            "content_hash": review.content_hash,
        },
    )


@router.post(
    "/releases/{release_id}/sign", response={200: ReleaseOut, **ERRORS}, summary="签发（组长/副组长）"
)
def release_sign(request: HttpRequest, release_id: int) -> dict:
    release = _release(request, release_id, SIGNERS)
    services.release_sign(release=release, user=request.user)
    return _detail(release)


class PublishIn(Schema):
    url: str = ""
    published_at: str | None = None


@router.post(
    "/releases/{release_id}/publish",
    response={200: ReleaseOut, **ERRORS},
    summary="登记已发布（仅限已签发稿件）",
)
def release_publish(request: HttpRequest, release_id: int, payload: PublishIn) -> dict:
    release = services.release_publish(
        release=_release(request, release_id, AUTHORS), user=request.user, **payload.dict()
    )
    return _detail(release)


class PointIn(Schema):
    topic: str = ""
    text: str = ""
    key_terms: list[str] = []
    valid_from: str | None = None
    valid_until: str | None = None
    case_id: int | None = None


class PointOut(Schema):
    id: int
    topic: str
    version: int
    text: str
    key_terms: list[str]
    valid_from: datetime
    valid_until: datetime | None
    case_id: int | None
    current: bool


class PointPage(Schema):
    items: list[PointOut]
    count: int


def _point(p: TalkingPoint, current: set[int]) -> dict[str, Any]:
    return {
        "id": p.pk,
        "topic": p.topic,
        "version": p.version,
        "text": p.text,
        "key_terms": p.key_terms,
        "valid_from": p.valid_from,
        "valid_until": p.valid_until,
        "case_id": p.case_id,
        "current": p.pk in current,
    }


@router.get("/talking-points", response={200: PointPage, 403: Refusal}, summary="统一口径库（全部版本）")
def point_index(request: HttpRequest, page: int = 1, topic: str = "", current_only: bool = False) -> dict:
    _gate(request, POINT_READERS, "查看统一口径")
    current = {p.pk for p in selectors.talking_points_current()}
    qs = TalkingPoint.objects.order_by("topic", "-version")
    if topic:
        qs = qs.filter(topic=topic)
    if current_only:
        qs = qs.filter(pk__in=current)
    return {"items": [_point(p, current) for p in qs[_page(page)]], "count": qs.count()}


@router.post("/talking-points", response={201: PointOut, **ERRORS}, summary="审定统一口径（新主题或新版本）")
def point_create(request: HttpRequest, payload: PointIn) -> Status:
    data = payload.dict()
    case_id = data.pop("case_id")
    _gate(request, POINT_EDITORS, "审定统一口径")
    case = _case(request, case_id, POINT_EDITORS) if case_id else None
    point = services.talking_point_create(user=request.user, case=case, **data)
    return Status(201, _point(point, {p.pk for p in selectors.talking_points_current()}))


class TaskIn(Schema):
    assignee_id: int | None = None
    where: str = ""
    instructions: str = ""
    talking_point_ids: list[int] = []
    due_at: str | None = None


class PostOut(Schema):
    id: int
    url: str
    platform: str
    posted_at: datetime


class TaskOut(Schema):
    id: int
    case_id: int
    assignee: str
    where: str
    instructions: str
    due_at: datetime
    status: str
    talking_point_ids: list[int]
    posts: list[PostOut]


class TaskPage(Schema):
    items: list[TaskOut]
    count: int


def _task(t: GuidanceTask) -> dict[str, Any]:
    return {
        "id": t.pk,
        "case_id": t.case_id,
        "assignee": user_label(t.assignee),
        "where": t.where,
        "instructions": t.instructions,
        "due_at": t.due_at,
        "status": t.status,
        "talking_point_ids": [p.pk for p in t.talking_points.all()],
        "posts": [
            {"id": p.pk, "url": p.url, "platform": p.platform, "posted_at": p.posted_at}
            for p in t.posts.all()
        ],
    }


@router.get("/guidance-tasks", response=TaskPage, summary="舆论引导任务（本人的；应急办可看全部）")
def task_index(request: HttpRequest, page: int = 1, mine: bool = True) -> dict:
    qs = selectors.guidance_tasks_for(user=request.user, mine=mine)
    return {"items": [_task(t) for t in qs[_page(page)]], "count": qs.count()}


@router.post("/cases/{case_id}/guidance-tasks", response={201: TaskOut, **ERRORS}, summary="布置舆论引导任务")
def task_create(request: HttpRequest, case_id: int, payload: TaskIn) -> Status:
    task = services.guidance_task_create(
        case=_case(request, case_id, TASK_ASSIGNERS), user=request.user, **payload.dict()
    )
    return Status(201, _task(task))


class PostIn(Schema):
    url: str = ""
    posted_at: str | None = None
    platform: str = ""
    note: str = ""
    done: bool = False


@router.post(
    "/guidance-tasks/{task_id}/posts", response={201: TaskOut, **ERRORS}, summary="登记发帖（承办人）"
)
def task_post(request: HttpRequest, task_id: int, payload: PostIn) -> Status:
    _gate(request, COMMENTATORS, "登记发帖")
    task = selectors.guidance_tasks_for(user=request.user).filter(pk=task_id).first()
    if task is None:
        raise HttpError(404, f"引导任务 {task_id} 不存在或您无权查看")
    services.guidance_post_record(task=task, user=request.user, **payload.dict())
    return Status(201, _task(task))


class CountsOut(Schema):
    tasks: int
    open: int
    done: int
    posts: int
    releases: int
    published: int


@router.get(
    "/cases/{case_id}/guidance-counts",
    response={200: CountsOut, 404: Refusal},
    summary="案件的发布与引导数量",
)
def case_counts(request: HttpRequest, case_id: int) -> dict:
    case = _case(request, case_id, RELEASE_READERS)
    return {
        **selectors.guidance_counts(case),
        "releases": case.releases.count(),
        "published": case.releases.filter(status=ReleaseStatus.PUBLISHED).count(),
    }

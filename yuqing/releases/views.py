"""信息发布 pages: list, editor with the talking-points panel, 保密审查, 签发, 发布, 统一口径 library,
舆论引导 tasks. Thin: parse the form, call one service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from yuqing.cases.models import Case
from yuqing.cases.selectors import case_get, case_list
from yuqing.cases.services.common import ProcedureError
from yuqing.core.common import user_label
from yuqing.org import access
from yuqing.releases import selectors, services
from yuqing.releases.forms import (
    PointForm,
    PostForm,
    PublishForm,
    ReleaseForm,
    ReviewForm,
    TaskForm,
    refusal_to_form,
)
from yuqing.releases.models import STATUSES, GuidanceTask, Release, ReleaseStatus, TalkingPoint
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

PAGE_SIZE = 30


def _release(request: HttpRequest, pk: int) -> Release:
    release = selectors.release_get(user=request.user, release_id=pk)
    if release is None:
        raise Http404("发布稿不存在或您无权查看")
    return release


def _roles(request: HttpRequest) -> set[str]:
    return access.cached_roles(request.user)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    qs = selectors.release_list(user=request.user, status=status if status in STATUSES else "")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    roles = _roles(request)
    return render(
        request,
        "releases/index.html",
        {
            "page": page,
            "status": status,
            "statuses": STATUSES,
            "may_draft": bool(roles & AUTHORS),
            "may_points": bool(roles & POINT_READERS),
            "has_tasks": bool(roles & COMMENTATORS),
        },
    )


def _points_panel(case: Case | None, topics: list[str] | None = None) -> list[TalkingPoint]:
    return selectors.talking_points_current(case=case, topics=topics)


@access.role_required(*AUTHORS)
def release_new(request: HttpRequest) -> HttpResponseBase:
    cases = case_list(user=request.user, open_only=True)
    case_param = request.GET.get("case", "")
    case = case_get(user=request.user, case_id=int(case_param)) if case_param.isdigit() else None
    points = _points_panel(case)
    form = ReleaseForm(request.POST or None, topics=[p.topic for p in points])
    if request.method == "POST" and case is not None and form.is_valid():
        try:
            release = services.release_create(case=case, user=request.user, data=form.cleaned_data)
        except ProcedureError as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, "已保存草稿。定稿后请送保密审查。")
            return redirect("releases:detail", pk=release.pk)
    return render(
        request,
        "releases/release_form.html",
        {"form": form, "case": case, "cases": cases[:200], "points": points, "release": None},
    )


@access.role_required(*AUTHORS)
def release_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    release = _release(request, pk)
    points = _points_panel(release.case)
    initial = {
        "kind": release.kind,
        "channel": release.channel,
        "title": release.title,
        "body": release.body,
        "topics": release.topics,
        "planned_at": release.planned_at.strftime("%Y-%m-%dT%H:%M") if release.planned_at else "",
    }
    topics = sorted({p.topic for p in points} | set(release.topics))
    form = ReleaseForm(request.POST or None, initial=initial, topics=topics)
    if request.method == "POST" and form.is_valid():
        was = release.status
        try:
            services.release_update(release=release, user=request.user, data=form.cleaned_data)
        except ProcedureError as exc:
            refusal_to_form(form, exc)
        else:
            if was != ReleaseStatus.DRAFT and release.status == ReleaseStatus.DRAFT:
                messages.warning(request, "稿件已修改，已退回草稿，须重新送保密审查。")
            else:
                messages.success(request, "已保存。")
            return redirect("releases:detail", pk=release.pk)
    return render(
        request,
        "releases/release_form.html",
        {
            "form": form,
            "case": release.case,
            "points": points,
            "release": release,
            "coverage": services.release_coverage(release),
        },
    )


@access.role_required(*RELEASE_READERS)
def release_detail(request: HttpRequest, pk: int) -> HttpResponse:
    release = _release(request, pk)
    return render(
        request,
        "releases/release_detail.html",
        {
            "release": release,
            "reviews": release.reviews.select_related("reviewer__person"),
            "coverage": services.release_coverage(release),
            "actions": selectors.release_actions(release, request.user),
            "author": user_label(release.author),
        },
    )


@require_POST
@access.role_required(*AUTHORS)
def release_submit(request: HttpRequest, pk: int) -> HttpResponseBase:
    release = _release(request, pk)
    try:
        services.release_submit(release=release, user=request.user)
    except ProcedureError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已送保密审查。")
    return redirect("releases:detail", pk=pk)


@access.role_required(*REVIEWERS)
def release_review(request: HttpRequest, pk: int) -> HttpResponseBase:
    release = _release(request, pk)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.release_review(
                release=release,
                user=request.user,
                checklist=form.checklist(),
                result=form.cleaned_data["result"],
                comments=form.cleaned_data["comments"],
            )
        except ProcedureError as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, "保密审查已记录。")
            return redirect("releases:detail", pk=pk)
    coverage = services.release_coverage(release)
    return render(
        request,
        "releases/review.html",
        {
            "release": release,
            "form": form,
            "coverage": coverage,
            "unused": [c for c in coverage if not c.used],
            "own": release.author_id == request.user.pk,
            "moves": selectors.release_moves(release),
        },
    )


@access.role_required(*SIGNERS)
def release_sign(request: HttpRequest, pk: int) -> HttpResponseBase:
    release = _release(request, pk)
    error = ""
    if request.method == "POST":
        try:
            services.release_sign(release=release, user=request.user)
        except ProcedureError as exc:
            error = exc.message
        else:
            messages.success(request, "已签发。")
            return redirect("releases:detail", pk=pk)
    review = release.reviews.filter(result="pass").select_related("reviewer__person").last()
    return render(
        request,
        "releases/sign.html",
        {
            "release": release,
            "review": review,
            "error": error,
            "own": release.author_id == request.user.pk,
            "moves": selectors.release_moves(release),
        },
        status=409 if error else 200,
    )


@access.role_required(*AUTHORS)
def release_publish(request: HttpRequest, pk: int) -> HttpResponseBase:
    release = _release(request, pk)
    form = PublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.release_publish(release=release, user=request.user, **form.cleaned_data)
        except ProcedureError as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, "已登记发布。")
            return redirect("releases:detail", pk=pk)
    return render(
        request,
        "releases/publish.html",
        {"release": release, "form": form, "moves": selectors.release_moves(release)},
    )


@access.role_required(*POINT_READERS)
def points(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "releases/points.html",
        {"topics": selectors.talking_point_topics(), "may_edit": bool(_roles(request) & POINT_EDITORS)},
    )


@access.role_required(*POINT_EDITORS)
def point_new(request: HttpRequest) -> HttpResponseBase:
    latest = TalkingPoint.objects.filter(topic=request.GET.get("topic", "")).order_by("-version").first()
    initial = (
        {"topic": latest.topic, "text": latest.text, "key_terms": "、".join(latest.key_terms)}
        if latest
        else {}
    )
    form = PointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            point = services.talking_point_create(user=request.user, **form.cleaned_data)
        except ProcedureError as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, f"已审定「{point.topic}」第{point.version}版。")
            return redirect("releases:points")
    return render(request, "releases/point_form.html", {"form": form, "latest": latest})


def _post_forms(tasks: list[GuidanceTask], bound: tuple[int, PostForm] | None) -> list[tuple[Any, Any]]:
    return [(t, bound[1] if bound and bound[0] == t.pk else PostForm(prefix=f"t{t.pk}")) for t in tasks]


@login_required
def tasks(request: HttpRequest) -> HttpResponse:
    mine = list(selectors.guidance_tasks_for(user=request.user))
    return render(request, "releases/tasks.html", {"rows": _post_forms(mine, None)})


@require_POST
@access.role_required(*COMMENTATORS)
def task_post(request: HttpRequest, pk: int) -> HttpResponseBase:
    task = selectors.guidance_tasks_for(user=request.user).filter(pk=pk).first()
    if task is None:
        raise Http404("任务不存在或不是您的任务")
    form = PostForm(request.POST, prefix=f"t{task.pk}")
    if form.is_valid():
        try:
            services.guidance_post_record(task=task, user=request.user, **form.cleaned_data)
        except ProcedureError as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, "已登记发帖。")
            return redirect("releases:tasks")
    mine = list(selectors.guidance_tasks_for(user=request.user))
    return render(request, "releases/tasks.html", {"rows": _post_forms(mine, (task.pk, form))}, status=422)


@access.role_required(*RELEASE_READERS)
def case_overview(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_get(user=request.user, case_id=case_id)
    if case is None:
        raise Http404("案件不存在或您无权查看")
    roles = _roles(request)
    may_assign = bool(roles & TASK_ASSIGNERS)
    current = _points_panel(case)
    form = None
    if may_assign:
        people = [(u.pk, user_label(u)) for u in selectors.commentators()]
        point_choices = [(p.pk, f"{p.topic}（第{p.version}版）") for p in current]
        form = TaskForm(request.POST or None, people=people, points=point_choices)
        if request.method == "POST" and form.is_valid():
            try:
                services.guidance_task_create(case=case, user=request.user, **form.cleaned_data)
            except ProcedureError as exc:
                refusal_to_form(form, exc)
            else:
                messages.success(request, "已布置舆论引导任务。")
                return redirect("releases:case", case_id=case.pk)
    elif request.method == "POST":
        return access.forbidden(request, TASK_ASSIGNERS)
    return render(
        request,
        "releases/case.html",
        {
            "case": case,
            "releases": selectors.release_list(user=request.user, case_id=case.pk),
            "tasks": selectors.guidance_tasks_for(user=request.user, mine=False).filter(case=case),
            "counts": selectors.guidance_counts(case),
            "form": form,
            "may_draft": bool(roles & AUTHORS),
        },
    )

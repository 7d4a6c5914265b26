"""信息发布 (二(五), 三(四)): draft → 保密审查 → 签发 → published, and the public-response time targets."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction

from yuqing.audit.services import audit_record
from yuqing.cases.models import Case, Deadline, ProcedureSettings, Signature
from yuqing.cases.services.common import (
    ProcedureError,
    forbidden,
    invalid,
    notify_after_commit,
    require_role,
    signature_create,
    task_done,
    task_subject,
)
from yuqing.cases.services.deadlines import deadline_set, deadlines_meet
from yuqing.core.common import clean_text, content_hash, now_or, parse_time, user_label
from yuqing.core.statemachine import Unchanged
from yuqing.org.selectors import role_holders
from yuqing.releases import coverage as cov
from yuqing.releases.models import CHANNELS, CHECKLIST, KINDS, RESPONSE_KINDS, Release, SecrecyReview
from yuqing.releases.selectors import talking_points_current
from yuqing.releases.services.common import (
    AUTHORS,
    RELEASES,
    REVIEWERS,
    SIGNERS,
    clean_url,
    refuse_after_returned_plan,
    refuse_unless_readable,
    snapshot,
)

CONTENT_FIELDS = ("kind", "channel", "title", "body", "topics", "planned_at")


def release_deadlines_set(case: Case, *, now: datetime | None = None) -> list[Deadline]:
    """For a 重大 or 特别重大 case, the public-response time targets counted from its opening: a first
    authoritative response and a press conference (hours from :class:`ProcedureSettings`). Idempotent:
    a kind already set (open, met, missed or cancelled — e.g. at 结案) is not set again. Returns the
    deadlines created."""
    if not ProcedureSettings.is_major(case.severity):
        return []
    cfg = ProcedureSettings.current()
    targets = {
        "first_response": (cfg.first_response_hours, "首次权威回应（发布回应/情况通报/新闻通稿）"),
        "press_conference": (cfg.press_conference_hours, "召开新闻发布会"),
    }
    created = []
    with transaction.atomic():
        existing = set(
            Deadline.objects.filter(case=case, kind__in=list(targets)).values_list("kind", flat=True)
        )
        for kind, (hours, title) in targets.items():
            if kind in existing:
                continue
            created.append(
                deadline_set(
                    case=case,
                    kind=kind,
                    title=title,
                    due_at=case.opened_at + timedelta(hours=hours),
                    now=now,
                )
            )
        if created:
            audit_record(
                actor=None,
                action="release.deadlines_set",
                obj=case,
                new={d.kind: d.due_at for d in created},
            )
    return created


def _values(data: dict[str, Any], now: datetime) -> dict[str, Any]:
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    kind = str(data.get("kind") or "")
    if kind not in KINDS:
        errors["kind"] = f"请选择稿件类型：{'、'.join(KINDS.values())}"
    channel = str(data.get("channel") or "")
    if channel not in CHANNELS:
        errors["channel"] = f"请选择发布渠道：{'、'.join(CHANNELS.values())}"
    values["kind"], values["channel"] = kind, channel
    values["title"] = clean_text(
        data.get("title"), field="title", label="标题", max_length=200, required=True, errors=errors
    )
    values["body"] = clean_text(
        data.get("body"), field="body", label="正文", max_length=20000, required=True, errors=errors
    )
    topics = data.get("topics") or []
    if isinstance(topics, str):
        topics = [topics]
    values["topics"] = sorted({str(t).strip()[:100] for t in topics if str(t).strip()})
    values["planned_at"] = parse_time(
        data.get("planned_at"), field="planned_at", label="计划发布时间", errors=errors
    )
    if errors:
        raise invalid(errors)
    return values


def release_create(*, case: Case, user: Any, data: dict[str, Any], now: datetime | None = None) -> Release:
    """Draft a release for ``case`` (舆情应急办). Sets the case's public-response deadlines if not yet set."""
    require_role(user, AUTHORS, "起草发布稿")
    refuse_unless_readable(user, case)
    refuse_after_returned_plan(case)
    at = now_or(now)
    values = _values(data, at)
    with transaction.atomic():
        release = Release.objects.create(case=case, author=user, created_at=at, updated_at=at, **values)
        release_deadlines_set(case, now=at)
        audit_record(
            actor=user,
            action="release.create",
            obj=release,
            new={**values, "case_id": case.pk, "status": "draft"},
        )
    return release


def release_update(
    *, release: Release, user: Any, data: dict[str, Any], now: datetime | None = None
) -> Release:
    """Edit the draft. An edit after submission or review sends it back to draft: it must be reviewed
    again. Signed and published text is frozen. An edit that changes nothing writes nothing."""
    require_role(user, AUTHORS, "修改发布稿")
    at = now_or(now)
    values = _values(data, at)
    audit_old: dict[str, Any] = {}

    def apply(locked: Release) -> dict[str, Any]:
        changed = {f: v for f, v in values.items() if getattr(locked, f) != v}
        if not changed:
            raise Unchanged
        audit_old.update({f: getattr(locked, f) for f in changed})
        for f, v in values.items():
            setattr(locked, f, v)
        locked.submitted_at = None  # back to draft: submitted again after the edit
        locked.revision += 1
        locked.updated_at = at
        return {**changed, "revision": locked.revision}

    RELEASES.transition(
        release, "edit", user=user, apply=apply, audit_action="release.update", audit_old=audit_old
    )
    return release


def release_submit(*, release: Release, user: Any, now: datetime | None = None) -> Release:
    """送审: the draft goes to the designated secrecy reviewers."""
    require_role(user, AUTHORS, "送保密审查")
    refuse_after_returned_plan(release.case)
    at = now_or(now)

    def apply(locked: Release) -> None:
        locked.submitted_at = at
        notify_after_commit(
            role_holders(REVIEWERS),
            f"【待保密审查】{locked.title}",
            f"{user_label(user)}送审了「{locked.case.title}」的{locked.kind_label}，请进行保密审查。",
            f"/releases/{locked.pk}/review/",
            subject=task_subject(locked, "review"),
        )

    RELEASES.transition(release, "submit", user=user, apply=apply)
    return release


def release_coverage(release: Release, *, at: datetime | None = None) -> list[cov.PointCoverage]:
    """Coverage of the current talking points of the release's topics (all current points if none)."""
    points = talking_points_current(at=at, topics=release.topics or None, case=release.case)
    text = f"{release.title}\n{release.body}"
    return [
        cov.point_coverage(
            text, point_id=p.pk, topic=p.topic, version=p.version, point_text=p.text, terms=p.key_terms
        )
        for p in points
    ]


def release_review(
    *,
    release: Release,
    user: Any,
    checklist: dict[str, Any],
    result: str,
    comments: str = "",
    now: datetime | None = None,
) -> SecrecyReview:
    """保密审查 by a designated reviewer (not the author): pass only with every checklist item confirmed;
    return with comments sends the draft back. Leaves a review record either way."""
    require_role(user, REVIEWERS, "保密审查")
    if release.author_id == user.pk:
        raise forbidden("不能审查本人起草的稿件，请由其他保密审查员审查")
    errors: dict[str, str] = {}
    if result not in ("pass", "return"):
        errors["result"] = "请选择审查结论：通过 或 退回修改"
    answers = {key: bool(checklist.get(key)) for key in CHECKLIST}
    comments = clean_text(comments, field="comments", label="审查意见", max_length=2000, errors=errors)
    if result == "pass" and not all(answers.values()):
        unconfirmed = [CHECKLIST[k] for k, ok in answers.items() if not ok]
        errors["checklist"] = f"以下事项未确认，不能通过：{'；'.join(unconfirmed)}"
    if result == "return" and not comments:
        errors["comments"] = "退回修改须写明审查意见"
    if errors:
        raise invalid(errors)
    at = now_or(now)
    made: list[SecrecyReview] = []

    def apply(locked: Release) -> dict[str, Any]:
        review = SecrecyReview.objects.create(
            release=locked,
            revision=locked.revision,
            content_hash=content_hash(snapshot(locked)),
            reviewer=user,
            reviewed_at=at,
            checklist=answers,
            result=result,
            comments=comments,
            coverage=[c.as_dict() for c in release_coverage(locked, at=at)],
        )
        made.append(review)
        if result == "return":
            locked.submitted_at = None
        return {"review_id": review.pk, "checklist": answers, "comments": comments}

    def then(locked: Release) -> None:
        task_done(locked, "review")
        if result == "return":
            notify_after_commit(
                [locked.author],
                f"【保密审查退回】{locked.title}",
                comments,
                f"/releases/{locked.pk}/",
            )
        else:
            notify_after_commit(
                role_holders(SIGNERS),
                f"【待签发】{locked.title}",
                f"「{locked.case.title}」的{locked.kind_label}已通过保密审查，请签发。",
                f"/releases/{locked.pk}/sign/",
                subject=task_subject(locked, "sign"),
            )

    RELEASES.transition(release, f"review_{result}", user=user, apply=apply, then=then)
    return made[0]


def release_sign(*, release: Release, user: Any, now: datetime | None = None) -> Signature:
    """签发 by 组长/副组长 (not the author) of the reviewed text. Freezes it: the SHA-256 of the content goes
    on the release and on a cases.Signature (purpose 签发) that keeps the signed content."""
    held = require_role(user, SIGNERS, "签发发布稿") & SIGNERS
    if release.author_id == user.pk:
        raise forbidden("不能签发本人起草的稿件，请由其他领导签发")
    refuse_after_returned_plan(release.case)
    at = now_or(now)
    made: list[Signature] = []

    def apply(locked: Release) -> dict[str, Any]:
        content = snapshot(locked)
        digest = content_hash(content)
        review = locked.reviews.filter(result="pass").order_by("-reviewed_at", "-id").first()
        if review is None or review.content_hash != digest:
            raise ProcedureError("稿件在保密审查后有变动，须重新送审")
        locked.signed_by = user
        locked.signed_at = at
        locked.content_hash = digest
        signature = signature_create(
            case=locked.case,
            obj=locked,
            signer=user,
            role=sorted(held)[0],
            purpose="签发",
            content=content,
            at=at,
        )
        made.append(signature)
        return {"content_hash": digest, "signature_id": signature.pk}

    def then(locked: Release) -> None:
        task_done(locked, "sign")
        notify_after_commit(
            [locked.author], f"【已签发】{locked.title}", "稿件已签发，可以发布。", f"/releases/{locked.pk}/"
        )

    RELEASES.transition(release, "sign", user=user, apply=apply, then=then)
    return made[0]


def release_publish(
    *,
    release: Release,
    user: Any,
    url: str,
    published_at: Any = None,
    now: datetime | None = None,
) -> Release:
    """Mark a signed release published (URL, time). Meets the case's 首次权威回应 deadline (回应/情况通报/
    新闻通稿) and 新闻发布会 deadline (channel 新闻发布会)."""
    require_role(user, AUTHORS, "登记发布")
    at = now_or(now)
    errors: dict[str, str] = {}
    url = clean_url(url, field="url", label="发布地址", errors=errors)
    when = parse_time(published_at, field="published_at", label="发布时间", errors=errors, not_after=at) or at
    if errors:
        raise invalid(errors)
    refuse_after_returned_plan(release.case)

    def apply(locked: Release) -> dict[str, Any]:
        if content_hash(snapshot(locked)) != locked.content_hash:
            raise ProcedureError("稿件内容与签发时不一致，不能发布；请联系系统管理员核查")
        locked.published_url = url
        locked.published_at = when
        locked.published_by = user
        met = {}
        if locked.kind in RESPONSE_KINDS:
            met["first_response"] = deadlines_meet(case=locked.case, kind="first_response", at=when)
        if locked.channel == "press_conference":
            met["press_conference"] = deadlines_meet(case=locked.case, kind="press_conference", at=when)
        return {"url": url, "published_at": when, "deadlines_met": met}

    RELEASES.transition(release, "publish", user=user, apply=apply)
    return release


__all__ = [
    "release_coverage",
    "release_create",
    "release_deadlines_set",
    "release_publish",
    "release_review",
    "release_sign",
    "release_submit",
    "release_update",
]

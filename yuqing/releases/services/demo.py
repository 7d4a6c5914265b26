"""Demo data for a handled case: talking points, one release taken through the whole chain, one done
guidance task — all through the services, so the audit trail and deadlines are as in real use."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from yuqing.cases.models import Case
from yuqing.releases.models import CHECKLIST, Release
from yuqing.releases.services.guidance import guidance_post_record, guidance_task_create
from yuqing.releases.services.points import talking_point_create
from yuqing.releases.services.releases import (
    release_create,
    release_publish,
    release_review,
    release_sign,
    release_submit,
)


def demo_load(
    case: Case,
    *,
    author: Any,
    reviewer: Any,
    signer: Any,
    point_editor: Any,
    commentator: Any,
    now: datetime | None = None,
) -> Release:
    """For ``case``: a talking point on its topic, a 新闻通稿 at a 新闻发布会 drafted by ``author`` (office),
    reviewed by ``reviewer`` (保密审查员), signed by ``signer`` (组长/副组长), published; and a guidance
    task for ``commentator`` with one post, done. Idempotent: a case with releases is left alone.

    Times: when the case was opened more than 4 h before ``now``, the steps are dated in its first hours
    (so the 5 h / 24 h targets are met); otherwise all at ``now``."""
    existing = case.releases.order_by("id").first()
    if existing is not None:
        return existing
    now = now or timezone.now()
    base = case.opened_at if now - case.opened_at > timedelta(hours=4) else None

    def at(minutes: int) -> datetime:
        return base + timedelta(minutes=minutes) if base is not None else now

    topic = f"{case.title[:80]}·统一口径"
    point = talking_point_create(
        user=point_editor,
        topic=topic,
        text="税务机关高度重视，已成立工作组核实情况；将依法依规处理，并及时公布处理结果，欢迎社会监督。",
        valid_from=at(20),
        case=case,
        now=at(20),
    )
    release = release_create(
        case=case,
        user=author,
        data={
            "kind": "press_release",
            "channel": "press_conference",
            "title": f"关于“{case.title[:60]}”有关情况的通报",
            "body": (
                "近日，网民反映的相关情况引起关注。税务机关高度重视，第一时间成立工作组核实情况。"
                "经核实，相关问题已依法依规处理，处理结果将及时公布，欢迎社会监督。"
            ),
            "topics": [topic],
            "planned_at": at(180),
        },
        now=at(60),
    )
    release_submit(release=release, user=author, now=at(70))
    release_review(
        release=release,
        user=reviewer,
        checklist=dict.fromkeys(CHECKLIST, True),
        result="pass",
        comments="经审查，不涉密，口径一致。",
        now=at(90),
    )
    release_sign(release=release, user=signer, now=at(120))
    release_publish(
        release=release,
        user=author,
        url=f"https://tiemenguan.chinatax.gov.cn/xwfb/{case.pk}.html",
        published_at=at(180),
        now=at(180),
    )
    task = guidance_task_create(
        case=case,
        user=author,
        assignee_id=commentator.pk,
        where="本地论坛原帖下方及官方微博评论区",
        instructions="转发通报，按统一口径解疑释惑，不与网民争执。",
        talking_point_ids=[point.pk],
        due_at=at(360) if base is not None else now + timedelta(hours=4),
        now=at(190),
    )
    guidance_post_record(
        task=task,
        user=commentator,
        url=f"https://bbs.example.cn/t/{case.pk}#reply-1",
        platform="本地论坛",
        posted_at=at(240),
        done=True,
        now=at(240),
    )
    release.refresh_from_db()
    return release

"""The releases' part of 一案一档 (``cases.dossier.dossier_provider``, registered in
``ReleasesConfig.ready``): each release with its 保密审查 and 签发, the published text being the one that
was signed; and the 舆论引导 tasks with the posts recorded for them."""

from __future__ import annotations

from typing import Any

from yuqing.cases.dossier import (
    DossierField,
    DossierRecord,
    DossierSection,
    DossierTable,
    dossier_provider,
    seal,
    signed_content,
    when,
)
from yuqing.cases.models import Case, Signature
from yuqing.core.common import user_label
from yuqing.releases.models import GuidanceTask, Release


def _release(case: Case, r: Release, seals: dict[str, list[Any]]) -> DossierRecord:
    signed = signed_content(case, r, "签发") if r.signed_at else None
    reviews = [
        [when(v.reviewed_at), user_label(v.reviewer), f"第{v.revision}次稿", v.result_label, v.comments]
        for v in r.reviews.select_related("reviewer__person")
    ]
    fields = [
        DossierField("类型 / 渠道", f"{r.kind_label} / {r.channel_label}"),
        DossierField("正文", str((signed or {}).get("body") or r.body)),
    ]
    if r.published_at:
        fields.append(
            DossierField("发布", f"{when(r.published_at, year=True)} {user_label(r.published_by)}登记")
        )
    if r.published_url:
        fields.append(DossierField("发布地址", r.published_url))
    if not signed:
        note = "尚未签发，正文为当前稿，不是发布文本"
    elif r.published_at:
        note = ""
    else:
        note = "已签发，尚未发布"
    return DossierRecord(
        title=str((signed or {}).get("title") or r.title),
        status=r.status_label,
        meta=f"{when(r.created_at)} {user_label(r.author)}起草，第{r.revision}次稿",
        fields=fields,
        table=DossierTable(["审查时间", "审查人", "稿件", "结论", "意见"], reviews, "保密审查")
        if reviews
        else None,
        seals=seals.get(str(r.pk), []),
        note=note,
        link=f"/releases/{r.pk}/",
    )


@dossier_provider
def release_sections(case: Case, user: Any) -> list[DossierSection]:
    """Releases (signed or published first in the file's order, by creation) and guidance tasks."""
    seals: dict[str, list[Any]] = {}
    for s in Signature.objects.filter(case=case, object_type=Release._meta.label_lower).order_by(
        "signed_at", "id"
    ):
        seals.setdefault(s.object_id, []).append(seal(s))
    releases = DossierSection("releases", "信息发布", 45)
    for r in (
        Release.objects.filter(case=case)
        .select_related("author__person", "published_by__person")
        .order_by("created_at", "id")
    ):
        releases.records.append(_release(case, r, seals))
    guidance = DossierSection("guidance", "舆论引导", 46)
    rows = []
    for t in (
        GuidanceTask.objects.filter(case=case)
        .select_related("assignee__person")
        .prefetch_related("posts")
        .order_by("created_at", "id")
    ):
        posts = "\n".join(f"{when(p.posted_at)} {p.platform} {p.url}".strip() for p in t.posts.all())
        rows.append([user_label(t.assignee), t.where, t.instructions, when(t.due_at), t.status_label, posts])
    if rows:
        headers = ["承办人", "发声平台/位置", "引导要求", "时限", "状态", "发帖记录"]
        guidance.records.append(DossierRecord(title="", table=DossierTable(headers, rows)))
    return [releases, guidance]

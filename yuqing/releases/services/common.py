"""What the release services share: who may do what, the status table, guards and the content snapshot."""

from __future__ import annotations

from typing import Any

from yuqing.cases import flow
from yuqing.cases.access import DEPARTMENT_ROLES, may_read
from yuqing.cases.models import Case, PlanStatus
from yuqing.cases.services.common import ProcedureError, forbidden
from yuqing.core.statemachine import Move, StateMachine
from yuqing.org import access
from yuqing.releases.models import Release
from yuqing.releases.models import ReleaseStatus as S

AUTHORS = flow.OFFICE  # 舆情应急办 drafts, edits, submits and marks published
REVIEWERS = frozenset({access.SECRECY_REVIEWER})
SIGNERS = access.SIGNING_ROLES
POINT_EDITORS = flow.OFFICE_HEADS | flow.LEADERS
TASK_ASSIGNERS = flow.OFFICE | flow.LEADERS
COMMENTATORS = access.TALENT_POOL
# Who sees every release (not only those of cases they may read).
READ_ALL = flow.OFFICE | flow.LEADERS | REVIEWERS
# Who may open release pages at all (then: the releases of cases they may read, or all for READ_ALL).
RELEASE_READERS = READ_ALL | access.WORKING_GROUP | {access.AUDITOR} | DEPARTMENT_ROLES
POINT_READERS = READ_ALL | COMMENTATORS | access.WORKING_GROUP

# The release's status moves, declared once (yuqing.core.statemachine): action → from, to, refusal.
RELEASES = StateMachine(
    Release,
    {
        "edit": Move(
            {S.DRAFT, S.SUBMITTED, S.REVIEWED},
            S.DRAFT,
            "稿件{label}，内容已冻结，不能修改；如需更正请起草新稿",
        ),
        "submit": Move({S.DRAFT}, S.SUBMITTED, "稿件{label}，不能送审"),
        "review_pass": Move({S.SUBMITTED}, S.REVIEWED, "稿件{label}，不在待保密审查状态"),
        "review_return": Move({S.SUBMITTED}, S.DRAFT, "稿件{label}，不在待保密审查状态"),
        "sign": Move({S.REVIEWED}, S.SIGNED, "稿件{label}：须先通过保密审查才能签发"),
        "publish": Move({S.SIGNED}, S.PUBLISHED, "稿件{label}：只有经保密审查并签发的稿件才能标记为已发布"),
    },
    audit_prefix="release",
    error=ProcedureError,
)


def refuse_after_returned_plan(case: Case) -> None:
    """No release while the case's latest response plan is returned and no newer plan is approved."""
    returned = case.plans.filter(status=PlanStatus.RETURNED).order_by("-version").first()
    if returned and not case.plans.filter(status=PlanStatus.APPROVED, version__gt=returned.version).exists():
        raise ProcedureError(
            f"该案件的应对方案（第{returned.version}版）已被退回，新方案批准前不能发布信息；"
            "请先修改方案并报批"
        )


def refuse_unless_readable(user: Any, case: Case) -> None:
    if not may_read(user, case):
        raise forbidden(f"您无权查看案件 {case.pk}，不能为其办理信息发布")


def may_see_release(user: Any, release: Release) -> bool:
    return bool(access.cached_roles(user) & READ_ALL) or may_read(user, release.case)


def snapshot(release: Release) -> dict[str, Any]:
    """The content that review and 签发 freeze."""
    return {
        "release_id": release.pk,
        "case_id": release.case_id,
        "kind": release.kind,
        "channel": release.channel,
        "title": release.title,
        "body": release.body,
        "topics": list(release.topics),
    }


def clean_url(value: Any, *, field: str, label: str, errors: dict[str, str], required: bool = True) -> str:
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator

    url = "" if value is None else str(value).strip()
    if not url:
        if required:
            errors[field] = f"请填写{label}"
        return ""
    if len(url) > 500:
        errors[field] = f"{label}不能超过 500 个字符"
        return url
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        errors[field] = f"{label}须为 http:// 或 https:// 开头的网址"
    return url

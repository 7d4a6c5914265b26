"""Who may open which 信息发布 route (checked by tests/test_permission_matrix.py).

How to declare: see :mod:`yuqing.testing.routes`.

Pages and API share the sets of :mod:`yuqing.releases.services.common`. The objects the routes need are
made on a case of 征管科, so the matrix's department head and handler (of 征管科) may read it."""

from __future__ import annotations

from typing import Any

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
from yuqing.testing.factories import make_case, make_persona
from yuqing.testing.routes import LOGGED_IN, RouteSpec


def _user(username: str, role: str) -> Any:
    return make_persona(username, username, role)


def _case() -> Any:
    from yuqing.org import access

    author = _user("perm_release_author", access.OFFICE_DEPUTY)
    return author, make_case(author, title="权限矩阵案件")


def a_case() -> int:
    return _case()[1].pk


def a_release() -> int:
    from yuqing.releases.services import release_create

    author, case = _case()
    data = {"kind": "response", "channel": "website", "title": "回应", "body": "正文"}
    return release_create(case=case, user=author, data=data).pk


def a_commentators_task() -> int:
    """A task of the commentator persona (the first current 税收评论员/网络宣传员)."""
    from yuqing.releases.selectors import commentators
    from yuqing.releases.services import guidance_task_create

    author, case = _case()
    assignee = commentators()[0]
    return guidance_task_create(case=case, user=author, assignee_id=assignee.pk, where="论坛").pk


RELEASE: dict[str, object] = {"pk": a_release}
API_RELEASE: dict[str, object] = {"release_id": a_release}

ROUTES: dict[str, RouteSpec] = {
    "releases:list": {"allow": LOGGED_IN},
    "releases:new": {"allow": AUTHORS},
    "releases:detail": {"allow": RELEASE_READERS, "kwargs": RELEASE},
    "releases:edit": {"allow": AUTHORS, "kwargs": RELEASE},
    "releases:submit": {"allow": AUTHORS, "kwargs": RELEASE, "method": "post"},
    "releases:review": {"allow": REVIEWERS, "kwargs": RELEASE},
    "releases:sign": {"allow": SIGNERS, "kwargs": RELEASE},
    "releases:publish": {"allow": AUTHORS, "kwargs": RELEASE},
    "releases:points": {"allow": POINT_READERS},
    "releases:point_new": {"allow": POINT_EDITORS},
    "releases:tasks": {"allow": LOGGED_IN},
    "releases:task_post": {"allow": COMMENTATORS, "kwargs": {"pk": a_commentators_task}, "method": "post"},
    "releases:case": {"allow": RELEASE_READERS, "kwargs": {"case_id": a_case}},
    "api:release_index": {"allow": LOGGED_IN},
    "api:release_create": {"allow": AUTHORS, "kwargs": {"case_id": a_case}, "method": "post"},
    "api:release_detail": {"allow": RELEASE_READERS, "kwargs": API_RELEASE},
    "api:release_update": {"allow": AUTHORS, "kwargs": API_RELEASE, "method": "put"},
    "api:release_submit": {"allow": AUTHORS, "kwargs": API_RELEASE, "method": "post"},
    "api:release_review": {"allow": REVIEWERS, "kwargs": API_RELEASE, "method": "post"},
    "api:release_sign": {"allow": SIGNERS, "kwargs": API_RELEASE, "method": "post"},
    "api:release_publish": {"allow": AUTHORS, "kwargs": API_RELEASE, "method": "post"},
    "api:point_index": {"allow": POINT_READERS},
    "api:point_create": {"allow": POINT_EDITORS, "method": "post"},
    "api:task_index": {"allow": LOGGED_IN},
    "api:task_create": {"allow": TASK_ASSIGNERS, "kwargs": {"case_id": a_case}, "method": "post"},
    "api:task_post": {"allow": COMMENTATORS, "kwargs": {"task_id": a_commentators_task}, "method": "post"},
    "api:case_counts": {"allow": RELEASE_READERS, "kwargs": {"case_id": a_case}},
}

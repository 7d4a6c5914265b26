"""Personas of 信息发布 besides the case cast: a secrecy reviewer (and a second one who also drafts), a
税收评论员, a 网络宣传员; and a helper to take a release along the chain."""

from __future__ import annotations

from typing import Any

import pytest

from yuqing.cases.tests.conftest import Cast, cast, event  # noqa: F401  (fixtures)
from yuqing.org import access
from yuqing.releases import services
from yuqing.releases.models import CHECKLIST, Release
from yuqing.testing.factories import make_persona

ALL_CHECKED = dict.fromkeys(CHECKLIST, True)
DRAFT = {
    "kind": "response",
    "channel": "website",
    "title": "关于定额调整有关情况的回应",
    "body": "税务机关高度重视，已成立工作组核实情况。定额调整依法依规，纳税人可申请复核。",
}


@pytest.fixture
def reviewer(db) -> Any:
    return make_persona("r_reviewer", "保密审查员甲", access.SECRECY_REVIEWER)


@pytest.fixture
def commentator(db) -> Any:
    return make_persona("r_commentator", "税收评论员甲", access.COMMENTATOR)


@pytest.fixture
def publicist(db) -> Any:
    return make_persona("r_publicist", "网络宣传员甲", access.PUBLICIST)


def draft(case: Any, crew: Cast, **data: Any) -> Release:
    return services.release_create(case=case, user=crew.office, data={**DRAFT, **data})


def to_signed(release: Release, crew: Cast, reviewer: Any) -> Release:
    services.release_submit(release=release, user=crew.office)
    services.release_review(release=release, user=reviewer, checklist=ALL_CHECKED, result="pass")
    services.release_sign(release=release, user=crew.leader)
    release.refresh_from_db()
    return release

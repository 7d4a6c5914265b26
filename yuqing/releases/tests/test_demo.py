"""The demo hook: a finished case gets points, a published release and a done guidance task."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from yuqing.cases import vocab as cv
from yuqing.cases.models import Deadline
from yuqing.cases.tests.drive import advance, open_case
from yuqing.releases import selectors, services

pytestmark = pytest.mark.django_db


def test_demo_on_a_handled_case_publishes_a_release_within_the_time_targets(cast, reviewer, commentator):
    start = timezone.now() - timedelta(days=2)
    case = advance(open_case(cast, now=start), cast, cv.RESPONDING)
    kw = {
        "author": cast.office,
        "reviewer": reviewer,
        "signer": cast.leader,
        "point_editor": cast.director,
        "commentator": commentator,
    }
    release = services.demo_load(case, **kw)
    assert release.status == "published" and release.reviews.get().result == "pass"
    assert release.published_at - case.opened_at == timedelta(hours=3)
    statuses = dict(Deadline.objects.filter(case=case).values_list("kind", "met_at"))
    assert statuses["first_response"] and statuses["press_conference"]
    assert Deadline.objects.get(case=case, kind="first_response").status == "met"
    assert selectors.guidance_counts(case) == {"tasks": 1, "open": 0, "done": 1, "posts": 1}
    case = advance(case, cast, cv.CLOSED)
    assert services.demo_load(case, **kw).pk == release.pk  # idempotent


def test_demo_also_works_on_a_closed_case(cast, reviewer, commentator):
    case = advance(open_case(cast), cast, cv.CLOSED)
    release = services.demo_load(
        case,
        author=cast.office,
        reviewer=reviewer,
        signer=cast.deputy,
        point_editor=cast.director,
        commentator=commentator,
    )
    assert release.status == "published"
    assert Deadline.objects.filter(case=case, kind="first_response").count() == 1

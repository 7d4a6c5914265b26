"""统一口径: versions, validity, the current point per topic, and which points a draft uses."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from yuqing.cases.services.common import ProcedureError
from yuqing.cases.tests.drive import open_case
from yuqing.releases import services
from yuqing.releases.coverage import key_terms, point_coverage
from yuqing.releases.selectors import talking_points_current
from yuqing.releases.tests.conftest import draft

pytestmark = pytest.mark.django_db

POINT = "定额调整依法依规，纳税人可申请复核。"


def test_new_version_of_a_topic_replaces_the_previous_one(cast):
    first = services.talking_point_create(user=cast.director, topic="定额调整", text=POINT)
    second = services.talking_point_create(
        user=cast.leader, topic="定额调整", text=POINT + "复核期间暂缓执行。"
    )
    first.refresh_from_db()
    assert (first.version, second.version) == (1, 2)
    assert first.valid_until == second.valid_from
    assert [p.pk for p in talking_points_current()] == [second.pk]
    assert [p.pk for p in talking_points_current(at=first.valid_from + timedelta(microseconds=0))] == [
        first.pk
    ]


def test_expired_and_future_points_are_not_current(cast):
    now = timezone.now()
    services.talking_point_create(
        user=cast.director,
        topic="已过期",
        text=POINT,
        valid_from=now - timedelta(days=3),
        valid_until=now - timedelta(days=1),
    )
    services.talking_point_create(
        user=cast.director, topic="未生效", text=POINT, valid_from=now + timedelta(days=1)
    )
    assert talking_points_current() == []
    assert [p.topic for p in talking_points_current(at=now + timedelta(days=2))] == ["未生效"]


def test_validity_must_end_after_it_starts(cast):
    now = timezone.now()
    with pytest.raises(ProcedureError) as exc:
        services.talking_point_create(
            user=cast.director, topic="t", text=POINT, valid_from=now, valid_until=now - timedelta(hours=1)
        )
    assert "valid_until" in exc.value.errors


def test_only_office_heads_and_leaders_set_talking_points(cast, reviewer, commentator):
    for user in (cast.office, reviewer, commentator, cast.head):
        with pytest.raises(ProcedureError) as exc:
            services.talking_point_create(user=user, topic="t", text=POINT)
        assert exc.value.code == "forbidden"


def test_key_terms_leave_out_negations_and_single_characters():
    terms = key_terms("税务机关不存在乱收费问题")
    assert "不" not in terms and "乱收费" in terms


def test_draft_that_repeats_the_point_uses_it_and_one_that_ignores_it_does_not():
    used = point_coverage(
        "经核实，定额调整依法依规进行，纳税人如有异议可申请复核。",
        point_id=1,
        topic="t",
        version=1,
        point_text=POINT,
    )
    assert used.used and used.missing == []
    unused = point_coverage("我们高度重视网民关切。", point_id=1, topic="t", version=1, point_text=POINT)
    assert not unused.used and unused.share == 0


def test_negated_key_term_is_flagged_as_possibly_contradicting_the_point():
    result = point_coverage(
        "定额调整并非依法依规，纳税人不能申请复核。", point_id=1, topic="t", version=1, point_text=POINT
    )
    assert "申请" in result.contradicted or "依法" in result.contradicted


def test_release_coverage_covers_the_current_points_of_its_topics(cast):
    services.talking_point_create(user=cast.director, topic="定额调整", text=POINT)
    services.talking_point_create(user=cast.director, topic="其他", text="办税服务厅延时服务至晚八点。")
    release = draft(open_case(cast), cast, topics=["定额调整"])
    rows = services.release_coverage(release)
    assert [(r.topic, r.used) for r in rows] == [("定额调整", True)]
    release.topics = []
    by_topic = {r.topic: r.used for r in services.release_coverage(release)}
    assert by_topic == {"定额调整": True, "其他": False}


def test_review_records_the_coverage_the_reviewer_saw(cast, reviewer):
    from yuqing.releases.tests.conftest import ALL_CHECKED

    services.talking_point_create(user=cast.director, topic="其他", text="办税服务厅延时服务至晚八点。")
    release = draft(open_case(cast), cast)
    services.release_submit(release=release, user=cast.office)
    review = services.release_review(release=release, user=reviewer, checklist=ALL_CHECKED, result="pass")
    assert review.coverage[0]["topic"] == "其他" and review.coverage[0]["used"] is False

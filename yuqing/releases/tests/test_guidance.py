"""舆论引导 tasks: who may assign them, who records posts, deadlines, counts per case, case access."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from yuqing.cases.access import may_read
from yuqing.cases.models import Deadline
from yuqing.cases.services import deadlines_sweep
from yuqing.cases.services.common import ProcedureError
from yuqing.cases.tests.drive import open_case
from yuqing.releases import selectors, services

pytestmark = pytest.mark.django_db


def _task(case, cast, assignee, **kw):
    return services.guidance_task_create(
        case=case, user=cast.office, assignee_id=assignee.pk, where="本地论坛原帖", **kw
    )


def test_commentator_records_posts_and_completes_the_task(cast, commentator):
    point = services.talking_point_create(user=cast.director, topic="定额调整", text="定额调整依法依规。")
    case = open_case(cast)
    task = _task(case, cast, commentator, talking_point_ids=[point.pk], instructions="按口径解释")
    assert list(task.talking_points.all()) == [point]
    services.guidance_post_record(
        task=task, user=commentator, url="https://bbs.example.cn/t/1#r1", platform="论坛"
    )
    assert task.status == "open"
    services.guidance_post_record(task=task, user=commentator, url="https://weibo.example.cn/2", done=True)
    assert task.status == "done"
    assert Deadline.objects.get(case=case, kind="guidance").status == "met"
    with pytest.raises(ProcedureError, match="已完成"):
        services.guidance_post_record(task=task, user=commentator, url="https://bbs.example.cn/t/3")


def test_counts_per_case(cast, commentator, publicist):
    case, other = open_case(cast), open_case(cast, severity="general")
    t1 = _task(case, cast, commentator)
    _task(case, cast, publicist)
    _task(other, cast, publicist)
    services.guidance_post_record(task=t1, user=commentator, url="https://bbs.example.cn/1", done=True)
    services.guidance_post_record(
        task=t1.__class__.objects.get(case=case, assignee=publicist),
        user=publicist,
        url="https://bbs.example.cn/2",
    )
    assert selectors.guidance_counts(case) == {"tasks": 2, "open": 1, "done": 1, "posts": 2}
    assert selectors.guidance_counts(other) == {"tasks": 1, "open": 1, "done": 0, "posts": 0}


def test_only_commentators_and_publicists_receive_tasks(cast, reviewer):
    with pytest.raises(ProcedureError) as exc:
        _task(open_case(cast), cast, reviewer)
    assert exc.value.code == "invalid" and "assignee_id" in exc.value.errors


def test_only_the_office_and_leaders_assign_tasks(cast, commentator):
    case = open_case(cast)
    with pytest.raises(ProcedureError) as exc:
        services.guidance_task_create(case=case, user=commentator, assignee_id=commentator.pk, where="论坛")
    assert exc.value.code == "forbidden"


def test_only_the_assignee_records_posts(cast, commentator, publicist):
    task = _task(open_case(cast), cast, commentator)
    for user in (publicist, cast.office):
        with pytest.raises(ProcedureError) as exc:
            services.guidance_post_record(task=task, user=user, url="https://bbs.example.cn/1")
        assert exc.value.code == "forbidden"


def test_task_cannot_be_completed_without_a_post(cast, commentator):
    task = _task(open_case(cast), cast, commentator)
    with pytest.raises(ProcedureError, match="发帖"):
        services.guidance_task_complete(task=task, user=commentator)


def test_assignee_may_read_the_case_of_their_task_and_no_other(cast, commentator):
    case, other = open_case(cast), open_case(cast, severity="general")
    assert not may_read(commentator, case)
    _task(case, cast, commentator)
    assert may_read(commentator, case) and not may_read(commentator, other)


def test_overdue_guidance_task_is_swept_as_missed(cast, commentator):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _task(open_case(cast), cast, commentator, due_at=(start + timedelta(hours=2)).isoformat())
    with time_machine.travel(start + timedelta(hours=3), tick=False):
        deadlines_sweep()
    assert Deadline.objects.get(kind="guidance").status == "missed"


def test_post_time_cannot_be_in_the_future(cast, commentator):
    task = _task(open_case(cast), cast, commentator)
    later = (timezone.now() + timedelta(days=1)).isoformat()
    with pytest.raises(ProcedureError) as exc:
        services.guidance_post_record(
            task=task, user=commentator, url="https://bbs.example.cn/1", posted_at=later
        )
    assert "posted_at" in exc.value.errors


def test_a_commentator_below_the_cases_level_sees_the_task_but_not_the_case_title(cast, commentator):
    from django.test import Client

    case = open_case(cast)
    case.title = "绝密标题：某科长收受购物卡"
    case.confidentiality = 2
    case.save(update_fields=["title", "confidentiality"])
    services.guidance_task_create(
        case=case, user=cast.director, assignee_id=commentator.pk, where="本地论坛原帖"
    )
    client = Client()
    client.force_login(commentator)
    page = client.get("/releases/tasks/").content.decode()
    assert f"案件 #{case.pk}" in page and "本地论坛原帖" in page
    assert "绝密标题" not in page
    from yuqing.cases.templatetags.case_tags import case_title_for

    assert case_title_for(case, cast.director) == case.title  # the office's director is cleared for 秘密

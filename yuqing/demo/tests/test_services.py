"""Demo sources follow the address the instance runs on."""

from __future__ import annotations

import pytest
from django.test import override_settings

from yuqing.demo.services import demo_load, demo_sources_follow_port
from yuqing.sources.models import Source

pytestmark = pytest.mark.django_db


def test_demo_sources_follow_the_port_run_uses_after_setup_used_another():
    with override_settings(HOST="127.0.0.1", PORT=8000):
        demo_load()
    assert all(":8000/demo/feeds/" in s.url for s in Source.objects.filter(is_demo=True))
    with override_settings(HOST="127.0.0.1", PORT=9100):
        assert demo_sources_follow_port() == Source.objects.filter(is_demo=True).count() > 0
        assert demo_sources_follow_port() == 0
    assert all(
        s.url.startswith("http://127.0.0.1:9100/demo/feeds/") for s in Source.objects.filter(is_demo=True)
    )


def test_the_demo_loads_each_apps_demo_plan_people_duty_roster_policies_and_the_finished_case():
    from yuqing.cases.demo import TITLE
    from yuqing.cases.models import Case
    from yuqing.events.models import MonitoringPlan
    from yuqing.notify.models import DutyShift
    from yuqing.org.models import Person
    from yuqing.policies.models import PolicyDocument

    demo_load()
    assert MonitoringPlan.objects.exists()
    assert Person.objects.filter(is_demo=True).exists()
    assert DutyShift.objects.filter(person__user__username="duty").count() == 8
    assert PolicyDocument.objects.filter(is_demo=True).exists()
    case = Case.objects.get(title=TITLE)
    assert case.releases.filter(status="published").exists()  # 信息发布's demo, a stage of the case
    demo_load()  # idempotent
    assert Case.objects.filter(title=TITLE).count() == 1
    assert DutyShift.objects.filter(person__user__username="duty").count() == 8

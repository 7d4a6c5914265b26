"""监测方案: validated before saving, with the position of a syntax error shown."""

from __future__ import annotations

import pytest

from yuqing.events.models import MonitoringPlan

pytestmark = pytest.mark.django_db


def test_plan_check_reports_syntax_error_with_position(admin_client):
    html = admin_client.post(
        "/plans/check/", {"expression": "税务局 AND (打人 OR 刁难", "subject_words": ""}
    ).content.decode()
    assert "✗" in html and "字符" in html


def test_plan_check_tries_a_sample_text(admin_client):
    html = admin_client.post(
        "/plans/check/",
        {
            "expression": "税务局 NEAR/10 (刁难 OR 打人) AND NOT 广告",
            "sample": "网友称铁门关市税务局工作人员故意刁难办事群众",
        },
    ).content.decode()
    assert "方案语法正确" in html and "命中" in html and "刁难" in html


def test_plan_that_matches_everything_is_refused(admin_client):
    html = admin_client.post("/plans/check/", {"expression": "NOT 广告"}).content.decode()
    assert "匹配所有内容" in html


def test_saving_an_invalid_plan_keeps_what_was_typed(admin_client):
    response = admin_client.post(
        "/plans/new/",
        {"name": "测试方案", "region_words": "铁门关 第二师", "expression": "(税务 AND", "enabled": "on"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "铁门关 第二师" in html and "(税务 AND" in html
    assert not MonitoringPlan.objects.filter(name="测试方案").exists()


def test_saving_a_valid_plan(admin_client):
    response = admin_client.post(
        "/plans/new/",
        {
            "name": "办税服务",
            "subject_words": "办税服务厅、税务局",
            "event_words": "排队，刁难",
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    plan = MonitoringPlan.objects.get(name="办税服务")
    from yuqing.analysis.plans import Doc

    assert plan.compile().match(Doc(title="办税服务厅排队两小时", content="")) is not None


def test_clerk_cannot_edit_plans(clerk_client):
    assert clerk_client.get("/plans/new/").status_code == 403
    assert clerk_client.get("/plans/").status_code == 200

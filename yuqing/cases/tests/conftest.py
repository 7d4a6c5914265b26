"""Personas of the procedure: the office, its director, the group's leaders, the 事发科室 (征管科), another
department (纳税服务科), the auditor and an outsider; and a 重大 event to open cases from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from yuqing import vocab
from yuqing.events.models import Event
from yuqing.items.models import Item
from yuqing.org import access
from yuqing.org.models import Department
from yuqing.org.services import api_token_create
from yuqing.sources.models import Source
from yuqing.testing.factories import department_named, make_persona

FULL_REPORT = {
    "kind": "initial",
    "level": "working_group",
    "occurred_at": "2026-11-26T09:00:00+08:00",
    "place": "铁门关税务局第一税务分局办税服务厅",
    "people": "个体商户约三十人；分局值班人员",
    "cause": "定额调整通知未提前公示",
    "nature": "纳税服务问题引发的聚集",
    "scale": "约三十人，持续两小时",
    "course": "商户上午聚集反映，分局负责人现场解释后散去",
    "harm": "部分网民质疑执法公平，尚无人员受伤",
    "scope": "本地论坛与两个微博账号转发约两百次",
    "info_source": "舆情监测系统预警；当地论坛首发帖",
    "current_state": "讨论量在回落",
    "trend_judgement": "如无新情况，24 小时内平息",
    "handling_so_far": "已现场解释并公布复核渠道",
    "development_trend": "趋于平稳",
    "next_steps": "公开定额核定依据，约谈相关商户",
}


@dataclass
class Cast:
    office: Any
    director: Any
    leader: Any
    deputy: Any
    head: Any  # 征管科 科室负责人
    handler: Any  # 征管科 处置责任人
    other_head: Any  # 纳税服务科 科室负责人
    auditor: Any
    outsider: Any
    department: Department
    other_department: Department

    def client(self, user: Any) -> Client:
        c = Client()
        c.force_login(user)
        return c

    def api(self, user: Any) -> Client:
        return Client(headers={"Authorization": f"Bearer {api_token_create(user=user, name='测试')}"})


@pytest.fixture
def cast(db) -> Cast:
    office_dept, zg, nf = (department_named(name) for name in ("办公室", "征管科", "纳税服务科"))
    return Cast(
        office=make_persona(
            "c_office", "应急办成员甲", access.OFFICE_MEMBER, department=office_dept, on_duty=True
        ),
        director=make_persona("c_director", "应急办主任", access.OFFICE_DIRECTOR, department=office_dept),
        leader=make_persona("c_leader", "组长", access.GROUP_LEADER),
        deputy=make_persona("c_deputy", "副组长", access.GROUP_DEPUTY),
        head=make_persona("c_head", "征管科科长", access.DEPARTMENT_HEAD, department=zg),
        handler=make_persona("c_handler", "征管科处置人", access.DEPARTMENT_HANDLER, department=zg),
        other_head=make_persona("c_other", "纳服科科长", access.DEPARTMENT_HEAD, department=nf),
        auditor=make_persona("c_auditor", "纪检干部", access.AUDITOR),
        outsider=make_persona("c_outsider", "无角色人员"),
        department=zg,
        other_department=nf,
    )


@pytest.fixture
def event(db) -> Event:
    """A 重大 event of negative, tax-related posts that a monitoring plan matched: one that may open a
    case by itself (``auto_open_refusal``)."""
    event = Event.objects.create(
        key="case-e1",
        title="商户聚集办税服务厅反映定额调整",
        size=12,
        severity="major",
        severity_rank=vocab.SEVERITY_ORDER.index("major"),
        score=66.0,
        categories={"mass_incident": 5},
        sentiment={"negative": 10, "neutral": 2},
    )
    forum = Source.objects.create(name="铁门关论坛", kind="webhook", media_type="forum")
    now = timezone.now()
    Item.objects.create(
        source=forum,
        event=event,
        url="https://bbs.example.cn/t/1",
        canonical_url="https://bbs.example.cn/t/1",
        host="bbs.example.cn",
        title=event.title,
        content="几十家商户聚集在办税服务厅门口，反映定额调整过大。",
        published_at=now,
        fetched_at=now,
        media_type="forum",
        content_hash="case-e1-1",
        tax_related=True,
        sentiment="negative",
        matched_plans=["铁门关涉税舆情（默认方案）"],
    )
    return event
